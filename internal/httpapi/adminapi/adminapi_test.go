package adminapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/accesstoken"
	"github.com/gatehouse/gatehouse/internal/bearer"
	"github.com/gatehouse/gatehouse/internal/cluster"
	"github.com/gatehouse/gatehouse/internal/store"
)

// stubVerifier accepts "good" (read:*), "writer" (write:*) and "none" (no permission).
type stubVerifier struct{}

func (stubVerifier) Verify(tok string, aud ...string) (*accesstoken.Claims, error) {
	perms := map[string][]string{"good": {"read:*"}, "writer": {"write:*"}, "none": {"other"}}
	p, ok := perms[tok]
	if !ok {
		return nil, &accesstoken.Error{Reason: "invalid signature"}
	}
	return &accesstoken.Claims{ID: tok, ExpiresAt: accesstoken.NumericDate(time.Now().Add(time.Hour).Unix()),
		Permissions: map[string][]string{Audience: p}}, nil
}

type fakeClusters struct {
	view  *cluster.View
	usage cluster.Usage
	err   error
	got   struct {
		id         string
		start, end time.Time
	}
}

func (f *fakeClusters) View() *cluster.View { return f.view }
func (f *fakeClusters) Usage(_ context.Context, id string, start, end time.Time) (cluster.Usage, error) {
	f.got.id, f.got.start, f.got.end = id, start, end
	if f.err != nil {
		return cluster.Usage{}, f.err
	}
	if id != "c-1" {
		return cluster.Usage{}, store.ErrNotFound
	}
	u := f.usage
	u.ID = id
	return u, nil
}

func testView() *cluster.View {
	return &cluster.View{Clusters: []cluster.Cluster{{
		UUID: "c-1", Name: "camunda", Namespace: "prod", Status: cluster.Unhealthy, Generation: "8.6.0", Type: cluster.Automation,
		Apps: []cluster.App{
			{Type: "zeebe-broker", ID: "zeebe", Status: cluster.Healthy, URL: "grpc://zeebe:26500", Generation: "8.6.0", Readiness: "http://zeebe:9600/ready"},
			{Type: "operate", ID: "operate", Status: cluster.Unhealthy, URL: "http://operate", Generation: "8.6.0", Metrics: "http://operate:9600/actuator/prometheus"},
			{Type: "unknown", ID: "connectors", Status: cluster.Unknown, URL: "", Generation: ""},
		},
	}, {UUID: "c-2", Name: "mgmt", Status: cluster.Unknown, Type: cluster.Management, Apps: []cluster.App{}}}}
}

func newTestAPI(fc *fakeClusters, disabled bool) http.Handler {
	auth := bearer.New(bearer.Config{Realm: "camunda-platform", Audiences: []string{Audience}, Verifier: stubVerifier{}, Disabled: disabled})
	return New(Options{Clusters: fc, Auth: auth})
}

func do(t *testing.T, h http.Handler, target, token string) (*http.Request, *httptest.ResponseRecorder) {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, target, nil)
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return r, w
}

func TestClusters(t *testing.T) {
	fc := &fakeClusters{view: testView()}
	h := newTestAPI(fc, false)
	for _, tok := range []string{"good", "writer"} {
		r, w := do(t, h, ClustersPath, tok)
		if w.Code != 200 {
			t.Fatalf("%s: %d %s", tok, w.Code, w.Body)
		}
		validateResponse(t, r, w.Code, w.Header(), w.Body.Bytes())
		var got []map[string]any
		if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil || len(got) != 2 || got[0]["uuid"] != "c-1" {
			t.Fatalf("body %s", w.Body)
		}
	}
	// The encoded body follows the view.
	fc.view = &cluster.View{Clusters: []cluster.Cluster{}}
	r, w := do(t, h, ClustersPath, "good")
	if w.Body.String() != "[]" {
		t.Fatalf("after view change: %s", w.Body)
	}
	validateResponse(t, r, w.Code, w.Header(), w.Body.Bytes())

	for _, tt := range []struct {
		name, token string
		status      int
	}{{"no token", "", 401}, {"bad token", "bad", 401}, {"no permission", "none", 403}} {
		r, w := do(t, h, ClustersPath, tt.token)
		if w.Code != tt.status || w.Header().Get("WWW-Authenticate") == "" {
			t.Fatalf("%s: %d %q", tt.name, w.Code, w.Header().Get("WWW-Authenticate"))
		}
		validateResponse(t, r, w.Code, w.Header(), w.Body.Bytes())
	}
}

