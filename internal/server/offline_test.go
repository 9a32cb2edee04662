package server_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/keys"
	"github.com/gatehouse/gatehouse/internal/server"
	"github.com/gatehouse/gatehouse/internal/server/servertest"
)

// TestOffline: the offline constructor works on the database a server created, with
// its master key; without Keys it never touches (or creates) the master key file.
func TestOffline(t *testing.T) {
	dir := t.TempDir()
	c := servertest.DefaultConfig(dir)
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(t.Context(), c, server.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv.Close()

	off, err := server.OpenOffline(t.Context(), c)
	if err != nil {
		t.Fatal(err)
	}
	defer off.Close()
	if _, err := off.Store.GetRealm(t.Context(), config.DefaultRealm); err != nil || off.Identity == nil {
		t.Errorf("store: %v, identity service %v", err, off.Identity)
	}
	m, err := off.Keys(t.Context(), config.DefaultRealm)
	if err != nil {
		t.Fatal(err)
	}
	if ks, err := m.List(t.Context(), config.DefaultRealm); err != nil || len(ks) == 0 || ks[0].State != "active" {
		t.Errorf("keys: %v %v", ks, err)
	}
	if _, err := off.Keys(t.Context(), "no-such-realm"); err == nil {
		t.Error("keys of an unknown realm")
	}

	wrong := c
	wrong.MasterKey = "BBECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
	off2, err := server.OpenOffline(t.Context(), wrong)
	if err != nil {
		t.Fatal(err)
	}
	defer off2.Close()
	if _, err := off2.Keys(t.Context(), config.DefaultRealm); err == nil {
		t.Error("a wrong master key opened the keys")
	}
	if _, err := os.Stat(filepath.Join(dir, keys.MasterKeyFile)); !os.IsNotExist(err) {
		t.Errorf("master key file: %v, want none (the key comes from configuration)", err)
	}
}
