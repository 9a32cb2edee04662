package sqlstore_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"

	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
	"github.com/gatehouse/gatehouse/internal/store/storetest"
)

// pgEnv names the PostgreSQL DSN the PostgreSQL tests run against, e.g.
// postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable.
const pgEnv = "GATEHOUSE_TEST_POSTGRES"

func TestConformanceSQLite(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return openSQLite(t) })
}

func TestConformancePostgres(t *testing.T) {
	base := postgresDSN(t)
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := sqlstore.Open(t.Context(), sqlstore.Postgres, newSchema(t, base), sqlstore.WithMaxOpenConns(5)) // small: other test runs may share the server
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		return s
	})
}

// openSQLite opens a fresh database file exactly as the package documentation
// tells the server to.
func openSQLite(t *testing.T) *sqlstore.Store {
	t.Helper()
	path := filepath.Join(t.TempDir(), "gatehouse.db")
	w, err := sql.Open("sqlite", sqlstore.SQLiteDSN(path))
	if err != nil {
		t.Fatal(err)
	}
	w.SetMaxOpenConns(1)
	r, err := sql.Open("sqlite", sqlstore.SQLiteReadDSN(path))
	if err != nil {
		t.Fatal(err)
	}
	r.SetMaxOpenConns(max(4, runtime.GOMAXPROCS(0)))
	s, err := sqlstore.New(t.Context(), sqlstore.SQLite, w, r)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// postgresDSN returns the test server's DSN or skips the test.
func postgresDSN(t *testing.T) string {
	t.Helper()
	dsn := os.Getenv(pgEnv)
	if dsn == "" {
		t.Skip(pgEnv + " is not set")
	}
	return dsn
}

var (
	adminOnce sync.Once
	adminDB   *sql.DB
	adminErr  error
)

// admin is one shared pool for creating and dropping test schemas and databases.
func admin(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	adminOnce.Do(func() {
		adminDB, adminErr = sql.Open("pgx", dsn)
		if adminErr == nil {
			adminDB.SetMaxOpenConns(4)
			adminErr = adminDB.PingContext(context.Background())
		}
	})
	if adminErr != nil {
		t.Fatalf("%s: %v", pgEnv, adminErr)
	}
	return adminDB
}

func uniqueName(prefix string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// newSchema creates an empty schema, dropped at cleanup, and returns base with
// search_path set to it: a fresh, cheap place for one test.
func newSchema(t *testing.T, base string) string {
	t.Helper()
	db := admin(t, base)
	name := uniqueName("gh_test_")
	if _, err := db.ExecContext(t.Context(), "CREATE SCHEMA "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := db.ExecContext(context.Background(), "DROP SCHEMA "+name+" CASCADE"); err != nil {
			t.Errorf("drop schema: %v", err)
		}
	})
	return withParam(t, base, "search_path", name)
}

// newDatabase creates an empty database, dropped at cleanup, and returns base
// pointing at it.
func newDatabase(t *testing.T, base string) string {
	t.Helper()
	db := admin(t, base)
	name := uniqueName("gh_test_")
	if _, err := db.ExecContext(t.Context(), "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := db.ExecContext(context.Background(), "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop database: %v", err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

func withParam(t *testing.T, dsn, key, value string) string {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("%s must be a URL: %v", pgEnv, err)
	}
	q := u.Query()
	q.Set(key, value)
	u.RawQuery = q.Encode()
	return u.String()
}
