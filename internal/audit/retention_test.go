package audit

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

type purger struct {
	mu     sync.Mutex
	calls  []time.Time
	failed bool
}

func (p *purger) PurgeAudit(ctx context.Context, before time.Time) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls = append(p.calls, before)
	if !p.failed {
		p.failed = true
		return 0, errors.New("database is locked") // a failure is logged, the loop goes on
	}
	return 3, nil
}

// TestRetention: the loop prunes at once on start, then every PruneEvery, each
// time everything older than the retention; it stops with its context.
func TestRetention(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := &purger{}
		keep := 90 * 24 * time.Hour
		ret := NewRetention(p, keep, slog.New(slog.NewTextHandler(io.Discard, nil)))
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan struct{})
		start := time.Now()
		go func() { ret.Run(ctx); close(done) }()
		synctest.Wait()
		time.Sleep(2*PruneEvery + time.Minute) // fake time inside the bubble
		synctest.Wait()
		cancel()
		<-done
		want := []time.Time{start.Add(-keep), start.Add(PruneEvery - keep), start.Add(2*PruneEvery - keep)}
		if len(p.calls) != len(want) {
			t.Fatalf("purged %d times (%v), want %d", len(p.calls), p.calls, len(want))
		}
		for i := range want {
			if !p.calls[i].Equal(want[i]) {
				t.Errorf("purge %d: before %v, want %v", i, p.calls[i], want[i])
			}
		}
	})
}

// TestRetentionForever: 0 keeps everything, so the loop does nothing.
func TestRetentionForever(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := &purger{}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan struct{})
		go func() { NewRetention(p, 0, slog.New(slog.NewTextHandler(io.Discard, nil))).Run(ctx); close(done) }()
		time.Sleep(3 * PruneEvery)
		cancel()
		<-done
		if len(p.calls) != 0 {
			t.Errorf("purged %d times with retention 0", len(p.calls))
		}
	})
}
