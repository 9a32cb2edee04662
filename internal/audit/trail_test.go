package audit_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse/gatehouse/internal/audit"
	"github.com/gatehouse/gatehouse/internal/fault"
	"github.com/gatehouse/gatehouse/internal/store"
)

type sink struct {
	evs      []store.AuditEvent
	deadline time.Duration // how long the write was given
}

func (s *sink) Write(ctx context.Context, e store.AuditEvent) error {
	if d, ok := ctx.Deadline(); ok {
		s.deadline = time.Until(d).Round(time.Second)
	}
	s.evs = append(s.evs, e)
	return nil
}

func TestTrailRecord(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	api := audit.Actor{Kind: audit.KindClient, ID: "admin", Source: audit.SourceAPI}
	person := audit.Actor{Kind: audit.KindUser, ID: "alice", Source: audit.SourceConsole}
	for _, tc := range []struct {
		name  string
		actor audit.Actor
		c     audit.Change
		err   error
		want  store.AuditEvent
		wait  time.Duration
	}{
		{"success without detail", api, audit.Change{Realm: "r", Action: audit.ActionAppDelete, Target: "a1"}, nil,
			store.AuditEvent{Realm: "r", Time: now, Actor: "admin", Action: "app.delete", Target: "a1", Outcome: "success"}, 10 * time.Second},
		{"console failure", person, audit.Change{Realm: "r", Action: audit.ActionAppUpdate, Target: "a1", Detail: map[string]string{"name": "x"}},
			fault.Invalidf("name", "too long"),
			store.AuditEvent{Realm: "r", Time: now, Actor: "alice", Action: "app.update", Target: "a1", Outcome: "failure",
				Detail: map[string]string{"name": "x", "via": "console", "reason": "invalid"}}, 10 * time.Second},
		{"database down", api, audit.Change{Realm: "r", Action: audit.ActionAppCreate}, fmt.Errorf("q: %w", store.ErrUnavailable),
			store.AuditEvent{Realm: "r", Time: now, Actor: "admin", Action: "app.create", Outcome: "failure",
				Detail: map[string]string{"reason": "unavailable"}}, time.Second},
		{"unexpected", api, audit.Change{Realm: "r", Action: audit.ActionAPIDelete}, errors.New("boom"),
			store.AuditEvent{Realm: "r", Time: now, Actor: "admin", Action: "api.delete", Outcome: "failure",
				Detail: map[string]string{"reason": "error"}}, 10 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := &sink{}
			audit.NewTrail(s, nil, func() time.Time { return now }).Record(t.Context(), tc.actor, tc.c, tc.err)
			if len(s.evs) != 1 {
				t.Fatalf("%d events, want 1", len(s.evs))
			}
			if diff := cmp.Diff(tc.want, s.evs[0]); diff != "" {
				t.Errorf("event (-want +got):\n%s", diff)
			}
			if s.deadline != tc.wait {
				t.Errorf("write given %v, want %v", s.deadline, tc.wait)
			}
		})
	}
	var nilTrail *audit.Trail
	nilTrail.Record(t.Context(), api, audit.Change{}, nil) // records nothing, does not panic
}
