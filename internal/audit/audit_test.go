package audit

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
)

type sink struct {
	mu      sync.Mutex
	batches [][]store.AuditEvent
	fail    bool
	block   chan struct{}
}

func (s *sink) AppendAudit(ctx context.Context, events ...store.AuditEvent) error {
	if s.block != nil {
		<-s.block
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail {
		return errors.New("disk full")
	}
	s.batches = append(s.batches, append([]store.AuditEvent(nil), events...))
	return nil
}

func (s *sink) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, b := range s.batches {
		n += len(b)
	}
	return n
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// TestDrainOnShutdown: every recorded event is written, in batches, by the time Run
// returns after its context ends.
func TestDrainOnShutdown(t *testing.T) {
	s := &sink{}
	r := New(s, quiet())
	ctx, cancel := context.WithCancel(context.Background())
	go r.Run(ctx)
	for i := 0; i < 2000; i++ {
		r.Record(store.AuditEvent{Action: "token.issue", Target: strconv.Itoa(i)}) // all distinct
	}
	cancel()
	r.Wait()
	if n := s.count(); n != 2000 {
		t.Fatalf("%d events written, want 2000", n)
	}
	for _, b := range s.batches {
		if len(b) > r.batch {
			t.Fatalf("batch of %d, limit %d", len(b), r.batch)
		}
	}
	if r.Dropped() != 0 {
		t.Fatalf("dropped %d", r.Dropped())
	}
}

// TestFullQueueDrops: a stalled database never blocks Record; what does not fit is
// counted, not silently lost.
func TestFullQueueDrops(t *testing.T) {
	s := &sink{block: make(chan struct{})}
	r := New(s, quiet())
	ctx, cancel := context.WithCancel(context.Background())
	go r.Run(ctx)
	total := cap(r.ch) + 2*r.batch + 100
	for i := 0; i < total; i++ {
		r.Record(store.AuditEvent{Action: "token.deny", Target: strconv.Itoa(i)})
	}
	if r.Dropped() == 0 {
		t.Fatal("nothing dropped although the queue was full")
	}
	close(s.block)
	cancel()
	r.Wait()
	if got := int64(s.count()) + r.Dropped(); got != int64(total) {
		t.Fatalf("written %d + dropped %d != recorded %d", s.count(), r.Dropped(), total)
	}
}

func TestWriteIsSynchronous(t *testing.T) {
	s := &sink{}
	r := New(s, quiet())
	if err := r.Write(context.Background(), store.AuditEvent{Action: "app.create"}); err != nil || s.count() != 1 {
		t.Fatalf("Write: %v, %d events", err, s.count())
	}
	s.fail = true
	if err := r.Write(context.Background(), store.AuditEvent{Action: "app.create"}); err == nil {
		t.Fatal("a failed write was not reported")
	}
}

// TestCoalesce: identical events of a batch become one with a count and the time of the
// last; different ones stay apart, in order of first occurrence.
func TestCoalesce(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	ev := func(actor, reason string, at int) store.AuditEvent {
		return store.AuditEvent{Realm: "r", Time: t0.Add(time.Duration(at) * time.Millisecond), Actor: actor,
			Action: "token.deny", Outcome: "failure", Detail: map[string]string{"reason": reason, "ip": "127.0.0.1"}}
	}
	got := coalesce([]store.AuditEvent{ev("a", "wrong secret", 0), ev("b", "wrong secret", 1), ev("a", "wrong secret", 2),
		ev("a", "unknown client", 3), ev("a", "wrong secret", 4)})
	if len(got) != 3 || got[0].Actor != "a" || got[1].Actor != "b" || got[2].Detail["reason"] != "unknown client" {
		t.Fatalf("coalesced: %+v", got)
	}
	if got[0].Detail["count"] != "3" || got[0].Detail["last"] != "2026-11-23T12:00:00.004Z" || !got[0].Time.Equal(t0) {
		t.Errorf("first group: %+v", got[0])
	}
	if _, ok := got[1].Detail["count"]; ok {
		t.Errorf("a single event got a count: %+v", got[1])
	}
}

func TestExcluded(t *testing.T) {
	for _, tc := range []struct {
		filter  string
		include bool
		want    string
	}{
		{"", false, ActionTokenIssue},
		{"", true, ""},
		{"app.", false, ActionTokenIssue},
		{"token.", false, ""},
		{ActionTokenIssue, false, ""},
		{ActionTokenDeny, false, ActionTokenIssue},
	} {
		if got := Excluded(tc.filter, tc.include); got != tc.want {
			t.Errorf("Excluded(%q, %t) = %q, want %q", tc.filter, tc.include, got, tc.want)
		}
	}
}
