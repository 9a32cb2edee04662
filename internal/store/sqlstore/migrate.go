package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
)

// migrationsFS holds the versioned schema of each dialect. Files are named
// NNNN_name.sql and applied in version order, each at most once; applied
// versions are recorded in schema_migrations. Never edit an applied file: add
// the next one, in both folders, with the same tables and columns.
//
//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrationsFS embed.FS

type migration struct {
	version int64
	name    string
	sql     string
}

// migrations lists a dialect's files in version order.
func migrations(dir string) ([]migration, error) {
	entries, err := fs.ReadDir(migrationsFS, dir)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: migrations: %w", err)
	}
	var ms []migration
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.ParseInt(num, 10, 64)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("sqlstore: migration %s: name must start with a positive version and '_'", e.Name())
		}
		b, err := fs.ReadFile(migrationsFS, path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("sqlstore: migration %s: %w", e.Name(), err)
		}
		ms = append(ms, migration{version: v, name: strings.TrimSuffix(e.Name(), ".sql"), sql: string(b)})
	}
	slices.SortFunc(ms, func(a, b migration) int { return cmp.Compare(a.version, b.version) })
	for i := 1; i < len(ms); i++ {
		if ms[i].version == ms[i-1].version {
			return nil, fmt.Errorf("sqlstore: migrations %s and %s share a version", ms[i-1].name, ms[i].name)
		}
	}
	return ms, nil
}

const createMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version BIGINT PRIMARY KEY,
	name TEXT NOT NULL,
	applied_at BIGINT NOT NULL
)`

// migrate applies pending migrations under a lock that makes concurrent
// starters (replicas, processes) apply each exactly once.
func migrate(ctx context.Context, d *dialect, db *sql.DB) error {
	ms, err := migrations(d.migrations)
	if err != nil {
		return err
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return wrap("migrate", err)
	}
	defer conn.Close()
	if d.Dialect == SQLite {
		return wrap("migrate", migrateSQLite(ctx, conn, ms))
	}
	return wrap("migrate", migratePostgres(ctx, conn, ms))
}

// migrateSQLite applies everything in one BEGIN IMMEDIATE transaction (the
// writer's _txlock): other processes wait on the database lock.
func migrateSQLite(ctx context.Context, conn *sql.Conn, ms []migration) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	if err := applyPending(ctx, tx, ms, false); err != nil {
		return err
	}
	return tx.Commit()
}

// migratePostgres holds a session advisory lock, keyed by the current schema,
// while it applies each migration in its own transaction.
func migratePostgres(ctx context.Context, conn *sql.Conn, ms []migration) (err error) {
	const lock = "SELECT pg_advisory_lock(1195463499, hashtext(current_schema()))"
	const unlock = "SELECT pg_advisory_unlock(1195463499, hashtext(current_schema()))"
	if _, err := conn.ExecContext(ctx, lock); err != nil {
		return err
	}
	defer func() {
		// Unlock even when ctx is done; a broken session releases it anyway.
		uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if _, uerr := conn.ExecContext(uctx, unlock); uerr != nil && err == nil {
			err = uerr
		}
	}()
	if _, err := conn.ExecContext(ctx, createMigrationsTable); err != nil {
		return err
	}
	for _, m := range ms {
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		err = applyPending(ctx, tx, []migration{m}, true)
		if err == nil {
			err = tx.Commit()
		}
		if err != nil {
			_ = tx.Rollback()
			return err
		}
	}
	return nil
}

// applyPending runs the migrations not yet recorded, recording each.
func applyPending(ctx context.Context, tx *sql.Tx, ms []migration, dollar bool) error {
	if _, err := tx.ExecContext(ctx, createMigrationsTable); err != nil {
		return err
	}
	applied, err := appliedVersions(ctx, tx)
	if err != nil {
		return err
	}
	ins := "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)"
	if dollar {
		ins = rebind(ins)
	}
	for _, m := range ms {
		if applied[m.version] {
			continue
		}
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			return fmt.Errorf("%s: %w", m.name, err)
		}
		if _, err := tx.ExecContext(ctx, ins, m.version, m.name, time.Now().UnixMilli()); err != nil {
			return fmt.Errorf("%s: %w", m.name, err)
		}
	}
	return nil
}

func appliedVersions(ctx context.Context, tx *sql.Tx) (map[int64]bool, error) {
	rows, err := tx.QueryContext(ctx, "SELECT version FROM schema_migrations")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	applied := map[int64]bool{}
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		applied[v] = true
	}
	return applied, rows.Err()
}

// MigrationVersions lists the versions embedded for d, in order; tools use it
// to report the schema a binary expects.
func MigrationVersions(d Dialect) ([]int64, error) {
	dl, ok := dialectOf(d)
	if !ok {
		return nil, fmt.Errorf("sqlstore: unknown dialect %v", d)
	}
	ms, err := migrations(dl.migrations)
	if err != nil {
		return nil, err
	}
	vs := make([]int64, len(ms))
	for i, m := range ms {
		vs[i] = m.version
	}
	return vs, nil
}
