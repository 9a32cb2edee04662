package server_test

import (
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/server/servertest"
)

// People of the sign-in tests: a user, a confidential web app and a public SPA,
// declared as Camunda does.
const (
	personName = "demo"
	personPass = "demo-password"
	webID      = "webapp"
	webSecret  = "webapp-secret-123"
	webCB      = "https://app.example/cb"
	spaID      = "spa"
	spaCB      = "http://localhost:3000/callback"
	spaOrigin  = "http://localhost:3000"
	spaBye     = "http://localhost:3000/bye"
)

func people(c *config.Config) {
	c.Users = append(c.Users, config.User{Username: personName, Password: personPass, Email: "demo@example.com",
		FirstName: "Demo", LastName: "User"})
	c.Clients = append(c.Clients,
		config.Client{Realm: realm, Name: "Web app", ID: webID, Secret: webSecret, Type: "CONFIDENTIAL",
			RootURL: "https://app.example", RedirectURIs: []string{"/cb"}, PostLogoutRedirectURIs: []string{"https://app.example/bye"}},
		config.Client{Realm: realm, Name: "SPA", ID: spaID, Type: "PUBLIC", RedirectURIs: []string{spaCB},
			PostLogoutRedirectURIs: []string{spaBye}, WebOrigins: []string{spaOrigin}},
	)
}

// browser is a cookie-keeping HTTP client that does not follow redirects.
type browser struct {
	t testing.TB
	c *http.Client
}

func newBrowser(t testing.TB) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, c: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *browser) do(req *http.Request) (*http.Response, string) {
	b.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

func (b *browser) get(u string) (*http.Response, string) {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	return b.do(req)
}

func (b *browser) postForm(u string, v url.Values, hdr ...string) (*http.Response, string) {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	return b.do(req)
}

var hiddenRE = regexp.MustCompile(`<input type="hidden" name="([a-z_]+)" value="([^"]*)">`)
var actionRE = regexp.MustCompile(`<form id="kc-form-login" method="post" action="([^"]+)"`)

// loginForm reads the login page's action and hidden fields.
func loginForm(t testing.TB, base, body string) (string, url.Values) {
	t.Helper()
	m := actionRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no login form in:\n%s", body)
	}
	v := url.Values{}
	for _, h := range hiddenRE.FindAllStringSubmatch(body, -1) {
		v.Set(h[1], html.UnescapeString(h[2]))
	}
	return base + html.UnescapeString(m[1]), v
}

// signIn walks a browser through the login page of an authorization URL and returns
// the final redirect (the client's callback with code or error).
func (b *browser) signIn(in *servertest.Instance, authURL, username, password string) *url.URL {
	b.t.Helper()
	resp, body := b.get(authURL)
	if resp.StatusCode != http.StatusOK {
		b.t.Fatalf("authorize: %d %s\n%s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	action, v := loginForm(b.t, strings.TrimSuffix(in.PublicURL(), "/"), body)
	v.Set("username", username)
	v.Set("password", password)
	resp, body = b.postForm(action, v)
	if resp.StatusCode != http.StatusSeeOther {
		b.t.Fatalf("login: %d\n%s", resp.StatusCode, body)
	}
	u, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		b.t.Fatal(err)
	}
	return u
}

func authBase(in *servertest.Instance) string {
	return in.Issuer(realm) + "/protocol/openid-connect"
}
