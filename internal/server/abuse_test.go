package server_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/server"
	"github.com/gatehouse/gatehouse/internal/server/servertest"
	"github.com/gatehouse/gatehouse/internal/store"
)

// TestTokenErrors is checklist A1–A19 (and B-side headers) against a running server:
// exact status, error code, headers and golden bodies.
func TestTokenErrors(t *testing.T) {
	in := servertest.Start(t, servertest.Options{Config: seeded})
	ctx := context.Background()
	app, _ := in.Store().GetAppByClientID(ctx, realm, "disabled-job")
	if _, err := in.Store().UpdateApp(ctx, realm, app.ID, func(a store.Application) (store.Application, error) { a.Enabled = false; return a, nil }); err != nil {
		t.Fatal(err)
	}
	in.Identity.Invalidate()
	basicAuth := func(id, secret string) string {
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(secret)))
	}
	good := "grant_type=client_credentials&client_id=billing-job&client_secret=billing-secret-123"
	realmURL := in.TokenURL(realm)
	saasURL := in.URL(server.IdentityListener) + "/oauth/token"
	type tc struct {
		name, method, url, ct, body, authz string
		status                             int
		code, golden                       string
	}
	tests := []tc{
		{name: "A1 control", url: realmURL, body: good, status: 200},
		{name: "A1 charset", url: realmURL, ct: "application/x-www-form-urlencoded; charset=UTF-8", body: good, status: 200},
		{name: "A1 basic", url: realmURL, body: "grant_type=client_credentials", authz: basicAuth("billing-job", "billing-secret-123"), status: 200},
		{name: "A2 GET", method: "GET", url: realmURL, status: 405, code: "invalid_request", golden: "err-method.json"},
		{name: "A2 PUT", method: "PUT", url: realmURL, body: good, status: 405, code: "invalid_request"},
		{name: "A3 no grant_type", url: realmURL, body: "client_id=billing-job&client_secret=billing-secret-123", status: 400, code: "invalid_request", golden: "err-missing-grant.json"},
		{name: "A4 password grant", url: realmURL, body: "grant_type=password&client_id=billing-job&client_secret=billing-secret-123", status: 400, code: "unsupported_grant_type", golden: "err-grant-type.json"},
		{name: "A5 duplicate", url: realmURL, body: good + "&grant_type=client_credentials", status: 400, code: "invalid_request", golden: "err-repeated.json"},
		{name: "A6 JSON at realm endpoint", url: realmURL, ct: "application/json", body: `{"grant_type":"client_credentials","client_id":"billing-job","client_secret":"billing-secret-123"}`, status: 400, code: "invalid_request", golden: "err-content-type.json"},
		{name: "A6 JSON at /oauth/token", url: saasURL, ct: "application/json", body: `{"grant_type":"client_credentials","client_id":"billing-job","client_secret":"billing-secret-123"}`, status: 200},
		{name: "A7 malformed form", url: realmURL, body: "grant_type=client_credentials&client_id=%zz", status: 400, code: "invalid_request", golden: "err-malformed.json"},
		{name: "A8 body over 64 KiB", url: realmURL, body: good + "&pad=" + strings.Repeat("a", 70<<10), status: 413, code: "invalid_request", golden: "err-too-large.json"},
		{name: "A9 secret in query", url: realmURL + "?client_secret=billing-secret-123", body: "grant_type=client_credentials&client_id=billing-job", status: 400, code: "invalid_request", golden: "err-query.json"},
		{name: "A10 wrong secret basic", url: realmURL, body: "grant_type=client_credentials", authz: basicAuth("billing-job", "wrong"), status: 401, code: "invalid_client", golden: "err-invalid-client.json"},
		{name: "A11 wrong secret post", url: realmURL, body: "grant_type=client_credentials&client_id=billing-job&client_secret=wrong", status: 401, code: "invalid_client", golden: "err-invalid-client.json"},
		{name: "A12 unknown client", url: realmURL, body: "grant_type=client_credentials&client_id=nobody&client_secret=wrong", status: 401, code: "invalid_client", golden: "err-invalid-client.json"},
		{name: "A13 disabled client, right secret", url: realmURL, body: "grant_type=client_credentials&client_id=disabled-job&client_secret=disabled-secret-123", status: 401, code: "invalid_client", golden: "err-invalid-client.json"},
		{name: "A14 bad basic", url: realmURL, body: "grant_type=client_credentials", authz: "Basic !!!", status: 401, code: "invalid_client", golden: "err-invalid-client.json"},
		{name: "A16 basic and body secret", url: realmURL, body: good, authz: basicAuth("billing-job", "billing-secret-123"), status: 400, code: "invalid_request", golden: "err-two-methods.json"},
		{name: "A17 audience not granted", url: realmURL, body: good + "&audience=zeebe-api", status: 400, code: "invalid_target", golden: "err-target.json"},
		{name: "A17 alias granted", url: saasURL, body: good + "&audience=api.cloud.camunda.io", status: 200},
		{name: "A18 scope beyond grant", url: realmURL, body: good + "&scope=write%3A*", status: 400, code: "invalid_scope", golden: "err-scope.json"},
		{name: "A19 scope with tabs", url: realmURL, body: good + "&scope=openid%09email", status: 400, code: "invalid_request"},
		{name: "unknown realm", url: in.TokenURL("nope"), body: good, status: 404, code: "invalid_request"},
	}
	for _, c := range tests {
		t.Run(c.name, func(t *testing.T) {
			method := c.method
			if method == "" {
				method = "POST"
			}
			ct := c.ct
			if ct == "" {
				ct = "application/x-www-form-urlencoded"
			}
			req, _ := http.NewRequest(method, c.url, strings.NewReader(c.body))
			req.Header.Set("Content-Type", ct)
			if c.authz != "" {
				req.Header.Set("Authorization", c.authz)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body []byte
			buf := make([]byte, 1<<16)
			for {
				n, err := resp.Body.Read(buf)
				body = append(body, buf[:n]...)
				if err != nil {
					break
				}
			}
			if resp.StatusCode != c.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, c.status, body)
			}
			if resp.Header.Get("Cache-Control") != "no-store" && resp.StatusCode != 404 {
				t.Errorf("Cache-Control %q", resp.Header.Get("Cache-Control"))
			}
			if c.status == 200 {
				return
			}
			var e struct{ Error string }
			json.Unmarshal(body, &e)
			if e.Error != c.code {
				t.Errorf("error %q, want %q", e.Error, c.code)
			}
			if got := resp.Header.Get("WWW-Authenticate"); (c.code == "invalid_client") != (got != "") {
				t.Errorf("WWW-Authenticate %q for %s", got, c.code)
			} else if got != "" && got != `Basic realm="camunda-platform"` {
				t.Errorf("WWW-Authenticate %q", got)
			}
			if c.status == 405 && resp.Header.Get("Allow") != "POST" {
				t.Errorf("Allow %q", resp.Header.Get("Allow"))
			}
			if strings.Contains(string(body), "billing-secret-123") {
				t.Errorf("body echoes the secret")
			}
			if c.golden != "" {
				golden(t, c.golden, body)
			}
		})
	}
}

