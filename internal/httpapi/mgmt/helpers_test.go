package mgmt_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/gatehouse/gatehouse/internal/audit"
	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/httpapi/mgmt"
	"github.com/gatehouse/gatehouse/internal/identity"
	"github.com/gatehouse/gatehouse/internal/server"
	"github.com/gatehouse/gatehouse/internal/server/servertest"
)

const (
	realm = config.DefaultRealm
	other = "other-realm"
)

// clock is the server's injected time.
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

// env is a running server with two realms, administrators in both, and every secret
// and token the test handled (for the leak scans).
type env struct {
	t     *testing.T
	in    *servertest.Instance
	clock *clock
	base  string

	mu      sync.Mutex
	secrets []string // client secrets, passwords and access tokens seen by the test

	otherAdminID, otherAdminSecret string
}

// twoRealms is the configuration every test server starts from.
func twoRealms(c *config.Config) { c.Realms = append(c.Realms, config.Realm{Name: other}) }

var (
	templateOnce sync.Once
	templateDir  string
	templateErr  error
)

// template answers a data directory that a server of this package has started on once:
// migrated, seeded and with each realm's signing key. Each test starts on a copy of it,
// which spares every start the RSA key generation that dominated this package's run
// time; the server still runs its whole start-up (migrations, seeding) on the copy.
func template(t *testing.T) string {
	t.Helper()
	templateOnce.Do(func() {
		templateDir, templateErr = os.MkdirTemp("", "mgmt-template-")
		if templateErr != nil {
			return
		}
		in := servertest.Start(t, servertest.Options{DataDir: templateDir, Config: twoRealms})
		in.Stop()
	})
	if templateErr != nil {
		t.Fatal(templateErr)
	}
	return templateDir
}

// TestMain removes the template data directory.
func TestMain(m *testing.M) {
	code := m.Run()
	if templateDir != "" {
		os.RemoveAll(templateDir)
	}
	os.Exit(code)
}

// copyDir copies the regular files of src (one level: a data directory) into dst.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			t.Fatalf("template data directory holds %s, not a regular file", e.Name())
		}
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

func start(t *testing.T, cfg func(*config.Config)) *env {
	t.Helper()
	dir := t.TempDir()
	copyDir(t, template(t), dir)
	clk := &clock{t: time.Now().UTC().Truncate(time.Second)}
	in := servertest.Start(t, servertest.Options{Now: clk.Now, DataDir: dir, Config: func(c *config.Config) {
		twoRealms(c)
		if cfg != nil {
			cfg(c)
		}
	}})
	e := &env{t: t, in: in, clock: clk, base: in.URL(server.IdentityListener)}
	e.remember(servertest.AdminSecret)
	app, secret, err := in.Identity.NewApplication(context.Background(), audit.Actor{Kind: audit.KindSystem, ID: "test", Source: audit.SourceCLI}, other, "other admin", []identity.PermissionRef{
		{Audience: identity.AudienceIdentity, Definition: "read"}, {Audience: identity.AudienceIdentity, Definition: "write"}})
	if err != nil {
		t.Fatal(err)
	}
	e.otherAdminID, e.otherAdminSecret = app.ClientID, secret
	e.remember(secret)
	return e
}

func (e *env) remember(s ...string) {
	e.mu.Lock()
	e.secrets = append(e.secrets, s...)
	e.mu.Unlock()
}

// token fetches an access token for the management API (its audience asked for, as
// it must be) and remembers it.
func (e *env) token(realmName, clientID, secret string) string {
	e.t.Helper()
	return e.tokenFor(realmName, clientID, secret, identity.AudienceIdentity)
}

// tokenFor fetches an access token with audience ("": none asked for) and remembers it.
func (e *env) tokenFor(realmName, clientID, secret, audience string) string {
	e.t.Helper()
	tok := e.in.Token(e.t, realmName, clientID, secret, audience)
	e.remember(tok)
	return tok
}

func (e *env) admin() string { return e.token(realm, servertest.AdminID, servertest.AdminSecret) }

func (e *env) otherAdmin() string { return e.token(other, e.otherAdminID, e.otherAdminSecret) }

// app creates an application in the default realm holding perms ("aud:def" each) and
// returns its client id and secret.
func (e *env) app(name string, perms ...string) (id, clientID, secret string) {
	e.t.Helper()
	var ps []map[string]string
	for _, p := range perms {
		ref, err := identity.ParsePermissionRef(p)
		if err != nil {
			e.t.Fatal(err)
		}
		ps = append(ps, map[string]string{"api": ref.Audience, "permission": ref.Definition})
	}
	r := e.call(e.admin(), "POST", "/applications", map[string]any{"name": name, "permissions": ps})
	r.want(http.StatusCreated)
	var got mgmt.ApplicationWithSecret
	r.decode(&got)
	e.remember(got.ClientSecret)
	return got.ID, got.ClientID, got.ClientSecret
}

