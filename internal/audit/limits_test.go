package audit

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gatehouse/gatehouse/internal/store"
)

func huge(n int) string { return strings.Repeat("é", n) } // 2 bytes a rune: cuts must respect them

func checkCapped(t *testing.T, e store.AuditEvent) {
	t.Helper()
	for name, f := range map[string]struct {
		v   string
		max int
	}{"realm": {e.Realm, MaxField}, "actor": {e.Actor, MaxField}, "action": {e.Action, MaxField},
		"target": {e.Target, MaxField}, "outcome": {e.Outcome, MaxField}} {
		if len(f.v) > f.max || !utf8.ValidString(f.v) {
			t.Errorf("%s: %d bytes (valid UTF-8: %v)", name, len(f.v), utf8.ValidString(f.v))
		}
	}
	if len(e.Detail) > MaxDetailKeys {
		t.Errorf("detail: %d keys", len(e.Detail))
	}
	for k, v := range e.Detail {
		if len(k) > MaxDetailKey || len(v) > MaxDetailValue || !utf8.ValidString(k) || !utf8.ValidString(v) {
			t.Errorf("detail %d-byte key, %d-byte value", len(k), len(v))
		}
	}
}

func bigEvent() store.AuditEvent {
	d := map[string]string{}
	for i := range 100 {
		d[huge(100)+strconv.Itoa(i)] = huge(10_000)
	}
	return store.AuditEvent{Realm: huge(1000), Actor: huge(40_000), Action: huge(1000), Target: huge(1000),
		Outcome: huge(1000), Detail: d}
}

// TestCapped: whatever a caller passes, both ways into the store write bounded
// fields, cut at a character boundary; short events are stored as they are.
func TestCapped(t *testing.T) {
	s := &sink{}
	r := New(s, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := r.Write(t.Context(), bigEvent()); err != nil {
		t.Fatal(err)
	}
	r.Record(bigEvent())
	ctx, cancel := context.WithCancel(t.Context())
	go r.Run(ctx)
	cancel()
	r.Wait()
	if len(s.batches) != 2 {
		t.Fatalf("%d batches", len(s.batches))
	}
	for _, b := range s.batches {
		for _, e := range b {
			checkCapped(t, e)
			if !strings.HasPrefix(e.Actor, huge(10)) {
				t.Errorf("actor lost its beginning: %.20q", e.Actor)
			}
		}
	}
	small := store.AuditEvent{Realm: "r", Actor: "app", Action: "token.issue", Target: "t", Outcome: "success",
		Detail: map[string]string{"ip": "203.0.113.9"}}
	if got := Cap(small); got.Actor != "app" || got.Detail["ip"] != "203.0.113.9" || len(got.Detail) != 1 {
		t.Errorf("small event changed: %+v", got)
	}
}
