package audit

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
)

// TestBatchWindow: a recorded event is in the database within 100 ms of being recorded,
// which bounds what a crash (kill -9, power loss) can lose to the events of the last
// 100 ms. The window is short enough that a restart loop of a few seconds keeps nearly
// every event.
func TestBatchWindow(t *testing.T) {
	const bound = 100 * time.Millisecond
	synctest.Test(t, func(t *testing.T) {
		s := &sink{}
		r := New(s, quiet())
		ctx, cancel := context.WithCancel(t.Context())
		defer func() { cancel(); r.Wait() }()
		go r.Run(ctx)
		time.Sleep(bound / 3) // fake time: the event comes in the middle of a window
		r.Record(store.AuditEvent{Action: ActionTokenIssue, Target: "a"})
		time.Sleep(bound)
		synctest.Wait()
		if n := s.count(); n != 1 {
			t.Fatalf("%d events written %v after Record, want 1 (window %v)", n, bound, Window)
		}
	})
}
