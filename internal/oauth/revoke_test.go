package oauth

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/accesstoken"
	"github.com/gatehouse/gatehouse/internal/identity"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/throttle"
)

const (
	testRealm  = "camunda-platform"
	testIssuer = "https://as.example/auth/realms/camunda-platform"
)

// ctlFixture is a TokenControl on fakes: two clients ("app" and "other"), an
// administrator holding read on the Identity API, one signing key.
type ctlFixture struct {
	t      *testing.T
	now    time.Time
	key    accesstoken.SigningKey
	keys   ctlKeys
	apps   *ctlApps
	deny   *ctlDeny
	revs   *ctlRevocations
	trail  *ctlTrail
	server *httptest.Server
}

type ctlKeys map[string]accesstoken.PublicKey

func (k ctlKeys) Key(kid string) (accesstoken.PublicKey, bool) { p, ok := k[kid]; return p, ok }

type ctlClients map[string]*identity.Client // "id:secret" → client

func (ctlClients) Forget(string, string) {}

func (f ctlClients) Authenticate(_ context.Context, realm, id, secret string) (*identity.Client, error) {
	if c, ok := f[id+":"+secret]; ok && realm == testRealm {
		return c, nil
	}
	return nil, &identity.AuthError{Reason: "wrong secret"}
}

type ctlApps struct {
	mu       sync.Mutex
	disabled map[string]bool // app id
	err      error
}

func (f *ctlApps) ClientActive(_ context.Context, realm, clientID, appID string, _ time.Time) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return false, f.err
	}
	return !f.disabled[appID], nil
}

type ctlDeny struct {
	mu      sync.Mutex
	revoked map[string]bool
	pending map[string]bool // added to the store
	denied  int             // Deny calls
}

func (f *ctlDeny) Denied(c *accesstoken.Claims) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.revoked[c.ID]
}

func (f *ctlDeny) Deny(jti string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.denied++
	if !f.pending[jti] {
		panic("Deny before the revocation was stored")
	}
	f.revoked[jti] = true
}

type ctlRevocations struct {
	deny *ctlDeny
	mu   sync.Mutex
	got  []store.Revocation
	err  error
}

func (f *ctlRevocations) AddRevocation(_ context.Context, r store.Revocation) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return f.err
	}
	f.got = append(f.got, r)
	f.deny.mu.Lock()
	f.deny.pending[r.JTI] = true
	f.deny.mu.Unlock()
	return nil
}

type ctlTrail struct {
	mu  sync.Mutex
	evs []store.AuditEvent
}

func (f *ctlTrail) Write(_ context.Context, e store.AuditEvent) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.evs = append(f.evs, e)
	return nil
}

func (f *ctlTrail) Record(store.AuditEvent) {}

func newCtlFixture(t *testing.T) *ctlFixture {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	f := &ctlFixture{t: t, now: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC),
		key:  accesstoken.SigningKey{ID: "k1", Alg: accesstoken.ES256, Signer: priv},
		apps: &ctlApps{disabled: map[string]bool{}}, deny: &ctlDeny{revoked: map[string]bool{}, pending: map[string]bool{}},
		trail: &ctlTrail{}}
	f.keys = ctlKeys{"k1": {ID: "k1", Alg: accesstoken.ES256, Issuer: testIssuer, Key: &priv.PublicKey}}
	f.revs = &ctlRevocations{deny: f.deny}
	clock := func() time.Time { return f.now }
	admin := &identity.Client{Realm: testRealm, AppID: "admin-id", ClientID: "admin",
		Held: []identity.APIGrant{{Audience: identity.AudienceIdentity, Permissions: []string{"read", "write"}}}}
	srv := &Server{
		Realms: map[string]Realm{testRealm: {Name: testRealm, Issuer: testIssuer, Lifetime: 5 * time.Minute}},
		Clients: ctlClients{
			"app:app-secret":     {Realm: testRealm, AppID: "app-id", ClientID: "app"},
			"other:other-secret": {Realm: testRealm, AppID: "other-id", ClientID: "other"},
			"admin:admin-secret": admin,
		},
		Audit:    f.trail,
		ClientRL: throttle.New(throttle.DefaultClientPolicy, clock),
		IPRL:     throttle.New(throttle.DefaultIPPolicy, clock),
		Log:      slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now:      clock,
	}
	ctl := &TokenControl{Server: srv, KeySource: func(string) accesstoken.KeySource { return f.keys }, Apps: f.apps,
		Deny: map[string]DenyList{testRealm: f.deny}, Revocations: f.revs, Trail: f.trail}
	mux := http.NewServeMux()
	mux.HandleFunc("/auth/realms/{realm}/protocol/openid-connect/token/introspect", ctl.Introspect)
	mux.HandleFunc("/auth/realms/{realm}/protocol/openid-connect/revoke", ctl.Revoke)
	f.server = httptest.NewServer(mux)
	t.Cleanup(f.server.Close)
	return f
}

