package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
)

// columns lists each table's column names, as the database reports them.
type columns map[string][]string

// sqliteColumns leaves out the application search's FTS5 table and its shadow tables:
// an index on SQLite, where PostgreSQL has a trigram index on the column (0005).
func sqliteColumns(t *testing.T, db *sql.DB) columns {
	t.Helper()
	return queryColumns(t, db, `SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE 'apps_name_fts%' ORDER BY m.name, p.cid`)
}

func postgresColumns(t *testing.T, db *sql.DB) columns {
	t.Helper()
	return queryColumns(t, db, `SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`)
}

func queryColumns(t *testing.T, db *sql.DB, query string) columns {
	t.Helper()
	rows, err := db.QueryContext(t.Context(), query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cs := columns{}
	for rows.Next() {
		var table, col string
		if err := rows.Scan(&table, &col); err != nil {
			t.Fatal(err)
		}
		cs[table] = append(cs[table], col)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return cs
}

func appliedVersions(t *testing.T, db *sql.DB) []int64 {
	t.Helper()
	rows, err := db.QueryContext(t.Context(), "SELECT version FROM schema_migrations ORDER BY version")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var vs []int64
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		vs = append(vs, v)
	}
	return vs
}

// TestMigrationsAgree applies every migration on both dialects and compares the
// resulting schemas: the same tables with the same columns in the same order.
func TestMigrationsAgree(t *testing.T) {
	sv, err := sqlstore.MigrationVersions(sqlstore.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	pv, err := sqlstore.MigrationVersions(sqlstore.Postgres)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(sv, pv) || len(sv) == 0 {
		t.Fatalf("migration versions differ: sqlite %v, postgres %v", sv, pv)
	}

	path := filepath.Join(t.TempDir(), "schema.db")
	s, err := sqlstore.Open(t.Context(), sqlstore.SQLite, path)
	if err != nil {
		t.Fatal(err)
	}
	_ = s.Close()
	lite, err := sql.Open("sqlite", sqlstore.SQLiteDSN(path))
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	if got := appliedVersions(t, lite); !slices.Equal(got, sv) {
		t.Errorf("sqlite applied %v, want %v", got, sv)
	}
	liteCols := sqliteColumns(t, lite)
	if len(liteCols) < 10 {
		t.Fatalf("sqlite schema has only %d tables", len(liteCols))
	}

	base := postgresDSN(t)
	dsn := newSchema(t, base)
	ps, err := sqlstore.Open(t.Context(), sqlstore.Postgres, dsn)
	if err != nil {
		t.Fatal(err)
	}
	_ = ps.Close()
	pg, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	if got := appliedVersions(t, pg); !slices.Equal(got, pv) {
		t.Errorf("postgres applied %v, want %v", got, pv)
	}
	if d := cmp.Diff(liteCols, postgresColumns(t, pg)); d != "" {
		t.Errorf("schemas differ (-sqlite +postgres):\n%s", d)
	}
}

// TestMigrateTwice reopens a migrated database: nothing is applied again and
// the data stays.
func TestMigrateTwice(t *testing.T) {
	path := filepath.Join(t.TempDir(), "twice.db")
	for i := range 2 {
		s, err := sqlstore.Open(t.Context(), sqlstore.SQLite, path)
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		if i == 0 {
			if err := s.CreateRealm(t.Context(), store.Realm{Name: "r1"}); err != nil {
				t.Fatal(err)
			}
		} else if _, err := s.GetRealm(t.Context(), "r1"); err != nil {
			t.Errorf("after reopening: %v", err)
		}
		_ = s.Close()
	}
}

// TestConcurrentNewSQLite starts several writers (each its own pool, as separate
// processes would) on one new database file at once.
func TestConcurrentNewSQLite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "concurrent.db")
	runConcurrentNew(t, 8, func(ctx context.Context) (*sqlstore.Store, error) {
		return sqlstore.Open(ctx, sqlstore.SQLite, path)
	})
	db, err := sql.Open("sqlite", sqlstore.SQLiteDSN(path))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	want, _ := sqlstore.MigrationVersions(sqlstore.SQLite)
	if got := appliedVersions(t, db); !slices.Equal(got, want) {
		t.Errorf("applied %v, want %v", got, want)
	}
}

// TestConcurrentNewPostgres starts 20 stores, each with its own *sql.DB, on one
// empty database at once: every migration is applied exactly once, no error.
func TestConcurrentNewPostgres(t *testing.T) {
	dsn := newDatabase(t, postgresDSN(t))
	runConcurrentNew(t, 20, func(ctx context.Context) (*sqlstore.Store, error) {
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, err
		}
		db.SetMaxOpenConns(2)
		s, err := sqlstore.New(ctx, sqlstore.Postgres, db, db)
		if err != nil {
			_ = db.Close()
		}
		return s, err
	})
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	want, _ := sqlstore.MigrationVersions(sqlstore.Postgres)
	if got := appliedVersions(t, db); !slices.Equal(got, want) {
		t.Errorf("applied %v, want %v", got, want)
	}
	var revisions int
	if err := db.QueryRowContext(t.Context(), "SELECT COUNT(*) FROM revision").Scan(&revisions); err != nil {
		t.Fatal(err)
	}
	if revisions != 1 {
		t.Errorf("%d revision rows, want 1 (0001 ran more than once?)", revisions)
	}
}

func runConcurrentNew(t *testing.T, n int, open func(context.Context) (*sqlstore.Store, error)) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make([]error, n)
	stores := make([]*sqlstore.Store, n)
	for i := range n {
		wg.Go(func() { stores[i], errs[i] = open(t.Context()) })
	}
	wg.Wait()
	for i, s := range stores {
		if errs[i] != nil {
			t.Errorf("store %d: %v", i, errs[i])
			continue
		}
		if _, err := s.Revision(t.Context()); err != nil {
			t.Errorf("store %d: revision: %v", i, err)
		}
		_ = s.Close()
	}
	if err := errors.Join(errs...); err != nil {
		t.FailNow()
	}
}
