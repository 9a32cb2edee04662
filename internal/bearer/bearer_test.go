package bearer

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse/gatehouse/internal/accesstoken"
)

func TestParseAuthorization(t *testing.T) {
	long := "Bearer " + strings.Repeat("a", accesstoken.MaxTokenSize+1)
	dots := "Bearer " + strings.Repeat(".", 1<<20)
	tests := []struct {
		name    string
		values  []string
		want    outcome
		wantTok string
	}{
		{"none", nil, absent, ""},
		{"bearer", []string{"Bearer abc.def.ghi"}, found, "abc.def.ghi"},
		{"lowercase scheme", []string{"bearer abc.def.ghi"}, found, "abc.def.ghi"},
		{"uppercase scheme", []string{"BEARER abc.def.ghi"}, found, "abc.def.ghi"},
		{"extra spaces", []string{"  Bearer    abc.def.ghi  "}, found, "abc.def.ghi"},
		{"padding", []string{"Bearer abc=="}, found, "abc=="},
		{"two headers", []string{"Bearer a", "Bearer b"}, invalidRequest, ""},
		{"basic scheme", []string{"Basic dXNlcjpwYXNz"}, absent, ""},
		{"empty value", []string{""}, absent, ""},
		{"scheme only", []string{"Bearer"}, invalidRequest, ""},
		{"scheme and spaces", []string{"Bearer    "}, invalidRequest, ""},
		{"two tokens", []string{"Bearer abc def"}, invalidRequest, ""},
		{"comma junk", []string{"Bearer abc, error=x"}, invalidRequest, ""},
		{"quoted", []string{`Bearer "abc"`}, invalidRequest, ""},
		{"json serialization", []string{`Bearer {"payload":"x","signatures":[]}`}, invalidRequest, ""},
		{"tab separator", []string{"Bearer\tabc"}, absent, ""},
		{"padding in middle", []string{"Bearer ab=c"}, invalidRequest, ""},
		{"nul byte", []string{"Bearer ab\x00c"}, invalidRequest, ""},
		{"too long", []string{long}, invalidToken, ""},
		{"megabyte of dots", []string{dots}, invalidToken, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := parseAuthorization(tt.values)
			if got.outcome != tt.want || got.token != tt.wantTok {
				t.Fatalf("got outcome %d token %q, want %d %q", got.outcome, got.token, tt.want, tt.wantTok)
			}
			if got.outcome != found && got.desc == "" {
				t.Fatal("refusal without description")
			}
		})
	}
}

func TestExtractQueryAndForm(t *testing.T) {
	tests := []struct {
		name   string
		target string
		header string
		ctype  string
		body   string
		want   outcome
	}{
		{"query only", "/x?access_token=abc", "", "", "", absent},
		{"form only", "/x", "", "application/x-www-form-urlencoded", "access_token=abc", absent},
		{"header and query", "/x?access_token=abc", "Bearer abc", "", "", invalidRequest},
		{"header and escaped query", "/x?access%5Ftoken=abc", "Bearer abc", "", "", invalidRequest},
		{"header and form", "/x", "Bearer abc", "application/x-www-form-urlencoded; charset=utf-8", "a=1&access_token=abc", invalidRequest},
		{"header and other query", "/x?id=access_tokens", "Bearer abc", "", "", found},
		{"header and json body", "/x", "Bearer abc", "application/json", `{"access_token":"abc"}`, found},
		{"header and other form", "/x", "Bearer abc", "application/x-www-form-urlencoded", "a=access_token", found},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body io.Reader
			if tt.body != "" {
				body = strings.NewReader(tt.body)
			}
			r := httptest.NewRequest(http.MethodPost, tt.target, body)
			if tt.header != "" {
				r.Header.Set("Authorization", tt.header)
			}
			if tt.ctype != "" {
				r.Header.Set("Content-Type", tt.ctype)
			}
			if got := extract(r); got.outcome != tt.want {
				t.Fatalf("outcome %d, want %d (%s)", got.outcome, tt.want, got.desc)
			}
			if tt.body != "" {
				rest, _ := io.ReadAll(r.Body)
				if string(rest) != tt.body {
					t.Fatalf("body after extraction = %q, want %q", rest, tt.body)
				}
			}
		})
	}
}

func okHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, ok := ClaimsFrom(r.Context())
		if ok {
			w.Write([]byte(c.ClientID))
			return
		}
		w.Write([]byte("anonymous"))
	})
}

func serve(a *Authenticator, h http.Handler, authz string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodGet, "/admin-api/clusters", nil)
	if authz != "" {
		r.Header.Set("Authorization", authz)
	}
	w := httptest.NewRecorder()
	a.Middleware(h).ServeHTTP(w, r)
	return w
}

func TestMiddleware(t *testing.T) {
	f := newFixture(t)
	good := f.mint(t, f.claims())
	other := f.claims()
	other.Audience = accesstoken.Audience{"web-modeler-public-api"}
	wrongAud := f.mint(t, other)
	a := New(Config{Realm: "camunda-platform", Audiences: []string{testAPI, "api.cloud.camunda.io"}, Verifier: f.v})
	h := a.Require(testAPI, "read:*", "write:*")(okHandler())

	tests := []struct {
		name      string
		authz     string
		status    int
		challenge string
	}{
		{"no token", "", 401, `Bearer realm="camunda-platform"`},
		{"valid", "Bearer " + good, 200, ""},
		{"lowercase scheme", "bearer " + good, 200, ""},
		{"garbage", "Bearer abc", 401, `Bearer realm="camunda-platform", error="invalid_token", error_description="The access token is invalid: malformed token."`},
		{"wrong audience", "Bearer " + wrongAud, 401, `Bearer realm="camunda-platform", error="invalid_token", error_description="The access token is invalid: wrong audience."`},
		{"malformed header", "Bearer a b", 400, `Bearer realm="camunda-platform", error="invalid_request", error_description="` + descSyntax + `"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := serve(a, h, tt.authz)
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tt.status, w.Body)
			}
			if got := w.Header().Get("WWW-Authenticate"); got != tt.challenge {
				t.Fatalf("WWW-Authenticate = %q, want %q", got, tt.challenge)
			}
			if tt.status != 200 {
				if ct := w.Header().Get("Content-Type"); ct != "application/problem+json" {
					t.Fatalf("Content-Type %q", ct)
				}
				if strings.Contains(w.Body.String(), good) {
					t.Fatal("body echoes the token")
				}
			}
		})
	}
}

func TestRequireAndForbid(t *testing.T) {
	f := newFixture(t)
	c := f.claims()
	c.Permissions = map[string][]string{testAPI: {"other"}, "web-modeler-public-api": {"read:*"}}
	tok := f.mint(t, c)
	a := New(Config{Realm: "r", Audiences: []string{testAPI}, Verifier: f.v})
	w := serve(a, a.Require(testAPI, "read:*", "write:*")(okHandler()), "Bearer "+tok)
	if w.Code != 403 {
		t.Fatalf("status %d", w.Code)
	}
	want := `Bearer realm="r", error="insufficient_scope", error_description="` + descInsufficient + `", scope="read:* write:*"`
	if got := w.Header().Get("WWW-Authenticate"); got != want {
		t.Fatalf("WWW-Authenticate = %q", got)
	}
	var p struct {
		Status int    `json:"status"`
		Detail string `json:"detail"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil || p.Status != 403 {
		t.Fatalf("body %s: %v", w.Body, err)
	}
	// Require without Middleware: no claims → 401.
	r := httptest.NewRequest("GET", "/", nil)
	w = httptest.NewRecorder()
	a.Require(testAPI, "read:*")(okHandler()).ServeHTTP(w, r)
	if w.Code != 401 {
		t.Fatalf("require without claims: %d", w.Code)
	}
}

func TestDisabled(t *testing.T) {
	a := New(Config{Realm: "r", Disabled: true})
	h := a.Require(testAPI, "read:*")(okHandler())
	for _, authz := range []string{"", "Bearer garbage", "Basic x"} {
		w := serve(a, h, authz)
		if w.Code != 200 || w.Body.String() != "anonymous" {
			t.Fatalf("%q: %d %s", authz, w.Code, w.Body)
		}
	}
}

func TestOnError(t *testing.T) {
	var gotStatus int
	var gotCode string
	a := New(Config{Realm: "r", Verifier: newFixture(t).v, OnError: func(w http.ResponseWriter, r *http.Request, status int, code, desc string) {
		gotStatus, gotCode = status, code
		if w.Header().Get("WWW-Authenticate") == "" {
			t.Error("OnError called before WWW-Authenticate was set")
		}
		w.WriteHeader(status)
		w.Write([]byte(`{"message":"` + desc + `"}`))
	}})
	w := serve(a, okHandler(), "Bearer x.y.z")
	if w.Code != 401 || gotStatus != 401 || gotCode != "invalid_token" || !strings.HasPrefix(w.Body.String(), `{"message":`) {
		t.Fatalf("%d %d %q %s", w.Code, gotStatus, gotCode, w.Body)
	}
}

func TestCache(t *testing.T) {
	f := newFixture(t)
	cv := &countingVerifier{Verifier: f.v}
	deny := &denySet{ids: map[string]bool{}}
	a := New(Config{Realm: "r", Audiences: []string{testAPI}, Verifier: cv, Deny: deny, Now: f.clock.Now})
	tok := f.mint(t, f.claims())
	for range 5 {
		if w := serve(a, okHandler(), "Bearer "+tok); w.Code != 200 {
			t.Fatalf("status %d", w.Code)
		}
	}
	if n := cv.n.Load(); n != 1 {
		t.Fatalf("verified %d times, want 1 (cache)", n)
	}

	t.Run("deny-list applies to hits", func(t *testing.T) {
		deny.add("jti-1")
		defer func() { deny.mu.Lock(); delete(deny.ids, "jti-1"); deny.mu.Unlock() }()
		w := serve(a, okHandler(), "Bearer "+tok)
		if w.Code != 401 || !strings.Contains(w.Header().Get("WWW-Authenticate"), `error="invalid_token"`) {
			t.Fatalf("denied token: %d %q", w.Code, w.Header().Get("WWW-Authenticate"))
		}
		if n := cv.n.Load(); n != 1 {
			t.Fatalf("deny-list check re-verified the token")
		}
	})

	t.Run("entry dies at exp, then leeway, then refusal", func(t *testing.T) {
		f.clock.Add(300 * time.Second) // now == exp
		if w := serve(a, okHandler(), "Bearer "+tok); w.Code != 200 {
			t.Fatalf("within leeway: %d", w.Code)
		}
		if n := cv.n.Load(); n != 2 {
			t.Fatalf("expired entry was served from the cache (verifications %d)", n)
		}
		f.clock.Add(61 * time.Second)
		w := serve(a, okHandler(), "Bearer "+tok)
		if w.Code != 401 || !strings.Contains(w.Header().Get("WWW-Authenticate"), "token expired") {
			t.Fatalf("past exp+leeway: %d %q", w.Code, w.Header().Get("WWW-Authenticate"))
		}
	})
}

func TestCacheKeyWithdrawn(t *testing.T) {
	f := newFixture(t)
	a := New(Config{Realm: "r", Audiences: []string{testAPI}, Verifier: f.v})
	tok := f.mint(t, f.claims())
	if w := serve(a, okHandler(), "Bearer "+tok); w.Code != 200 {
		t.Fatalf("status %d", w.Code)
	}
	f.keys.remove("k1")
	if w := serve(a, okHandler(), "Bearer "+tok); w.Code != 401 {
		t.Fatalf("token of a withdrawn key served from cache: %d", w.Code)
	}
}

func TestCacheBounded(t *testing.T) {
	c := newCache(64)
	for i := range 1000 {
		c.put(digest(strings.Repeat("x", i)), entry{exp: 100}, 0)
	}
	if n := c.len(); n > 64 {
		t.Fatalf("cache holds %d entries, bound 64", n)
	}
	if _, ok := c.get(digest("nope"), 0); ok {
		t.Fatal("hit for an unknown token")
	}
}

func TestQuote(t *testing.T) {
	a := New(Config{Realm: `a"b\c`, Verifier: newFixture(t).v})
	w := serve(a, okHandler(), "")
	if got := w.Header().Get("WWW-Authenticate"); got != `Bearer realm="a\"b\\c"` {
		t.Fatalf("%q", got)
	}
}

func BenchmarkMiddleware(b *testing.B) {
	f := newFixture(b)
	f.v.Now = nil // real clock
	c := f.claims()
	c.ExpiresAt = accesstoken.NumericDate(time.Now().Add(time.Hour).Unix())
	c.IssuedAt = accesstoken.NumericDate(time.Now().Unix())
	tok := f.mint(b, c)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	run := func(b *testing.B, a *Authenticator) {
		mw := a.Middleware(a.Require(testAPI, "read:*", "write:*")(h))
		r := httptest.NewRequest(http.MethodGet, "/admin-api/clusters", nil)
		r.Header.Set("Authorization", "Bearer "+tok)
		w := httptest.NewRecorder()
		b.ReportAllocs()
		for b.Loop() {
			mw.ServeHTTP(w, r)
		}
		if w.Code != 200 {
			b.Fatalf("status %d", w.Code)
		}
	}
	b.Run("cached", func(b *testing.B) {
		run(b, New(Config{Realm: "r", Audiences: []string{testAPI}, Verifier: &accesstoken.Verifier{Issuer: testIssuer, Keys: f.keys, Leeway: time.Minute}}))
	})
	b.Run("uncached", func(b *testing.B) {
		run(b, New(Config{Realm: "r", Audiences: []string{testAPI}, CacheSize: -1, Verifier: &accesstoken.Verifier{Issuer: testIssuer, Keys: f.keys, Leeway: time.Minute}}))
	})
}

// An API's aliases change while the server runs: a token for a new alias works at
// once, and a token for a dropped alias stops working even though it was cached.
func TestSetAudiences(t *testing.T) {
	f := newFixture(t)
	cv := &countingVerifier{Verifier: f.v}
	a := New(Config{Realm: "r", Audiences: []string{testAPI, "old-alias"}, Verifier: cv, Now: f.clock.Now})
	mint := func(aud string) string {
		c := f.claims()
		c.Audience = accesstoken.Audience{aud}
		return f.mint(t, c)
	}
	oldTok, newTok := mint("old-alias"), mint("new-alias")
	status := func(tok string) int { return serve(a, okHandler(), "Bearer "+tok).Code }
	if got := status(oldTok); got != 200 {
		t.Fatalf("old alias before the change: %d", got)
	}
	if got := status(newTok); got != 401 {
		t.Fatalf("new alias before the change: %d", got)
	}

	a.SetAudiences([]string{"old-alias", testAPI}) // same set, other order: the cache stays
	before := cv.n.Load()
	if got := status(oldTok); got != 200 || cv.n.Load() != before {
		t.Fatalf("same audiences: status %d, verifications %d → %d", got, before, cv.n.Load())
	}

	a.SetAudiences([]string{testAPI, "new-alias"})
	if got := status(newTok); got != 200 {
		t.Fatalf("new alias after the change: %d", got)
	}
	if got := status(oldTok); got != 401 {
		t.Fatalf("dropped alias still accepted (from the cache?): %d", got)
	}
	if diff := cmp.Diff([]string{testAPI, "new-alias"}, *a.audiences.Load()); diff != "" {
		t.Fatalf("Audiences (-want +got):\n%s", diff)
	}
}
