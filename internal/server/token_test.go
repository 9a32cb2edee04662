package server_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/server"
	"github.com/gatehouse/gatehouse/internal/server/servertest"
	"github.com/gatehouse/gatehouse/internal/store"
)

var update = flag.Bool("update", false, "rewrite golden files")

const realm = config.DefaultRealm

// seeded configures the client of the seed documents: an M2M app with permissions on
// the Administration Self-Managed API and the Web Modeler API, as Camunda Identity's
// KEYCLOAK_CLIENTS_* variables would.
func seeded(c *config.Config) {
	c.Clients = append(c.Clients, config.Client{Realm: realm, Name: "billing-job", ID: "billing-job", Secret: "billing-secret-123", Type: "M2M",
		Permissions: []config.Permission{{ResourceServerID: "console-api", Definition: "read:*"}, {ResourceServerID: "web-modeler-public-api", Definition: "read:*"}, {ResourceServerID: "web-modeler-public-api", Definition: "create:*"}}})
	c.Clients = append(c.Clients, config.Client{Realm: realm, Name: "off", ID: "disabled-job", Secret: "disabled-secret-123", Type: "M2M",
		Permissions: []config.Permission{{ResourceServerID: "console-api", Definition: "read:*"}}})
}

func post(t *testing.T, u string, header http.Header, body string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(body))
	for k, vs := range header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func formHeader() http.Header {
	return http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
}

// TestSeedCurl replays step 4 of the Self-Managed seed: a form POST with client_id,
// client_secret and grant_type; the answer has the documented fields and the token
// verifies against the published JWKS (via go-oidc's remote key set).
func TestSeedCurl(t *testing.T) {
	in := servertest.Start(t, servertest.Options{Config: seeded})
	form := url.Values{"client_id": {"billing-job"}, "client_secret": {"billing-secret-123"}, "grant_type": {"client_credentials"}}
	resp, body := post(t, in.TokenURL(realm), formHeader(), form.Encode())
	if resp.StatusCode != 200 {
		t.Fatalf("%s: %s", resp.Status, body)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q", cc)
	}
	var got map[string]any
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{"expires_in": 300.0, "refresh_expires_in": 0.0, "token_type": "Bearer", "not-before-policy": 0.0, "scope": "email profile"} {
		if got[k] != want {
			t.Errorf("%s = %v, want %v", k, got[k], want)
		}
	}
	if len(got) != 6 {
		t.Errorf("fields %v, want access_token, expires_in, refresh_expires_in, token_type, not-before-policy, scope", got)
	}
	tok := got["access_token"].(string)

	ctx := context.Background()
	p, err := oidc.NewProvider(ctx, in.Issuer(realm))
	if err != nil {
		t.Fatal(err)
	}
	idt, err := p.Verifier(&oidc.Config{ClientID: "console-api"}).Verify(ctx, tok)
	if err != nil {
		t.Fatalf("go-oidc verification: %v", err)
	}
	var c struct {
		Aud         []string            `json:"aud"`
		Azp         string              `json:"azp"`
		ClientID    string              `json:"client_id"`
		Typ         string              `json:"typ"`
		Preferred   string              `json:"preferred_username"`
		Permissions map[string][]string `json:"permissions"`
		Sub         string              `json:"sub"`
		Jti         string              `json:"jti"`
	}
	idt.Claims(&c)
	if c.Azp != "billing-job" || c.ClientID != "billing-job" || c.Typ != "Bearer" || c.Preferred != "service-account-billing-job" || c.Jti == "" {
		t.Errorf("claims %+v", c)
	}
	if want := []string{"create:*", "read:*"}; strings.Join(c.Permissions["web-modeler-public-api"], ",") != strings.Join(want, ",") {
		t.Errorf("permissions %v", c.Permissions)
	}
	app, err := in.Store().GetAppByClientID(ctx, realm, "billing-job")
	if err != nil || c.Sub != app.ID {
		t.Errorf("sub %q, app id %q (%v)", c.Sub, app.ID, err)
	}
	header, _ := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[0])
	var h map[string]string
	json.Unmarshal(header, &h)
	if h["typ"] != "JWT" || h["alg"] != "RS256" || h["kid"] == "" {
		t.Errorf("header %v", h)
	}
}

// TestOAuth2Client drives the endpoint with golang.org/x/oauth2, with Basic
// (client_secret_basic) and with body credentials (client_secret_post).
func TestOAuth2Client(t *testing.T) {
	in := servertest.Start(t, servertest.Options{Config: seeded})
	for _, style := range []oauth2.AuthStyle{oauth2.AuthStyleInHeader, oauth2.AuthStyleInParams} {
		for _, aud := range []string{"", "console-api"} {
			cc := clientcredentials.Config{ClientID: "billing-job", ClientSecret: "billing-secret-123", TokenURL: in.TokenURL(realm), AuthStyle: style}
			if aud != "" {
				cc.EndpointParams = url.Values{"audience": {aud}}
			}
			tok, err := cc.Token(context.Background())
			if err != nil {
				t.Fatalf("style %d audience %q: %v", style, aud, err)
			}
			if tok.TokenType != "Bearer" || tok.AccessToken == "" || tok.Expiry.IsZero() {
				t.Errorf("token %+v", tok)
			}
		}
	}
}