// TestThrottle is checklist A21: 50 parallel wrong secrets for one client from one IP
// are all counted; after the threshold even the right secret gets 429 + Retry-After.
func TestThrottle(t *testing.T) {
	in := servertest.Start(t, servertest.Options{Config: seeded})
	wrong := "grant_type=client_credentials&client_id=billing-job&client_secret=wrong"
	var wg sync.WaitGroup
	codes := make(chan int, 50)
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, _ := post(t, in.TokenURL(realm), formHeader(), wrong)
			codes <- resp.StatusCode
		}()
	}
	wg.Wait()
	close(codes)
	count := map[int]int{}
	for c := range codes {
		count[c]++
	}
	if count[401] > 10 || count[401]+count[429] != 50 {
		t.Fatalf("answers %v: at most 10 evaluated, the rest 429", count)
	}
	resp, body := post(t, in.TokenURL(realm), formHeader(), "grant_type=client_credentials&client_id=billing-job&client_secret=billing-secret-123")
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("right secret while blocked: %s %s Retry-After=%q", resp.Status, body, resp.Header.Get("Retry-After"))
	}
	golden(t, "err-throttled.json", body)
	// Another client from the same IP is not blocked by this one's failures.
	in.Token(t, realm, servertest.AdminID, servertest.AdminSecret, "")
}

