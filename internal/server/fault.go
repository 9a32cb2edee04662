package server

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
)

// Database faults (issue 6, checklist F3/F4).
//
// A replica answers token requests from an in-memory client cache and verifies tokens
// from in-memory key sets and deny-lists. The once-a-second revision poll (pollLoop)
// keeps them fresh, and it is also how a replica learns that the database is gone.
// From then on the client cache cannot be trusted: an application may have been
// disabled, or its secret rotated, on another replica, and this one would never know.
// So a failed poll drops the client cache, and every token request goes to the database
// and answers 503 temporarily_unavailable instead of a stale 200 or 401. Key sets and
// deny-lists are kept: tokens already issued go on being verified by the resource APIs,
// which is what an outage of the authorization server's database should not break.
// The first successful poll after an outage drops the cache again and reloads the key
// sets, whether or not the revision moved.

const (
	// pollTimeout bounds one revision poll, so that a database that hangs (a network
	// partition) is noticed as surely as one that refuses connections.
	pollTimeout = 2 * time.Second
	// readyTimeout bounds /readyz's database check, so that /readyz answers within half
	// a second (a probe's usual timeout is one) even when the database hangs; while the
	// store's read breaker is open it answers at once.
	readyTimeout = 400 * time.Millisecond
	// reloadTimeout bounds reloading the key sets after a change or an outage.
	reloadTimeout = 10 * time.Second
	// keyMaintenanceTimeout bounds one round of scheduled key work (keys.Manager.Run),
	// so that a hung database does not stall the schedule.
	keyMaintenanceTimeout = 30 * time.Second
	// requestTimeout bounds how long a request may wait for the database, all its calls
	// together, before it answers 503 (the handlers map context.DeadlineExceeded and
	// store.ErrUnavailable to 503 + Retry-After). Each call has its own, shorter deadline
	// in the store (--db-read-timeout, --db-write-timeout), which also ends a write
	// waiting for another process's SQLite lock before the 5 s busy timeout.
	requestTimeout = 15 * time.Second
	// outageRequestTimeout replaces requestTimeout while the last poll failed, so that
	// requests fail fast instead of each waiting for a database known to be down.
	outageRequestTimeout = 3 * time.Second
)

// health is what the revision poll learned about the database.
type health struct {
	down  atomic.Bool
	since atomic.Int64 // unix nanoseconds of the first failed poll of the current outage
}

// StoreDown reports whether the last revision poll failed to reach the database.
func (s *Server) StoreDown() bool { return s.health.down.Load() }

// pollRevision polls the store's revision once and returns the revision the next poll
// compares with. When another writer changed identity data, or the database has just
// come back, it drops cached clients and reloads the key sets and the resource APIs'
// accepted audiences; when the database cannot
// be reached it drops cached clients (see the comment at the top of this file).
func (s *Server) pollRevision(ctx context.Context, last int64) int64 {
	pctx, cancel := context.WithTimeout(ctx, pollTimeout)
	rev, err := s.store.Revision(pctx)
	cancel()
	if err != nil {
		if ctx.Err() == nil {
			s.storeFailed(err)
		}
		return last
	}
	recovered := s.storeBack()
	if rev == last && !recovered {
		return last
	}
	// The first poll reloads too: replicas starting together may have rotated the key
	// this one loaded while it was still starting (cold starts on an empty database).
	s.Identity.Invalidate()
	rctx, cancel := context.WithTimeout(ctx, reloadTimeout)
	defer cancel()
	if err := s.Keys.ReloadAll(rctx); err != nil {
		if ctx.Err() != nil {
			return last
		}
		s.log.Warn("reload keys", "err", err)
		if errors.Is(err, store.ErrUnavailable) || errors.Is(err, context.DeadlineExceeded) {
			return last // the database went away again: reload at the next poll
		}
	}
	if err := s.refreshAudiences(rctx); err != nil {
		if ctx.Err() != nil {
			return last
		}
		s.log.Warn("reload API audiences", "err", err)
		return last // try again at the next poll
	}
	return rev
}

// storeFailed records a failed poll: the client cache is dropped at every failed poll
// (a request that was already reading the database may have refilled it).
func (s *Server) storeFailed(err error) {
	s.Identity.Invalidate()
	if s.health.down.CompareAndSwap(false, true) {
		s.health.since.Store(s.now().UnixNano())
		s.log.Warn("database unreachable: token requests and writes answer 503 until it is back; "+
			"tokens already issued are still verified from memory", "err", err)
	}
}

// storeBack records a successful poll and reports whether it ended an outage.
func (s *Server) storeBack() bool {
	if !s.health.down.CompareAndSwap(true, false) {
		return false
	}
	s.log.Info("database reachable again", "outage", s.now().Sub(time.Unix(0, s.health.since.Load())).Round(time.Millisecond))
	return true
}

// bounded gives every request a deadline for its database work (requestTimeout, or
// outageRequestTimeout while the database is known to be down): without it a request
// would wait as long as the TCP stack does for a database behind a network partition,
// instead of answering 503.
func (s *Server) bounded(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d := requestTimeout
		if s.health.down.Load() {
			d = outageRequestTimeout
		}
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		h.ServeHTTP(w, r.WithContext(ctx))
	})
}

// retryRace runs an idempotent start-up step (seeding configured clients and users)
// again when it lost a race: replicas starting at the same time on an empty database
// each find a configured client missing and create it, and all but one get
// ErrAlreadyExists. The row exists then, so the next run finds it and leaves it as it is.
func retryRace(step func() error) error {
	var err error
	for range 3 {
		if err = step(); !errors.Is(err, store.ErrAlreadyExists) {
			return err
		}
	}
	return err
}
