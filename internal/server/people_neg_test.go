package server_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/gatehouse/gatehouse/internal/server/servertest"
)

func authURL(in *servertest.Instance, over map[string]string) string {
	v := url.Values{"client_id": {webID}, "redirect_uri": {webCB}, "response_type": {"code"}, "scope": {"openid"}, "state": {"st"}}
	for k, x := range over {
		if x == "" {
			v.Del(k)
		} else {
			v.Set(k, x)
		}
	}
	return authBase(in) + "/auth?" + v.Encode()
}

// TestPeopleAuthorizeRefusals: scope 3's rules. Requests whose client or redirect URI
// cannot be trusted get an error page and never a redirect; the others go back with
// error, state and iss.
func TestPeopleAuthorizeRefusals(t *testing.T) {
	in := servertest.Start(t, servertest.Options{Config: people})
	challenge := oauth2.S256ChallengeFromVerifier(oauth2.GenerateVerifier())
	for _, tc := range []struct {
		name     string
		over     map[string]string
		wantPage bool   // an error page, no Location
		wantErr  string // else the error code sent back
	}{
		{"unknown client", map[string]string{"client_id": "nobody"}, true, ""},
		{"missing client", map[string]string{"client_id": ""}, true, ""},
		{"unregistered redirect", map[string]string{"redirect_uri": "https://evil.example/cb"}, true, ""},
		{"altered redirect path", map[string]string{"redirect_uri": webCB + "/x"}, true, ""},
		{"altered redirect query", map[string]string{"redirect_uri": webCB + "?next=https://evil.example"}, true, ""},
		{"redirect with fragment", map[string]string{"redirect_uri": webCB + "#x"}, true, ""},
		{"missing redirect", map[string]string{"redirect_uri": ""}, true, ""},
		{"implicit", map[string]string{"response_type": "token"}, false, "unsupported_response_type"},
		{"hybrid", map[string]string{"response_type": "code id_token"}, false, "unsupported_response_type"},
		{"missing response_type", map[string]string{"response_type": ""}, false, "invalid_request"},
		{"public client without PKCE", map[string]string{"client_id": spaID, "redirect_uri": spaCB}, false, "invalid_request"},
		{"plain PKCE", map[string]string{"code_challenge": challenge, "code_challenge_method": "plain"}, false, "invalid_request"},
		{"PKCE method defaulting to plain", map[string]string{"code_challenge": challenge}, false, "invalid_request"},
		{"short challenge", map[string]string{"code_challenge": "abc", "code_challenge_method": "S256"}, false, "invalid_request"},
		{"prompt none without session", map[string]string{"prompt": "none"}, false, "login_required"},
		{"prompt none with login", map[string]string{"prompt": "none login"}, false, "invalid_request"},
		{"bad max_age", map[string]string{"max_age": "-1"}, false, "invalid_request"},
		{"unknown scope", map[string]string{"scope": "openid admin"}, false, "invalid_scope"},
		{"request object", map[string]string{"request": "eyJ.x.y"}, false, "request_not_supported"},
		{"bad response_mode", map[string]string{"response_mode": "web_message"}, false, "invalid_request"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := newBrowser(t).get(authURL(in, tc.over))
			loc := resp.Header.Get("Location")
			if tc.wantPage {
				if resp.StatusCode != http.StatusBadRequest || loc != "" || !strings.Contains(body, "<h1") {
					t.Fatalf("got %d Location %q, want an error page", resp.StatusCode, loc)
				}
				return
			}
			u, err := url.Parse(loc)
			if resp.StatusCode != http.StatusSeeOther || err != nil {
				t.Fatalf("got %d %q, want a redirect", resp.StatusCode, loc)
			}
			q := u.Query()
			if q.Get("error") != tc.wantErr || q.Get("state") != "st" || q.Get("iss") != in.Issuer(realm) || q.Get("code") != "" {
				t.Errorf("redirect %s, want error %s with state and iss", loc, tc.wantErr)
			}
		})
	}
}

