package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
)

// hangDriver is a database that answers, or hangs until the caller's context ends:
// what a stopped (SIGSTOP) PostgreSQL or a network partition looks like from here.
type hangDriver struct {
	hangBegin, hangStmt atomic.Bool
	refuse              atomic.Bool  // statements fail at once, as with ECONNREFUSED
	calls               atomic.Int64 // operations that reached the driver
}

func (d *hangDriver) Open(string) (driver.Conn, error) { return &hangConn{d}, nil }

// Connect makes hangDriver a driver.Connector for sql.OpenDB.
func (d *hangDriver) Connect(context.Context) (driver.Conn, error) { return &hangConn{d}, nil }
func (d *hangDriver) Driver() driver.Driver                        { return d }

type hangConn struct{ d *hangDriver }

func (c *hangConn) wait(ctx context.Context, hang *atomic.Bool) error {
	c.d.calls.Add(1)
	if c.d.refuse.Load() {
		return &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	}
	if hang.Load() {
		<-ctx.Done()
		return ctx.Err()
	}
	return nil
}

func (c *hangConn) Prepare(string) (driver.Stmt, error) { return nil, errors.New("no prepare") }
func (c *hangConn) Close() error                        { return nil }
func (c *hangConn) Begin() (driver.Tx, error)           { return nil, errors.New("use BeginTx") }
func (c *hangConn) BeginTx(ctx context.Context, _ driver.TxOptions) (driver.Tx, error) {
	return hangTx{}, c.wait(ctx, &c.d.hangBegin)
}
func (c *hangConn) Ping(ctx context.Context) error { return c.wait(ctx, &c.d.hangStmt) }
func (c *hangConn) ExecContext(ctx context.Context, _ string, _ []driver.NamedValue) (driver.Result, error) {
	return driver.RowsAffected(1), c.wait(ctx, &c.d.hangStmt)
}
func (c *hangConn) QueryContext(ctx context.Context, _ string, _ []driver.NamedValue) (driver.Rows, error) {
	if err := c.wait(ctx, &c.d.hangStmt); err != nil {
		return nil, err
	}
	return &oneRow{}, nil
}

type hangTx struct{}

func (hangTx) Commit() error   { return nil }
func (hangTx) Rollback() error { return nil }

type oneRow struct{ done bool }

func (r *oneRow) Columns() []string { return []string{"value"} }
func (r *oneRow) Close() error      { return nil }
func (r *oneRow) Next(dest []driver.Value) error {
	if r.done {
		return io.EOF
	}
	r.done, dest[0] = true, int64(7)
	return nil
}

// fakeClock is a settable clock for the breakers' back-off.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func hangStore(t *testing.T, clock *fakeClock) (*Store, *hangDriver) {
	t.Helper()
	d := &hangDriver{}
	db := sql.OpenDB(d)
	t.Cleanup(func() { db.Close() })
	dl, _ := dialectOf(Postgres)
	return newStore(dl, db, db, options{readTimeout: 20 * time.Millisecond, writeTimeout: 20 * time.Millisecond, now: clock.now}), d
}

// TestHungDatabaseFailsFast: every call has a deadline even when its caller has none;
// after breakerThreshold timeouts in a row, reads fail at once with ErrBreakerOpen
// (an ErrUnavailable) without reaching the database, and so do writes; after the
// back-off one probe goes through and a success closes the breaker.
func TestHungDatabaseFailsFast(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
	s, d := hangStore(t, clock)
	ctx := context.Background() // no deadline of its own
	if v, err := s.Revision(ctx); err != nil || v != 7 {
		t.Fatalf("Revision: %v %v", v, err)
	}

	d.hangStmt.Store(true)
	for i := range breakerThreshold {
		_, err := s.Revision(ctx)
		if !errors.Is(err, store.ErrUnavailable) || errors.Is(err, ErrBreakerOpen) {
			t.Fatalf("hung read %d: %v, want a timeout (ErrUnavailable)", i, err)
		}
	}
	before := d.calls.Load()
	if _, err := s.Revision(ctx); !errors.Is(err, ErrBreakerOpen) || !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("read after %d timeouts: %v, want ErrBreakerOpen", breakerThreshold, err)
	}
	if err := s.Ping(ctx); !errors.Is(err, ErrBreakerOpen) {
		t.Errorf("Ping while open: %v, want ErrBreakerOpen", err)
	}
	if _, err := s.GetRealm(ctx, "r"); !errors.Is(err, ErrBreakerOpen) {
		t.Errorf("GetRealm while open: %v, want ErrBreakerOpen", err)
	}
	if _, err := s.PutMetaIfAbsent(ctx, "k", "v"); !errors.Is(err, ErrBreakerOpen) {
		t.Errorf("write while reads fail fast: %v, want ErrBreakerOpen", err)
	}
	if n := d.calls.Load() - before; n != 0 {
		t.Errorf("%d calls reached the database while the breaker was open", n)
	}

	clock.add(breakerBackoff - time.Millisecond)
	if _, err := s.Revision(ctx); !errors.Is(err, ErrBreakerOpen) {
		t.Fatalf("read before the back-off ended: %v, want ErrBreakerOpen", err)
	}
	clock.add(time.Millisecond)
	if _, err := s.Revision(ctx); err == nil || errors.Is(err, ErrBreakerOpen) {
		t.Fatalf("probe after the back-off: %v, want it to reach the database and time out", err)
	}
	if _, err := s.Revision(ctx); !errors.Is(err, ErrBreakerOpen) {
		t.Fatalf("read after a failed probe: %v, want the breaker open again", err)
	}
	d.hangStmt.Store(false)
	clock.add(breakerBackoff)
	for range 2 {
		if v, err := s.Revision(ctx); err != nil || v != 7 {
			t.Fatalf("read after the database came back: %v %v", v, err)
		}
	}
}

