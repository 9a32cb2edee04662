package web

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/gatehouse/gatehouse/internal/audit"
	"github.com/gatehouse/gatehouse/internal/cluster"
	"github.com/gatehouse/gatehouse/internal/identity"
	"github.com/gatehouse/gatehouse/internal/keys"
	"github.com/gatehouse/gatehouse/internal/outbound"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
)

const (
	realm    = "camunda-platform"
	password = "correct horse battery"
)

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// syncBuffer collects the log.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// env is a console over a real SQLite store, identity service, key manager and cluster
// view, with three users: admin (may change), reader (read-only) and operator (no
// console role).
type env struct {
	t        *testing.T
	h        *Handler
	srv      *httptest.Server
	st       store.Store
	id       *identity.Service
	clk      *clock
	log      *syncBuffer
	clusters *cluster.Service
	healthy  *atomic.Bool
	users    map[string]store.User
	changed  *atomic.Int32 // AppsChanged calls
	opts     Options
}

// sharedUsers are hashed once per test binary: argon2id is slow under -race.
var (
	hashOnce sync.Once
	pwHash   string
)

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, sqlstore.SQLite, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e := &env{t: t, st: st, clk: &clock{t: time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)}, log: &syncBuffer{},
		healthy: &atomic.Bool{}, users: map[string]store.User{}, changed: &atomic.Int32{}}
	e.healthy.Store(true)
	e.id = identity.New(st, e.clk.Now, 2)
	if _, err := e.id.EnsureRealm(ctx, store.Realm{Name: realm, SigningAlg: "ES256", TokenLifetime: 5 * time.Minute}); err != nil {
		t.Fatal(err)
	}
	if err := e.id.EnsurePresets(ctx, realm); err != nil {
		t.Fatal(err)
	}
	hashOnce.Do(func() { pwHash = identity.HashPassword(password) })
	for name, roles := range map[string][]string{"admin": {"admin"}, "reader": {"read"}, "operator": {"Operate"}} {
		u := store.User{ID: identity.NewID(), Realm: realm, Username: name, Email: name + "@example.com", PasswordHash: pwHash,
			Enabled: true, Roles: roles, CreatedAt: e.clk.Now(), UpdatedAt: e.clk.Now()}
		if err := st.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		e.users[name] = u
	}

	kek, err := keys.NewKEK(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	km := keys.NewManager(st, kek, e.clk.Now, keys.Realm{Name: realm, Issuer: "http://localhost/auth/realms/" + realm, Alg: "ES256",
		MaxLifetime: 5 * time.Minute})
	if err := km.Ensure(ctx, realm); err != nil {
		t.Fatal(err)
	}

	comp := httptest.NewServer(http.HandlerFunc(e.component))
	t.Cleanup(comp.Close)
	if _, err := cluster.Seed(ctx, st, realm, []cluster.Release{{Name: "prod", Namespace: "camunda", Version: "8.8.0",
		Components: []cluster.Component{
			{ID: "operate", Readiness: comp.URL + "/actuator/health/readiness", Metrics: comp.URL + "/actuator/prometheus"},
			{ID: "zeebeGateway"},
		}}}, e.clk.Now()); err != nil {
		t.Fatal(err)
	}
	loopback := &outbound.Policy{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}} // the fake component
	e.clusters = cluster.NewService(st, realm, cluster.NewProber(cluster.ProberOptions{Timeout: time.Second, Outbound: loopback}),
		&cluster.Metrics{Outbound: loopback}, nil)
	if err := e.clusters.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	e.clusters.Probe(ctx)

	log := slog.New(slog.NewTextHandler(e.log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e.opts = Options{Realm: realm, Identity: e.id, Store: st, Audit: audit.New(st, log), Keys: km, Clusters: e.clusters, Sealer: kek,
		SaaSTokenURL: "http://localhost:18080/oauth/token", RealmTokenURL: "http://localhost:18080/auth/realms/" + realm + "/protocol/openid-connect/token",
		Log: log, Now: e.clk.Now}
	e.id.Trail = audit.NewTrail(e.opts.Audit, log, e.clk.Now)
	e.id.OnChange = func(context.Context, string) { e.changed.Add(1) }
	return e.replica()
}

// replica returns the env with a console of its own over the same store, key and
// clock: another replica behind a load balancer. (newEnv's env is the first.)
// setup is an identity service over the env's store without an audit trail: what a
// test sets up is not a change the console made.
func (e *env) setup() *identity.Service { return identity.New(e.st, e.clk.Now, 1) }

// testActor makes the changes a test sets up.
var testActor = audit.Actor{Kind: audit.KindSystem, ID: "test", Source: audit.SourceCLI}

func (e *env) replica() *env {
	e.t.Helper()
	h, err := New(e.opts)
	if err != nil {
		e.t.Fatal(err)
	}
	r := *e
	r.h = h
	r.srv = httptest.NewServer(h)
	e.t.Cleanup(r.srv.Close)
	return &r
}

// via returns a client with c's cookies that talks to the console of r (cookies are
// per host, not per port, so both replicas get them).
func (c *client) via(r *env) *client { return &client{e: r, hc: c.hc} }

// component is a fake Operate: readiness follows e.healthy, usage metrics are fixed.
func (e *env) component(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	switch r.URL.Path {
	case "/actuator/health/readiness":
		if !e.healthy.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		io.WriteString(w, `{}`)
	case "/actuator/usage-metrics/process-instances":
		if !e.healthy.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, `{"total": 42}`)
	case "/actuator/usage-metrics/decision-instances":
		io.WriteString(w, `{"total": 7}`)
	default:
		http.NotFound(w, r)
	}
}

