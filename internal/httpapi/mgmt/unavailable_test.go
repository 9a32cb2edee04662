package mgmt_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/accesstoken"
	"github.com/gatehouse/gatehouse/internal/audit"
	"github.com/gatehouse/gatehouse/internal/bearer"
	"github.com/gatehouse/gatehouse/internal/httpapi/mgmt"
	"github.com/gatehouse/gatehouse/internal/identity"
	"github.com/gatehouse/gatehouse/internal/keys"
	"github.com/gatehouse/gatehouse/internal/store"
)

// downStore fails every call the API makes with store.ErrUnavailable.
type downStore struct{ store.Store }

var errDown = fmt.Errorf("sqlstore: database is locked: %w", store.ErrUnavailable)

func (downStore) ListApps(context.Context, string, store.ListOptions) ([]store.Application, int, error) {
	return nil, 0, errDown
}
func (downStore) ListAPIs(context.Context, string) ([]store.API, error) { return nil, errDown }
func (downStore) GetApp(context.Context, string, string) (store.Application, error) {
	return store.Application{}, errDown
}
func (downStore) ListAudit(context.Context, store.AuditQuery) ([]store.AuditEvent, error) {
	return nil, errDown
}
func (downStore) ListClusters(context.Context, string) ([]store.Cluster, error) { return nil, errDown }
func (downStore) UpdateApp(context.Context, string, string, func(store.Application) (store.Application, error)) (store.Application, error) {
	return store.Application{}, errDown
}

type downKeys struct{}

func (downKeys) List(context.Context, string) ([]keys.Info, error) { return nil, errDown }
func (downKeys) Rotate(context.Context, string) error              { return errDown }
func (downKeys) Revoke(context.Context, string, string) error      { return errDown }

// passGuard stands in for the bearer middleware: every request carries admin claims.
type passGuard struct{}

func (passGuard) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(bearer.WithClaims(r.Context(), &accesstoken.Claims{ClientID: "admin"})))
	})
}

func (passGuard) Require(string, ...string) func(http.Handler) http.Handler {
	return func(h http.Handler) http.Handler { return h }
}

type memTrail struct{ evs []store.AuditEvent }

func (m *memTrail) Write(_ context.Context, e store.AuditEvent) error {
	m.evs = append(m.evs, e)
	return nil
}

// TestStoreUnavailable: a database that cannot serve gives 503 + Retry-After, never a
// guess, and a change still leaves one audit event saying so (checklist F3).
func TestStoreUnavailable(t *testing.T) {
	t.Parallel()
	st := downStore{}
	trail := &memTrail{}
	id := identity.New(st, nil, 1)
	id.Trail = audit.NewTrail(trail, nil, nil) // the domain records its own changes
	h := mgmt.New(mgmt.Config{Identity: id, Keys: downKeys{}, Store: st, Audit: trail,
		Realms: map[string]mgmt.Guard{realm: passGuard{}}})
	for _, c := range []struct{ method, path, body string }{
		{"GET", "/applications", ""},
		{"GET", "/applications/x", ""},
		{"GET", "/apis", ""},
		{"GET", "/clusters", ""},
		{"GET", "/keys", ""},
		{"GET", "/audit", ""},
		{"POST", "/keys/rotate", ""},
		{"PATCH", "/applications/x", `{"name":"y"}`},
		{"POST", "/applications/x/rotate-secret", `{"grace":"1m"}`},
	} {
		req := httptest.NewRequest(c.method, "/manage/v1/realms/"+realm+c.path, strings.NewReader(c.body))
		if c.body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" ||
			rec.Header().Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s %s: %d %v %s", c.method, c.path, rec.Code, rec.Header(), rec.Body)
		}
		validateResponse(t, req, nil, reply{t: t, req: req, status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()})
	}
	if len(trail.evs) != 3 {
		t.Fatalf("audit events: %+v", trail.evs)
	}
	for _, ev := range trail.evs {
		if ev.Outcome != "failure" || ev.Detail["reason"] != "unavailable" || ev.Actor != "admin" {
			t.Errorf("event %+v", ev)
		}
	}
}