// TestHungWritesKeepReads: writes that time out (a statement hanging inside the
// transaction, or its BEGIN) end at the write deadline and open the write breaker only:
// reads go on, as they do on SQLite while another process holds the write lock.
func TestHungWritesKeepReads(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
	s, d := hangStore(t, clock)
	ctx := context.Background()
	d.hangStmt.Store(true) // the INSERT inside the transaction hangs
	if _, err := s.PutMetaIfAbsent(ctx, "k", "v"); !errors.Is(err, store.ErrUnavailable) || errors.Is(err, ErrBreakerOpen) {
		t.Fatalf("write hanging inside its transaction: %v, want a timeout", err)
	}
	d.hangStmt.Store(false)
	d.hangBegin.Store(true)
	for range breakerThreshold - 1 {
		if _, err := s.PutMetaIfAbsent(ctx, "k", "v"); !errors.Is(err, store.ErrUnavailable) || errors.Is(err, ErrBreakerOpen) {
			t.Fatalf("hung BEGIN: %v, want a timeout", err)
		}
	}
	if _, err := s.PutMetaIfAbsent(ctx, "k", "v"); !errors.Is(err, ErrBreakerOpen) {
		t.Fatalf("write after %d timeouts: %v, want ErrBreakerOpen", breakerThreshold, err)
	}
	if v, err := s.Revision(ctx); err != nil || v != 7 {
		t.Errorf("read while writes fail fast: %v %v", v, err)
	}
}

// TestRefusedIsNotCounted: a database that refuses connections fails fast by itself;
// the breaker stays closed, so service resumes as soon as it listens again.
func TestRefusedIsNotCounted(t *testing.T) {
	s, d := hangStore(t, &fakeClock{})
	d.refuse.Store(true)
	for range 3 * breakerThreshold {
		if _, err := s.Revision(context.Background()); !errors.Is(err, store.ErrUnavailable) || errors.Is(err, ErrBreakerOpen) {
			t.Fatalf("refused: %v, want ErrUnavailable without the breaker", err)
		}
	}
	d.refuse.Store(false)
	if _, err := s.Revision(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestCallerCancelIsNotAnOutage: requests whose clients went away say nothing about the
// database, however many there are.
func TestCallerCancelIsNotAnOutage(t *testing.T) {
	s, d := hangStore(t, &fakeClock{})
	d.hangStmt.Store(true)
	for range 3 * breakerThreshold {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := s.Revision(ctx); errors.Is(err, ErrBreakerOpen) {
			t.Fatalf("the breaker opened on cancelled callers: %v", err)
		}
	}
	d.hangStmt.Store(false)
	if _, err := s.Revision(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestPanicEndsProbe: a call that panics still reports to the breaker, so a panicking
// probe does not keep the breaker open for ever.
func TestPanicEndsProbe(t *testing.T) {
	clock := &fakeClock{}
	s, d := hangStore(t, clock)
	d.hangStmt.Store(true)
	for range breakerThreshold {
		s.Revision(context.Background())
	}
	d.hangStmt.Store(false)
	clock.add(breakerBackoff)
	func() {
		defer func() { recover() }()
		guarded(context.Background(), s, false, func(context.Context) (int, error) { panic("bug") })
	}()
	if _, err := s.Revision(context.Background()); errors.Is(err, ErrBreakerOpen) {
		t.Fatalf("after a panicking probe: %v, want the next call to probe", err)
	}
}