// TestPeopleEchoesAreEscaped: state is echoed byte for byte into the redirect, and
// whatever a request carries (state, login_hint) is escaped on pages.
func TestPeopleEchoesAreEscaped(t *testing.T) {
	in := servertest.Start(t, servertest.Options{Config: people})
	xss := `"><script>alert(1)</script><img src=x onerror=alert(2)>`
	resp, body := newBrowser(t).get(authURL(in, map[string]string{"state": xss, "login_hint": xss}))
	if resp.StatusCode != http.StatusOK || strings.Contains(body, "<script>alert") || strings.Contains(body, "<img src=x") {
		t.Fatalf("login page echoes markup: %d\n%s", resp.StatusCode, body)
	}
	if !strings.Contains(resp.Header.Get("Content-Security-Policy"), "script-src 'self'") {
		t.Errorf("CSP = %q", resp.Header.Get("Content-Security-Policy"))
	}
	resp, _ = newBrowser(t).get(authURL(in, map[string]string{"state": xss, "response_type": "token"}))
	u, _ := url.Parse(resp.Header.Get("Location"))
	if u == nil || u.Query().Get("state") != xss {
		t.Errorf("state not echoed exactly: %s", resp.Header.Get("Location"))
	}
	// An error page for a bad client echoes nothing from the request.
	_, body = newBrowser(t).get(authURL(in, map[string]string{"client_id": xss}))
	if strings.Contains(body, "<script>alert") || strings.Contains(body, "onerror=alert") {
		t.Errorf("error page echoes the client id")
	}
}

// TestPeopleLoginForm: CSRF, wrong credentials, disabled users and throttling.
func TestPeopleLoginForm(t *testing.T) {
	in := servertest.Start(t, servertest.Options{Config: people})
	base := strings.TrimSuffix(in.PublicURL(), "/")
	b := newBrowser(t)
	_, body := b.get(authURL(in, nil))
	action, form := loginForm(t, base, body)
	for _, name := range []string{`id="kc-login"`, `name="username"`, `name="password"`, `for="username"`, `autofocus`} {
		if !strings.Contains(body, name) {
			t.Errorf("login page lacks %s", name)
		}
	}
	post := func(b *browser, v url.Values, hdr ...string) (int, string) {
		resp, body := b.postForm(action, v, hdr...)
		return resp.StatusCode, body
	}
	good := func() url.Values {
		v := url.Values{}
		for k := range form {
			v.Set(k, form.Get(k))
		}
		v.Set("username", personName)
		v.Set("password", personPass)
		return v
	}
	// CSRF: another browser (no cookie), a missing token, a cross-site post.
	if st, _ := post(newBrowser(t), good()); st != http.StatusForbidden {
		t.Errorf("post without the CSRF cookie: %d", st)
	}
	v := good()
	v.Del("csrf")
	if st, _ := post(b, v); st != http.StatusForbidden {
		t.Errorf("post without the CSRF field: %d", st)
	}
	if st, _ := post(b, good(), "Sec-Fetch-Site", "cross-site"); st != http.StatusForbidden {
		t.Errorf("cross-site post: %d", st)
	}
	// Wrong password and unknown user read the same.
	v = good()
	v.Set("password", "wrong")
	st1, body1 := post(b, v)
	v.Set("username", "nobody")
	st2, body2 := post(b, v)
	if st1 != http.StatusUnauthorized || st2 != http.StatusUnauthorized || !strings.Contains(body1, "Invalid username or password.") ||
		!strings.Contains(body2, "Invalid username or password.") {
		t.Errorf("wrong credentials: %d %d", st1, st2)
	}
	// A tampered request inside the form is checked again.
	v = good()
	v.Set("req", strings.Replace(v.Get("req"), url.QueryEscape(webCB), url.QueryEscape("https://evil.example/cb"), 1))
	if st, _ := post(b, v); st != http.StatusBadRequest {
		t.Errorf("tampered redirect in the form: %d", st)
	}
	// Throttled after repeated failures, with Retry-After.
	v = good()
	v.Set("password", "wrong")
	var resp *http.Response
	for range 6 {
		resp, _ = b.postForm(action, v)
	}
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Errorf("after 6 failures: %d Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
}

// TestPeopleDisabledUser: a disabled user cannot sign in, and disabling ends sessions.
func TestPeopleDisabledUser(t *testing.T) {
	in := servertest.Start(t, servertest.Options{Config: people})
	b := newBrowser(t)
	b.signIn(in, authURL(in, nil), personName, personPass)
	adm := in.Token(t, realm, servertest.AdminID, servertest.AdminSecret, "")
	st, _, body := servertest.Do(t, http.MethodGet, in.URL("identity")+"/manage/v1/realms/"+realm+"/users?q="+personName, adm, "")
	var list struct {
		Items []struct{ ID string } `json:"items"`
	}
	if st != 200 || json.Unmarshal(body, &list) != nil || len(list.Items) != 1 {
		t.Skipf("cannot find the user through the management API: %d %s", st, body)
	}
	st, _, body = servertest.Do(t, http.MethodPatch, in.URL("identity")+"/manage/v1/realms/"+realm+"/users/"+list.Items[0].ID, adm, `{"enabled":false}`)
	if st != 200 {
		t.Fatalf("disable: %d %s", st, body)
	}
	resp, _ := b.get(authURL(in, nil))
	if resp.StatusCode != http.StatusOK {
		t.Errorf("session of a disabled user still signs in: %d", resp.StatusCode)
	}
	b2 := newBrowser(t)
	_, body2 := b2.get(authURL(in, nil))
	action, form := loginForm(t, strings.TrimSuffix(in.PublicURL(), "/"), body2)
	form.Set("username", personName)
	form.Set("password", personPass)
	resp, body2 = b2.postForm(action, form)
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body2, "Invalid username or password.") {
		t.Errorf("disabled user signs in: %d", resp.StatusCode)
	}
}

