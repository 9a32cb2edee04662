package replica_test

import (
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/server"
)

// TestPeopleAcrossReplicas: a person signs in on replica A; replica B honours the
// single sign-on session (no password asked); the code B issues is redeemed exactly
// once when A and B are asked for it at the same time.
func TestPeopleAcrossReplicas(t *testing.T) {
	slow(t)
	dsn := freshSchema(t, pgBase(t))
	const cb = "https://app.example/cb"
	people := func(c *config.Config) {
		c.Users = []config.User{{Username: "demo", Password: "demo-password-1"}}
		c.Clients = []config.Client{{Name: "web", ID: "web", Secret: "web-secret-123", Type: "CONFIDENTIAL", RedirectURIs: []string{cb}}}
	}
	a, _ := startReplica(t, dsn, people)
	b, _ := startReplica(t, dsn, people)
	jar, _ := cookiejar.New(nil) // cookies are per host, not port: both replicas get them
	hc := &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	do := func(method, u string, form url.Values) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest(method, u, strings.NewReader(form.Encode()))
		if method == http.MethodPost {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp, string(body)
	}
	onA, onB := a.URL(server.IdentityListener), b.URL(server.IdentityListener)
	auth := "/auth/realms/camunda-platform/protocol/openid-connect/auth?" + url.Values{"client_id": {"web"},
		"redirect_uri": {cb}, "response_type": {"code"}, "scope": {"openid"}, "state": {"s"}}.Encode()

	resp, body := do("GET", onA+auth, nil)
	m := regexp.MustCompile(`<form id="kc-form-login" method="post" action="([^"]+)"`).FindStringSubmatch(body)
	if resp.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("login page on A: %d", resp.StatusCode)
	}
	form := url.Values{"username": {"demo"}, "password": {"demo-password-1"}}
	for _, h := range regexp.MustCompile(`<input type="hidden" name="([a-z_]+)" value="([^"]*)">`).FindAllStringSubmatch(body, -1) {
		form.Set(h[1], html.UnescapeString(h[2]))
	}
	if resp, body := do("POST", onA+html.UnescapeString(m[1]), form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in on A: %d\n%s", resp.StatusCode, body)
	}
	resp, _ = do("GET", onB+auth, nil)
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || loc == nil || loc.Query().Get("code") == "" {
		t.Fatalf("A's session on B: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	code := loc.Query().Get("code")

	const n = 8
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok, refused := 0, 0
	for i := range n {
		base := onA
		if i%2 == 1 {
			base = onB
		}
		wg.Go(func() {
			req, _ := http.NewRequest("POST", base+"/auth/realms/camunda-platform/protocol/openid-connect/token",
				strings.NewReader(url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {cb}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.SetBasicAuth("web", "web-secret-123")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			mu.Lock()
			defer mu.Unlock()
			switch resp.StatusCode {
			case http.StatusOK:
				ok++
			case http.StatusBadRequest:
				refused++
			default:
				t.Errorf("exchange: %d", resp.StatusCode)
			}
		})
	}
	wg.Wait()
	if ok != 1 || refused != n-1 {
		t.Errorf("concurrent exchanges: %d succeeded, %d refused; want 1 and %d", ok, refused, n-1)
	}
}