// client is a browser: a cookie jar, no redirects followed.
type client struct {
	e  *env
	hc *http.Client
}

func (e *env) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{e: e, hc: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// signIn returns a client signed in as user.
func (e *env) signIn(user string) *client {
	e.t.Helper()
	c := e.client()
	resp := c.post("/signin", url.Values{"username": {user}, "password": {password}})
	if resp.status != http.StatusSeeOther || resp.loc != "/applications" {
		e.t.Fatalf("sign in as %s: %d %s\n%s", user, resp.status, resp.loc, resp.body)
	}
	return c
}

type response struct {
	status int
	body   string
	loc    string
	header http.Header
}

func (c *client) do(req *http.Request) response {
	c.e.t.Helper()
	resp, err := c.hc.Do(req)
	if err != nil {
		c.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, body: string(b), loc: resp.Header.Get("Location"), header: resp.Header}
}

func (c *client) get(path string) response {
	c.e.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.e.srv.URL+path, nil)
	return c.do(req)
}

// post submits a form as a same-origin browser would (Sec-Fetch-Site: same-origin).
func (c *client) post(path string, form url.Values) response {
	c.e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.e.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Origin", c.e.srv.URL)
	return c.do(req)
}

// follow gets the page a redirect points to.
func (c *client) follow(r response) response {
	c.e.t.Helper()
	if r.status != http.StatusSeeOther {
		c.e.t.Fatalf("want 303, got %d\n%s", r.status, r.body)
	}
	return c.get(r.loc)
}

func (c *client) cookie() string {
	u, _ := url.Parse(c.e.srv.URL)
	for _, ck := range c.hc.Jar.Cookies(u) {
		if ck.Name == cookieName {
			return ck.Value
		}
	}
	return ""
}

// audit returns the realm's audit events of action, oldest first.
func (e *env) audit(action string) []store.AuditEvent {
	e.t.Helper()
	evs, err := e.st.ListAudit(context.Background(), store.AuditQuery{Realm: realm, Action: action, Limit: 500})
	if err != nil {
		e.t.Fatal(err)
	}
	for i, j := 0, len(evs)-1; i < j; i, j = i+1, j-1 {
		evs[i], evs[j] = evs[j], evs[i]
	}
	return evs
}

// createApp creates an application through the domain (not the UI), as set-up: with a
// service of its own that records no audit event.
func (e *env) createApp(name string, perms ...string) (store.Application, string) {
	e.t.Helper()
	var refs []identity.PermissionRef
	for _, p := range perms {
		r, err := identity.ParsePermissionRef(p)
		if err != nil {
			e.t.Fatal(err)
		}
		refs = append(refs, r)
	}
	app, secret, err := e.setup().NewApplication(context.Background(), testActor, realm, name, refs)
	if err != nil {
		e.t.Fatal(err)
	}
	return app, secret
}

func mustContain(t *testing.T, body string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(body, s) {
			t.Errorf("page lacks %q", s)
		}
	}
}

func mustNotContain(t *testing.T, body string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if strings.Contains(body, s) {
			t.Errorf("page holds %q", s)
		}
	}
}

func patchEnabled(on bool) identity.UserPatch { return identity.UserPatch{Enabled: &on} }

func storeAll() store.ListOptions { return store.ListOptions{Limit: 500} }
