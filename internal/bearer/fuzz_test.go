package bearer

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/accesstoken"
)

// FuzzExtract drives bearer extraction with arbitrary Authorization values and query
// strings. Seeds: testdata/fuzz/FuzzExtract plus the cases below.
func FuzzExtract(f *testing.F) {
	for _, s := range []struct{ h, q string }{
		{"Bearer abc.def.ghi", ""}, {"bearer  abc  ", ""}, {"Basic dXNlcjpwYXNz", ""},
		{"Bearer " + strings.Repeat(".", 9000), ""}, {"Bearer a b", ""}, {"Bearer abc", "access_token=abc"},
		{"", "access_token=abc"}, {"Bearer abc", "access%5Ftoken=x"}, {"Bearer ====", ""}, {"Bearer \x00", "%zz"},
	} {
		f.Add(s.h, s.q)
	}
	f.Fuzz(func(t *testing.T, header, query string) {
		r := httptest.NewRequest(http.MethodGet, "/x", nil)
		r.URL.RawQuery = query
		if header != "" {
			r.Header["Authorization"] = []string{header}
		}
		e := extract(r)
		switch e.outcome {
		case found:
			if !isB64Token(e.token) || len(e.token) > accesstoken.MaxTokenSize || !strings.Contains(header, e.token) {
				t.Fatalf("accepted token %q from %q", e.token, header)
			}
			if e.desc != "" {
				t.Fatal("description on success")
			}
		case absent, invalidRequest, invalidToken:
			if e.token != "" || e.desc == "" {
				t.Fatalf("refusal %d with token %q desc %q", e.outcome, e.token, e.desc)
			}
			if len(header) > 12 && strings.Contains(e.desc, header[7:]) {
				t.Fatal("description echoes the header")
			}
		default:
			t.Fatalf("unknown outcome %d", e.outcome)
		}
	})
}

// FuzzVerify feeds arbitrary tokens through the Authenticator (cache, verifier,
// deny-list). Only the tokens minted by the fixture may pass. Seeds:
// testdata/fuzz/FuzzVerify plus valid and near-valid tokens minted here.
func FuzzVerify(f *testing.F) {
	fx := newFixture(f)
	good := fx.mint(f, fx.claims())
	f.Add(good)
	f.Add(good[:len(good)-2])
	f.Add(strings.Replace(good, ".", "..", 1))
	f.Add("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJpc3MiOiJ4In0.")
	f.Add(strings.Repeat("a.", 10))
	a := New(Config{Realm: "r", Audiences: []string{testAPI}, Verifier: fx.v, Deny: &denySet{ids: map[string]bool{"denied": true}}, Now: fx.clock.Now})
	f.Fuzz(func(t *testing.T, tok string) {
		c, desc := a.Authenticate(tok)
		if c == nil {
			if desc == "" || (len(tok) > 16 && strings.Contains(desc, tok)) {
				t.Fatalf("bad refusal description %q", desc)
			}
			return
		}
		if c.Issuer != testIssuer || !c.Audience.Contains(testAPI) || c.Type != "Bearer" || c.ID == "denied" {
			t.Fatalf("accepted claims %+v", c)
		}
	})
}