// TestPeopleCodeExchangeRefusals: code replay (and the revocation of what it gave),
// wrong verifier, another client's code, altered redirect URI.
func TestPeopleCodeExchangeRefusals(t *testing.T) {
	in := servertest.Start(t, servertest.Options{Config: people})
	tokenURL := authBase(in) + "/token"
	b := newBrowser(t)
	code := func(client, cb, challenge string) string {
		over := map[string]string{"client_id": client, "redirect_uri": cb}
		if challenge != "" {
			over["code_challenge"], over["code_challenge_method"] = challenge, "S256"
		}
		resp, body := b.get(authURL(in, over))
		if resp.StatusCode == http.StatusOK {
			action, v := loginForm(t, strings.TrimSuffix(in.PublicURL(), "/"), body)
			v.Set("username", personName)
			v.Set("password", personPass)
			resp, body = b.postForm(action, v)
		}
		u, _ := url.Parse(resp.Header.Get("Location"))
		if u == nil || u.Query().Get("code") == "" {
			t.Fatalf("no code: %d %s\n%s", resp.StatusCode, resp.Header.Get("Location"), body)
		}
		return u.Query().Get("code")
	}
	exchange := func(v url.Values, basic bool) (int, map[string]any) {
		h := formHeader()
		if basic {
			h.Set("Authorization", "Basic "+basicAuth(webID, webSecret))
		}
		resp, body := post(t, tokenURL, h, v.Encode())
		var out map[string]any
		json.Unmarshal(body, &out)
		return resp.StatusCode, out
	}
	introspect := func(tok string) bool {
		resp, body := post(t, tokenURL+"/introspect", http.Header{"Content-Type": {"application/x-www-form-urlencoded"},
			"Authorization": {"Basic " + basicAuth(webID, webSecret)}}, url.Values{"token": {tok}}.Encode())
		var out struct{ Active bool }
		if resp.StatusCode != 200 || json.Unmarshal(body, &out) != nil {
			t.Fatalf("introspect: %d %s", resp.StatusCode, body)
		}
		return out.Active
	}

	// Replay: refused, and the access token issued from the code stops being active.
	c := code(webID, webCB, "")
	st, out := exchange(url.Values{"grant_type": {"authorization_code"}, "code": {c}, "redirect_uri": {webCB}}, true)
	if st != 200 {
		t.Fatalf("first exchange: %d %v", st, out)
	}
	at, _ := out["access_token"].(string)
	if !introspect(at) {
		t.Fatal("fresh person token not active at introspection")
	}
	st, out = exchange(url.Values{"grant_type": {"authorization_code"}, "code": {c}, "redirect_uri": {webCB}}, true)
	if st != 400 || out["error"] != "invalid_grant" {
		t.Errorf("replay: %d %v", st, out)
	}
	if introspect(at) {
		t.Error("token issued from a replayed code is still active")
	}

	verifier := oauth2.GenerateVerifier()
	challenge := oauth2.S256ChallengeFromVerifier(verifier)
	for _, tc := range []struct {
		name  string
		code  func() string
		v     url.Values
		basic bool
		want  string
	}{
		{"wrong verifier", func() string { return code(spaID, spaCB, challenge) },
			url.Values{"client_id": {spaID}, "redirect_uri": {spaCB}, "code_verifier": {oauth2.GenerateVerifier()}}, false, "invalid_grant"},
		{"missing verifier", func() string { return code(spaID, spaCB, challenge) },
			url.Values{"client_id": {spaID}, "redirect_uri": {spaCB}}, false, "invalid_grant"},
		{"code of another client", func() string { return code(spaID, spaCB, challenge) },
			url.Values{"redirect_uri": {spaCB}, "code_verifier": {verifier}}, true, "invalid_grant"},
		{"altered redirect_uri", func() string { return code(webID, webCB, "") },
			url.Values{"redirect_uri": {webCB + "x"}}, true, "invalid_grant"},
		{"verifier without challenge", func() string { return code(webID, webCB, "") },
			url.Values{"redirect_uri": {webCB}, "code_verifier": {verifier}}, true, "invalid_grant"},
		{"public client posing as confidential", func() string { return code(webID, webCB, "") },
			url.Values{"client_id": {webID}, "redirect_uri": {webCB}}, false, "invalid_client"},
		{"M2M client", func() string { return code(webID, webCB, "") },
			url.Values{"client_id": {servertest.AdminID}, "client_secret": {servertest.AdminSecret}, "redirect_uri": {webCB}}, false, "unauthorized_client"},
		{"unknown code", func() string { return "nope" },
			url.Values{"redirect_uri": {webCB}}, true, "invalid_grant"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := tc.v
			v.Set("grant_type", "authorization_code")
			v.Set("code", tc.code())
			st, out := exchange(v, tc.basic)
			if out["error"] != tc.want || st < 400 {
				t.Errorf("got %d %v, want %s", st, out, tc.want)
			}
		})
	}
}