// reply is one answer.
type reply struct {
	t      *testing.T
	req    *http.Request
	status int
	header http.Header
	body   []byte
}

func (r reply) want(status int) reply {
	r.t.Helper()
	if r.status != status {
		r.t.Fatalf("%s %s: status %d, want %d: %s", r.req.Method, r.req.URL.Path, r.status, status, r.body)
	}
	return r
}

func (r reply) decode(v any) {
	r.t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		r.t.Fatalf("%s %s: %v: %s", r.req.Method, r.req.URL.Path, err, r.body)
	}
}

func (r reply) problem() map[string]any {
	r.t.Helper()
	if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
		r.t.Fatalf("%s %s: content type %q, want a problem: %s", r.req.Method, r.req.URL.Path, ct, r.body)
	}
	var p map[string]any
	r.decode(&p)
	return p
}

// call sends a request under /manage/v1/realms/<default realm>; see callRealm.
func (e *env) call(token, method, path string, body any) reply {
	e.t.Helper()
	return e.callRealm(token, realm, method, path, body)
}

// callRealm sends body (nil: none; string: raw JSON; else marshalled) and checks the
// answer against the OpenAPI document.
func (e *env) callRealm(token, realmName, method, path string, body any) reply {
	e.t.Helper()
	return e.raw(token, method, "/manage/v1/realms/"+realmName+path, body, "application/json", true)
}

func (e *env) raw(token, method, path string, body any, contentType string, validate bool) reply {
	e.t.Helper()
	var rd io.Reader
	var payload []byte
	switch b := body.(type) {
	case nil:
	case string:
		payload = []byte(b)
	case []byte:
		payload = b
	default:
		var err error
		if payload, err = json.Marshal(b); err != nil {
			e.t.Fatal(err)
		}
	}
	if payload != nil {
		rd = bytes.NewReader(payload)
	}
	req, err := http.NewRequest(method, e.base+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if payload != nil && contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	r := reply{t: e.t, req: req, status: resp.StatusCode, header: resp.Header, body: b}
	if validate {
		validateResponse(e.t, req, payload, r)
	}
	return r
}

var (
	docOnce   sync.Once
	docRouter routers.Router
	docErr    error
)

func openAPIRouter(t testing.TB) routers.Router {
	t.Helper()
	docOnce.Do(func() {
		doc, err := openapi3.NewLoader().LoadFromData(mgmt.OpenAPI)
		if err != nil {
			docErr = err
			return
		}
		if err := doc.Validate(context.Background()); err != nil {
			docErr = err
			return
		}
		doc.Servers = nil
		docRouter, docErr = legacy.NewRouter(doc)
	})
	if docErr != nil {
		t.Fatalf("openapi document: %v", docErr)
	}
	return docRouter
}

// validateResponse checks that the route exists in the OpenAPI document and that the
// answer's status, content type and body are declared there.
func validateResponse(t testing.TB, req *http.Request, payload []byte, r reply) {
	t.Helper()
	u, _ := url.Parse(req.URL.String())
	vreq := req.Clone(context.Background())
	vreq.URL = u
	route, params, err := openAPIRouter(t).FindRoute(vreq)
	if err != nil {
		if r.status == http.StatusNotFound || r.status == http.StatusMethodNotAllowed {
			return // an undeclared route: the problem answer is checked by the test
		}
		t.Fatalf("%s %s: no route in the OpenAPI document: %v", req.Method, req.URL.Path, err)
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: vreq, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}},
		Status:  r.status,
		Header:  r.header,
		Body:    io.NopCloser(bytes.NewReader(r.body)),
		Options: &openapi3filter.Options{IncludeResponseStatus: true},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		t.Fatalf("%s %s → %d does not match the OpenAPI document: %v\nbody: %s", req.Method, req.URL.Path, r.status, err, r.body)
	}
}

// adminAPI calls the Administration API's cluster list with token and returns the
// status (a resource API behind the realm's deny list).
func (e *env) adminAPI(token string) int {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.in.URL(server.ConsoleListener)+"/admin-api/clusters", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// tokenStatus asks the token endpoint for a token and returns the HTTP status.
func (e *env) tokenStatus(realmName, clientID, secret string) int {
	e.t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {clientID}, "client_secret": {secret}}
	resp, err := http.Post(e.in.TokenURL(realmName), "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		e.t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// introspect asks the realm's introspection endpoint about token as the administrator.
func (e *env) introspect(token string) map[string]any {
	e.t.Helper()
	form := url.Values{"token": {token}, "client_id": {servertest.AdminID}, "client_secret": {servertest.AdminSecret}}
	resp, err := http.Post(e.base+"/auth/realms/"+realm+"/protocol/openid-connect/token/introspect",
		"application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || json.Unmarshal(b, &out) != nil {
		e.t.Fatalf("introspect: %d %s", resp.StatusCode, b)
	}
	return out
}