// TestSaaS replays the SaaS seed: /oauth/token with audience api.cloud.camunda.io, as a
// form and as JSON.
func TestSaaS(t *testing.T) {
	in := servertest.Start(t, servertest.Options{Config: seeded})
	u := in.URL(server.IdentityListener) + "/oauth/token"
	bodies := map[string]string{
		"application/x-www-form-urlencoded": "grant_type=client_credentials&audience=api.cloud.camunda.io&client_id=billing-job&client_secret=billing-secret-123",
		"application/json":                  `{"grant_type":"client_credentials","audience":"api.cloud.camunda.io","client_id":"billing-job","client_secret":"billing-secret-123"}`,
	}
	for ct, b := range bodies {
		resp, body := post(t, u, http.Header{"Content-Type": {ct}}, b)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %s %s", ct, resp.Status, body)
		}
		var tr struct {
			AccessToken string `json:"access_token"`
		}
		json.Unmarshal(body, &tr)
		claims := decodeClaims(t, tr.AccessToken)
		if claims["aud"] != "api.cloud.camunda.io" {
			t.Errorf("%s: aud %v", ct, claims["aud"])
		}
		perms := claims["permissions"].(map[string]any)
		if perms["console-api"] == nil || perms["web-modeler-public-api"] == nil {
			t.Errorf("%s: permissions %v", ct, perms)
		}
	}
}

func decodeClaims(t *testing.T, tok string) map[string]any {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWS: %q", tok)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	json.Unmarshal(b, &m)
	return m
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		os.WriteFile(path, got, 0o644)
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if string(want) != string(got) {
		t.Errorf("%s differs:\n--- want\n%s\n--- got\n%s", name, want, got)
	}
}

func publicURL(c *config.Config) { c.IdentityPublicURL = "https://login.example.com" }

func TestDiscoveryGolden(t *testing.T) {
	in := servertest.Start(t, servertest.Options{Config: publicURL})
	base := in.URL(server.IdentityListener)
	paths := []string{"/auth/realms/camunda-platform/.well-known/openid-configuration",
		"/auth/realms/camunda-platform/.well-known/oauth-authorization-server",
		"/.well-known/oauth-authorization-server/auth/realms/camunda-platform"}
	var first []byte
	for _, p := range paths {
		// B9: Host and X-Forwarded-Host never leak into the document.
		req, _ := http.NewRequest(http.MethodGet, base+p, nil)
		req.Host = "evil.example"
		req.Header.Set("X-Forwarded-Host", "evil.example")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || strings.Contains(string(b), "evil") {
			t.Fatalf("%s: %s %s", p, resp.Status, b)
		}
		if first == nil {
			first = b
		} else if string(first) != string(b) {
			t.Errorf("%s differs from the OIDC document", p)
		}
	}
	golden(t, "discovery.json", first)
	resp, _ := http.Get(base + "/auth/realms/nope/.well-known/openid-configuration")
	if resp.StatusCode != 404 {
		t.Errorf("unknown realm: %s", resp.Status)
	}
}

var keyValues = regexp.MustCompile(`"(kid|n|x|y)":"[^"]+"`)

// TestJWKS checks B8: public members only, each key with kid, use=sig and an allowed alg.
func TestJWKS(t *testing.T) {
	for _, alg := range []string{"RS256", "ES256", "EdDSA"} {
		t.Run(alg, func(t *testing.T) {
			in := servertest.Start(t, servertest.Options{Config: func(c *config.Config) { c.SigningAlg = alg }})
			resp, err := http.Get(in.URL(server.IdentityListener) + "/auth/realms/camunda-platform/protocol/openid-connect/certs")
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			var set struct{ Keys []map[string]string }
			if err := json.Unmarshal(b, &set); err != nil || len(set.Keys) == 0 {
				t.Fatalf("%s: %v", b, err)
			}
			for _, k := range set.Keys {
				for _, private := range []string{"d", "p", "q", "dp", "dq", "qi", "k"} {
					if _, ok := k[private]; ok {
						t.Errorf("private member %q published", private)
					}
				}
				if k["kid"] == "" || k["use"] != "sig" || k["alg"] != alg {
					t.Errorf("key %v", k)
				}
			}
			first, _ := json.Marshal(map[string]any{"keys": set.Keys[:1]}) // the next key may or may not be published yet
			golden(t, "jwks-"+alg+".json", keyValues.ReplaceAll(first, []byte(`"$1":"…"`)))
		})
	}
}

// TestConfiguredClientReseed: a changed secret in configuration replaces the stored one
// on restart; the unchanged declaration changes nothing.
func TestConfiguredClientReseed(t *testing.T) {
	dir := t.TempDir()
	in := servertest.Start(t, servertest.Options{DataDir: dir, Config: seeded})
	in.Token(t, realm, "billing-job", "billing-secret-123", "")
	in.Stop()
	in = servertest.Start(t, servertest.Options{DataDir: dir, Config: func(c *config.Config) {
		seeded(c)
		c.Clients[0].Secret = "new-billing-secret"
	}})
	in.Token(t, realm, "billing-job", "new-billing-secret", "")
	form := url.Values{"client_id": {"billing-job"}, "client_secret": {"billing-secret-123"}, "grant_type": {"client_credentials"}}
	if resp, body := post(t, in.TokenURL(realm), formHeader(), form.Encode()); resp.StatusCode != 401 {
		t.Fatalf("old secret after reseed: %s %s", resp.Status, body)
	}
	apps, total, err := in.Store().ListApps(context.Background(), realm, store.ListOptions{})
	if err != nil || total != 3 { // declared admin + 2 configured
		t.Fatalf("apps %d %v", total, err)
	}
	_ = apps
}