// TestPeopleLogoutRefusals: no open redirect through post_logout_redirect_uri, and no
// sign-out by a cross-site link without confirmation.
func TestPeopleLogoutRefusals(t *testing.T) {
	in := servertest.Start(t, servertest.Options{Config: people})
	lo := authBase(in) + "/logout?"
	for name, v := range map[string]url.Values{
		"unregistered":         {"client_id": {webID}, "post_logout_redirect_uri": {"https://evil.example/"}},
		"another client's":     {"client_id": {webID}, "post_logout_redirect_uri": {spaBye}},
		"without a client":     {"post_logout_redirect_uri": {"https://app.example/bye"}},
		"javascript":           {"client_id": {webID}, "post_logout_redirect_uri": {"javascript:alert(1)"}},
		"bad id_token_hint":    {"id_token_hint": {"a.b.c"}, "post_logout_redirect_uri": {"https://app.example/bye"}},
		"registered plus path": {"client_id": {webID}, "post_logout_redirect_uri": {"https://app.example/bye/../evil"}},
		"scheme-relative":      {"client_id": {webID}, "post_logout_redirect_uri": {"//evil.example"}},
	} {
		resp, _ := newBrowser(t).get(lo + v.Encode())
		if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" {
			t.Errorf("%s: %d Location %q", name, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	// Without id_token_hint, a confirmation page; the session survives until confirmed.
	b := newBrowser(t)
	b.signIn(in, authURL(in, nil), personName, personPass)
	resp, body := b.get(lo + url.Values{"client_id": {webID}, "post_logout_redirect_uri": {"https://app.example/bye"}}.Encode())
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `id="kc-logout"`) {
		t.Fatalf("logout without hint: %d", resp.StatusCode)
	}
	if resp, _ := b.get(authURL(in, nil)); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("session ended before confirmation: %d", resp.StatusCode)
	}
	v := url.Values{}
	for _, h := range hiddenRE.FindAllStringSubmatch(body, -1) {
		v.Set(h[1], h[2])
	}
	if resp, _ := b.postForm(authBase(in)+"/logout", v, "Sec-Fetch-Site", "cross-site"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site confirmation: %d", resp.StatusCode)
	}
	resp, _ = b.postForm(authBase(in)+"/logout", v)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "https://app.example/bye" {
		t.Fatalf("confirmed logout: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, _ := b.get(authURL(in, nil)); resp.StatusCode != http.StatusOK {
		t.Errorf("session survived logout: %d", resp.StatusCode)
	}
}

func basicAuth(id, secret string) string {
	return base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id) + ":" + url.QueryEscape(secret)))
}