// TestRestartKeepsKeys is checklist F10: the key set survives a restart, tokens issued
// before it still verify, and a wrong master key refuses to start.
func TestRestartKeepsKeys(t *testing.T) {
	dir := t.TempDir()
	in := servertest.Start(t, servertest.Options{DataDir: dir, Config: seeded})
	tok := in.Token(t, realm, "billing-job", "billing-secret-123", "")
	jwks1 := getJWKS(t, in)
	in.Stop()
	in = servertest.Start(t, servertest.Options{DataDir: dir, Config: seeded})
	jwks2 := getJWKS(t, in)
	for kid := range jwks1 {
		if _, ok := jwks2[kid]; !ok {
			t.Errorf("key %s lost in restart", kid)
		}
	}
	if _, err := in.Keys.KeySource(realm).Key(kidOf(t, tok)); !err {
		t.Errorf("token's key not published after restart")
	}
	in.Stop()

	c := servertest.DefaultConfig(dir)
	c.MasterKey = "BBECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if _, err := server.New(context.Background(), c, server.Options{}); err == nil || !strings.Contains(err.Error(), "master key") {
		t.Fatalf("wrong master key: err = %v, want refusal", err)
	}
	ks, _ := openKeys(t, dir)
	if len(ks) != len(jwks2) && len(ks) < len(jwks1) {
		t.Errorf("keys changed after refused start")
	}
}

func openKeys(t *testing.T, dir string) ([]store.SigningKey, error) {
	t.Helper()
	c := servertest.DefaultConfig(dir)
	st, err := server.OpenStore(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	return st.ListKeys(context.Background(), realm)
}

func getJWKS(t *testing.T, in *servertest.Instance) map[string]bool {
	t.Helper()
	resp, err := http.Get(in.URL(server.IdentityListener) + "/auth/realms/" + realm + "/protocol/openid-connect/certs")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var set struct{ Keys []struct{ Kid string } }
	json.NewDecoder(resp.Body).Decode(&set)
	out := map[string]bool{}
	for _, k := range set.Keys {
		out[k.Kid] = true
	}
	return out
}

func kidOf(t *testing.T, tok string) string {
	b, _ := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[0])
	var h struct{ Kid string }
	json.Unmarshal(b, &h)
	return h.Kid
}

