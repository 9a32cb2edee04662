package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/gatehouse/gatehouse/internal/store"
)

// callerError carries an error returned by a caller's update function through
// the transaction helpers unchanged.
type callerError struct{ err error }

func (e *callerError) Error() string { return e.err.Error() }
func (e *callerError) Unwrap() error { return e.err }

// sqliteCoder is implemented by modernc.org/sqlite's *Error.
type sqliteCoder interface{ Code() int }

// sqlStater is implemented by pgx's *pgconn.PgError.
type sqlStater interface{ SQLState() string }

// SQLite primary result codes (https://www.sqlite.org/rescode.html).
const (
	sqliteBusy       = 5
	sqliteLocked     = 6
	sqliteNoMem      = 7
	sqliteReadOnly   = 8
	sqliteIOErr      = 10
	sqliteFull       = 13
	sqliteCantOpen   = 14
	sqliteProtocol   = 15
	sqliteInterrupt  = 9
	sqliteConstraint = 19

	sqliteConstraintPrimaryKey = 1555
	sqliteConstraintUnique     = 2067
	sqliteConstraintForeignKey = 787
)

// classify returns the store sentinel that err stands for, or nil.
func classify(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrAlreadyExists),
		errors.Is(err, store.ErrConflict), errors.Is(err, store.ErrUnavailable):
		return nil // already classified
	case errors.Is(err, sql.ErrNoRows):
		return store.ErrNotFound
	}
	var sc sqliteCoder
	if errors.As(err, &sc) {
		return classifySQLite(sc.Code(), err.Error())
	}
	var ps sqlStater
	if errors.As(err, &ps) {
		return classifyPostgres(ps.SQLState())
	}
	if errors.Is(err, context.DeadlineExceeded) || unreachable(err) {
		return store.ErrUnavailable
	}
	return nil
}

func classifySQLite(code int, msg string) error {
	switch code {
	case sqliteConstraintUnique, sqliteConstraintPrimaryKey:
		return store.ErrAlreadyExists
	case sqliteConstraintForeignKey:
		return store.ErrNotFound
	}
	switch code & 0xff {
	case sqliteConstraint:
		// Without extended codes only the message tells the kinds apart.
		switch {
		case strings.Contains(msg, "UNIQUE constraint failed"):
			return store.ErrAlreadyExists
		case strings.Contains(msg, "FOREIGN KEY constraint failed"):
			return store.ErrNotFound
		}
	case sqliteBusy, sqliteLocked, sqliteNoMem, sqliteReadOnly, sqliteIOErr,
		sqliteFull, sqliteCantOpen, sqliteProtocol, sqliteInterrupt:
		return store.ErrUnavailable
	}
	return nil
}

// classifyPostgres maps SQLSTATE codes
// (https://www.postgresql.org/docs/current/errcodes-appendix.html).
func classifyPostgres(state string) error {
	switch {
	case state == "23505": // unique_violation
		return store.ErrAlreadyExists
	case state == "23503": // foreign_key_violation: the referenced object is gone
		return store.ErrNotFound
	case retryableState(state),
		strings.HasPrefix(state, "08"),   // connection exception
		strings.HasPrefix(state, "53"),   // insufficient resources
		strings.HasPrefix(state, "57P0"), // admin/crash shutdown, cannot connect now
		strings.HasPrefix(state, "58"),   // system error (I/O)
		state == "57014",                 // query_canceled (statement timeout)
		state == "55P03",                 // lock_not_available
		state == "25006":                 // read_only_sql_transaction (standby)
		return store.ErrUnavailable
	}
	return nil
}

// retryableState reports a serialization failure or deadlock: running the whole
// transaction again may succeed.
func retryableState(state string) bool {
	return state == "40001" || state == "40P01"
}

func retryable(err error) bool {
	var ps sqlStater
	return errors.As(err, &ps) && retryableState(ps.SQLState())
}

// unreachable reports errors of the connection rather than of the statement.
func unreachable(err error) bool {
	var ne net.Error
	// pgconn marks errors that happened before anything reached the server (such as
	// "conn closed" when PostgreSQL went away mid-transaction) as safe to retry: the
	// database was not there, which is unavailability, not a bug.
	var retry interface{ SafeToRetry() bool }
	if errors.As(err, &retry) && retry.SafeToRetry() {
		return true
	}
	switch {
	case errors.Is(err, driver.ErrBadConn), errors.Is(err, sql.ErrConnDone),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.EPIPE), errors.As(err, &ne):
		return true
	}
	return false
}

// wrap names the operation and adds the store sentinel err stands for, keeping
// err in the chain. Driver messages name constraints and columns, never values.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	var ce *callerError
	if errors.As(err, &ce) {
		return ce.err
	}
	if strings.HasPrefix(err.Error(), "sqlstore: ") {
		return err // wrapped already, by a nested helper
	}
	if kind := classify(err); kind != nil {
		if kind == store.ErrNotFound && errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("sqlstore: %s: %w", op, kind)
		}
		return fmt.Errorf("sqlstore: %s: %w: %w", op, kind, err)
	}
	return fmt.Errorf("sqlstore: %s: %w", op, err)
}

// notFound is the error of a lookup that matched no row.
func notFound(op string) error {
	return fmt.Errorf("sqlstore: %s: %w", op, store.ErrNotFound)
}
