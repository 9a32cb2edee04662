package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"runtime"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
)

var _ store.Store = (*Store)(nil)

// Store implements store.Store over database/sql for SQLite and PostgreSQL.
type Store struct {
	d       *dialect
	w, r    *sql.DB // writer and reader; the same pool on PostgreSQL
	retries int
	stmts   sync.Map // statement with ? → dialect's text

	readTimeout, writeTimeout time.Duration // deadline of one call (guard.go); 0: none
	reads, writes             *breaker
	now                       func() time.Time
	states                    appStates // AppStates' memory (appstates.go)
	obs                       observer  // call durations for metrics (metrics.go)
}

// Option adjusts New and Open.
type Option func(*options)

type options struct {
	retries                   int
	maxConns                  int
	readTimeout, writeTimeout time.Duration
	now                       func() time.Time
}

// WithMaxOpenConns sets the size of the pool Open creates: the read pool on
// SQLite (default max(4, GOMAXPROCS)), the only pool on PostgreSQL (default 20).
func WithMaxOpenConns(n int) Option { return func(o *options) { o.maxConns = n } }

// New returns a Store over already opened pools and applies pending migrations.
// write must be the only pool that writes (on SQLite a pool of one connection
// opened with SQLiteDSN); read serves reads and may be write itself (nil means
// write). The Store takes ownership of both: Close closes them. When New fails
// they remain the caller's to close.
func New(ctx context.Context, d Dialect, write, read *sql.DB, opts ...Option) (*Store, error) {
	dl, ok := dialectOf(d)
	if !ok {
		return nil, fmt.Errorf("sqlstore: unknown dialect %v", d)
	}
	if write == nil {
		return nil, errors.New("sqlstore: nil write pool")
	}
	if read == nil {
		read = write
	}
	o := options{retries: 3}
	for _, opt := range opts {
		opt(&o)
	}
	s := newStore(dl, write, read, o)
	if d == SQLite {
		if err := s.checkSQLite(ctx); err != nil {
			return nil, err
		}
	}
	if err := migrate(ctx, dl, write); err != nil {
		return nil, err
	}
	return s, nil
}

// Open opens the pools the way the package documentation describes and calls
// New. source is the database file path for SQLite and a connection string for
// PostgreSQL. The caller must have imported the dialect's driver.
func Open(ctx context.Context, d Dialect, source string, opts ...Option) (*Store, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	switch d {
	case SQLite:
		if err := ownerOnly(source); err != nil {
			return nil, wrap("open", err)
		}
		w, err := sql.Open(d.DriverName(), SQLiteDSN(source))
		if err != nil {
			return nil, wrap("open", err)
		}
		w.SetMaxOpenConns(1) // the single writer; BEGIN IMMEDIATE queues other processes
		r, err := sql.Open(d.DriverName(), SQLiteReadDSN(source))
		if err != nil {
			_ = w.Close()
			return nil, wrap("open", err)
		}
		n := orDefault(o.maxConns, max(4, runtime.GOMAXPROCS(0)))
		r.SetMaxOpenConns(n)
		r.SetMaxIdleConns(n)
		s, err := New(ctx, d, w, r, opts...)
		if err != nil {
			_ = r.Close()
			_ = w.Close()
		}
		return s, err
	case Postgres:
		db, err := sql.Open(d.DriverName(), source)
		if err != nil {
			return nil, wrap("open", err)
		}
		n := orDefault(o.maxConns, 20)
		db.SetMaxOpenConns(n)
		db.SetMaxIdleConns(n)
		db.SetConnMaxIdleTime(5 * time.Minute)
		s, err := New(ctx, d, db, db, opts...)
		if err != nil {
			_ = db.Close()
		}
		return s, err
	}
	return nil, fmt.Errorf("sqlstore: unknown dialect %v", d)
}

func newStore(d *dialect, write, read *sql.DB, o options) *Store {
	if o.now == nil {
		o.now = time.Now
	}
	return &Store{d: d, w: write, r: read, retries: o.retries, readTimeout: o.readTimeout, writeTimeout: o.writeTimeout,
		reads: &breaker{now: o.now}, writes: &breaker{now: o.now}, now: o.now}
}

func orDefault(v, dflt int) int {
	if v > 0 {
		return v
	}
	return dflt
}

// checkSQLite refuses a writer opened without what the store relies on: one
// connection (in-process serialization of writers) and enforced foreign keys.
func (s *Store) checkSQLite(ctx context.Context) error {
	if n := s.w.Stats().MaxOpenConnections; n != 1 {
		return fmt.Errorf("sqlstore: sqlite writer pool allows %d connections; call SetMaxOpenConns(1)", n)
	}
	var fk int
	if err := s.w.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil {
		return wrap("open", err)
	}
	if fk != 1 {
		return errors.New("sqlstore: sqlite writer has foreign_keys off; open it with SQLiteDSN")
	}
	return nil
}

// Dialect reports the database the store runs on.
func (s *Store) Dialect() Dialect { return s.d.Dialect }

// Ping checks both pools (a read: it fails fast while reads do).
func (s *Store) Ping(ctx context.Context) error {
	_, err := guarded(ctx, s, false, func(ctx context.Context) (struct{}, error) {
		for _, db := range []*sql.DB{s.w, s.r} {
			if err := db.PingContext(ctx); err != nil {
				return struct{}{}, fmt.Errorf("sqlstore: ping: %w: %w", store.ErrUnavailable, err)
			}
		}
		return struct{}{}, nil
	})
	if errors.Is(err, ErrBreakerOpen) {
		return fmt.Errorf("sqlstore: ping: %w", err)
	}
	return err
}

