package replica

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // driver "pgx"
)

// EnvPostgres names the DSN of a throwaway PostgreSQL database the tests may create
// schemas and databases in (scripts/test sets it). Tests that need PostgreSQL skip
// only when it is unset.
const EnvPostgres = "GATEHOUSE_TEST_POSTGRES"

// UniqueName returns prefix followed by 12 random hex digits: a valid, unquoted SQL
// identifier when prefix is one.
func UniqueName(prefix string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// NewSchema creates an empty schema named by UniqueName(prefix) in the database of
// dsn and returns dsn with search_path set to it, so that a Gatehouse store opened on
// it keeps its tables there. drop removes the schema and everything in it.
func NewSchema(ctx context.Context, dsn, prefix string) (string, func() error, error) {
	name := UniqueName(prefix)
	if err := execSQL(ctx, dsn, "CREATE SCHEMA "+name); err != nil {
		return "", nil, err
	}
	out, err := withParam(dsn, "search_path", name)
	if err != nil {
		return "", nil, err
	}
	drop := func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		return execSQL(ctx, dsn, "DROP SCHEMA IF EXISTS "+name+" CASCADE")
	}
	return out, drop, nil
}

// NewDatabase creates an empty database named by UniqueName(prefix) on the server of
// dsn and returns dsn pointing at it. drop removes it, closing its connections.
func NewDatabase(ctx context.Context, dsn, prefix string) (string, func() error, error) {
	name := UniqueName(prefix)
	if err := execSQL(ctx, dsn, "CREATE DATABASE "+name); err != nil {
		return "", nil, err
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "", nil, err
	}
	u.Path = "/" + name
	drop := func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		return execSQL(ctx, dsn, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	}
	return u.String(), drop, nil
}

// Query runs one query on dsn and scans its single row into dest.
func Query(ctx context.Context, dsn, query string, dest ...any) error {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	return db.QueryRowContext(ctx, query).Scan(dest...)
}

func execSQL(ctx context.Context, dsn, stmt string) error {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, stmt); err != nil {
		return fmt.Errorf("replica: %s: %w", stmt, err)
	}
	return nil
}

func withParam(dsn, key, value string) (string, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return "", fmt.Errorf("replica: the PostgreSQL DSN must be a URL: %w", err)
	}
	q := u.Query()
	q.Set(key, value)
	u.RawQuery = q.Encode()
	return u.String(), nil
}
