package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"

	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL driver "pgx"
	_ "modernc.org/sqlite"             // SQLite driver "sqlite"

	"github.com/gatehouse/gatehouse/internal/replica"
)

// verify looks for each acknowledged write through the running server's APIs and
// returns the ones that are missing or wrong.
func (h *harness) verify(ctx context.Context, cs []check) []string {
	var mu sync.Mutex
	var missing []string
	work := make(chan check)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for c := range work {
				if err := h.verifyOne(ctx, c); err != nil {
					mu.Lock()
					missing = append(missing, fmt.Sprintf("%s: %v", c, err))
					mu.Unlock()
				}
			}
		})
	}
	for _, c := range cs {
		work <- c
	}
	close(work)
	wg.Wait()
	slices.Sort(missing)
	return missing
}

func (h *harness) verifyOne(ctx context.Context, c check) error {
	cl := h.client
	want := func(r replica.Response, status int) error {
		if r.Status != status {
			return fmt.Errorf("got %v, want %d", r, status)
		}
		return nil
	}
	switch c.kind {
	case "app":
		app, r := cl.GetApp(ctx, h.admin, c.app.id)
		if err := want(r, http.StatusOK); err != nil {
			return err
		}
		if app.ClientID != c.app.clientID || !app.Enabled {
			return fmt.Errorf("client id %q enabled %v, want %q enabled", app.ClientID, app.Enabled, c.app.clientID)
		}
	case "secret": // the latest acknowledged secret authenticates
		_, r := cl.Token(ctx, c.app.clientID, c.app.secret, "")
		if r.Status == http.StatusOK {
			h.ledger.token200()
		}
		return want(r, http.StatusOK)
	case "grant":
		perms, r := cl.Permissions(ctx, h.admin, c.app.id)
		if err := want(r, http.StatusOK); err != nil {
			return err
		}
		if !slices.Contains(perms, c.perm) {
			return fmt.Errorf("not among %v", perms)
		}
	case "file":
		content, r := cl.GetFile(ctx, h.modelerToken, c.file.id)
		if err := want(r, http.StatusOK); err != nil {
			return err
		}
		if content != c.file.content {
			return fmt.Errorf("content differs")
		}
	case "token", "revoke":
		// The Administration API verifies from memory: signature (the key survived the
		// restart), expiry, and the deny-list loaded from the store at start.
		r := cl.Clusters(ctx, c.tok.token)
		switch c.tok.state {
		case live:
			return want(r, http.StatusOK)
		case revoked:
			return want(r, http.StatusUnauthorized)
		}
	}
	return nil
}

// dbCheck inspects the database while no server runs (SQLite) or after the server was
// killed (PostgreSQL): storage integrity and the invariants a half-done write would
// break.
func (h *harness) dbCheck(ctx context.Context) error {
	if h.dsn == "" {
		if _, err := os.Stat(h.sqlitePath()); errors.Is(err, fs.ErrNotExist) {
			return nil // killed before the database was created
		}
	}
	db, err := h.openDB()
	if err != nil {
		return err
	}
	defer db.Close()
	if h.dsn == "" {
		var res string
		if err := db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&res); err != nil {
			return fmt.Errorf("integrity_check: %w", err)
		}
		if res != "ok" {
			return fmt.Errorf("integrity_check: %s", res)
		}
		rows, err := db.QueryContext(ctx, "PRAGMA foreign_key_check")
		if err != nil {
			return fmt.Errorf("foreign_key_check: %w", err)
		}
		bad := rows.Next()
		rows.Close()
		if bad {
			return fmt.Errorf("foreign_key_check reports violations")
		}
	}
	for _, inv := range []struct{ what, query string }{
		{"applications without a secret", "SELECT count(*) FROM apps a WHERE NOT EXISTS (SELECT 1 FROM app_secrets s WHERE s.app_id = a.id)"},
		{"files without content", "SELECT count(*) FROM modeler_files f WHERE NOT EXISTS (SELECT 1 FROM modeler_file_contents c WHERE c.file_id = f.id)"},
		{"realms without exactly one active key", "SELECT count(*) FROM realms r WHERE (SELECT count(*) FROM signing_keys k WHERE k.realm = r.name AND k.state = 'active') <> 1"},
	} {
		if !h.setupDone && strings.HasPrefix(inv.what, "realms") {
			continue // a kill during the first start may fall between the realm and its key
		}
		var n int
		if err := db.QueryRowContext(ctx, inv.query).Scan(&n); err != nil {
			// Tables appear with the first migration: a kill before it leaves none.
			if h.setupDone {
				return fmt.Errorf("%s: %w", inv.what, err)
			}
			continue
		}
		if n != 0 {
			return fmt.Errorf("%d %s", n, inv.what)
		}
	}
	return nil
}

func (h *harness) openDB() (*sql.DB, error) {
	if h.dsn != "" {
		return sql.Open("pgx", h.dsn)
	}
	return sql.Open("sqlite", "file:"+h.sqlitePath()+"?_pragma=busy_timeout(5000)")
}

// auditCheck compares the audit trail with the acknowledged management changes:
// each is written synchronously before the answer, so each must be there. Token
// issuance is audited in background batches (every 100 ms); the events a kill
// loses are counted, not failed.
func (h *harness) auditCheck(ctx context.Context, rep *Report) error {
	db, err := h.openDB()
	if err != nil {
		return err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, "SELECT action, target, detail FROM audit WHERE outcome = 'success' AND action IN "+
		"('app.create', 'app.rotate-secret', 'app.permissions.add', 'token.revoke', 'token.issue')")
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	defer rows.Close()
	type key struct{ action, target string }
	n := map[key]int{}
	jtis := map[string]bool{}
	issued := 0
	for rows.Next() {
		var k key
		var detail string
		if err := rows.Scan(&k.action, &k.target, &detail); err != nil {
			return err
		}
		n[k]++
		switch k.action {
		case "token.revoke":
			var d map[string]string
			_ = json.Unmarshal([]byte(detail), &d)
			jtis[d["jti"]] = true
		case "token.issue":
			issued++
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	var missing []string
	for _, a := range h.ledger.apps {
		if n[key{"app.create", a.id}] != 1 {
			missing = append(missing, fmt.Sprintf("app.create of %s: %d events", a.id, n[key{"app.create", a.id}]))
		}
		if got := n[key{"app.rotate-secret", a.id}]; got < a.rotations {
			missing = append(missing, fmt.Sprintf("app.rotate-secret of %s: %d events for %d acknowledged", a.id, got, a.rotations))
		}
		if got := n[key{"app.permissions.add", a.id}]; got < len(a.perms) {
			missing = append(missing, fmt.Sprintf("app.permissions.add of %s: %d events for %d acknowledged", a.id, got, len(a.perms)))
		}
		for _, t := range a.tokens {
			if t.state == revoked && !jtis[t.jti] {
				missing = append(missing, "token.revoke of jti "+t.jti)
			}
		}
	}
	rep.AuditMissing = missing
	rep.TokenAuditAnswered, rep.TokenAuditStored = h.ledger.tokens200, issued
	if len(missing) > 0 {
		return fmt.Errorf("%d acknowledged management changes without their audit event", len(missing))
	}
	return nil
}
