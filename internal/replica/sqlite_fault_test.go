package replica_test

import (
	"bytes"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	_ "modernc.org/sqlite" // driver "sqlite"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/replica"
	"github.com/gatehouse/gatehouse/internal/server"
	"github.com/gatehouse/gatehouse/internal/server/servertest"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
)

// TestSQLiteBusy holds SQLite's write lock from another connection (another process
// in production: a backup tool, a second server on the same file) past the busy
// timeout (issue 6: SQLite busy → 503). Writes answer 503 with Retry-After after the
// 5 s timeout, never 500; token requests and the resource APIs, which only read, go on
// (WAL readers do not wait for writers); the write succeeds once the lock is gone.
func TestSQLiteBusy(t *testing.T) {
	slow(t)
	t.Parallel() // mostly waiting for the busy timeout
	in, c := startReplica(t, "")
	ctx := t.Context()
	admin := adminToken(t, c)
	app := mustApp(t, c, admin, "busy-reader", consoleRead)
	tok := mustToken(t, c, app, "")
	uncached := mustApp(t, c, admin, "busy-uncached")
	time.Sleep(time.Second) // let the token endpoint's audit batch reach the database first

	other, err := sql.Open("sqlite", sqlstore.SQLiteDSN(filepath.Join(in.Config.DataDir, server.SQLiteFile)))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	tx, err := other.BeginTx(ctx, nil) // BEGIN IMMEDIATE (the DSN's _txlock): the write lock
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback() }()

	start := time.Now()
	_, r := c.CreateApp(ctx, admin, "while-locked")
	if r.Status != http.StatusServiceUnavailable || r.Header.Get("Retry-After") == "" {
		t.Errorf("write while another connection holds the lock: %v (Retry-After %q), want 503 with Retry-After", r, r.Header.Get("Retry-After"))
	}
	// 10–15 s: the busy timeout (5 s); then the synchronous audit event of the failed
	// change waits for the lock as long again, behind any other write queued on the single
	// writer connection meanwhile (the key maintenance 5 s after start).
	t.Logf("the write answered %d after %v", r.Status, time.Since(start).Round(time.Millisecond))
	// Reads go on while the lock is held; uncached is read from the database.
	if _, r := c.Token(ctx, uncached.ClientID, uncached.ClientSecret, ""); r.Status != http.StatusOK {
		t.Errorf("token request (a read) while the write lock is held: %v", r)
	}
	if r := c.Clusters(ctx, tok); r.Status != http.StatusOK {
		t.Errorf("resource API while the write lock is held: %v", r)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if _, r := c.CreateApp(ctx, admin, "after-lock"); r.Status != http.StatusCreated {
		t.Errorf("write after the lock is released: %v", r)
	}
}

// TestSQLiteDiskFull runs the server on a small tmpfs and fills it (checklist F5):
// writes that need space answer 503 with Retry-After, never 500; reads, token requests
// and the resource APIs go on; writes succeed again within 5 s of space being freed,
// without a restart; and the database passes integrity_check afterwards. It needs
// root (mount); it skips elsewhere.
func TestSQLiteDiskFull(t *testing.T) {
	slow(t)
	t.Parallel()
	dir, err := os.MkdirTemp("", "gatehouse-full-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a small tmpfs to fill (needs root): %v %s", err, bytes.TrimSpace(out))
	}
	defer func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v %s", dir, err, out)
		}
	}()
	in := servertest.Start(t, servertest.Options{DataDir: dir, Config: func(c *config.Config) {
		c.IdentityPublicURL = publicURL
	}})
	c := clientOf(in)
	ctx := t.Context()
	admin := adminToken(t, c)
	app := mustApp(t, c, admin, "full-disk", append([]replica.Permission{consoleRead}, modelerRW...)...)
	consoleTok := mustToken(t, c, app, "console-api")
	modelerTok := mustToken(t, c, app, "web-modeler-public-api")
	project, r := c.CreateProject(ctx, modelerTok, "full")
	if !r.OK() {
		t.Fatalf("project: %v", r)
	}
	kept, r := c.CreateFile(ctx, modelerTok, project, "kept.bpmn", replica.BPMN("kept"))
	if !r.OK() {
		t.Fatalf("file: %v", r)
	}

	filler := filepath.Join(dir, "filler")
	if err := fill(filler); err != nil {
		t.Fatal(err)
	}
	// A file bigger than what the WAL can reuse needs new blocks: it must fail cleanly.
	big := replica.BPMN(strings.Repeat("x", 2<<20))
	var unavailable int
	for i := range 5 {
		_, r := c.CreateFile(ctx, modelerTok, project, fmt.Sprintf("big-%d.bpmn", i), big)
		switch {
		case r.Status == http.StatusServiceUnavailable && r.Header.Get("Retry-After") != "":
			unavailable++
		case r.Status == http.StatusServiceUnavailable:
			t.Errorf("503 without Retry-After")
		default:
			t.Errorf("large write on a full disk: %v, want 503", r)
		}
		_, r = c.CreateApp(ctx, admin, fmt.Sprintf("small-%d", i))
		if r.Status != http.StatusCreated && r.Status != http.StatusServiceUnavailable {
			t.Errorf("small write on a full disk: %v, want 201 (space left in the WAL) or 503", r)
		}
	}
	t.Logf("%d of 5 large writes answered 503 on the full disk", unavailable)
	if _, r := c.Token(ctx, app.ClientID, app.ClientSecret, ""); r.Status != http.StatusOK {
		t.Errorf("token request on a full disk: %v", r)
	}
	if r := c.Clusters(ctx, consoleTok); r.Status != http.StatusOK {
		t.Errorf("resource API on a full disk: %v", r)
	}
	if _, r := c.GetFile(ctx, modelerTok, kept); r.Status != http.StatusOK {
		t.Errorf("read on a full disk: %v", r)
	}

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	var fid string
	took, ok := within(ctx, 5*time.Second, func() bool {
		fid, r = c.CreateFile(ctx, modelerTok, project, fmt.Sprintf("after-%d.bpmn", time.Now().UnixNano()), big)
		return r.OK()
	})
	if !ok {
		t.Fatalf("writes do not resume within 5 s of freeing space: %v", r)
	}
	t.Logf("writes resumed %v after space was freed", took.Round(time.Millisecond))
	if content, r := c.GetFile(ctx, modelerTok, fid); !r.OK() || content != big {
		t.Errorf("file written after the disk was freed: %v", r)
	}
	for _, line := range strings.Split(in.Log.String(), "\n") {
		if strings.Contains(line, "panic") {
			t.Errorf("log: %s", line)
		}
	}

	in.Stop()
	db, err := sql.Open("sqlite", filepath.Join(dir, server.SQLiteFile))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var res string
	if err := db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&res); err != nil || res != "ok" {
		t.Errorf("integrity_check after the full disk: %q %v", res, err)
	}
}

// fill writes path until the filesystem has no space left.
func fill(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	chunk := make([]byte, 64<<10)
	for {
		if _, err := f.Write(chunk); err != nil {
			if errors.Is(err, syscall.ENOSPC) {
				break
			}
			return err
		}
	}
	for _, n := range []int{4096, 512, 1} { // the last blocks
		for {
			if _, err := f.Write(chunk[:n]); err != nil {
				break
			}
		}
	}
	return nil
}
