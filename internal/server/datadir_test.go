package server_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/gatehouse/gatehouse/internal/server"
	"github.com/gatehouse/gatehouse/internal/server/servertest"
)

// TestDataDirMode: the data directory is created 0700, and an existing one that
// others may read or enter is tightened to 0700 (the database and the master key file
// live in it).
func TestDataDirMode(t *testing.T) {
	for name, prepare := range map[string]func(dir string) error{
		"created":  func(string) error { return nil },
		"existing": func(dir string) error { return os.Mkdir(dir, 0o755) },
		"existing world-writable": func(dir string) error {
			if err := os.Mkdir(dir, 0o777); err != nil {
				return err
			}
			return os.Chmod(dir, 0o777) // past the umask
		},
	} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			if err := prepare(dir); err != nil {
				t.Fatal(err)
			}
			st, err := server.OpenStore(t.Context(), servertest.DefaultConfig(dir))
			if err != nil {
				t.Fatal(err)
			}
			st.Close()
			fi, err := os.Stat(dir)
			if err != nil {
				t.Fatal(err)
			}
			if got := fi.Mode().Perm(); got != 0o700 {
				t.Errorf("data directory mode %o, want 700", got)
			}
		})
	}
}
