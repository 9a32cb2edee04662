package bearer

import (
	"net/http"
	"net/http/httptest"
	"regexp"
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
			// Descriptions are fixed texts: nothing of the request can reach them.
			// (A substring test would fail when the header happens to be a piece of a
			// fixed text, as "0000000earer " is.)
			switch e.desc {
			case descAbsent, descManyHeaders, descManyMethods, descEmpty, descSyntax, descTooLarge, descUnreadableFrm:
			default:
				t.Fatalf("description %q is not one of the fixed texts", e.desc)
			}
		default:
			t.Fatalf("unknown outcome %d", e.outcome)
		}
	})
}

var fixedReason = regexp.MustCompile(`^The access token is invalid: [a-z ]{1,40}\.$`)

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
			// A fixed text, or the verifier's reason, which is a literal of a few
			// lowercase words: nothing of the token can reach it.
			if desc != descInvalid && desc != descRevoked && !fixedReason.MatchString(desc) {
				t.Fatalf("bad refusal description %q", desc)
			}
			return
		}
		if c.Issuer != testIssuer || !c.Audience.Contains(testAPI) || c.Type != "Bearer" || c.ID == "denied" {
			t.Fatalf("accepted claims %+v", c)
		}
	})
}
