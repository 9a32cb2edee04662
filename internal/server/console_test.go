package server_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/accesstoken"
	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/identity"
	"github.com/gatehouse/gatehouse/internal/keys"
	"github.com/gatehouse/gatehouse/internal/server"
	"github.com/gatehouse/gatehouse/internal/server/servertest"
	"github.com/gatehouse/gatehouse/internal/store"
)

const (
	admReader       = "admin-reader"
	admReaderSecret = "admin-reader-secret-123"
	admOtherRealm   = "other"
)

// startAdmin runs a server whose default realm signs with alg, plus a second realm
// (another issuer with its own keys), and an M2M app holding read:* on console-api.
func startAdmin(t *testing.T, alg string, clk *admClock, more func(*config.Config)) *servertest.Instance {
	t.Helper()
	var now func() time.Time
	if clk != nil {
		now = clk.Now
	}
	return servertest.Start(t, servertest.Options{Now: now, Config: func(c *config.Config) {
		c.SigningAlg = alg
		c.Realms = append(c.Realms, config.Realm{Name: admOtherRealm, SigningAlg: accesstoken.ES256})
		c.Clients = append(c.Clients, config.Client{Realm: realm, Name: admReader, ID: admReader, Secret: admReaderSecret, Type: "M2M",
			Permissions: []config.Permission{{ResourceServerID: "console-api", Definition: "read:*"}}})
		if more != nil {
			more(c)
		}
	}})
}

// cCase is one row of checklist section C against GET /admin-api/clusters.
type cCase struct {
	id, name string
	authz    []string // Authorization header values
	path     string   // default /admin-api/clusters
	form     string   // form-encoded body
	status   int
	code     string // RFC 6750 error code in WWW-Authenticate ("" = none)
}

func TestAdminChecklistC(t *testing.T) {
	for _, alg := range []string{accesstoken.RS256, accesstoken.ES256} {
		t.Run(alg, func(t *testing.T) { runChecklistC(t, alg) })
	}
}

