package sqlstore_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
)

// TestSQLiteFileModes: the database and its -wal and -shm files are readable by the
// owner only, whatever the umask, also when an older file was 0644.
func TestSQLiteFileModes(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	for _, pre := range []bool{false, true} {
		dir := t.TempDir()
		path := filepath.Join(dir, "g.db")
		if pre {
			if err := os.WriteFile(path, nil, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		st, err := sqlstore.Open(t.Context(), sqlstore.SQLite, path)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.AppendAudit(t.Context(), store.AuditEvent{Time: time.Now(), Actor: "a", Action: "x"}); err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{path, path + "-wal", path + "-shm"} {
			fi, err := os.Stat(f)
			if err != nil {
				t.Fatalf("pre-existing %v: %v", pre, err)
			}
			if m := fi.Mode().Perm(); m&0o077 != 0 {
				t.Errorf("pre-existing %v: %s has mode %v", pre, filepath.Base(f), fs.FileMode(m))
			}
		}
		st.Close()
	}
}
