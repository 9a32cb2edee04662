package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
)

func TestAppType(t *testing.T) {
	for id, want := range map[string]string{
		"console": "console", "keycloak": "identity", "identity": "identity", "operate": "operate",
		"optimize": "optimize", "tasklist": "tasklist", "webModelerWebApp": "modeler",
		"zeebeGateway": "zeebe-gateway", "zeebe": "zeebe-broker", "connectors": "unknown", "": "unknown",
	} {
		if got := AppType(id); got != want {
			t.Errorf("AppType(%q) = %q, want %q", id, got, want)
		}
	}
}

func TestClusterType(t *testing.T) {
	mgmt := []store.Component{{Type: TypeConsole}, {Type: TypeIdentity}, {Type: TypeModeler}}
	if got := ClusterType(mgmt); got != Management {
		t.Fatalf("management cluster reported %s", got)
	}
	for _, typ := range []string{TypeZeebeBroker, TypeZeebeGateway, TypeOperate, TypeTasklist, TypeOptimize} {
		if got := ClusterType(append(mgmt, store.Component{Type: typ})); got != Automation {
			t.Errorf("cluster with %s reported %s", typ, got)
		}
	}
	if got := ClusterType(nil); got != Management {
		t.Fatalf("empty cluster %s", got)
	}
}

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestStableID(t *testing.T) {
	a, b := StableID("camunda-platform", "c1"), StableID("camunda-platform", "c1")
	if a != b || !uuidRE.MatchString(a) {
		t.Fatalf("%s %s", a, b)
	}
	if a == StableID("other", "c1") || a == StableID("camunda-platform", "c2") {
		t.Fatal("ids collide across realm or name")
	}
}