func runChecklistC(t *testing.T, alg string) {
	ctx := context.Background()
	clk := newAdmClock()
	in := startAdmin(t, alg, clk, nil)
	iss := in.Issuer(realm)
	sk, err := in.Keys.Signer(realm)
	if err != nil {
		t.Fatal(err)
	}
	osk, err := in.Keys.Signer(admOtherRealm)
	if err != nil {
		t.Fatal(err)
	}
	app, err := in.Store().GetAppByClientID(ctx, realm, admReader)
	if err != nil {
		t.Fatal(err)
	}
	// A cluster of the other realm, for C21.
	foreign := store.Cluster{ID: "5d1f7a52-0000-5000-8000-000000000001", Realm: admOtherRealm, Name: "foreign", Source: "api"}
	if err := in.Store().CreateCluster(ctx, foreign); err != nil {
		t.Fatal(err)
	}
	if err := in.RefreshDenyList(ctx); err != nil {
		t.Fatal(err)
	}
	now := clk.Now().Unix()
	claims := func(edit func(m map[string]any)) string {
		m := map[string]any{"exp": now + 300, "iat": now, "jti": identity.NewID(), "iss": iss, "aud": "console-api",
			"sub": app.ID, "typ": "Bearer", "azp": admReader, "client_id": admReader,
			"permissions": map[string][]string{"console-api": {"read:*"}}}
		if edit != nil {
			edit(m)
		}
		return mustJSON(m)
	}
	hdr := func(edit func(m map[string]any)) string {
		m := map[string]any{"alg": sk.Alg, "typ": "JWT", "kid": sk.ID}
		if edit != nil {
			edit(m)
		}
		return mustJSON(m)
	}
	forge := func(h, p func(map[string]any)) string { return jws(t, sk, hdr(h), claims(p)) }
	enc := base64.RawURLEncoding
	unsigned := func(h, p string) string {
		return enc.EncodeToString([]byte(h)) + "." + enc.EncodeToString([]byte(p)) + "."
	}
	b := func(tok string) []string { return []string{"Bearer " + tok} }

	good := in.Token(t, realm, admReader, admReaderSecret, "")
	alias := in.Token(t, realm, admReader, admReaderSecret, identity.AudienceSaaSAlias)
	forged := forge(nil, nil)

	// C2: HMAC keyed with the public key, as PEM and as the JWKS document.
	pub, _ := in.Keys.KeySource(realm).Key(sk.ID)
	der, _ := x509.MarshalPKIXPublicKey(pub.Key)
	pemKey := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	jwksDoc, _ := in.Keys.JWKS(realm)
	hs := func(key []byte) string {
		input := enc.EncodeToString([]byte(hdr(func(m map[string]any) { m["alg"] = "HS256" }))) + "." + enc.EncodeToString([]byte(claims(nil)))
		mac := hmac.New(sha256.New, key)
		mac.Write([]byte(input))
		return input + "." + enc.EncodeToString(mac.Sum(nil))
	}
	// C3: the header names another allowed algorithm than the key's; the signature is
	// the key's own.
	otherAlg := accesstoken.EdDSA
	if sk.Alg == accesstoken.EdDSA {
		otherAlg = accesstoken.ES256
	}
	// C4: ES256 signatures r = s = 0 and r = s = n.
	psychic := func(sig []byte) string {
		return unsigned(hdr(func(m map[string]any) { m["alg"] = accesstoken.ES256 }), claims(nil)) + enc.EncodeToString(sig)
	}
	n := elliptic.P256().Params().N.FillBytes(make([]byte, 32))
	// C6: attacker key advertised through jku, x5u, jwk and x5c; a canary counts fetches.
	var fetched atomic.Int64
	canary := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fetched.Add(1) }))
	defer canary.Close()
	atk, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	atkKey := accesstoken.SigningKey{ID: "attacker", Alg: accesstoken.ES256, Signer: atk}
	atkJWK, _ := keys.ToJWK(accesstoken.PublicKey{ID: "attacker", Alg: accesstoken.ES256, Key: &atk.PublicKey})
	atkHeader := func(kid string) string {
		return mustJSON(map[string]any{"alg": "ES256", "typ": "JWT", "kid": kid, "jku": canary.URL + "/jwks", "x5u": canary.URL + "/x5u",
			"jwk": atkJWK, "x5c": []string{base64.StdEncoding.EncodeToString([]byte("not a cert"))}})
	}
	// C18: tampering.
	parts := strings.Split(forged, ".")
	tamperedPayload := parts[0] + "." + enc.EncodeToString([]byte(claims(func(m map[string]any) {
		m["permissions"] = map[string][]string{"console-api": {"read:*", "write:*"}}
	}))) + "." + parts[2]
	sig, _ := enc.DecodeString(parts[2])
	sig[len(sig)/2] ^= 0x01
	bitflip := parts[0] + "." + parts[1] + "." + enc.EncodeToString(sig)
	otherTok := jws(t, osk, mustJSON(map[string]any{"alg": osk.Alg, "typ": "JWT", "kid": osk.ID}), claims(nil))
	swapped := strings.Split(otherTok, ".")[0] + "." + parts[1] + "." + parts[2]

	cases := []cCase{
		{"ok", "token from the token endpoint", b(good), "", "", 200, ""},
		{"ok", "forged with the realm key (control)", b(forged), "", "", 200, ""},
		{"ok", "alias audience api.cloud.camunda.io", b(alias), "", "", 200, ""},
		{"ok", "aud array holding console-api", b(forge(nil, func(m map[string]any) { m["aud"] = []string{"x", "console-api"} })), "", "", 200, ""},
		{"ok", "header typ at+jwt (RFC 9068)", b(forge(func(m map[string]any) { m["typ"] = "at+jwt" }, nil)), "", "", 200, ""},
		{"ok", "write:* instead of read:*", b(forge(nil, func(m map[string]any) { m["permissions"] = map[string][]string{"console-api": {"write:*"}} })), "", "", 200, ""},

		{"C1", "alg none", b(unsigned(hdr(func(m map[string]any) { m["alg"] = "none" }), claims(nil))), "", "", 401, "invalid_token"},
		{"C1", "alg None", b(unsigned(hdr(func(m map[string]any) { m["alg"] = "None" }), claims(nil))), "", "", 401, "invalid_token"},
		{"C1", "alg NONE with a signature", b(unsigned(hdr(func(m map[string]any) { m["alg"] = "NONE" }), claims(nil)) + "c2ln"), "", "", 401, "invalid_token"},
		{"C1", "realm alg, empty signature", b(unsigned(hdr(nil), claims(nil))), "", "", 401, "invalid_token"},
		{"C2", "HS256 keyed with the PEM public key", b(hs(pemKey)), "", "", 401, "invalid_token"},
		{"C2", "HS256 keyed with the JWKS", b(hs(jwksDoc)), "", "", 401, "invalid_token"},
		{"C3", "header alg differs from the key's", b(forge(func(m map[string]any) { m["alg"] = otherAlg }, nil)), "", "", 401, "invalid_token"},
		{"C3", "RS384 header", b(forge(func(m map[string]any) { m["alg"] = "RS384" }, nil)), "", "", 401, "invalid_token"},
		{"C3", "PS256 header", b(forge(func(m map[string]any) { m["alg"] = "PS256" }, nil)), "", "", 401, "invalid_token"},
		{"C4", "ES256 r=s=0", b(psychic(make([]byte, 64))), "", "", 401, "invalid_token"},
		{"C4", "ES256 r=s=n", b(psychic(append(append([]byte{}, n...), n...))), "", "", 401, "invalid_token"},
		{"C5", "unknown kid", b(forge(func(m map[string]any) { m["kid"] = "nope" }, nil)), "", "", 401, "invalid_token"},
		{"C5", "missing kid", b(forge(func(m map[string]any) { delete(m, "kid") }, nil)), "", "", 401, "invalid_token"},
		{"C5", "kid path traversal", b(forge(func(m map[string]any) { m["kid"] = "../../dev/null" }, nil)), "", "", 401, "invalid_token"},
		{"C5", "kid SQL", b(forge(func(m map[string]any) { m["kid"] = "' OR 1=1--" }, nil)), "", "", 401, "invalid_token"},
		{"C5", "kid 10 KB", b(forge(func(m map[string]any) { m["kid"] = strings.Repeat("k", 10<<10) }, nil)), "", "", 401, "invalid_token"},
		{"C6", "jku/x5u/jwk/x5c with the attacker's kid", b(jws(t, atkKey, atkHeader("attacker"), claims(nil))), "", "", 401, "invalid_token"},
		{"C6", "jku/x5u/jwk/x5c with the realm's kid", b(jws(t, atkKey, atkHeader(sk.ID), claims(nil))), "", "", 401, "invalid_token"},
		{"C7", "expired beyond the leeway", b(forge(nil, func(m map[string]any) { m["exp"] = now - 61; m["iat"] = now - 400 })), "", "", 401, "invalid_token"},
		{"C7", "exp missing", b(forge(nil, func(m map[string]any) { delete(m, "exp") })), "", "", 401, "invalid_token"},
		{"C7", "exp as a string", b(forge(nil, func(m map[string]any) { m["exp"] = "9999999999" })), "", "", 401, "invalid_token"},
		{"C7", "exp as a float", b(forge(nil, func(m map[string]any) { m["exp"] = float64(now) + 300.5 })), "", "", 401, "invalid_token"},
		{"C8", "nbf in the future", b(forge(nil, func(m map[string]any) { m["nbf"] = now + 120 })), "", "", 401, "invalid_token"},
		{"C8", "iat in the future", b(forge(nil, func(m map[string]any) { m["iat"] = now + 120 })), "", "", 401, "invalid_token"},
		{"C9", "iss with a trailing slash", b(forge(nil, func(m map[string]any) { m["iss"] = iss + "/" })), "", "", 401, "invalid_token"},
		{"C9", "iss https instead of http", b(forge(nil, func(m map[string]any) { m["iss"] = "https" + strings.TrimPrefix(iss, "http") })), "", "", 401, "invalid_token"},
		{"C9", "iss of another realm", b(forge(nil, func(m map[string]any) { m["iss"] = in.Issuer(admOtherRealm) })), "", "", 401, "invalid_token"},
		{"C10", "another realm's key, our iss, its kid", b(otherTok), "", "", 401, "invalid_token"},
		{"C10", "another realm's key, our iss, our kid", b(jws(t, osk, hdr(func(m map[string]any) { m["alg"] = osk.Alg }), claims(nil))), "", "", 401, "invalid_token"},
		{"C11", "aud of another API", b(forge(nil, func(m map[string]any) { m["aud"] = "web-modeler-public-api" })), "", "", 401, "invalid_token"},
		{"C11", "aud array without us", b(forge(nil, func(m map[string]any) { m["aud"] = []string{"operate-api", "zeebe-api"} })), "", "", 401, "invalid_token"},
		{"C11", "aud []", b(forge(nil, func(m map[string]any) { m["aud"] = []string{} })), "", "", 401, "invalid_token"},
		{"C11", `aud ""`, b(forge(nil, func(m map[string]any) { m["aud"] = "" })), "", "", 401, "invalid_token"},
		{"C11", "aud missing", b(forge(nil, func(m map[string]any) { delete(m, "aud") })), "", "", 401, "invalid_token"},
		{"C12", "header typ missing", b(forge(func(m map[string]any) { delete(m, "typ") }, nil)), "", "", 401, "invalid_token"},
		{"C12", "header typ JOSE", b(forge(func(m map[string]any) { m["typ"] = "JOSE" }, nil)), "", "", 401, "invalid_token"},
		{"C12", "ID-token shaped (payload typ ID)", b(forge(nil, func(m map[string]any) { m["typ"] = "ID" })), "", "", 401, "invalid_token"},
		{"C12", "payload typ missing", b(forge(nil, func(m map[string]any) { delete(m, "typ") })), "", "", 401, "invalid_token"},
		{"C12", "crit with an unknown header", b(forge(func(m map[string]any) { m["crit"] = []string{"x-gh"}; m["x-gh"] = 1 }, nil)), "", "", 401, "invalid_token"},
		{"C13", "no console-api permission", b(forge(nil, func(m map[string]any) { m["permissions"] = map[string][]string{"console-api": {"other"}} })), "", "", 403, "insufficient_scope"},
		{"C13", "permission on another API only", b(forge(nil, func(m map[string]any) {
			m["permissions"] = map[string][]string{"web-modeler-public-api": {"read:*"}}
		})), "", "", 403, "insufficient_scope"},
		{"C14", "no Authorization header", nil, "", "", 401, ""},
		{"C14", "another scheme (Basic)", []string{"Basic YTpi"}, "", "", 401, ""},
		{"C15", "lowercase scheme, extra spaces", []string{"bearer    " + good + "  "}, "", "", 200, ""},
		{"C15", "BEARER", []string{"BEARER " + good}, "", "", 200, ""},
		{"C15", "junk after the token", []string{"Bearer " + good + " junk"}, "", "", 400, "invalid_request"},
		{"C15", "scheme without token", []string{"Bearer "}, "", "", 400, "invalid_request"},
		{"C16", "two Authorization headers", []string{"Bearer " + good, "Bearer " + good}, "", "", 400, "invalid_request"},
		{"C16", "header and query", b(good), "/admin-api/clusters?access_token=" + good, "", 400, "invalid_request"},
		{"C16", "header and form body", b(good), "", "access_token=" + good, 400, "invalid_request"},
		{"C17", "token only in the query", nil, "/admin-api/clusters?access_token=" + good, "", 401, ""},
		{"C17", "token only in a form body", nil, "", "access_token=" + good, 401, ""},
		{"C18", "payload edited, signature kept", b(tamperedPayload), "", "", 401, "invalid_token"},
		{"C18", "signature bit flipped", b(bitflip), "", "", 401, "invalid_token"},
		{"C18", "header swapped from another token", b(swapped), "", "", 401, "invalid_token"},
		{"C19", "Bearer + 1 MB of dots", []string{"Bearer " + strings.Repeat(".", 1<<20)}, "", "", 431, "-"},
		{"C19", "Bearer + 9 KB of dots", []string{"Bearer " + strings.Repeat(".", 9<<10)}, "", "", 401, "invalid_token"},
		{"C19", "5-segment JWE", b(parts[0] + ".e30.aXY.Y3Q.dGFn"), "", "", 401, "invalid_token"},
		{"C19", "JSON-serialized JWS", []string{`Bearer {"payload":"` + parts[1] + `","signatures":[{"protected":"` + parts[0] + `","signature":"` + parts[2] + `"}]}`}, "", "", 400, "invalid_request"},
		{"C21", "usage of another realm's cluster", b(good), "/admin-api/usage-metrics?id=" + foreign.ID + "&start=0&end=1", "", 404, ""},
		{"C21", "token of another realm", b(jws(t, osk, mustJSON(map[string]any{"alg": osk.Alg, "typ": "JWT", "kid": osk.ID}),
			claims(func(m map[string]any) { m["iss"] = in.Issuer(admOtherRealm) }))), "", "", 401, "invalid_token"},
		{"C22", "sub of no application (crafted)", b(forge(nil, func(m map[string]any) { m["sub"] = "service-account-admin"; m["iat"] = now - 30 })), "", "", 401, "invalid_token"},
		{"C22", "sub of another realm's application", b(forge(nil, func(m map[string]any) { m["sub"] = identity.NewID(); m["iat"] = now - 30 })), "", "", 401, "invalid_token"},
		{"C23", "duplicate aud claim", b(jws(t, sk, hdr(nil), strings.Replace(claims(nil), `"aud":"console-api"`, `"aud":"x","aud":"console-api"`, 1))), "", "", 401, "invalid_token"},
		{"C23", "duplicate header member", b(jws(t, sk, strings.Replace(hdr(nil), `"kid"`, `"kid":"x","kid"`, 1), claims(nil))), "", "", 401, "invalid_token"},
	}
	for _, tc := range cases {
		t.Run(tc.id+"/"+tc.name, func(t *testing.T) {
			path := tc.path
			if path == "" {
				path = "/admin-api/clusters"
			}
			var req *http.Request
			if tc.form != "" {
				req, _ = http.NewRequest(http.MethodGet, in.URL(server.ConsoleListener)+path, strings.NewReader(tc.form))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			} else {
				req, _ = http.NewRequest(http.MethodGet, in.URL(server.ConsoleListener)+path, nil)
			}
			for _, a := range tc.authz {
				req.Header.Add("Authorization", a)
			}
			req, resp, body := admDo(t, req)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s (WWW-Authenticate %q)", resp.StatusCode, tc.status, body, resp.Header.Get("WWW-Authenticate"))
			}
			wa := resp.Header.Values("WWW-Authenticate")
			switch {
			case tc.code == "-": // refused by the HTTP server before any handler
			case tc.status == 200 || tc.status == 404:
				if len(wa) != 0 {
					t.Fatalf("WWW-Authenticate on success: %q", wa)
				}
				admValidate(t, req, resp, body)
			case tc.code == "":
				if len(wa) != 1 || wa[0] != `Bearer realm="camunda-platform"` {
					t.Fatalf("WWW-Authenticate = %q, want a bare challenge", wa)
				}
			default:
				prefix := `Bearer realm="camunda-platform", error="` + tc.code + `", error_description="`
				if len(wa) != 1 || !strings.HasPrefix(wa[0], prefix) {
					t.Fatalf("WWW-Authenticate = %q, want prefix %q", wa, prefix)
				}
				if tc.code == "insufficient_scope" && !strings.HasSuffix(wa[0], `scope="read:* write:*"`) {
					t.Fatalf("WWW-Authenticate = %q, want scope", wa[0])
				}
			}
			if tc.status != 200 && tc.code != "-" {
				if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
					t.Fatalf("Content-Type %q", ct)
				}
				if tc.status != 404 {
					admValidate(t, req, resp, body)
				}
			}
			// Never echo a token (nor any part of the header) back.
			for _, a := range tc.authz {
				tok := strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(a, "Bearer"), "bearer"))
				if len(tok) > 20 && containsAny(string(body)+strings.Join(wa, ""), tok, tok[:20]) {
					t.Fatal("the answer echoes the token")
				}
			}
		})
	}
	if n := fetched.Load(); n != 0 {
		t.Fatalf("C6: the server fetched attacker-named key material %d times", n)
	}
	if strings.Contains(in.Log.String(), good) {
		t.Fatal("a token reached the log")
	}
}