var ctlJTI int

// token mints a token for client (app id = client + "-id") with the given changes.
func (f *ctlFixture) token(client string, edit func(*accesstoken.Claims)) string {
	f.t.Helper()
	ctlJTI++
	c := &accesstoken.Claims{ExpiresAt: accesstoken.NumericDate(f.now.Add(5 * time.Minute).Unix()),
		IssuedAt: accesstoken.NumericDate(f.now.Unix()), ID: fmt.Sprintf("jti-%d", ctlJTI), Issuer: testIssuer,
		Audience: accesstoken.Audience{"console-api"}, Subject: client + "-id", Type: "Bearer", AuthorizedParty: client,
		ClientID: client, Scope: "email profile", PreferredUsername: "service-account-" + client,
		Permissions: map[string][]string{"console-api": {"read:*"}}}
	if edit != nil {
		edit(c)
	}
	tok, err := accesstoken.Mint(f.key, accesstoken.TypeJWT, c)
	if err != nil {
		f.t.Fatal(err)
	}
	return tok
}

type ctlAnswer struct {
	status int
	header http.Header
	body   string
}

func (f *ctlFixture) post(endpoint string, form url.Values, basicAuth ...string) ctlAnswer {
	f.t.Helper()
	req, _ := http.NewRequest("POST", f.server.URL+"/auth/realms/"+testRealm+"/protocol/openid-connect/"+endpoint,
		strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if len(basicAuth) == 2 {
		req.SetBasicAuth(basicAuth[0], basicAuth[1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return ctlAnswer{resp.StatusCode, resp.Header, string(b)}
}

func ctlForm(id, secret, token string) url.Values {
	v := url.Values{"token": {token}}
	if id != "" {
		v.Set("client_id", id)
		v.Set("client_secret", secret)
	}
	return v
}

func ctlErrCode(t *testing.T, a ctlAnswer) string {
	t.Helper()
	var e struct {
		Error string `json:"error"`
	}
	if err := json.Unmarshal([]byte(a.body), &e); err != nil {
		t.Fatalf("not an error body: %q", a.body)
	}
	return e.Error
}

func TestIntrospectionChecklistB(t *testing.T) {
	f := newCtlFixture(t)
	mine := f.token("app", nil)
	cases := []struct {
		name       string
		id, secret string
		token      string
		setup      func()
		status     int
		code       string // error code, or "" for a 200
		active     bool
	}{
		{name: "B1 no client authentication", token: mine, status: 401, code: "invalid_client"},
		{name: "B1 wrong secret", id: "app", secret: "nope", token: mine, status: 401, code: "invalid_client"},
		{name: "own token is active", id: "app", secret: "app-secret", token: mine, status: 200, active: true},
		{name: "administrator sees any token", id: "admin", secret: "admin-secret", token: mine, status: 200, active: true},
		{name: "B3 another client's token", id: "other", secret: "other-secret", token: mine, status: 200},
		{name: "B2 garbage", id: "app", secret: "app-secret", token: "garbage", status: 200},
		{name: "B2 expired", id: "app", secret: "app-secret", status: 200,
			token: f.token("app", func(c *accesstoken.Claims) { c.ExpiresAt = accesstoken.NumericDate(f.now.Add(-time.Second).Unix()) })},
		{name: "B2 wrong issuer", id: "app", secret: "app-secret", status: 200,
			token: f.token("app", func(c *accesstoken.Claims) { c.Issuer = "https://evil.example/auth/realms/camunda-platform" })},
		{name: "B2 tampered payload", id: "app", secret: "app-secret", status: 200, token: tamperPayload(mine)},
		{name: "no audience", id: "app", secret: "app-secret", status: 200,
			token: f.token("app", func(c *accesstoken.Claims) { c.Audience = accesstoken.Audience{} })},
		{name: "B2 revoked", id: "app", secret: "app-secret", status: 200,
			token: f.token("app", func(c *accesstoken.Claims) { c.ID = "revoked-jti"; f.deny.revoked["revoked-jti"] = true })},
		{name: "disabled application", id: "app", secret: "app-secret", token: mine, status: 200,
			setup: func() { f.apps.disabled["app-id"] = true }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f.apps.disabled = map[string]bool{}
			if tc.setup != nil {
				tc.setup()
			}
			a := f.post("token/introspect", ctlForm(tc.id, tc.secret, tc.token))
			if a.status != tc.status {
				t.Fatalf("status %d, want %d: %s", a.status, tc.status, a.body)
			}
			if tc.code != "" {
				if got := ctlErrCode(t, a); got != tc.code {
					t.Errorf("error %q, want %q", got, tc.code)
				}
				if a.status == 401 && !strings.HasPrefix(a.header.Get("WWW-Authenticate"), "Basic") {
					t.Errorf("401 without WWW-Authenticate: Basic")
				}
				return
			}
			if a.header.Get("Cache-Control") != "no-store" || a.header.Get("Content-Type") != "application/json" {
				t.Errorf("headers %v", a.header)
			}
			if !tc.active {
				if a.body != `{"active":false}` {
					t.Errorf("inactive body %q, want exactly {\"active\":false}", a.body)
				}
				return
			}
			var got Introspection
			if err := json.Unmarshal([]byte(a.body), &got); err != nil {
				t.Fatal(err)
			}
			if !got.Active || got.ClientID != "app" || got.Subject != "app-id" || got.TokenType != "Bearer" ||
				got.Issuer != testIssuer || got.ExpiresAt == 0 || len(got.Permissions["console-api"]) != 1 {
				t.Errorf("active ctlAnswer %s", a.body)
			}
		})
	}
}

func tamperPayload(tok string) string {
	parts := strings.Split(tok, ".")
	p, _ := base64URL.DecodeString(parts[1])
	p = []byte(strings.Replace(string(p), `"read:*"`, `"write:*"`, 1))
	return parts[0] + "." + base64URL.EncodeToString(p) + "." + parts[2]
}

func TestIntrospectionStoreFailure(t *testing.T) {
	f := newCtlFixture(t)
	f.apps.err = fmt.Errorf("list: %w", store.ErrUnavailable)
	a := f.post("token/introspect", ctlForm("app", "app-secret", f.token("app", nil)))
	if a.status != 503 || a.header.Get("Retry-After") == "" || ctlErrCode(t, a) != "temporarily_unavailable" {
		t.Errorf("store failure: %d %v %s", a.status, a.header, a.body)
	}
}

func TestRevocationChecklistB(t *testing.T) {
	f := newCtlFixture(t)
	mine := f.token("app", nil)

	// B6: no client authentication.
	if a := f.post("revoke", ctlForm("", "", mine)); a.status != 401 || ctlErrCode(t, a) != "invalid_client" {
		t.Errorf("B6: %d %s", a.status, a.body)
	}
	// B5: another client's token: 400, and it stays valid.
	if a := f.post("revoke", ctlForm("other", "other-secret", mine)); a.status != 400 || ctlErrCode(t, a) != "invalid_request" {
		t.Errorf("B5: %d %s", a.status, a.body)
	}
	if a := f.post("token/introspect", ctlForm("app", "app-secret", mine)); !strings.Contains(a.body, `"active":true`) {
		t.Errorf("B5: token no longer active after a refused revocation: %s", a.body)
	}
	// B4: unknown and garbage tokens: 200, nothing stored.
	for _, tok := range []string{"garbage", f.token("app", func(c *accesstoken.Claims) { c.Issuer = "https://evil.example" })} {
		if a := f.post("revoke", ctlForm("app", "app-secret", tok)); a.status != 200 || a.body != "" {
			t.Errorf("B4: %d %q", a.status, a.body)
		}
	}
	if len(f.revs.got) != 0 || len(f.trail.evs) != 0 {
		t.Errorf("invalid tokens were recorded: %v %v", f.revs.got, f.trail.evs)
	}
	// Own token, Basic authentication and a hint that is not ours: revoked.
	a := f.post("revoke", url.Values{"token": {mine}, "token_type_hint": {"refresh_token"}}, "app", "app-secret")
	if a.status != 200 || a.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("revoke: %d %v %s", a.status, a.header, a.body)
	}
	if len(f.revs.got) != 1 || f.revs.got[0].AppID != "app-id" || !f.revs.got[0].ExpiresAt.Equal(f.now.Add(5*time.Minute)) {
		t.Errorf("revocation stored: %+v", f.revs.got)
	}
	if len(f.trail.evs) != 1 || f.trail.evs[0].Action != "token.revoke" || f.trail.evs[0].Actor != "app" ||
		strings.Contains(fmt.Sprint(f.trail.evs[0]), mine) {
		t.Errorf("audit: %+v", f.trail.evs)
	}
	if f.deny.denied != 1 {
		t.Errorf("deny-list told %d times, want 1", f.deny.denied)
	}
	// Immediately inactive on this replica.
	if a := f.post("token/introspect", ctlForm("app", "app-secret", mine)); a.body != `{"active":false}` {
		t.Errorf("revoked token still introspects: %s", a.body)
	}
	// B4: already revoked: 200.
	if a := f.post("revoke", ctlForm("app", "app-secret", mine)); a.status != 200 {
		t.Errorf("B4 again: %d %s", a.status, a.body)
	}
	// B7: the store fails: 503 + Retry-After, never 200.
	f.revs.err = fmt.Errorf("add revocation: %w", store.ErrUnavailable)
	a = f.post("revoke", ctlForm("app", "app-secret", f.token("app", nil)))
	if a.status != 503 || a.header.Get("Retry-After") == "" || ctlErrCode(t, a) != "temporarily_unavailable" {
		t.Errorf("B7: %d %v %s", a.status, a.header, a.body)
	}
	f.revs.err = errors.New("disk on fire")
	if a := f.post("revoke", ctlForm("app", "app-secret", f.token("app", nil))); a.status != 500 {
		t.Errorf("unexpected store error: %d %s", a.status, a.body)
	}
}

func TestTokenControlMethodAndRealm(t *testing.T) {
	f := newCtlFixture(t)
	for _, ep := range []string{"token/introspect", "revoke"} {
		resp, err := http.Get(f.server.URL + "/auth/realms/" + testRealm + "/protocol/openid-connect/" + ep)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 405 || resp.Header.Get("Allow") != "POST" {
			t.Errorf("GET %s: %d allow=%q", ep, resp.StatusCode, resp.Header.Get("Allow"))
		}
		resp, err = http.PostForm(f.server.URL+"/auth/realms/nope/protocol/openid-connect/"+ep, ctlForm("app", "app-secret", "x"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 404 {
			t.Errorf("unknown realm %s: %d", ep, resp.StatusCode)
		}
	}
}
