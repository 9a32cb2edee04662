package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
)

func auditTarget(e store.AuditEvent) string { return e.Target }

var auditTests = []test{
	{"Audit/FiltersPagingOrder", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		ev := func(i int, realm, actor, action, outcome string) store.AuditEvent {
			return store.AuditEvent{Realm: realm, Time: at(i), Actor: actor, Action: action,
				Target: fmt.Sprintf("t%d", i), Outcome: outcome, Detail: map[string]string{"i": fmt.Sprint(i)}}
		}
		events := []store.AuditEvent{
			ev(0, "r1", "admin", "app.create", "success"),
			ev(1, "r1", "admin", "app.update", "success"),
			ev(2, "r1", "client-1", "token.issue", "success"),
			ev(3, "r1", "client-2", "token.deny", "failure"),
			ev(4, "r2", "admin", "app.create", "success"),
			ev(5, "", "system", "key.rotate", "success"),
			ev(6, "r1", "admin", "application.create", "success"), // not under "app."
			ev(7, "r1", "admin", "app", "success"),                // not under "app." either
		}
		events[5].Detail = nil
		must(t, s.AppendAudit(ctx, events[:3]...))
		for _, e := range events[3:] {
			must(t, s.AppendAudit(ctx, e))
		}
		must(t, s.AppendAudit(ctx))

		all, err := s.ListAudit(ctx, store.AuditQuery{})
		must(t, err)
		if len(all) != len(events) {
			t.Fatalf("got %d events, want %d", len(all), len(events))
		}
		for i, e := range all {
			want := events[len(events)-1-i]
			want.ID = e.ID
			diff(t, "event "+e.Target, want, e)
			if i > 0 && e.ID >= all[i-1].ID {
				t.Errorf("IDs not decreasing: %d after %d", e.ID, all[i-1].ID)
			}
		}
		for _, tc := range []struct {
			name string
			q    store.AuditQuery
			want []string
		}{
			{"realm", store.AuditQuery{Realm: "r2"}, []string{"t4"}},
			{"action exact", store.AuditQuery{Action: "app.create"}, []string{"t4", "t0"}},
			{"action prefix", store.AuditQuery{Action: "app."}, []string{"t4", "t1", "t0"}},
			{"action prefix and realm", store.AuditQuery{Action: "app.", Realm: "r1"}, []string{"t1", "t0"}},
			{"action literal", store.AuditQuery{Action: "app"}, []string{"t7"}},
			{"actor", store.AuditQuery{Actor: "client-1"}, []string{"t2"}},
			{"target", store.AuditQuery{Target: "t3"}, []string{"t3"}},
			{"outcome", store.AuditQuery{Outcome: "failure"}, []string{"t3"}},
			{"since inclusive", store.AuditQuery{Since: at(6)}, []string{"t7", "t6"}},
			{"until exclusive", store.AuditQuery{Until: at(2)}, []string{"t1", "t0"}},
			{"window", store.AuditQuery{Since: at(2), Until: at(4)}, []string{"t3", "t2"}},
			{"limit", store.AuditQuery{Limit: 3}, []string{"t7", "t6", "t5"}},
			{"before id", store.AuditQuery{BeforeID: all[2].ID, Limit: 2}, []string{"t4", "t3"}},
			{"before id with filter", store.AuditQuery{BeforeID: all[3].ID, Action: "app."}, []string{"t1", "t0"}},
			{"no match", store.AuditQuery{Actor: "nobody"}, nil},
			{"exclude", store.AuditQuery{Realm: "r1", Exclude: "token.issue"}, []string{"t7", "t6", "t3", "t1", "t0"}},
			{"exclude with prefix", store.AuditQuery{Action: "token.", Exclude: "token.issue"}, []string{"t3"}},
		} {
			got, err := s.ListAudit(ctx, tc.q)
			must(t, err)
			diff(t, tc.name, tc.want, ids(got, auditTarget))
		}
	}},
	{"Audit/Limits", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		batch := make([]store.AuditEvent, 501)
		for i := range batch {
			batch[i] = store.AuditEvent{Realm: "r1", Time: at(i), Actor: "a", Action: "token.issue",
				Target: fmt.Sprint(i), Outcome: "success", Detail: map[string]string{"note": `'; "?" %_`}}
		}
		must(t, s.AppendAudit(ctx, batch...)) // one call, many events
		for _, tc := range []struct{ limit, want int }{{0, 50}, {-1, 50}, {500, 500}, {10000, 500}} {
			got, err := s.ListAudit(ctx, store.AuditQuery{Limit: tc.limit})
			must(t, err)
			if len(got) != tc.want {
				t.Errorf("limit %d: %d events, want %d", tc.limit, len(got), tc.want)
			}
			if len(got) > 0 && (got[0].Target != "500" || got[0].Detail["note"] != `'; "?" %_`) {
				t.Errorf("limit %d: newest is %+v", tc.limit, got[0])
			}
		}
		// Paging backwards through everything visits each event once.
		seen, before := 0, int64(0)
		for {
			got, err := s.ListAudit(ctx, store.AuditQuery{BeforeID: before, Limit: 200})
			must(t, err)
			if len(got) == 0 {
				break
			}
			seen += len(got)
			before = got[len(got)-1].ID
		}
		if seen != len(batch) {
			t.Errorf("paged through %d events, want %d", seen, len(batch))
		}
	}},
	{"Audit/Purge", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		var evs []store.AuditEvent
		for i := range 250 { // spans several AppendAudit chunks
			evs = append(evs, store.AuditEvent{Realm: "r1", Time: at(i % 5), Actor: "a", Action: "x", Target: fmt.Sprint(i), Outcome: "success"})
		}
		must(t, s.AppendAudit(ctx, evs...))
		rev, err := s.Revision(ctx)
		must(t, err)
		// Strictly before at(3): minutes 0, 1 and 2 go, 3 and 4 stay.
		n, err := s.PurgeAudit(ctx, at(3))
		must(t, err)
		if n != 150 {
			t.Errorf("PurgeAudit removed %d, want 150", n)
		}
		left, err := s.ListAudit(ctx, store.AuditQuery{Limit: 1000})
		must(t, err)
		if len(left) != 100 {
			t.Fatalf("%d events left, want 100", len(left))
		}
		for _, e := range left {
			if e.Time.Before(at(3).Truncate(time.Millisecond)) {
				t.Errorf("event at %v kept", e.Time)
			}
		}
		if n, err = s.PurgeAudit(ctx, at(3)); err != nil || n != 0 {
			t.Errorf("second purge: %d, %v", n, err)
		}
		if next, err := s.Revision(ctx); err != nil || next != rev {
			t.Errorf("purging audit moved the revision %d → %d (%v)", rev, next, err)
		}
	}},
}