// TestPeoplePromptAndResponseModes: prompt=login and max_age force a new sign-in over a
// live session; fragment and form_post deliver the code (form_post by an HTML form
// whose script is a file, as the page's CSP allows no inline script).
func TestPeoplePromptAndResponseModes(t *testing.T) {
	in := servertest.Start(t, servertest.Options{Config: people})
	b := newBrowser(t)
	b.signIn(in, authURL(in, nil), personName, personPass)
	for name, over := range map[string]map[string]string{
		"prompt=login": {"prompt": "login"},
		"max_age=0":    {"max_age": "0"},
	} {
		resp, body := b.get(authURL(in, over))
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `id="kc-login"`) {
			t.Errorf("%s over a live session: %d, want the login page", name, resp.StatusCode)
		}
	}
	if resp, _ := b.get(authURL(in, map[string]string{"max_age": "3600"})); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("max_age=3600 over a fresh session: %d, want a code", resp.StatusCode)
	}
	resp, _ := b.get(authURL(in, map[string]string{"response_mode": "fragment"}))
	frag, _ := url.Parse(resp.Header.Get("Location"))
	if fv, _ := url.ParseQuery(frag.Fragment); frag.RawQuery != "" || fv.Get("code") == "" || fv.Get("state") != "st" || fv.Get("iss") == "" {
		t.Errorf("fragment response: %s", resp.Header.Get("Location"))
	}
	resp, body := b.get(authURL(in, map[string]string{"response_mode": "form_post"}))
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `action="`+webCB+`"`) || !strings.Contains(body, `name="code"`) ||
		!strings.Contains(body, `src="/auth/resources/gatehouse/form-post.js"`) || strings.Contains(body, "<script>") {
		t.Errorf("form_post response: %d\n%s", resp.StatusCode, body)
	}
	if resp, _ := b.get(in.PublicURL() + "/auth/resources/gatehouse/form-post.js"); resp.StatusCode != http.StatusOK {
		t.Errorf("form-post.js: %d", resp.StatusCode)
	}
}
