// Package sqlstore implements store.Store over database/sql, once, for SQLite
// (modernc.org/sqlite, pure Go) and PostgreSQL (github.com/jackc/pgx/v5/stdlib).
//
// It owns the schema (embedded, versioned migrations per dialect, applied by New
// under a lock), the mapping of rows to store records, and the mapping of driver
// errors to the store sentinels. It imports no driver: the composition root
// (internal/server, cmd) imports one and opens the pools as shown below.
//
// # Opening SQLite
//
// One writer connection, opened with SQLiteDSN (WAL, synchronous=FULL,
// foreign keys, busy_timeout=5000, BEGIN IMMEDIATE), beside a read pool opened
// with SQLiteReadDSN. The single writer serializes writes in the process; BEGIN
// IMMEDIATE makes writers in other processes wait for the file lock instead of
// failing when a read transaction is upgraded.
//
//	import _ "modernc.org/sqlite"
//
//	w, err := sql.Open("sqlite", sqlstore.SQLiteDSN(path))
//	if err != nil { … }
//	w.SetMaxOpenConns(1)
//	r, err := sql.Open("sqlite", sqlstore.SQLiteReadDSN(path))
//	if err != nil { … }
//	r.SetMaxOpenConns(max(4, runtime.GOMAXPROCS(0)))
//	st, err := sqlstore.New(ctx, sqlstore.SQLite, w, r)
//
// or, equivalently, sqlstore.Open(ctx, sqlstore.SQLite, path).
//
// # Opening PostgreSQL
//
// One pool serves reads and writes; row locks (SELECT … FOR NO KEY UPDATE)
// serialize read-modify-write, and serialization failures or deadlocks are
// retried (WithRetries).
//
//	import _ "github.com/jackc/pgx/v5/stdlib"
//
//	db, err := sql.Open("pgx", dsn) // e.g. postgres://user@host:5432/db?sslmode=verify-full
//	if err != nil { … }
//	db.SetMaxOpenConns(20)
//	db.SetConnMaxIdleTime(5 * time.Minute)
//	st, err := sqlstore.New(ctx, sqlstore.Postgres, db, db)
//
// or sqlstore.Open(ctx, sqlstore.Postgres, dsn). To keep Gatehouse's tables in
// their own schema, create it and add search_path=<schema> to the DSN.
//
// # Storage
//
// Times are BIGINT unix milliseconds in UTC (NULL for the zero time), durations
// BIGINT milliseconds, lists and maps JSON text; secrets, grants and signing keys
// have their own tables. Every write of identity data increases a single
// revision row inside its transaction, which Revision reads with one lookup.
//
// Update functions run inside the transaction and may run more than once on
// PostgreSQL (retries); they must not call the store (on SQLite the single
// writer connection is theirs until they return) and must not have side effects.
package sqlstore