// TestRotationOverlap: the next key is published before it signs, and a retired key stays
// published for the token lifetime plus skew, then leaves (injected clock).
func TestRotationOverlap(t *testing.T) {
	clk := &clock{t: time.Now()}
	in := servertest.Start(t, servertest.Options{Config: seeded, Now: clk.now})
	ctx := context.Background()
	if err := in.Keys.EnsureNext(ctx, realm); err != nil {
		t.Fatal(err)
	}
	old := in.Token(t, realm, "billing-job", "billing-secret-123", "")
	oldKid := kidOf(t, old)
	before := getJWKS(t, in)
	if len(before) != 2 {
		t.Fatalf("want active + next published, got %v", before)
	}
	if err := in.Keys.Rotate(ctx, realm); err != nil {
		t.Fatal(err)
	}
	fresh := in.Token(t, realm, "billing-job", "billing-secret-123", "")
	newKid := kidOf(t, fresh)
	if newKid == oldKid || !before[newKid] {
		t.Fatalf("new kid %s must differ from %s and have been published before rotation (%v)", newKid, oldKid, before)
	}
	after := getJWKS(t, in)
	if !after[oldKid] || !after[newKid] || len(after) != 3 {
		t.Fatalf("after rotation want retired + active + next, got %v", after)
	}
	clk.add(300*time.Second + 59*time.Second)
	in.Keys.Reload(ctx, realm)
	if !getJWKS(t, in)[oldKid] {
		t.Fatal("retired key withdrawn before lifetime + skew")
	}
	clk.add(2 * time.Second)
	in.Keys.Reload(ctx, realm)
	if getJWKS(t, in)[oldKid] {
		t.Fatal("retired key still published after lifetime + skew")
	}
	// Emergency revoke of the active key: it leaves at once, the next key takes over.
	if err := in.Keys.Revoke(ctx, realm, newKid); err != nil {
		t.Fatal(err)
	}
	if getJWKS(t, in)[newKid] {
		t.Fatal("revoked key still published")
	}
	if k := kidOf(t, in.Token(t, realm, "billing-job", "billing-secret-123", "")); k == newKid {
		t.Fatal("revoked key still signs")
	}
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// TestNoSecretsInLogs is checklist D6 for the token service: after issuing, denying and
// throttling, neither the log, the audit trail nor stdout (beyond the one bootstrap
// notice) holds a secret or a token.
func TestNoSecretsInLogs(t *testing.T) {
	dir := t.TempDir()
	first := servertest.Start(t, servertest.Options{DataDir: dir, Config: func(c *config.Config) { c.BootstrapClientID, c.BootstrapSecret = "", "" }})
	adminSecret := bootstrapSecret(t, first.Stdout.String())
	adminID := strings.Fields(strings.SplitN(first.Stdout.String(), "GATEHOUSE_CLIENT_ID=", 2)[1])[0]
	first.Stop()
	in := servertest.Start(t, servertest.Options{DataDir: dir, Config: func(c *config.Config) { seeded(c); c.BootstrapClientID, c.BootstrapSecret = "", "" }})
	if in.Stdout.String() != "" {
		t.Errorf("second start printed %q", in.Stdout.String())
	}
	secrets := []string{"billing-secret-123", "disabled-secret-123", "wrong-secret-xyz", adminSecret}
	tokens := []string{in.Token(t, realm, adminID, adminSecret, "")}
	for i := 0; i < 3; i++ {
		tokens = append(tokens, in.Token(t, realm, "billing-job", "billing-secret-123", ""))
	}
	for i := 0; i < 15; i++ {
		post(t, in.TokenURL(realm), formHeader(), "grant_type=client_credentials&client_id=billing-job&client_secret=wrong-secret-xyz")
		post(t, in.TokenURL(realm)+"?client_secret=wrong-secret-xyz", formHeader(), "grant_type=client_credentials")
	}
	in.Stop() // flushes the audit batches
	evs, err := openAudit(t, in)
	if err != nil {
		t.Fatal(err)
	}
	issued, denied := 0, 0
	for _, e := range evs { // identical token events of a batch are one row with a count
		n := 1
		if c, ok := e.Detail["count"]; ok {
			n, _ = strconv.Atoi(c)
		}
		switch e.Action {
		case "token.issue":
			issued += n
		case "token.deny":
			denied += n
		}
	}
	if issued != 4 || denied < 15 {
		t.Errorf("audit counts %d issued (want 4), %d denied (want ≥ 15)", issued, denied)
	}
	events := fmt.Sprint(evs)
	haystack := first.Log.String() + in.Log.String() + events
	for _, s := range append(secrets, tokens...) {
		if strings.Contains(haystack, s) {
			t.Errorf("secret or token %q…%q found in logs or audit", s[:4], s[len(s)-4:])
		}
	}
	if strings.Count(first.Stdout.String(), adminSecret) != 1 {
		t.Errorf("bootstrap secret must be printed exactly once to stdout")
	}
}

func bootstrapSecret(t *testing.T, stdout string) string {
	t.Helper()
	_, after, ok := strings.Cut(stdout, "GATEHOUSE_CLIENT_SECRET=")
	if !ok {
		t.Fatalf("no bootstrap credentials printed: %q", stdout)
	}
	return strings.Fields(after)[0]
}

func openAudit(t *testing.T, in *servertest.Instance) ([]store.AuditEvent, error) {
	st, err := server.OpenStore(context.Background(), in.Config)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	return st.ListAudit(context.Background(), store.AuditQuery{Realm: realm, Limit: 500})
}

// TestPostgresNeedsMasterKey: replicas share a database, so they must share the master
// key; without GATEHOUSE_MASTER_KEY (or an existing key file) the server refuses to
// start instead of generating a key only this host has.
func TestPostgresNeedsMasterKey(t *testing.T) {
	c := servertest.DefaultConfig(t.TempDir())
	c.MasterKey = ""
	c.DatabaseURL = "postgres://nobody@127.0.0.1:1/none?sslmode=disable"
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	_, err := server.New(context.Background(), c, server.Options{})
	if err == nil || !strings.Contains(err.Error(), "GATEHOUSE_MASTER_KEY") {
		t.Fatalf("err = %v", err)
	}
}

// TestTrustedProxies: behind a trusted load balancer the throttle keys on the client
// named in X-Forwarded-For, so one client's failures do not block the others; from an
// untrusted peer the header is ignored.
func TestTrustedProxies(t *testing.T) {
	for _, tc := range []struct {
		trusted     string
		wantBlocked bool // does the second client get 429 after the first one's failures?
	}{{"127.0.0.1", false}, {"", true}} {
		in := servertest.Start(t, servertest.Options{Config: func(c *config.Config) { seeded(c); c.TrustedProxies = tc.trusted }})
		send := func(client, secret string) int {
			h := formHeader()
			h.Set("X-Forwarded-For", client)
			resp, _ := post(t, in.TokenURL(realm), h, "grant_type=client_credentials&client_id=billing-job&client_secret="+secret)
			return resp.StatusCode
		}
		for i := 0; i < 12; i++ {
			send("198.51.100.1", "wrong")
		}
		if got := send("198.51.100.1", "billing-secret-123"); got != 429 {
			t.Fatalf("trusted=%q: the guessing client got %d, want 429", tc.trusted, got)
		}
		got := send("198.51.100.2", "billing-secret-123")
		if blocked := got == 429; blocked != tc.wantBlocked {
			t.Fatalf("trusted=%q: another client got %d", tc.trusted, got)
		}
	}
}
