package sqlstore

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/gatehouse/gatehouse/internal/store"
)

// TestAppStatesReadOnlyChanges: after the first full read, AppStates reads only the
// changes recorded since its revision, not every application: a row changed behind
// the store's back (no change recorded) is not seen until the periodic full read.
func TestAppStatesReadOnlyChanges(t *testing.T) {
	ctx := context.Background()
	clock := &fakeClock{t: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
	path := filepath.Join(t.TempDir(), "states.db")
	s, err := Open(ctx, SQLite, path, WithClock(clock.now))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.CreateRealm(ctx, store.Realm{Name: "r"}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"a", "b"} {
		if err := s.CreateApp(ctx, store.Application{ID: id, Realm: "r", ClientID: id, Name: id, Type: "M2M", Enabled: true}); err != nil {
			t.Fatal(err)
		}
	}
	check := func(what string, want map[string]bool) {
		t.Helper()
		got, err := s.AppStates(ctx, "r")
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("%s: %v, want %v", what, got, want)
		}
		for k, v := range want {
			if e, ok := got[k]; !ok || e.Enabled != v {
				t.Fatalf("%s: %v, want %v", what, got, want)
			}
		}
	}
	check("first read", map[string]bool{"a": true, "b": true})

	raw, err := sql.Open("sqlite", SQLiteDSN(path))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.ExecContext(ctx, "UPDATE apps SET enabled = 0 WHERE id = 'b'"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateApp(ctx, "r", "a", func(a store.Application) (store.Application, error) {
		a.Enabled = false
		return a, nil
	}); err != nil {
		t.Fatal(err)
	}
	check("after one recorded change", map[string]bool{"a": false, "b": true})
	clock.add(statesFullReload)
	check("after the periodic full read", map[string]bool{"a": false, "b": false})
}
