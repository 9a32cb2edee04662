package server_test

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

// TestFirstAdmin: the first start prints the console administrator's one-time password
// and the console URL to stdout (not the log); the password signs in to the console; a
// second start prints nothing new.
func TestFirstAdmin(t *testing.T) {
	dir := t.TempDir()
	named := func(c *config.Config) { c.AdminUsername = "Root" }
	in := servertest.Start(t, servertest.Options{DataDir: dir, Config: named})
	out := in.Stdout.String()
	m := regexp.MustCompile(`username: (\S+)\n  password: (\S+)\n  console:  (\S+)\n`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("stdout lacks the console administrator:\n%s", out)
	}
	user, password, consoleURL := m[1], m[2], m[3]
	if user != "root" || len(password) < 20 || !strings.HasSuffix(consoleURL, strings.TrimPrefix(in.URL(server.ConsoleListener), "http://127.0.0.1")+"/") {
		t.Errorf("username %q, password of %d characters, console %q", user, len(password), consoleURL)
	}
	if strings.Contains(in.Log.String(), password) {
		t.Error("the password reached the log")
	}

	base := in.URL(server.ConsoleListener)
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequest(http.MethodPost, base+"/signin", strings.NewReader(url.Values{"username": {user}, "password": {password}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", base)
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || strings.HasPrefix(resp.Header.Get("Location"), "/signin") {
		t.Fatalf("sign in: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, err = hc.Get(base + "/applications")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "Signed in as root") || !strings.Contains(string(body), "can change") {
		t.Errorf("applications as the first administrator: %d\n%s", resp.StatusCode, body)
	}
	in.Stop()

	again := servertest.Start(t, servertest.Options{DataDir: dir, Config: named})
	if s := again.Stdout.String(); strings.Contains(s, "password") || strings.Contains(s, "console") {
		t.Errorf("second start printed:\n%s", s)
	}
}

// TestFirstAdminDeclaredUsers: declared users (KEYCLOAK_USERS_*) mean no generated
// administrator.
func TestFirstAdminDeclaredUsers(t *testing.T) {
	in := servertest.Start(t, servertest.Options{Config: func(c *config.Config) {
		c.Users = []config.User{{Username: "demo", Password: "demo-password-123", Roles: []string{"Identity"}}}
	}})
	if s := in.Stdout.String(); strings.Contains(s, "console administrator") {
		t.Errorf("printed with declared users:\n%s", s)
	}
}