// Close closes the pools given to New.
func (s *Store) Close() error {
	err := s.w.Close()
	if s.r != s.w {
		err = errors.Join(err, s.r.Close())
	}
	return err
}

// Revision reads the change counter; one primary-key lookup.
func (s *Store) Revision(ctx context.Context) (int64, error) {
	return guarded(ctx, s, false, func(ctx context.Context) (int64, error) {
		var v int64
		err := s.r.QueryRowContext(ctx, s.q("SELECT value FROM revision WHERE id = 1")).Scan(&v)
		return v, wrap("revision", err)
	})
}

// bump increases the revision inside a write transaction. Callers run it last,
// so that PostgreSQL holds the revision row's lock only until the commit.
func (s *Store) bump(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, s.q("UPDATE revision SET value = value + 1 WHERE id = 1"))
	return err
}

// q returns a static statement in the dialect's placeholder syntax, rebinding
// each distinct statement once.
func (s *Store) q(query string) string {
	if !s.d.dollar {
		return query
	}
	if v, ok := s.stmts.Load(query); ok {
		return v.(string)
	}
	v := rebind(query)
	s.stmts.Store(query, v)
	return v
}

// dyn is q for statements built per call, which are not cached.
func (s *Store) dyn(query string) string {
	if !s.d.dollar {
		return query
	}
	return rebind(query)
}

// write runs fn in one read-write transaction on the writer and commits it. On
// PostgreSQL a serialization failure or deadlock runs fn again.
func (s *Store) write(ctx context.Context, op string, fn func(context.Context, *sql.Tx) error) (err error) {
	ctx, end, err := s.guard(ctx, true)
	if err != nil {
		return wrap(op, err)
	}
	defer func() { end(err) }() // deferred: fn may panic (tryWrite re-panics)
	return s.retry(ctx, op, fn)
}

func (s *Store) retry(ctx context.Context, op string, fn func(context.Context, *sql.Tx) error) error {
	for attempt := 0; ; attempt++ {
		err := s.tryWrite(ctx, fn)
		var ce *callerError
		if err == nil || errors.As(err, &ce) || attempt >= s.retries || !retryable(err) {
			return wrap(op, err)
		}
		// Jittered pause so that the transactions that collided do not collide again.
		d := time.Duration(attempt+1) * (2*time.Millisecond + rand.N(8*time.Millisecond))
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return wrap(op, errors.Join(ctx.Err(), err))
		case <-t.C:
		}
	}
}

func (s *Store) tryWrite(ctx context.Context, fn func(context.Context, *sql.Tx) error) (err error) {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		// A panic in fn must not keep the (single, on SQLite) writer connection.
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
	}()
	if err := fn(ctx, tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// read runs fn in a read-only transaction on the read pool: one snapshot for
// statements that must agree (a page and its total, apps and their secrets).
func (s *Store) read(ctx context.Context, op string, fn func(context.Context, *sql.Tx) error) (err error) {
	ctx, end, err := s.guard(ctx, false)
	if err != nil {
		return wrap(op, err)
	}
	defer func() { end(err) }()
	return s.readTx(ctx, op, fn)
}

func (s *Store) readTx(ctx context.Context, op string, fn func(context.Context, *sql.Tx) error) error {
	tx, err := s.r.BeginTx(ctx, s.d.readOpts)
	if err != nil {
		return wrap(op, err)
	}
	defer func() { _ = tx.Rollback() }()
	if err := fn(ctx, tx); err != nil {
		return wrap(op, err)
	}
	return wrap(op, tx.Commit())
}

// update is the read-modify-write of every Update method: load (row-locked) the
// current record, let fn change it, save it, bump the revision and read it back
// as stored, all in one transaction.
func update[T any](ctx context.Context, s *Store, op string,
	load func(context.Context, *sql.Tx) (T, error), fn func(T) (T, error), save func(context.Context, *sql.Tx, T) error,
) (T, error) {
	return updateWith(ctx, s, op, load, fn, save, nil)
}

// updateWith is update with its own revision bump (nil: s.bump), for a change that
// records more under the new revision (bumpApp).
func updateWith[T any](ctx context.Context, s *Store, op string,
	load func(context.Context, *sql.Tx) (T, error), fn func(T) (T, error), save func(context.Context, *sql.Tx, T) error,
	bump func(context.Context, *sql.Tx, T) error,
) (T, error) {
	if bump == nil {
		bump = func(ctx context.Context, tx *sql.Tx, _ T) error { return s.bump(ctx, tx) }
	}
	var out T
	err := s.write(ctx, op, func(ctx context.Context, tx *sql.Tx) error {
		cur, err := load(ctx, tx)
		if err != nil {
			return err
		}
		next, err := fn(cur)
		if err != nil {
			return &callerError{err}
		}
		if err := save(ctx, tx, next); err != nil {
			return err
		}
		if err := bump(ctx, tx, next); err != nil {
			return err
		}
		out, err = load(ctx, tx)
		return err
	})
	if err != nil {
		var zero T
		return zero, err
	}
	return out, nil
}

// ownerOnly makes the SQLite database file (created empty if missing) and any -wal
// and -shm files readable and writable by the owner only: they hold hashed secrets,
// sealed keys and the audit trail. SQLite creates -wal and -shm with the mode of the
// database file, so later ones follow.
func ownerOnly(path string) error {
	if path == "" || path == ":memory:" {
		return nil
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Chmod(p, 0o600); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}
