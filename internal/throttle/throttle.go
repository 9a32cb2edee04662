// Package throttle slows down repeated failed authentication. It never locks anyone out
// for good: after a threshold of failures within a window, a key is blocked for a
// backoff that doubles with each block up to a maximum, and any success resets it.
//
// Attempts are reserved before they are evaluated (Begin), so parallel requests cannot
// race past the threshold (Keycloak CVE-2024-4629): failures plus attempts in flight
// never exceed Threshold per key. An attempt that would exceed it waits (up to MaxWait)
// for one in flight to finish instead of being refused, so a client's legitimate
// concurrency is never mistaken for guessing. State is per process; with several
// replicas the effective limit is N times the threshold (docs/operations.md).
package throttle

import (
	"context"
	"sync"
	"time"
)

// Policy sets the limits of one Limiter.
type Policy struct {
	Threshold  int           // failures (plus in-flight attempts) allowed per Window
	Window     time.Duration // failures older than this are forgotten
	Backoff    time.Duration // first block; doubles each time, up to MaxBackoff
	MaxBackoff time.Duration
	Forget     time.Duration // an idle key's entry (and its block count) is dropped after this
	MaxKeys    int           // memory bound; the oldest entries go first
	MaxWait    time.Duration // how long an attempt waits for a slot before it is refused
}

// DefaultClientPolicy is used per (client id, source IP): 10 failures a minute, then
// 1 min doubling to 15 min; forgotten after 12 h idle.
var DefaultClientPolicy = Policy{Threshold: 10, Window: time.Minute, Backoff: time.Minute,
	MaxBackoff: 15 * time.Minute, Forget: 12 * time.Hour, MaxKeys: 100_000, MaxWait: 2 * time.Second}

// DefaultIPPolicy is used per source IP across client ids: 100 failures a minute.
var DefaultIPPolicy = Policy{Threshold: 100, Window: time.Minute, Backoff: time.Minute,
	MaxBackoff: 15 * time.Minute, Forget: 12 * time.Hour, MaxKeys: 100_000, MaxWait: 2 * time.Second}

type entry struct {
	failures     int
	inflight     int
	windowStart  time.Time
	blockedUntil time.Time
	blocks       int
	last         time.Time
	wake         chan struct{} // closed when an attempt in flight finishes
}

// Limiter tracks failures by key. Safe for concurrent use.
type Limiter struct {
	p   Policy
	now func() time.Time

	mu      sync.Mutex
	entries map[string]*entry
	sweep   time.Time
}

// New returns a limiter; now may be nil (time.Now).
func New(p Policy, now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	return &Limiter{p: p, now: now, entries: map[string]*entry{}}
}

// Begin reserves an attempt for key. If the key is blocked it returns false and how
// long to wait. When failures plus attempts in flight reach the threshold, it waits for
// an attempt in flight to finish (at most MaxWait, or until ctx ends). Every allowed
// Begin must be followed by exactly one Fail, Succeed or Release.
func (l *Limiter) Begin(ctx context.Context, key string) (ok bool, retryAfter time.Duration) {
	var timeout <-chan time.Time
	for {
		l.mu.Lock()
		now := l.now()
		l.maybeSweep(now)
		e := l.entries[key]
		if e == nil {
			e = &entry{windowStart: now}
			l.entries[key] = e
		}
		e.last = now
		if now.Before(e.blockedUntil) {
			l.mu.Unlock()
			return false, e.blockedUntil.Sub(now)
		}
		if now.Sub(e.windowStart) >= l.p.Window {
			e.failures, e.windowStart = 0, now
		}
		if e.failures >= l.p.Threshold {
			d := l.block(e, now)
			l.mu.Unlock()
			return false, d
		}
		if e.failures+e.inflight < l.p.Threshold {
			e.inflight++
			l.mu.Unlock()
			return true, 0
		}
		if e.wake == nil {
			e.wake = make(chan struct{})
		}
		wake := e.wake
		l.mu.Unlock()
		if timeout == nil {
			t := time.NewTimer(l.p.MaxWait)
			defer t.Stop()
			timeout = t.C
		}
		select {
		case <-wake:
		case <-timeout:
			return false, time.Second
		case <-ctx.Done():
			return false, time.Second
		}
	}
}

// Fail records that a reserved attempt failed.
func (l *Limiter) Fail(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	e := l.entries[key]
	if e == nil {
		return
	}
	now := l.now()
	l.finish(e)
	e.failures++
	e.last = now
	if e.failures >= l.p.Threshold && !now.Before(e.blockedUntil) {
		l.block(e, now)
	}
}

// Succeed records that a reserved attempt succeeded: the key's failures and backoff
// start afresh.
func (l *Limiter) Succeed(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	e := l.entries[key]
	if e == nil {
		return
	}
	l.finish(e)
	e.failures, e.blocks, e.blockedUntil = 0, 0, time.Time{}
	if e.inflight == 0 {
		delete(l.entries, key)
	}
}

// Release gives back a reservation that was neither a success nor a failure.
func (l *Limiter) Release(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e := l.entries[key]; e != nil {
		l.finish(e)
	}
}

// finish ends one attempt in flight and wakes the attempts waiting for a slot.
func (l *Limiter) finish(e *entry) {
	if e.inflight > 0 {
		e.inflight--
	}
	if e.wake != nil {
		close(e.wake)
		e.wake = nil
	}
}

func (l *Limiter) block(e *entry, now time.Time) time.Duration {
	d := l.p.Backoff << min(e.blocks, 16)
	if d > l.p.MaxBackoff || d <= 0 {
		d = l.p.MaxBackoff
	}
	e.blocks++
	e.blockedUntil = now.Add(d)
	e.failures, e.windowStart = 0, e.blockedUntil
	return d
}

// maybeSweep drops idle entries at most once a minute, and the oldest ones when the
// map is over its bound.
func (l *Limiter) maybeSweep(now time.Time) {
	if now.Sub(l.sweep) < time.Minute && len(l.entries) < l.p.MaxKeys {
		return
	}
	l.sweep = now
	for k, e := range l.entries {
		if e.inflight == 0 && now.Sub(e.last) > l.p.Forget && !now.Before(e.blockedUntil) {
			delete(l.entries, k)
		}
	}
	for k, e := range l.entries {
		if len(l.entries) < l.p.MaxKeys {
			break
		}
		if e.inflight == 0 && !now.Before(e.blockedUntil) {
			delete(l.entries, k)
		}
	}
}

// Len reports how many keys are tracked (for metrics and tests).
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.entries)
}
