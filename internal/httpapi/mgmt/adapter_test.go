package mgmt_test

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/audit"
	"github.com/gatehouse/gatehouse/internal/httpapi/mgmt"
	"github.com/gatehouse/gatehouse/internal/identity"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
)

// TestChangeWritesOneEvent drives the handlers on SQLite without a server: whether the
// domain refuses a change, the adapter refuses its body, or the change succeeds, the
// trail gets exactly one event, written once (by the domain or, for a body that did
// not parse, by the adapter), never twice.
func TestChangeWritesOneEvent(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		action, outcome, reason  string
	}{
		{"create", "POST", "/applications", `{"name":"job"}`, http.StatusCreated, "app.create", "success", ""},
		{"create invalid name", "POST", "/applications", `{"name":""}`, http.StatusBadRequest, "app.create", "failure", "invalid"},
		{"create unknown member", "POST", "/applications", `{"name":"job","secret":"x"}`, http.StatusBadRequest, "app.create", "failure", "invalid"},
		{"rotate bad grace", "POST", "/applications/nope/rotate-secret", `{"grace":"soon"}`, http.StatusBadRequest, "app.rotate-secret", "failure", "invalid"},
		{"delete missing app", "DELETE", "/applications/nope", "", http.StatusNotFound, "app.delete", "failure", "not_found"},
		{"create API", "POST", "/apis", `{"name":"Orders","audience":"orders-api"}`, http.StatusCreated, "api.create", "success", ""},
		{"create cluster", "POST", "/clusters", `{"name":"c1","namespace":"Bad Namespace"}`, http.StatusBadRequest, "cluster.create", "failure", "invalid"},
		{"no roles", "PUT", "/users/nope/roles", `[]`, http.StatusBadRequest, "user.roles.add", "failure", "invalid"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			st, err := sqlstore.Open(ctx, sqlstore.SQLite, filepath.Join(t.TempDir(), "t.db"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			id := identity.New(st, nil, 1)
			if _, err := id.EnsureRealm(ctx, store.Realm{Name: realm, SigningAlg: "ES256", TokenLifetime: 5 * time.Minute}); err != nil {
				t.Fatal(err)
			}
			trail := &memTrail{}
			id.Trail = audit.NewTrail(trail, nil, nil)
			h := mgmt.New(mgmt.Config{Identity: id, Keys: downKeys{}, Store: st, Audit: trail,
				Realms: map[string]mgmt.Guard{realm: passGuard{}}})
			req := httptest.NewRequest(tc.method, "/manage/v1/realms/"+realm+tc.path, strings.NewReader(tc.body))
			if tc.body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.status, rec.Body)
			}
			if len(trail.evs) != 1 {
				t.Fatalf("%d events, want exactly 1: %+v", len(trail.evs), trail.evs)
			}
			ev := trail.evs[0]
			if ev.Action != tc.action || ev.Outcome != tc.outcome || ev.Detail["reason"] != tc.reason || ev.Actor != "admin" || ev.Realm != realm {
				t.Errorf("event %+v, want %s %s reason %q by admin", ev, tc.action, tc.outcome, tc.reason)
			}
		})
	}
}
