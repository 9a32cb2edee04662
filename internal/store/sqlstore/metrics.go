package sqlstore

import (
	"database/sql"
	"sync/atomic"
	"time"
)

// CallObserver receives the duration of every database call, by kind ("read" or
// "write"), including the time spent waiting for a connection. It must be fast.
type CallObserver func(kind string, d time.Duration)

// observer is set once by ObserveCalls; an atomic pointer because calls may already run.
type observer = atomic.Pointer[CallObserver]

// ObserveCalls makes f receive the duration of every later call (metrics).
func (s *Store) ObserveCalls(f CallObserver) { s.obs.Store(&f) }

func (s *Store) observed(write bool, start time.Time) {
	f := s.obs.Load()
	if f == nil {
		return
	}
	kind := "read"
	if write {
		kind = "write"
	}
	(*f)(kind, time.Since(start))
}

// Pools names the connection pools for pool metrics (sql.DB.Stats): "write" and
// "read" on SQLite, one "pool" on PostgreSQL where both are the same.
func (s *Store) Pools() map[string]*sql.DB {
	if s.w == s.r {
		return map[string]*sql.DB{"pool": s.w}
	}
	return map[string]*sql.DB{"write": s.w, "read": s.r}
}