// TestAdminTokenExpiry: a token works until exp + the 60 s skew, then not, with an
// injected clock (C7, C24: the clock jumps forward past expiry).
func TestAdminTokenExpiry(t *testing.T) {
	clk := newAdmClock()
	in := startAdmin(t, accesstoken.ES256, clk, nil)
	tok := in.Token(t, realm, admReader, admReaderSecret, "")
	steps := []struct {
		advance time.Duration
		status  int
	}{
		{0, 200}, {299 * time.Second, 200}, {time.Second, 200}, {60 * time.Second, 200}, {time.Second, 401}, {time.Hour, 401},
	}
	for _, s := range steps {
		clk.Add(s.advance)
		_, resp, body := admGet(t, in, "/admin-api/clusters", "Bearer "+tok)
		if resp.StatusCode != s.status {
			t.Fatalf("at +%s: %d %s", clk.Now().Sub(time.Unix(int64(decodeExp(t, tok)), 0)), resp.StatusCode, body)
		}
		if s.status == 401 && !strings.Contains(resp.Header.Get("WWW-Authenticate"), `error="invalid_token"`) {
			t.Fatalf("WWW-Authenticate %q", resp.Header.Get("WWW-Authenticate"))
		}
	}
}

func decodeExp(t *testing.T, tok string) float64 {
	exp, _ := decodeClaims(t, tok)["exp"].(float64)
	return exp
}

