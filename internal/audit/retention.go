package audit

import (
	"context"
	"log/slog"
	"time"
)

// DefaultRetention is how long audit events are kept unless configured otherwise.
const DefaultRetention = 90 * 24 * time.Hour

// PruneEvery is how often the retention loop deletes expired events.
const PruneEvery = time.Hour

// Purger is the part of the store the retention loop uses.
type Purger interface {
	PurgeAudit(ctx context.Context, before time.Time) (int, error)
}

// Retention deletes audit events older than a configured age. Every replica may run
// it: the deletes are idempotent.
type Retention struct {
	store Purger
	keep  time.Duration
	log   *slog.Logger
}

// NewRetention returns a loop that keeps events for keep; 0 keeps them forever.
func NewRetention(s Purger, keep time.Duration, log *slog.Logger) *Retention {
	return &Retention{store: s, keep: keep, log: log}
}

// Run prunes once at once and then every PruneEvery until ctx ends. With retention 0
// it returns at once.
func (r *Retention) Run(ctx context.Context) {
	if r.keep <= 0 {
		return
	}
	t := time.NewTicker(PruneEvery)
	defer t.Stop()
	for {
		r.prune(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (r *Retention) prune(ctx context.Context) {
	n, err := r.store.PurgeAudit(ctx, time.Now().Add(-r.keep))
	switch {
	case err != nil && ctx.Err() == nil:
		r.log.Warn("audit: retention purge failed", "err", err)
	case n > 0:
		r.log.Info("audit: retention purge", "deleted", n, "retention", r.keep.String())
	}
}