func TestAggregate(t *testing.T) {
	for _, tt := range []struct {
		in   []Status
		want Status
	}{
		{nil, Unknown},
		{[]Status{Healthy, Healthy}, Healthy},
		{[]Status{Healthy, Unknown}, Unknown},
		{[]Status{Unknown, Unhealthy}, Unhealthy},
		{[]Status{Healthy, Unhealthy}, Unhealthy},
	} {
		if got := Aggregate(tt.in); got != tt.want {
			t.Errorf("Aggregate(%v) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestSeed(t *testing.T) {
	ctx := context.Background()
	st := newMemStore()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	rel := []Release{
		{Name: "prod", Namespace: "camunda", Version: "8.6.0", Tags: []string{"prod"}, Components: []Component{
			{ID: "zeebe", Name: "Zeebe", Version: "8.6.0", URL: "grpc://zeebe:26500", Readiness: "http://zeebe:9600/actuator/health/readiness"},
			{ID: "operate", Version: "8.6.0", URL: "http://operate", Readiness: "http://operate:9600/actuator/health/readiness"},
		}},
		{Name: "mgmt", Components: []Component{{ID: "console"}, {ID: "keycloak"}}},
	}
	res, err := Seed(ctx, st, "r", rel, now)
	if err != nil || res.Created != 2 {
		t.Fatalf("first seed %+v %v", res, err)
	}
	// An API-made cluster survives seeding.
	if err := st.CreateCluster(ctx, store.Cluster{ID: "api-1", Realm: "r", Name: "manual", Source: "api"}); err != nil {
		t.Fatal(err)
	}
	rev, _ := st.Revision(ctx)
	res, err = Seed(ctx, st, "r", rel, now.Add(time.Hour))
	if err != nil || res.Unchanged != 2 || res.Created+res.Updated+res.Deleted != 0 {
		t.Fatalf("re-seed %+v %v", res, err)
	}
	if r2, _ := st.Revision(ctx); r2 != rev {
		t.Fatal("idempotent seed wrote")
	}
	c, err := st.GetCluster(ctx, "r", StableID("r", "prod"))
	if err != nil || c.Source != "config" || c.Components[0].Type != TypeZeebeBroker || !c.CreatedAt.Equal(now) {
		t.Fatalf("stored %+v %v", c, err)
	}
	// Change one, drop the other.
	rel2 := []Release{rel[0]}
	rel2[0].Version = "8.6.1"
	res, err = Seed(ctx, st, "r", rel2, now.Add(2*time.Hour))
	if err != nil || res.Updated != 1 || res.Deleted != 1 {
		t.Fatalf("changed seed %+v %v", res, err)
	}
	c, _ = st.GetCluster(ctx, "r", StableID("r", "prod"))
	if c.Version != "8.6.1" || !c.CreatedAt.Equal(now) {
		t.Fatalf("updated %+v", c)
	}
	if _, err := st.GetCluster(ctx, "r", "api-1"); err != nil {
		t.Fatal("seed removed an API-made cluster")
	}
	for _, bad := range [][]Release{{{Name: ""}}, {{Name: "a"}, {Name: "a"}}, {{Name: "a", Components: []Component{{ID: ""}}}},
		{{Name: "a", Components: []Component{{ID: "x"}, {ID: "x"}}}}} {
		if _, err := Seed(ctx, st, "r", bad, now); err == nil {
			t.Errorf("invalid releases %+v accepted", bad)
		}
	}
}

// components answers readiness in four ways.
type components struct {
	healthy, unhealthy, slow *httptest.Server
	down                     string
	release                  chan struct{}
}

func newComponents(t *testing.T) *components {
	c := &components{release: make(chan struct{})}
	c.healthy = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"status":"UP"}`)) }))
	c.unhealthy = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	c.slow = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-c.release:
		case <-r.Context().Done():
		}
	}))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c.down = "http://" + ln.Addr().String()
	ln.Close() // nothing listens there any more
	t.Cleanup(func() {
		close(c.release)
		c.healthy.Close()
		c.unhealthy.Close()
		c.slow.Close()
	})
	return c
}

func TestProber(t *testing.T) {
	comps := newComponents(t)
	cl := store.Cluster{ID: "c1", Components: []store.Component{
		{ID: "ok", Readiness: comps.healthy.URL + "/ready"},
		{ID: "bad", Readiness: comps.unhealthy.URL + "/ready"},
		{ID: "slow", Readiness: comps.slow.URL + "/ready"},
		{ID: "down", Readiness: comps.down + "/ready"},
		{ID: "none"},
	}}
	p := NewProber(ProberOptions{Timeout: 200 * time.Millisecond, Concurrency: 2, Outbound: loopback})
	if s := p.Status("c1", "ok"); s != Unknown {
		t.Fatalf("never probed: %s", s)
	}
	start := time.Now()
	if !p.Round(context.Background(), []store.Cluster{cl}) {
		t.Fatal("first round changed nothing")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("round took %s despite 200ms timeouts", d)
	}
	want := map[string]Status{"ok": Healthy, "bad": Unhealthy, "slow": Unhealthy, "down": Unhealthy, "none": Unknown}
	for id, w := range want {
		if got := p.Status("c1", id); got != w {
			t.Errorf("%s: %s, want %s", id, got, w)
		}
	}
	// Removed components are forgotten.
	p.Round(context.Background(), []store.Cluster{{ID: "c1", Components: cl.Components[:1]}})
	if got := p.Status("c1", "bad"); got != Unknown {
		t.Fatalf("removed component still %s", got)
	}
}

func TestProberBoundedConcurrency(t *testing.T) {
	var inFlight, peak atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(20 * time.Millisecond)
		inFlight.Add(-1)
	}))
	defer srv.Close()
	var comps []store.Component
	for i := range 12 {
		comps = append(comps, store.Component{ID: string(rune('a' + i)), Readiness: srv.URL})
	}
	p := NewProber(ProberOptions{Concurrency: 3, Outbound: loopback})
	p.Round(context.Background(), []store.Cluster{{ID: "c", Components: comps}})
	if got := peak.Load(); got > 3 || got < 1 {
		t.Fatalf("peak concurrency %d, bound 3", got)
	}
}

func TestServiceView(t *testing.T) {
	ctx := context.Background()
	comps := newComponents(t)
	st := newMemStore()
	_, err := Seed(ctx, st, "r", []Release{
		{Name: "a", Version: "8.6.0", Components: []Component{{ID: "operate", Version: "8.6.0", URL: "http://operate", Readiness: comps.healthy.URL}}},
		{Name: "b", Components: []Component{{ID: "console", Readiness: comps.healthy.URL}, {ID: "identity", Readiness: comps.unhealthy.URL}}},
	}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	s := NewService(st, "r", NewProber(ProberOptions{Timeout: time.Second, Outbound: loopback}), nil, nil)
	if len(s.View().Clusters) != 0 {
		t.Fatal("view before load")
	}
	if err := s.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	v := s.View()
	if len(v.Clusters) != 2 || v.Clusters[0].Status != Unknown || v.Clusters[0].Apps[0].Status != Unknown {
		t.Fatalf("before probing: %+v", v.Clusters)
	}
	s.Probe(ctx)
	v2 := s.View()
	if v2 == v {
		t.Fatal("probe did not publish a new view")
	}
	a, b := v2.Clusters[0], v2.Clusters[1]
	if a.Status != Healthy || a.Type != Automation || a.Generation != "8.6.0" || a.Apps[0].Type != TypeOperate || a.Apps[0].Generation != "8.6.0" {
		t.Fatalf("cluster a: %+v", a)
	}
	if b.Status != Unhealthy || b.Type != Management {
		t.Fatalf("cluster b: %+v", b)
	}
	// Unchanged store and health: the view pointer stays.
	s.Reload(ctx)
	s.Probe(ctx)
	if s.View() != v2 {
		t.Fatal("no-op reload/probe replaced the view")
	}
	if _, err := s.Usage(ctx, "nope", time.Unix(0, 0), time.Now()); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("usage of unknown cluster: %v", err)
	}
}

// fakeOperate serves the usage-metrics endpoints.
func fakeMetrics(t *testing.T, total int64, assignees []string, seen *atomic.Value) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if seen != nil {
			seen.Store(r.URL.String())
		}
		q := r.URL.Query()
		if _, err := time.Parse(TimeLayout, q.Get("startTime")); err != nil {
			http.Error(w, "bad start", 400)
			return
		}
		if _, err := time.Parse(TimeLayout, q.Get("endTime")); err != nil {
			http.Error(w, "bad end", 400)
			return
		}
		switch r.URL.Path {
		case "/actuator/usage-metrics/process-instances":
			json.NewEncoder(w).Encode(map[string]any{"total": total})
		case "/actuator/usage-metrics/decision-instances":
			json.NewEncoder(w).Encode(map[string]any{"total": total / 2})
		case "/actuator/usage-metrics/assignees":
			json.NewEncoder(w).Encode(map[string]any{"total": len(assignees), "assignees": assignees})
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestMetricsFetch(t *testing.T) {
	ctx := context.Background()
	var seen atomic.Value
	op := fakeMetrics(t, 100, nil, &seen)
	tl1 := fakeMetrics(t, 0, []string{"john", "oprah"}, nil)
	tl2 := fakeMetrics(t, 0, []string{"oprah", "zed"}, nil)
	comps := newComponents(t)
	start := time.UnixMilli(1_700_000_000_000)
	end := start.Add(24 * time.Hour)
	m := &Metrics{Timeout: 300 * time.Millisecond, Outbound: loopback}

	cl := store.Cluster{ID: "c1", Components: []store.Component{
		{ID: "operate", Type: TypeOperate, Metrics: op.URL + "/actuator/prometheus"},
		{ID: "tasklist", Type: TypeTasklist, Readiness: tl1.URL + "/actuator/health/readiness"},
		{ID: "tasklist2", Type: TypeTasklist, URL: tl2.URL},
		{ID: "zeebe", Type: TypeZeebeBroker, Readiness: comps.down},
	}}
	u, err := m.Fetch(ctx, cl, start, end)
	if err != nil {
		t.Fatal(err)
	}
	if u.ID != "c1" || u.ProcessInstances != 100 || u.DecisionInstances != 50 || u.TaskUsers != 3 || len(u.Assignees) != 3 {
		t.Fatalf("usage %+v", u)
	}
	if got := seen.Load().(string); got != "/actuator/usage-metrics/decision-instances?endTime=2023-11-15T22%3A13%3A20.000%2B0000&startTime=2023-11-14T22%3A13%3A20.000%2B0000" &&
		got != "/actuator/usage-metrics/process-instances?endTime=2023-11-15T22%3A13%3A20.000%2B0000&startTime=2023-11-14T22%3A13%3A20.000%2B0000" {
		t.Fatalf("request %s", got)
	}

	t.Run("no sources", func(t *testing.T) {
		u, err := m.Fetch(ctx, store.Cluster{ID: "m", Components: []store.Component{{ID: "console", Type: TypeConsole, URL: op.URL}}}, start, end)
		if err != nil || u.ProcessInstances != 0 || u.Assignees == nil {
			t.Fatalf("%+v %v", u, err)
		}
	})
	for name, base := range map[string]string{"unhealthy": comps.unhealthy.URL, "slow": comps.slow.URL, "not listening": comps.down} {
		t.Run("source "+name, func(t *testing.T) {
			bad := store.Cluster{ID: "c2", Components: []store.Component{
				{ID: "operate", Type: TypeOperate, Metrics: op.URL + "/actuator/prometheus"},
				{ID: "tasklist", Type: TypeTasklist, Readiness: base + "/actuator/health/readiness"},
			}}
			started := time.Now()
			_, err := m.Fetch(ctx, bad, start, end)
			var se *SourceError
			if !errors.Is(err, ErrSourceDown) || !errors.As(err, &se) || se.Component != "tasklist" {
				t.Fatalf("error %v", err)
			}
			if time.Since(started) > 3*time.Second {
				t.Fatal("fetch not bounded by its timeout")
			}
			if base != "" && regexp.MustCompile(`http://`).MatchString(err.Error()) {
				t.Fatalf("error text carries a URL: %v", err)
			}
		})
	}
}

func TestActuatorBase(t *testing.T) {
	for _, tt := range []struct {
		c    store.Component
		want string
	}{
		{store.Component{Metrics: "http://operate:9600/actuator/prometheus"}, "http://operate:9600/actuator"},
		{store.Component{Readiness: "https://tl:9600/tasklist/actuator/health/readiness"}, "https://tl:9600/tasklist/actuator"},
		{store.Component{Readiness: "http://tl:9600/health"}, "http://tl:9600/actuator"},
		{store.Component{URL: "http://operate.example"}, "http://operate.example/actuator"},
		{store.Component{URL: "grpc://zeebe:26500"}, ""},
		{store.Component{}, ""},
	} {
		if got := ActuatorBase(tt.c); got != tt.want {
			t.Errorf("ActuatorBase(%+v) = %q, want %q", tt.c, got, tt.want)
		}
	}
}
