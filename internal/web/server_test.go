package web_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/server"
	"github.com/gatehouse/gatehouse/internal/server/servertest"
)

// TestConsoleInServer runs the console inside a real server: mounted at "/" of the
// console listener beside the Administration API, a secret made in the UI gets a token
// from the identity listener at once, and disabling the application in the UI makes
// the same process's Administration API refuse its token within seconds (checklist
// D11).
func TestConsoleInServer(t *testing.T) {
	in := servertest.Start(t, servertest.Options{Config: func(c *config.Config) {
		c.Users = []config.User{{Username: "demo", Password: "demo-password", Roles: []string{"Identity"}}}
	}})
	base := in.URL(server.ConsoleListener)
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar}
	post := func(path string, form url.Values) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, base+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}

	// The Administration API is still there, untouched by the console.
	resp, err := http.Get(base + "/admin-api/clusters")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("WWW-Authenticate") == "" {
		t.Fatalf("/admin-api/clusters without a token: %d", resp.StatusCode)
	}

	// Sign in as the configured first user, create an application with Administration
	// API access; the redirect lands on the one-time credentials page.
	if resp, body := post("/signin", url.Values{"username": {"demo"}, "password": {"demo-password"}}); resp.StatusCode != http.StatusOK ||
		!strings.Contains(body, "<title>Applications · Gatehouse</title>") {
		t.Fatalf("sign in: %d", resp.StatusCode)
	}
	resp, body := post("/applications", url.Values{"name": {"admin-api reader"}, "perm": {"console-api:read:*"}})
	m := regexp.MustCompile(`<code id="cred-secret" class="secret">([^<]+)</code>`).FindStringSubmatch(body)
	id := regexp.MustCompile(`<code id="cred-client-id">([^<]+)</code>`).FindStringSubmatch(body)
	if resp.StatusCode != http.StatusOK || m == nil || id == nil {
		t.Fatalf("create: %d\n%s", resp.StatusCode, body)
	}
	appPath := strings.TrimSuffix(resp.Request.URL.Path, "/credentials")
	wantURL := in.PublicURL() + "/oauth/token"
	if !strings.Contains(body, "CAMUNDA_OAUTH_URL="+wantURL) || !strings.Contains(body, "ZEEBE_AUTHORIZATION_SERVER_URL="+in.Issuer("camunda-platform")+"/protocol/openid-connect/token") {
		t.Errorf("credentials page lacks the server's token URLs %s", wantURL)
	}

	tok := in.Token(t, "camunda-platform", id[1], m[1], "")
	admin := func() int {
		req, _ := http.NewRequest(http.MethodGet, base+"/admin-api/clusters", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if s := admin(); s != http.StatusOK {
		t.Fatalf("Administration API with the new token: %d", s)
	}

	// Disable it in the console: the console refreshes this process's deny-lists at once,
	// so the token stops working on the next request.
	if resp, _ := post(appPath+"/enabled", url.Values{"enabled": {"false"}}); resp.StatusCode != http.StatusOK {
		t.Fatalf("disable: %d", resp.StatusCode)
	}
	if s := admin(); s != http.StatusUnauthorized {
		t.Fatalf("the disabled application's token still works: %d", s)
	}
	if strings.Contains(in.Log.String(), m[1]) || strings.Contains(in.Log.String(), "demo-password") {
		t.Error("the server log holds a secret or password")
	}
}
