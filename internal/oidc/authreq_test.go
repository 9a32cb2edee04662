package oidc

import (
	"net/url"
	"strings"
	"testing"
)

const challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"

func TestParseAuthorize(t *testing.T) {
	base := func(kv ...string) url.Values {
		v := url.Values{"client_id": {"app"}, "redirect_uri": {"https://a.example/cb"}, "response_type": {"code"}, "state": {"s"}}
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] == "" {
				v.Del(kv[i])
			} else {
				v[kv[i]] = append(v[kv[i]][:0:0], kv[i+1])
			}
		}
		return v
	}
	for _, tc := range []struct {
		name     string
		v        url.Values
		wantCode string
		wantPage bool
	}{
		{"minimal", base(), "", false},
		{"S256", base("code_challenge", challenge, "code_challenge_method", "S256"), "", false},
		{"no client", base("client_id", ""), "invalid_request", true},
		{"two clients", url.Values{"client_id": {"a", "b"}, "redirect_uri": {"https://a/cb"}}, "invalid_request", true},
		{"no redirect", base("redirect_uri", ""), "invalid_request", true},
		{"control char", base("state", "a\x00b"), "invalid_request", true},
		{"bad utf8", base("nonce", "\xff"), "invalid_request", true},
		{"huge", base("state", strings.Repeat("a", 3000)), "invalid_request", true},
		{"token", base("response_type", "token"), "unsupported_response_type", false},
		{"id_token", base("response_type", "id_token"), "unsupported_response_type", false},
		{"no response_type", base("response_type", ""), "invalid_request", false},
		{"plain", base("code_challenge", challenge, "code_challenge_method", "plain"), "invalid_request", false},
		{"default method", base("code_challenge", challenge), "invalid_request", false},
		{"method only", base("code_challenge_method", "S256"), "invalid_request", false},
		{"short challenge", base("code_challenge", "abc", "code_challenge_method", "S256"), "invalid_request", false},
		{"prompt none", base("prompt", "none"), "", false},
		{"prompt login consent", base("prompt", "login consent"), "", false},
		{"prompt none login", base("prompt", "none login"), "invalid_request", false},
		{"prompt unknown", base("prompt", "create"), "invalid_request", false},
		{"max_age", base("max_age", "300"), "", false},
		{"max_age negative", base("max_age", "-1"), "invalid_request", false},
		{"max_age plus", base("max_age", "+5"), "invalid_request", false},
		{"response_mode", base("response_mode", "form_post"), "", false},
		{"bad response_mode", base("response_mode", "jwt"), "invalid_request", false},
		{"request object", base("request", "x"), "request_not_supported", false},
		{"repeated scope", func() url.Values { v := base(); v["scope"] = []string{"a", "b"}; return v }(), "invalid_request", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := ParseAuthorize(tc.v)
			if tc.wantCode == "" {
				if err != nil {
					t.Fatalf("refused: %+v", err)
				}
				if req.State != tc.v.Get("state") {
					t.Errorf("state = %q", req.State)
				}
				return
			}
			if err == nil || err.Code != tc.wantCode || err.Page != tc.wantPage {
				t.Fatalf("got %+v, want %s page=%v", err, tc.wantCode, tc.wantPage)
			}
		})
	}
	// Round trip through the login form keeps every parameter.
	in := base("scope", "openid profile", "nonce", "n", "code_challenge", challenge, "code_challenge_method", "S256",
		"prompt", "login", "max_age", "0", "login_hint", "x@y", "response_mode", "fragment")
	req, err := ParseAuthorize(in)
	if err != nil {
		t.Fatal(err)
	}
	back, _ := url.ParseQuery(req.Encode())
	again, err := ParseAuthorize(back)
	if err != nil || again.Encode() != req.Encode() || again.MaxAge != 0 || again.ResponseMode != ModeFragment {
		t.Errorf("round trip: %+v %v", again, err)
	}
}

// FuzzParseAuthorize: any query parses or is refused without panicking; an accepted
// request has a client, a redirect URI, response_type code and S256 PKCE if any, and
// survives the login form's round trip unchanged.
func FuzzParseAuthorize(f *testing.F) {
	for _, s := range []string{
		"client_id=a&redirect_uri=https%3A%2F%2Fa%2Fcb&response_type=code&state=s",
		"client_id=a&redirect_uri=x&response_type=token",
		"client_id=a&redirect_uri=x&response_type=code&code_challenge=" + challenge + "&code_challenge_method=S256",
		"client_id=a&redirect_uri=x&response_type=code&prompt=none+login&max_age=1",
		"client_id=a&client_id=b", "redirect_uri=%00",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		v, err := url.ParseQuery(q)
		if err != nil {
			return
		}
		req, perr := ParseAuthorize(v)
		if perr != nil {
			if perr.Code == "" || perr.Description == "" {
				t.Fatalf("empty error for %q", q)
			}
			return
		}
		if req.ClientID == "" || req.RedirectURI == "" || req.ResponseType != "code" ||
			(req.CodeChallenge != "" && req.CodeChallengeMethod != "S256") {
			t.Fatalf("accepted %q as %+v", q, req)
		}
		back, err := url.ParseQuery(req.Encode())
		if err != nil {
			t.Fatal(err)
		}
		again, perr := ParseAuthorize(back)
		if perr != nil || again.Encode() != req.Encode() {
			t.Fatalf("round trip of %q: %+v %v", q, again, perr)
		}
	})
}
