package keys

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type meta map[string]string

func (m meta) PutMetaIfAbsent(_ context.Context, k, v string) (string, error) {
	if old, ok := m[k]; ok {
		return old, nil
	}
	m[k] = v
	return v, nil
}

func TestParseMasterKey(t *testing.T) {
	raw := make([]byte, 32)
	for i := range raw {
		raw[i] = byte(i * 7)
	}
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{base64.StdEncoding.EncodeToString(raw), true},
		{base64.RawStdEncoding.EncodeToString(raw), true},
		{base64.URLEncoding.EncodeToString(raw), true},
		{base64.RawURLEncoding.EncodeToString(raw), true},
		{hex.EncodeToString(raw), true},
		{"  " + hex.EncodeToString(raw) + "\n", true},
		{base64.StdEncoding.EncodeToString(raw[:16]), false},
		{"correct horse battery staple", false},
		{"", false},
	} {
		got, err := ParseMasterKey(tc.in)
		if (err == nil) != tc.ok || (tc.ok && string(got) != string(raw)) {
			t.Errorf("ParseMasterKey(%q) = %x, %v", tc.in, got, err)
		}
	}
}

func TestLoadKEKFile(t *testing.T) {
	dir := t.TempDir()
	k1, created, err := LoadKEK("", dir)
	if err != nil || !created {
		t.Fatalf("first load: %v created=%v", err, created)
	}
	fi, err := os.Stat(filepath.Join(dir, MasterKeyFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("master key file mode %v, %v", fi.Mode().Perm(), err)
	}
	k2, created, err := LoadKEK("", dir)
	if err != nil || created {
		t.Fatalf("second load: %v created=%v", err, created)
	}
	sealed := k1.Seal([]byte("private key"), "aad")
	if pt, err := k2.Open(sealed, "aad"); err != nil || string(pt) != "private key" {
		t.Fatalf("reloaded key cannot open: %v", err)
	}
	if _, err := k2.Open(sealed, "other aad"); !errors.Is(err, ErrWrongMasterKey) {
		t.Fatalf("opened with the wrong additional data: %v", err)
	}
	os.WriteFile(filepath.Join(dir, MasterKeyFile), []byte("garbage"), 0o600)
	if _, _, err := LoadKEK("", dir); err == nil || !strings.Contains(err.Error(), MasterKeyFile) {
		t.Fatalf("garbage master key file: %v", err)
	}
}

// TestCheck: the first key to touch a database stamps it; another key is refused.
func TestCheck(t *testing.T) {
	m := meta{}
	a, _ := NewKEK(make([]byte, 32))
	b := make([]byte, 32)
	b[0] = 1
	other, _ := NewKEK(b)
	ctx := context.Background()
	if err := a.Check(ctx, m); err != nil {
		t.Fatal(err)
	}
	if err := a.Check(ctx, m); err != nil {
		t.Fatalf("same key refused: %v", err)
	}
	if err := other.Check(ctx, m); !errors.Is(err, ErrWrongMasterKey) {
		t.Fatalf("other key: %v, want ErrWrongMasterKey", err)
	}
}
