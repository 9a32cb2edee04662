// Package audit records the audit trail. Management changes are written synchronously
// with Write (the caller learns if the record failed); high-volume token events go
// through Record, which batches them in the background and never blocks a request.
// Within a batch (Window, a tenth of a second), identical recorded events — same realm, actor,
// action, target, outcome and detail — are stored once, with detail "count" (how many)
// and "last" (when the last one happened): a client taking a thousand tokens a second
// makes ten rows a second, not a thousand.
// Events never carry secrets or tokens: callers put ids, names and reasons only.
// Every field is capped where events enter (Cap), since some come from unauthenticated
// requests; Retention deletes events older than the configured age.
package audit

import (
	"context"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
)

// Window is how long a recorded event may wait in memory before its batch is written,
// and so what a crash (kill -9, power loss) can lose: the events of the last Window,
// plus those of a batch being written. A graceful shutdown writes everything queued
// (Run drains). Shorter windows cost one database transaction more per window.
const Window = 100 * time.Millisecond

// Appender is the part of the store the recorder uses.
type Appender interface {
	AppendAudit(ctx context.Context, events ...store.AuditEvent) error
}

// Recorder writes audit events. Safe for concurrent use.
type Recorder struct {
	store Appender
	log   *slog.Logger
	ch    chan store.AuditEvent
	batch int
	every time.Duration

	mu      sync.Mutex
	dropped int64
	done    chan struct{}
}

// New returns a recorder; call Run to start its background writer.
func New(s Appender, log *slog.Logger) *Recorder {
	return &Recorder{store: s, log: log, ch: make(chan store.AuditEvent, 8192), batch: 512,
		every: Window, done: make(chan struct{})}
}

// Write stores one event now, its fields capped (Cap).
func (r *Recorder) Write(ctx context.Context, e store.AuditEvent) error {
	return r.store.AppendAudit(ctx, Cap(e))
}

// Record queues an event for the next batch. When the queue is full the event is
// dropped and counted (Dropped), so a slow database never slows token issuance.
func (r *Recorder) Record(e store.AuditEvent) {
	select {
	case r.ch <- Cap(e):
	default:
		r.mu.Lock()
		r.dropped++
		r.mu.Unlock()
	}
}

// Dropped reports how many events were dropped because the queue was full.
func (r *Recorder) Dropped() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.dropped
}

// Run writes queued events in batches until ctx ends, then drains what is queued.
func (r *Recorder) Run(ctx context.Context) {
	defer close(r.done)
	t := time.NewTicker(r.every)
	defer t.Stop()
	buf := make([]store.AuditEvent, 0, r.batch)
	flush := func() {
		if len(buf) == 0 {
			return
		}
		buf = coalesce(buf)
		wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		if err := r.store.AppendAudit(wctx, buf...); err != nil {
			r.log.Warn("audit: batch not written", "events", len(buf), "err", err)
		}
		cancel()
		buf = buf[:0]
	}
	for {
		select {
		case e := <-r.ch:
			buf = append(buf, e)
			if len(buf) >= r.batch {
				flush()
			}
		case <-t.C:
			flush()
		case <-ctx.Done():
			for {
				select {
				case e := <-r.ch:
					buf = append(buf, e)
					if len(buf) >= r.batch {
						flush()
					}
				default:
					flush()
					return
				}
			}
		}
	}
}

// Wait blocks until Run has drained and returned.
func (r *Recorder) Wait() { <-r.done }

// coalesce merges identical events of a batch into the first of them, which gets
// detail "count" and "last" (RFC 3339, milliseconds). Order of first occurrence is kept.
func coalesce(evs []store.AuditEvent) []store.AuditEvent {
	type group struct {
		i     int
		count int
		last  time.Time
	}
	seen := make(map[string]*group, len(evs))
	out := evs[:0]
	var key strings.Builder
	for _, e := range evs {
		key.Reset()
		for _, f := range []string{e.Realm, e.Actor, e.Action, e.Target, e.Outcome} {
			key.WriteString(f)
			key.WriteByte(0)
		}
		names := make([]string, 0, len(e.Detail))
		for k := range e.Detail {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			key.WriteString(k)
			key.WriteByte(1)
			key.WriteString(e.Detail[k])
			key.WriteByte(0)
		}
		if g, ok := seen[key.String()]; ok {
			g.count++
			if e.Time.After(g.last) {
				g.last = e.Time
			}
			continue
		}
		seen[key.String()] = &group{i: len(out), count: 1, last: e.Time}
		out = append(out, e)
	}
	for _, g := range seen {
		if g.count == 1 {
			continue
		}
		d := make(map[string]string, len(out[g.i].Detail)+2)
		for k, v := range out[g.i].Detail {
			d[k] = v
		}
		d["count"] = strconv.Itoa(g.count)
		d["last"] = g.last.UTC().Format("2006-01-02T15:04:05.000Z07:00")
		out[g.i].Detail = d
	}
	return out
}
