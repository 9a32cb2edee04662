// Package lograte keeps repeated log lines from flooding the log. During an outage
// every rejected request may log the same warning; Handler lets the same message at
// the same level through at most Burst times per Interval and then reports how many
// it held back in one line ("<message>: suppressed N similar lines"), when the next
// line of that kind is let through, when any later line finds its window over, or on
// Flush.
package lograte

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Options tune a Handler; zero values take the defaults.
type Options struct {
	Burst    int              // lines of one kind let through per window; default 10
	Interval time.Duration    // window length; default 1 minute
	MaxKinds int              // kinds tracked at once (memory bound); default 1024
	Now      func() time.Time // default time.Now
}

type kind struct {
	msg   string
	level slog.Level
}

type window struct {
	start      time.Time
	count      int
	suppressed int
	next       slog.Handler // the handler (with its attributes) that reports the suppressed lines
}

type state struct {
	o       Options
	mu      sync.Mutex
	windows map[kind]*window
	sweepAt time.Time // earliest end of a window with suppressed lines; zero: none
}

// Handler is a slog.Handler that rate-limits repeated lines before passing them on.
type Handler struct {
	next slog.Handler
	st   *state
}

// New wraps next.
func New(next slog.Handler, o Options) *Handler {
	if o.Burst <= 0 {
		o.Burst = 10
	}
	if o.Interval <= 0 {
		o.Interval = time.Minute
	}
	if o.MaxKinds <= 0 {
		o.MaxKinds = 1024
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Handler{next: next, st: &state{o: o, windows: map[kind]*window{}}}
}

// Enabled reports whether the wrapped handler takes level.
func (h *Handler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.next.Enabled(ctx, level)
}

// WithAttrs returns a handler sharing this one's counts.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &Handler{next: h.next.WithAttrs(attrs), st: h.st}
}

// WithGroup returns a handler sharing this one's counts.
func (h *Handler) WithGroup(name string) slog.Handler {
	return &Handler{next: h.next.WithGroup(name), st: h.st}
}

type pending struct {
	next slog.Handler
	rec  slog.Record
}

// Handle passes r on unless its kind has used up its window.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	st := h.st
	now := st.o.Now()
	k := kind{r.Message, r.Level}
	st.mu.Lock()
	out := st.sweep(now, k)
	w := st.windows[k]
	if w != nil && now.Sub(w.start) >= st.o.Interval {
		if p, ok := w.summary(k, now); ok {
			out = append(out, p)
		}
		w = nil
	}
	if w == nil && len(st.windows) < st.o.MaxKinds {
		w = &window{start: now}
		st.windows[k] = w
	}
	pass := true
	if w != nil {
		w.count++
		if w.count > st.o.Burst {
			pass = false
			w.suppressed++
			w.next = h.next
			if end := w.start.Add(st.o.Interval); st.sweepAt.IsZero() || end.Before(st.sweepAt) {
				st.sweepAt = end
			}
		}
	}
	st.mu.Unlock()
	for _, p := range out {
		_ = p.next.Handle(ctx, p.rec)
	}
	if !pass {
		return nil
	}
	return h.next.Handle(ctx, r)
}

// Flush reports every suppressed count now (call it on shutdown).
func (h *Handler) Flush(ctx context.Context) {
	st := h.st
	now := st.o.Now()
	st.mu.Lock()
	var out []pending
	for k, w := range st.windows {
		if p, ok := w.summary(k, now); ok {
			out = append(out, p)
			w.suppressed = 0
		}
	}
	st.sweepAt = time.Time{}
	st.mu.Unlock()
	for _, p := range out {
		_ = p.next.Handle(ctx, p.rec)
	}
}

// sweep ends the windows that are over (except skip's, which Handle settles itself),
// collecting their summaries. It runs only when some window with suppressed lines
// has ended or when the map is full, so a steady stream of lines costs nothing.
func (st *state) sweep(now time.Time, skip kind) []pending {
	if (st.sweepAt.IsZero() || now.Before(st.sweepAt)) && len(st.windows) < st.o.MaxKinds {
		return nil
	}
	var out []pending
	st.sweepAt = time.Time{}
	for k, w := range st.windows {
		if now.Sub(w.start) < st.o.Interval {
			if w.suppressed > 0 {
				if end := w.start.Add(st.o.Interval); st.sweepAt.IsZero() || end.Before(st.sweepAt) {
					st.sweepAt = end
				}
			}
			continue
		}
		if k == skip {
			continue
		}
		if p, ok := w.summary(k, now); ok {
			out = append(out, p)
		}
		delete(st.windows, k)
	}
	return out
}

func (w *window) summary(k kind, now time.Time) (pending, bool) {
	if w.suppressed == 0 {
		return pending{}, false
	}
	r := slog.NewRecord(now, k.level, fmt.Sprintf("%s: suppressed %d similar lines", k.msg, w.suppressed), 0)
	r.AddAttrs(slog.Int("suppressed", w.suppressed))
	return pending{next: w.next, rec: r}, true
}