func TestUsage(t *testing.T) {
	fc := &fakeClusters{view: testView(), usage: cluster.Usage{ProcessInstances: 7, DecisionInstances: 3, TaskUsers: 2, Assignees: []string{"a", "b"}}}
	h := newTestAPI(fc, false)
	r, w := do(t, h, UsagePath+"?id=c-1&start=1700000000000&end=1.7000864e12", "good")
	if w.Code != 200 {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	validateResponse(t, r, w.Code, w.Header(), w.Body.Bytes())
	want := `{"id":"c-1","processInstances":{"total":7},"decisionInstances":{"total":3},"taskUsers":{"total":2,"assignees":["a","b"]}}`
	if w.Body.String() != want {
		t.Fatalf("body %s", w.Body)
	}
	if !fc.got.start.Equal(time.UnixMilli(1700000000000)) || !fc.got.end.Equal(time.UnixMilli(1700086400000)) {
		t.Fatalf("window %v %v", fc.got.start, fc.got.end)
	}

	fc.usage.Assignees = nil
	_, w = do(t, h, UsagePath+"?id=c-1&start=0&end=0", "good")
	if !strings.Contains(w.Body.String(), `"assignees":[]`) {
		t.Fatalf("nil assignees: %s", w.Body)
	}

	for _, tt := range []struct {
		name, query string
		status      int
		detail      string
	}{
		{"missing id", "start=1&end=2", 400, "'id' is required"},
		{"empty id", "id=&start=1&end=2", 400, "'id' is required"},
		{"twice id", "id=c-1&id=c-2&start=1&end=2", 400, "'id' must be given once"},
		{"missing start", "id=c-1&end=2", 400, "'start' is required"},
		{"missing end", "id=c-1&start=2", 400, "'end' is required"},
		{"text start", "id=c-1&start=yesterday&end=2", 400, "'start' must be a Unix time"},
		{"negative end", "id=c-1&start=1&end=-5", 400, "'end' must be a Unix time"},
		{"NaN", "id=c-1&start=NaN&end=2", 400, "'start' must be a Unix time"},
		{"Inf", "id=c-1&start=1&end=Inf", 400, "'end' must be a Unix time"},
		{"huge", "id=c-1&start=1&end=1e300", 400, "'end' must be a Unix time"},
		{"start after end", "id=c-1&start=5&end=2", 400, "'start' must not be after 'end'"},
		{"malformed query", "id=%zz&start=1&end=2", 400, "malformed"},
		{"unknown cluster", "id=nope&start=1&end=2", 404, "No cluster"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r, w := do(t, h, UsagePath+"?"+tt.query, "good")
			if w.Code != tt.status || !strings.Contains(w.Body.String(), tt.detail) {
				t.Fatalf("%d %s", w.Code, w.Body)
			}
			if w.Header().Get("Content-Type") != "application/problem+json" {
				t.Fatalf("content type %q", w.Header().Get("Content-Type"))
			}
			if tt.name != "malformed query" { // the OpenAPI router cannot parse it either
				validateResponse(t, r, w.Code, w.Header(), w.Body.Bytes())
			}
		})
	}

	t.Run("source down", func(t *testing.T) {
		fc.err = fmt.Errorf("wrapped: %w", &cluster.SourceError{Component: "operate", Err: errors.New("connection refused")})
		defer func() { fc.err = nil }()
		r, w := do(t, h, UsagePath+"?id=c-1&start=1&end=2", "good")
		if w.Code != 502 || !strings.Contains(w.Body.String(), "operate") || strings.Contains(w.Body.String(), "refused") {
			t.Fatalf("%d %s", w.Code, w.Body)
		}
		validateResponse(t, r, w.Code, w.Header(), w.Body.Bytes())
	})
	t.Run("store down", func(t *testing.T) {
		fc.err = store.ErrUnavailable
		defer func() { fc.err = nil }()
		r, w := do(t, h, UsagePath+"?id=c-1&start=1&end=2", "good")
		if w.Code != 500 {
			t.Fatalf("%d %s", w.Code, w.Body)
		}
		validateResponse(t, r, w.Code, w.Header(), w.Body.Bytes())
	})
	t.Run("auth before parameters", func(t *testing.T) {
		_, w := do(t, h, UsagePath, "")
		if w.Code != 401 {
			t.Fatalf("%d", w.Code)
		}
	})
}

func TestDocsAndDisabled(t *testing.T) {
	h := newTestAPI(&fakeClusters{view: testView()}, true)
	_, w := do(t, h, DocsPath, "")
	body, _ := io.ReadAll(w.Result().Body)
	if w.Code != 200 || !strings.HasPrefix(string(body), "openapi: 3.0.0") {
		t.Fatalf("docs %d", w.Code)
	}
	_, w = do(t, h, ClustersPath, "")
	if w.Code != 200 {
		t.Fatalf("disabled auth: %d", w.Code)
	}
	_, w = do(t, h, "/admin-api/nope", "")
	if w.Code != 404 || w.Header().Get("Content-Type") != "application/problem+json" {
		t.Fatalf("unknown path %d", w.Code)
	}
	r := httptest.NewRequest(http.MethodPost, ClustersPath, nil)
	w = httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != 405 {
		t.Fatalf("POST: %d", w.Code)
	}
}

func BenchmarkClusters(b *testing.B) {
	h := newTestAPI(&fakeClusters{view: testView()}, false)
	r := httptest.NewRequest(http.MethodGet, ClustersPath, nil)
	r.Header.Set("Authorization", "Bearer good")
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != 200 {
			b.Fatal(w.Code)
		}
	}
}
