package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
)

// A database that hangs (a stopped server, a network partition) must not hold every
// request for as long as the TCP stack waits. So every call gets a deadline (the read
// or write timeout, unless the caller's own deadline is sooner), and a breaker per
// kind of call counts calls that ended past their deadline (a refused connection
// fails fast by itself and is not counted):
// after breakerThreshold of them in a row it opens, and calls of that kind fail at
// once with ErrBreakerOpen (an ErrUnavailable) for the back-off; then one call goes
// through as a probe, and its outcome closes the breaker or opens it again. Reads and
// writes have their own breaker: SQLite's write lock held by another process stops
// writes only, and reads (token requests) go on; while the read breaker is open,
// writes fail fast too.

// ErrBreakerOpen is the error of a call refused without trying, while the database is
// known to be unresponsive. It matches store.ErrUnavailable.
var ErrBreakerOpen = fmt.Errorf("%w: database unresponsive, failing fast", store.ErrUnavailable)

// Breaker settings: a handful of consecutive failures is an outage, not a slow query;
// the back-off is short because the revision poll (every second) or the next request
// probes again right after it.
const (
	breakerThreshold = 5
	breakerBackoff   = 2 * time.Second
)

// WithTimeouts sets the deadline of one read and of one write (its transaction, with
// retries); zero leaves that kind without a deadline of its own.
func WithTimeouts(read, write time.Duration) Option {
	return func(o *options) { o.readTimeout, o.writeTimeout = read, write }
}

// WithClock sets the clock of the breakers' back-off (tests).
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// breaker is a consecutive-failure circuit breaker with one probe at a time.
type breaker struct {
	now func() time.Time

	mu        sync.Mutex
	fails     int       // consecutive failures
	openUntil time.Time // while fails >= breakerThreshold: refuse until then
	probing   bool      // a probe is in flight
}

// allow reports whether a call may go to the database.
func (b *breaker) allow() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.fails < breakerThreshold {
		return true
	}
	if b.now().Before(b.openUntil) || b.probing {
		return false
	}
	b.probing = true
	return true
}

// isOpen reports whether calls are being refused (not counting a half-open probe).
func (b *breaker) isOpen() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.fails >= breakerThreshold && b.now().Before(b.openUntil)
}

// outcome of a call for the breaker.
type outcome int

const (
	answered outcome = iota // the database answered (with rows or with an error of its own)
	failed                  // unreachable or past the deadline
	neutral                 // the caller gave up: says nothing about the database
)

func (b *breaker) done(o outcome) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.probing = false
	switch o {
	case answered:
		b.fails = 0
	case failed:
		b.fails++
		if b.fails >= breakerThreshold {
			b.openUntil = b.now().Add(breakerBackoff)
		}
	}
}

// guard admits a call of one kind (write or read): it refuses it while that kind's
// breaker is open, and gives it a context with the kind's deadline. end, called with
// the call's error once its rows are read, releases the context and tells the breaker.
func (s *Store) guard(ctx context.Context, write bool) (context.Context, func(error), error) {
	b, d := s.reads, s.readTimeout
	if write {
		b, d = s.writes, s.writeTimeout
	}
	// A database that does not even answer reads will not take writes either; the other
	// way round is not true (SQLite's write lock held by another process).
	if write && s.reads.isOpen() || !b.allow() {
		return ctx, nil, ErrBreakerOpen
	}
	cancel := context.CancelFunc(func() {})
	if dl, ok := ctx.Deadline(); d > 0 && (!ok || time.Until(dl) > d) {
		ctx, cancel = context.WithTimeout(ctx, d)
	}
	return ctx, func(err error) {
		o := answered
		switch {
		case err == nil:
		case errors.Is(ctx.Err(), context.Canceled):
			o = neutral
		case ctx.Err() != nil, errors.Is(err, context.DeadlineExceeded), isTimeout(err):
			o = failed
		case errors.Is(err, store.ErrUnavailable), errors.Is(classify(err), store.ErrUnavailable):
			// Refused or reset: the call failed fast by itself, and counting it would only
			// delay recovery by the back-off once the database listens again.
			o = neutral
		}
		cancel()
		b.done(o)
	}, nil
}

// isTimeout reports a network timeout (a connect or read deadline of the driver).
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// guarded runs fn, a read (or write) of one or more statements that reads its rows
// before it returns, under guard.
func guarded[T any](ctx context.Context, s *Store, write bool, fn func(context.Context) (T, error)) (v T, err error) {
	start := time.Now()
	gctx, end, err := s.guard(ctx, write)
	if err != nil {
		return v, err
	}
	defer func() { end(err); s.observed(write, start) }() // deferred: a panic in fn must not leave a probe in flight for ever
	return fn(gctx)
}