// TestAdminDenyList: tokens of a disabled or deleted application, or with a revoked
// jti, are refused once the deny-list refreshes (driven here; every second in a
// running server).
func TestAdminDenyList(t *testing.T) {
	ctx := context.Background()
	clk := newAdmClock()
	in := startAdmin(t, accesstoken.ES256, clk, func(c *config.Config) {
		for _, id := range []string{"to-disable", "to-delete", "to-revoke"} {
			c.Clients = append(c.Clients, config.Client{Realm: realm, Name: id, ID: id, Secret: id + "-secret-123", Type: "M2M",
				Permissions: []config.Permission{{ResourceServerID: "console-api", Definition: "read:*"}}})
		}
	})
	st := in.Store()
	toks := map[string]string{}
	for _, id := range []string{"to-disable", "to-delete", "to-revoke", admReader} {
		secret := id + "-secret-123"
		if id == admReader {
			secret = admReaderSecret
		}
		toks[id] = in.Token(t, realm, id, secret, "")
		if _, resp, _ := admGet(t, in, "/admin-api/clusters", "Bearer "+toks[id]); resp.StatusCode != 200 {
			t.Fatalf("%s before: %d", id, resp.StatusCode)
		}
	}
	app := func(id string) store.Application {
		a, err := st.GetAppByClientID(ctx, realm, id)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	clk.Add(time.Second) // changes happen after issuance
	if _, err := st.UpdateApp(ctx, realm, app("to-disable").ID, func(a store.Application) (store.Application, error) {
		a.Enabled = false
		return a, nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := st.DeleteApp(ctx, realm, app("to-delete").ID); err != nil {
		t.Fatal(err)
	}
	jti, _ := decodeClaims(t, toks["to-revoke"])["jti"].(string)
	if err := st.AddRevocation(ctx, store.Revocation{JTI: jti, Realm: realm, AppID: app("to-revoke").ID,
		ExpiresAt: clk.Now().Add(time.Hour), CreatedAt: clk.Now()}); err != nil {
		t.Fatal(err)
	}
	if err := in.RefreshDenyList(ctx); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"to-disable", "to-delete", "to-revoke"} {
		_, resp, body := admGet(t, in, "/admin-api/clusters", "Bearer "+toks[id])
		if resp.StatusCode != 401 || !strings.Contains(resp.Header.Get("WWW-Authenticate"), `error="invalid_token"`) {
			t.Fatalf("%s after: %d %s", id, resp.StatusCode, body)
		}
	}
	if _, resp, _ := admGet(t, in, "/admin-api/clusters", "Bearer "+toks[admReader]); resp.StatusCode != 200 {
		t.Fatalf("untouched app refused: %d", resp.StatusCode)
	}
}

// TestAdminDenyListLive: without driving the refresh, the running server's loop refuses
// a disabled application's token within 5 s (checklist C20, §5.5).
func TestAdminDenyListLive(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: waits for the one-second refresh loop (TestAdminDenyList drives the refresh)")
	}
	ctx := context.Background()
	in := startAdmin(t, accesstoken.ES256, newAdmClockReal(), nil)
	tok := in.Token(t, realm, admReader, admReaderSecret, "")
	if _, resp, _ := admGet(t, in, "/admin-api/clusters", "Bearer "+tok); resp.StatusCode != 200 {
		t.Fatalf("before: %d", resp.StatusCode)
	}
	a, _ := in.Store().GetAppByClientID(ctx, realm, admReader)
	if _, err := in.Store().UpdateApp(ctx, realm, a.ID, func(a store.Application) (store.Application, error) {
		a.Enabled = false
		return a, nil
	}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	for {
		_, resp, _ := admGet(t, in, "/admin-api/clusters", "Bearer "+tok)
		if resp.StatusCode == 401 {
			t.Logf("refused %s after the change", time.Since(start).Round(time.Millisecond))
			return
		}
		if time.Since(start) > 5*time.Second {
			t.Fatal("disabled application's token still accepted after 5 s")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// newAdmClockReal follows the wall clock (for tests of the background loops).
func newAdmClockReal() *admClock { return nil }
