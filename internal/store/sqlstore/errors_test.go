package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"

	"github.com/gatehouse/gatehouse/internal/store"
)

type fakeSQLiteErr int

func (e fakeSQLiteErr) Error() string { return fmt.Sprintf("sqlite error %d", int(e)) }
func (e fakeSQLiteErr) Code() int     { return int(e) }

type fakeSQLiteMsg struct {
	code int
	msg  string
}

func (e fakeSQLiteMsg) Error() string { return e.msg }
func (e fakeSQLiteMsg) Code() int     { return e.code }

type fakePgErr string

func (e fakePgErr) Error() string    { return "ERROR: something (SQLSTATE " + string(e) + ")" }
func (e fakePgErr) SQLState() string { return string(e) }

// fakeConnClosed is shaped like pgconn's connLockError ("conn closed"), returned when
// PostgreSQL went away under an open transaction.
type fakeConnClosed struct{}

func (fakeConnClosed) Error() string     { return "conn closed" }
func (fakeConnClosed) SafeToRetry() bool { return true }

func TestWrapClassifies(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want error // nil: no sentinel
	}{
		{"pgconn conn closed (safe to retry)", fmt.Errorf("commit: %w", fakeConnClosed{}), store.ErrUnavailable},
		{"sqlite interrupted", fakeSQLiteErr(9), store.ErrUnavailable},
		{"no rows", sql.ErrNoRows, store.ErrNotFound},
		{"sqlite unique", fakeSQLiteErr(2067), store.ErrAlreadyExists},
		{"sqlite primary key", fakeSQLiteErr(1555), store.ErrAlreadyExists},
		{"sqlite foreign key", fakeSQLiteErr(787), store.ErrNotFound},
		{"sqlite plain constraint, unique message", fakeSQLiteMsg{19, "UNIQUE constraint failed: apps.id"}, store.ErrAlreadyExists},
		{"sqlite not null", fakeSQLiteErr(1299), nil},
		{"sqlite busy", fakeSQLiteErr(5), store.ErrUnavailable},
		{"sqlite busy snapshot", fakeSQLiteErr(517), store.ErrUnavailable},
		{"sqlite locked", fakeSQLiteErr(6), store.ErrUnavailable},
		{"sqlite readonly", fakeSQLiteErr(8), store.ErrUnavailable},
		{"sqlite ioerr fsync", fakeSQLiteErr(10 | 4<<8), store.ErrUnavailable},
		{"sqlite full", fakeSQLiteErr(13), store.ErrUnavailable},
		{"sqlite cantopen", fakeSQLiteErr(14), store.ErrUnavailable},
		{"sqlite syntax", fakeSQLiteErr(1), nil},
		{"pg unique", fakePgErr("23505"), store.ErrAlreadyExists},
		{"pg foreign key", fakePgErr("23503"), store.ErrNotFound},
		{"pg connection failure", fakePgErr("08006"), store.ErrUnavailable},
		{"pg too many connections", fakePgErr("53300"), store.ErrUnavailable},
		{"pg admin shutdown", fakePgErr("57P01"), store.ErrUnavailable},
		{"pg cannot connect now", fakePgErr("57P03"), store.ErrUnavailable},
		{"pg serialization", fakePgErr("40001"), store.ErrUnavailable},
		{"pg deadlock", fakePgErr("40P01"), store.ErrUnavailable},
		{"pg read only", fakePgErr("25006"), store.ErrUnavailable},
		{"pg syntax", fakePgErr("42601"), nil},
		{"bad conn", driver.ErrBadConn, store.ErrUnavailable},
		{"conn done", sql.ErrConnDone, store.ErrUnavailable},
		{"eof", io.EOF, store.ErrUnavailable},
		{"unexpected eof", fmt.Errorf("read: %w", io.ErrUnexpectedEOF), store.ErrUnavailable},
		{"refused", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}, store.ErrUnavailable},
		{"reset", fmt.Errorf("x: %w", syscall.ECONNRESET), store.ErrUnavailable},
		{"deadline", context.DeadlineExceeded, store.ErrUnavailable},
		{"canceled", context.Canceled, nil},
		{"other", errors.New("other"), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := wrap("op", tc.err)
			// A missing row needs no cause: the message says it all.
			if !errors.Is(got, tc.err) && tc.err != sql.ErrNoRows {
				t.Errorf("cause lost: %v", got)
			}
			for _, s := range []error{store.ErrNotFound, store.ErrAlreadyExists, store.ErrConflict, store.ErrUnavailable} {
				if errors.Is(got, s) != (s == tc.want) {
					t.Errorf("errors.Is(%v, %v) = %v", got, s, !(s == tc.want))
				}
			}
		})
	}
}

