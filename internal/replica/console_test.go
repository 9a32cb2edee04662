package replica_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/server"
)

// TestConsoleAcrossReplicas: the web console on two replicas of one PostgreSQL, with
// no sticky sessions: signed in on A, served by B; a secret created on A is shown
// once, on B; signed out on B, the cookie no longer works on A.
func TestConsoleAcrossReplicas(t *testing.T) {
	slow(t)
	dsn := freshSchema(t, pgBase(t))
	users := func(c *config.Config) {
		c.Users = []config.User{{Username: "demo", Password: "demo-password-1", Roles: []string{"admin"}}}
	}
	a, _ := startReplica(t, dsn, users)
	b, _ := startReplica(t, dsn, users)
	jar, _ := cookiejar.New(nil) // cookies are per host, not port: both replicas get them
	hc := &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	do := func(base, method, path string, form url.Values) (int, string, string) {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, strings.NewReader(form.Encode()))
		if method == http.MethodPost {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Sec-Fetch-Site", "same-origin")
			req.Header.Set("Origin", base)
		}
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Location"), string(body)
	}
	onA, onB := a.URL(server.ConsoleListener), b.URL(server.ConsoleListener)

	if st, loc, body := do(onA, "POST", "/signin", url.Values{"username": {"demo"}, "password": {"demo-password-1"}}); st != http.StatusSeeOther || loc != "/applications" {
		t.Fatalf("sign in on A: %d %q\n%s", st, loc, body)
	}
	if st, loc, _ := do(onB, "GET", "/applications", nil); st != http.StatusOK {
		t.Fatalf("A's session on B: %d %q", st, loc)
	}
	st, creds, body := do(onA, "POST", "/applications", url.Values{"name": {"across replicas"}})
	if st != http.StatusSeeOther || !strings.HasSuffix(creds, "/credentials") {
		t.Fatalf("create on A: %d %q\n%s", st, creds, body)
	}
	if st, _, body := do(onB, "GET", creds, nil); st != http.StatusOK || !strings.Contains(body, "gh_cs_") {
		t.Fatalf("credentials on B: %d, secret shown %v", st, strings.Contains(body, "gh_cs_"))
	}
	for _, base := range []string{onA, onB} {
		if st, _, body := do(base, "GET", creds, nil); st != http.StatusOK || strings.Contains(body, "gh_cs_") {
			t.Fatalf("credentials again on %s: %d, secret shown %v", base, st, strings.Contains(body, "gh_cs_"))
		}
	}
	u, _ := url.Parse(onA)
	kept := jar.Cookies(u)
	if st, _, _ := do(onB, "POST", "/signout", nil); st != http.StatusSeeOther {
		t.Fatalf("sign out on B: %d", st)
	}
	jar.SetCookies(u, kept) // a browser that kept the old cookie
	if st, loc, _ := do(onA, "GET", "/applications", nil); st != http.StatusSeeOther || !strings.HasPrefix(loc, "/signin") {
		t.Fatalf("after sign-out on B, A: %d %q", st, loc)
	}
}
