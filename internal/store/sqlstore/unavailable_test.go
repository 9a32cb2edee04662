package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
)

// TestSQLiteBusyIsUnavailable holds the write lock from another pool (another
// process, in production) past the busy timeout.
func TestSQLiteBusyIsUnavailable(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "busy.db")
	dsn := strings.Replace(sqlstore.SQLiteDSN(path), "busy_timeout%285000%29", "busy_timeout%2820%29", 1)
	w, err := sql.Open("sqlite", dsn)
	if err != nil {
		t.Fatal(err)
	}
	w.SetMaxOpenConns(1)
	s, err := sqlstore.New(ctx, sqlstore.SQLite, w, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	other, err := sql.Open("sqlite", sqlstore.SQLiteDSN(path))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	tx, err := other.BeginTx(ctx, nil) // BEGIN IMMEDIATE: takes the write lock
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback() }()

	err = s.CreateRealm(ctx, store.Realm{Name: "r1"})
	if !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("CreateRealm while locked: %v, want ErrUnavailable", err)
	}
	if _, err := s.Revision(ctx); err != nil {
		t.Errorf("reads go on while a writer holds the lock: %v", err)
	}
	_ = tx.Rollback()
	if err := s.CreateRealm(ctx, store.Realm{Name: "r1"}); err != nil {
		t.Errorf("after the lock is released: %v", err)
	}
}

func TestPostgresUnreachableIsUnavailable(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	_, err := sqlstore.Open(ctx, sqlstore.Postgres, "postgres://postgres@127.0.0.1:1/none?sslmode=disable&connect_timeout=2")
	if !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("Open on a closed port: %v, want ErrUnavailable", err)
	}
}

func TestNewRejectsMisconfiguredSQLite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "plain.db")
	w, err := sql.Open("sqlite", path) // no pragmas: foreign keys off
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := sqlstore.New(t.Context(), sqlstore.SQLite, w, nil); err == nil || !strings.Contains(err.Error(), "SetMaxOpenConns(1)") {
		t.Errorf("New with an unbounded writer pool: %v, want a pool size error", err)
	}
	w.SetMaxOpenConns(1)
	if _, err := sqlstore.New(t.Context(), sqlstore.SQLite, w, nil); err == nil || !strings.Contains(err.Error(), "foreign_keys") {
		t.Errorf("New with a plain DSN: %v, want a foreign_keys error", err)
	}
	if _, err := sqlstore.New(t.Context(), sqlstore.Dialect(9), w, nil); err == nil {
		t.Error("New with an unknown dialect succeeded")
	}
}