func TestWrapKeepsCallerAndSentinelErrors(t *testing.T) {
	mine := errors.New("mine")
	if got := wrap("op", &callerError{mine}); got != mine {
		t.Errorf("caller error = %v, want it unchanged", got)
	}
	got := wrap("update app", store.ErrNotFound)
	if !errors.Is(got, store.ErrNotFound) || got.Error() != "sqlstore: update app: store: not found" {
		t.Errorf("sentinel = %q", got)
	}
	if again := wrap("outer", got); again != got {
		t.Errorf("wrapped twice: %q", again)
	}
	if wrap("op", nil) != nil {
		t.Error("wrap(nil) != nil")
	}
}

func TestRetryable(t *testing.T) {
	for state, want := range map[string]bool{"40001": true, "40P01": true, "23505": false, "08006": false} {
		if got := retryable(fmt.Errorf("x: %w", fakePgErr(state))); got != want {
			t.Errorf("retryable(%s) = %v", state, got)
		}
	}
	if retryable(fakeSQLiteErr(5)) {
		t.Error("SQLite busy is retried by busy_timeout, not by the store")
	}
}

func TestRebind(t *testing.T) {
	for in, want := range map[string]string{
		"SELECT 1":                              "SELECT 1",
		"a = ? AND b = ?":                       "a = $1 AND b = $2",
		`x LIKE ? ESCAPE '\' AND y = '?' AND ?`: `x LIKE $1 ESCAPE '\' AND y = '?' AND $2`,
		`"we?ird" = ?`:                          `"we?ird" = $1`,
		"VALUES (?, ?), (?, ?)":                 "VALUES ($1, $2), ($3, $4)",
		"? ? ? ? ? ? ? ? ? ? ?":                 "$1 $2 $3 $4 $5 $6 $7 $8 $9 $10 $11",
	} {
		if got := rebind(in); got != want {
			t.Errorf("rebind(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestContainsPattern(t *testing.T) {
	for in, want := range map[string]string{
		"Abc":     "%abc%",
		"100%":    `%100\%%`,
		"a_b":     `%a\_b%`,
		`back\sl`: `%back\\sl%`,
	} {
		if got := containsPattern(in); got != want {
			t.Errorf("containsPattern(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPage(t *testing.T) {
	for _, tc := range []struct{ off, lim, wantOff, wantLim int }{
		{0, 0, 0, 50}, {-3, -1, 0, 50}, {10, 20, 10, 20}, {0, 500, 0, 500}, {0, 501, 0, 500},
	} {
		if off, lim := page(tc.off, tc.lim); off != tc.wantOff || lim != tc.wantLim {
			t.Errorf("page(%d, %d) = %d, %d", tc.off, tc.lim, off, lim)
		}
	}
}

func TestSQLiteDSN(t *testing.T) {
	for _, tc := range []struct{ path, want string }{
		{"/var/lib/gatehouse/db.sqlite", "file:/var/lib/gatehouse/db.sqlite?_pragma=busy_timeout%285000%29&_pragma=journal_mode%28WAL%29&_pragma=synchronous%28FULL%29&_pragma=foreign_keys%281%29&_txlock=immediate"},
		{"data/a b?.db", "file:data/a%20b%3F.db?_pragma=busy_timeout%285000%29&_pragma=journal_mode%28WAL%29&_pragma=synchronous%28FULL%29&_pragma=foreign_keys%281%29&_txlock=immediate"},
	} {
		if got := SQLiteDSN(tc.path); got != tc.want {
			t.Errorf("SQLiteDSN(%q) =\n %s\nwant\n %s", tc.path, got, tc.want)
		}
	}
	want := "file:/x.db?_pragma=busy_timeout%285000%29&_pragma=journal_mode%28WAL%29&_pragma=synchronous%28FULL%29&_pragma=foreign_keys%281%29&_query_only=1&_txlock=immediate"
	if got := SQLiteReadDSN("/x.db"); got != want {
		t.Errorf("SQLiteReadDSN = %s\nwant %s", got, want)
	}
}
