package web

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/identity"
)

var (
	secretRe   = regexp.MustCompile(`<code id="cred-secret" class="secret">([^<]+)</code>`)
	clientIDRe = regexp.MustCompile(`<code id="cred-client-id">([^<]+)</code>`)
)

func TestCreateApplicationShowsSecretOnce(t *testing.T) {
	e := newEnv(t)
	c := e.signIn("admin")
	page := c.get("/applications/new")
	if page.status != http.StatusOK {
		t.Fatalf("new page: %d", page.status)
	}
	mustContain(t, page.body, `<label for="name">Name</label>`, `value="web-modeler-public-api:read:*"`, "<legend>Web Modeler API</legend>")

	r := c.post("/applications", url.Values{"name": {"Zeebe worker"}, "perm": {"web-modeler-public-api:read:*", "web-modeler-public-api:create:*"}})
	if r.status != http.StatusSeeOther || !strings.HasSuffix(r.loc, "/credentials") {
		t.Fatalf("create: %d %q %s", r.status, r.loc, r.body)
	}
	if strings.Contains(r.loc, "gh_cs_") {
		t.Fatal("the secret is in the URL")
	}
	appID := strings.Split(r.loc, "/")[2]
	creds := c.get(r.loc)
	m := secretRe.FindStringSubmatch(creds.body)
	if creds.status != http.StatusOK || m == nil {
		t.Fatalf("credentials page: %d\n%s", creds.status, creds.body)
	}
	secret := m[1]
	clientID := clientIDRe.FindStringSubmatch(creds.body)[1]
	if creds.header.Get("Cache-Control") != "no-store" {
		t.Errorf("credentials page Cache-Control %q", creds.header.Get("Cache-Control"))
	}
	mustContain(t, creds.body,
		"CAMUNDA_CONSOLE_CLIENT_ID="+clientID, "CAMUNDA_CONSOLE_CLIENT_SECRET="+secret,
		"CAMUNDA_OAUTH_URL=http://localhost:18080/oauth/token", "CAMUNDA_CONSOLE_OAUTH_AUDIENCE=api.cloud.camunda.io",
		"ZEEBE_CLIENT_ID="+clientID, "ZEEBE_CLIENT_SECRET="+secret,
		"ZEEBE_AUTHORIZATION_SERVER_URL=http://localhost:18080/auth/realms/camunda-platform/protocol/openid-connect/token",
		"--data-urlencode &#39;client_secret="+secret+"&#39;", `data-copy="cred-secret"`)
	for _, ck := range c.hc.Jar.Cookies(mustURL(e.srv.URL)) {
		if strings.Contains(ck.Value, secret) {
			t.Error("a cookie holds the secret")
		}
	}

	// The secret works.
	cl, err := e.id.Authenticate(context.Background(), realm, clientID, secret)
	if err != nil {
		t.Fatalf("authenticate with the shown secret: %v", err)
	}
	if !cl.Holds("web-modeler-public-api", "read:*") || !cl.Holds("web-modeler-public-api", "create:*") {
		t.Errorf("held %+v", cl.Held)
	}

	// Reload: gone for good; the detail page never shows it either.
	again := c.get(r.loc)
	mustContain(t, again.body, `id="secret-gone"`, "The client secret is no longer shown.")
	mustNotContain(t, again.body, secret)
	mustNotContain(t, c.get("/applications/"+appID).body, secret)
	mustNotContain(t, c.get("/applications").body, secret)

	// Audit: one app.create by admin via the console, never the secret.
	evs := e.audit("app.create")
	if len(evs) != 1 || evs[0].Actor != "admin" || evs[0].Outcome != "success" || evs[0].Target != appID ||
		evs[0].Detail["via"] != "console" || evs[0].Detail["clientId"] != clientID ||
		evs[0].Detail["permissions"] != "web-modeler-public-api:read:* web-modeler-public-api:create:*" {
		t.Fatalf("audit %+v", evs)
	}
	assertNoSecret(t, e, secret)
}

func TestCredentialsPageIsPerSessionAndApp(t *testing.T) {
	e := newEnv(t)
	a := e.signIn("admin")
	b := e.signIn("admin")
	r := a.post("/applications", url.Values{"name": {"one"}})
	other, _ := e.createApp("two")
	// Another session, or another application's page, does not get the secret.
	mustContain(t, b.get(r.loc).body, `id="secret-gone"`)
	mustContain(t, a.get("/applications/"+other.ID+"/credentials").body, `id="secret-gone"`)
	// It expires if not fetched in time.
	e.clk.Advance(revealTTL + time.Second)
	mustContain(t, a.get(r.loc).body, `id="secret-gone"`)
}

func TestCreateApplicationInvalid(t *testing.T) {
	e := newEnv(t)
	c := e.signIn("admin")
	for _, tt := range []struct {
		name string
		form url.Values
		msg  string
	}{
		{"empty name", url.Values{"name": {""}}, "Check the name"},
		{"surrounding spaces", url.Values{"name": {" x "}}, "Check the name"},
		{"right-to-left override", url.Values{"name": {"abc\u202Egpj.exe"}}, "Check the name"},
		{"10 KB name", url.Values{"name": {strings.Repeat("a", 10<<10)}}, "Check the name"},
		{"unknown permission", url.Values{"name": {"x"}, "perm": {"no-such-api:read"}}, "Check the permissions"},
		{"malformed permission", url.Values{"name": {"x"}, "perm": {"nocolon"}}, "A chosen permission is not valid"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := c.post("/applications", tt.form)
			if r.status != http.StatusBadRequest {
				t.Fatalf("status %d\n%s", r.status, r.body)
			}
			mustContain(t, r.body, `role="alert"`, tt.msg)
		})
	}
	if _, total, _ := e.id.ListApps(context.Background(), realm, storeAll()); total != 0 {
		t.Errorf("%d applications created", total)
	}
	// Each failed attempt is audited as a failure.
	for _, ev := range e.audit("app.create") {
		if ev.Outcome != "failure" || ev.Detail["reason"] != "invalid" {
			t.Errorf("event %+v", ev)
		}
	}
	// The form keeps what was typed and what was checked.
	r := c.post("/applications", url.Values{"name": {"keep me"}, "perm": {"web-modeler-public-api:read:*", "bogus:x"}})
	mustContain(t, r.body, `value="keep me"`, `value="web-modeler-public-api:read:*" id="perm-`)
	if !regexp.MustCompile(`value="web-modeler-public-api:read:\*" id="perm-\d+" checked`).MatchString(r.body) {
		t.Error("the checked permission was not kept")
	}
}

// TestXSSEscaped: user-supplied text is always rendered escaped (checklist D2).
func TestXSSEscaped(t *testing.T) {
	e := newEnv(t)
	c := e.signIn("admin")
	for _, name := range []string{`<script>alert(1)</script>`, `"><img src=x onerror=alert(1)>`, `javascript:alert(1)`} {
		r := c.post("/applications", url.Values{"name": {name}})
		if r.status != http.StatusSeeOther {
			t.Fatalf("create %q: %d", name, r.status)
		}
		id := strings.Split(r.loc, "/")[2]
		for _, path := range []string{"/applications", "/applications/" + id, r.loc, "/applications/" + id + "/delete", "/audit",
			"/applications?q=" + url.QueryEscape(name)} {
			body := c.get(path).body
			if html.EscapeString(name) != name {
				mustNotContain(t, body, name)
			}
			if !strings.Contains(body, html.EscapeString(name)) && !strings.Contains(body, strings.ReplaceAll(html.EscapeString(name), "&#34;", "&quot;")) {
				t.Errorf("%s: the name is not shown escaped", path)
			}
		}
	}
	mustNotContain(t, c.get("/applications").body, `<script>alert`, `<img src=x`)
	// A javascript: name never becomes a link target.
	mustNotContain(t, c.get("/applications").body, `href="javascript:`)
}

func TestApplicationDetailAndChanges(t *testing.T) {
	e := newEnv(t)
	c := e.signIn("admin")
	app, secret := e.createApp("billing", "console-api:read:*")
	path := "/applications/" + app.ID

	page := c.get(path)
	if page.status != http.StatusOK {
		t.Fatalf("detail: %d", page.status)
	}
	mustContain(t, page.body, app.ClientID, "Save permissions", "Rotate secret", "Disable application", "Delete application…")
	if !regexp.MustCompile(`value="console-api:read:\*" id="perm-\d+" checked`).MatchString(page.body) {
		t.Error("held permission not checked")
	}

	// Permissions: the form is the whole wanted set; the diff is granted and taken.
	r := c.post(path+"/permissions", url.Values{"perm": {"web-modeler-public-api:read:*", "web-modeler-public-api:update:*"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("permissions: %d %s", r.status, r.body)
	}
	mustContain(t, c.follow(r).body, "Permissions saved")
	held, _ := e.id.Permissions(context.Background(), realm, app.ID)
	want := []identity.PermissionRef{{Audience: "web-modeler-public-api", Definition: "read:*"}, {Audience: "web-modeler-public-api", Definition: "update:*"}}
	if !slices.Equal(held, want) {
		t.Fatalf("held %v", held)
	}
	add, rm := e.audit("app.permissions.add"), e.audit("app.permissions.remove")
	if len(add) != 1 || add[0].Detail["permissions"] != "web-modeler-public-api:read:* web-modeler-public-api:update:*" ||
		len(rm) != 1 || rm[0].Detail["permissions"] != "console-api:read:*" || rm[0].Actor != "admin" {
		t.Fatalf("audit add %+v remove %+v", add, rm)
	}
	// Unchecking everything takes everything.
	c.post(path+"/permissions", url.Values{})
	if held, _ := e.id.Permissions(context.Background(), realm, app.ID); len(held) != 0 {
		t.Errorf("held after unchecking all: %v", held)
	}

	// Rename.
	r = c.post(path+"/name", url.Values{"name": {"billing v2"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("rename: %d", r.status)
	}
	if got, _ := e.id.GetApp(context.Background(), realm, app.ID); got.Name != "billing v2" {
		t.Errorf("name %q", got.Name)
	}
	r = c.post(path+"/name", url.Values{"name": {""}})
	if r.status != http.StatusBadRequest {
		t.Errorf("empty rename: %d", r.status)
	}
	mustContain(t, r.body, "Check the name")

	// Disable and enable; the deny-lists hear of it.
	r = c.post(path+"/enabled", url.Values{"enabled": {"false"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("disable: %d", r.status)
	}
	if _, err := e.id.Authenticate(context.Background(), realm, app.ClientID, secret); err == nil {
		t.Error("a disabled application still authenticates")
	}
	mustContain(t, c.get(path).body, "Enable application", "status-unhealthy\">disabled")
	c.post(path+"/enabled", url.Values{"enabled": {"true"}})
	if _, err := e.id.Authenticate(context.Background(), realm, app.ClientID, secret); err != nil {
		t.Errorf("enabled application: %v", err)
	}
	if n := e.changed.Load(); n != 2 {
		t.Errorf("AppsChanged called %d times, want 2", n)
	}
	if r := c.post(path+"/enabled", url.Values{"enabled": {"maybe"}}); r.status != http.StatusBadRequest {
		t.Errorf("enabled=maybe: %d", r.status)
	}
	if n := len(e.audit("app.update")); n != 5 {
		t.Errorf("%d app.update events, want 5 (rename ok, rename bad, disable, enable, bad form)", n)
	}
}

func TestRotateSecret(t *testing.T) {
	e := newEnv(t)
	c := e.signIn("admin")
	app, old := e.createApp("rotating")
	path := "/applications/" + app.ID
	r := c.post(path+"/rotate", url.Values{"grace": {"1h"}})
	if r.status != http.StatusSeeOther || r.loc != path+"/credentials" {
		t.Fatalf("rotate: %d %q %s", r.status, r.loc, r.body)
	}
	page := c.get(r.loc)
	m := secretRe.FindStringSubmatch(page.body)
	if m == nil {
		t.Fatalf("no new secret shown\n%s", page.body)
	}
	mustContain(t, page.body, "New secret of rotating")
	fresh := m[1]
	ctx := context.Background()
	for _, s := range []string{old, fresh} {
		if _, err := e.id.Authenticate(ctx, realm, app.ClientID, s); err != nil {
			t.Errorf("within the grace period: %v", err)
		}
	}
	mustContain(t, c.get(path).body, "Previous (grace period)")
	e.clk.Advance(time.Hour + time.Second)
	c = e.signIn("admin") // the session idled out meanwhile
	if _, err := e.id.Authenticate(ctx, realm, app.ClientID, old); err == nil {
		t.Error("the old secret outlived its grace period")
	}
	evs := e.audit("app.rotate-secret")
	if len(evs) != 1 || evs[0].Detail["grace"] != "1h0m0s" || evs[0].Actor != "admin" {
		t.Fatalf("audit %+v", evs)
	}
	assertNoSecret(t, e, old, fresh)

	if r := c.post(path+"/rotate", url.Values{"grace": {"forever"}}); r.status != http.StatusBadRequest {
		t.Errorf("bad grace: %d", r.status)
	}
	if r := c.post(path+"/rotate", url.Values{"grace": {"1000h"}}); r.status != http.StatusBadRequest {
		t.Errorf("grace over 30 days: %d", r.status)
	}
}

func TestConfigApplicationCannotRotate(t *testing.T) {
	e := newEnv(t)
	c := e.signIn("admin")
	if _, err := e.id.Seed(context.Background(), realm, []identity.ClientSpec{{Name: "declared", ID: "declared", Secret: "s3cret-from-config"}}); err != nil {
		t.Fatal(err)
	}
	app, err := e.st.GetAppByClientID(context.Background(), realm, "declared")
	if err != nil {
		t.Fatal(err)
	}
	page := c.get("/applications/" + app.ID)
	mustContain(t, page.body, "comes from configuration")
	mustNotContain(t, page.body, "Rotate secret</button>")
	r := c.post("/applications/"+app.ID+"/rotate", url.Values{"grace": {"0s"}})
	if r.status != http.StatusConflict {
		t.Fatalf("rotate a configured app: %d", r.status)
	}
	mustContain(t, r.body, "declared in configuration")
}

func TestDeleteApplication(t *testing.T) {
	e := newEnv(t)
	c := e.signIn("admin")
	app, secret := e.createApp("doomed", "zeebe-api:write:*")
	path := "/applications/" + app.ID
	// The confirmation page is a GET and changes nothing.
	page := c.get(path + "/delete")
	if page.status != http.StatusOK {
		t.Fatalf("confirm page: %d", page.status)
	}
	mustContain(t, page.body, "Delete the application “doomed”?", `action="`+path+`/delete"`, app.ClientID)
	if _, err := e.id.GetApp(context.Background(), realm, app.ID); err != nil {
		t.Fatalf("GET deleted the application: %v", err)
	}
	r := c.post(path+"/delete", nil)
	if r.status != http.StatusSeeOther || r.loc != "/applications" {
		t.Fatalf("delete: %d %q", r.status, r.loc)
	}
	mustContain(t, c.follow(r).body, "Application “doomed” deleted.")
	if _, err := e.id.Authenticate(context.Background(), realm, app.ClientID, secret); err == nil {
		t.Error("a deleted application authenticates")
	}
	if e.changed.Load() != 1 {
		t.Error("AppsChanged not called")
	}
	// Gone: the pages say so and what to do.
	gone := c.get(path)
	if gone.status != http.StatusNotFound {
		t.Fatalf("deleted app page: %d", gone.status)
	}
	mustContain(t, gone.body, "It no longer exists", "Go back to the list")
	if r := c.post(path+"/delete", nil); r.status != http.StatusNotFound {
		t.Errorf("delete twice: %d", r.status)
	}
	evs := e.audit("app.delete")
	if len(evs) != 2 || evs[0].Outcome != "success" || evs[1].Outcome != "failure" || evs[1].Detail["reason"] != "not_found" {
		t.Errorf("audit %+v", evs)
	}
}

func TestApplicationsListSearchAndEmpty(t *testing.T) {
	e := newEnv(t)
	c := e.signIn("admin")
	page := c.get("/applications")
	mustContain(t, page.body, "There are no applications yet.", "Create the first application")
	for _, n := range []string{"alpha worker", "beta worker", "gamma"} {
		e.createApp(n)
	}
	page = c.get("/applications?q=WORKER")
	mustContain(t, page.body, "alpha worker", "beta worker")
	mustNotContain(t, page.body, ">gamma<")
	page = c.get("/applications?q=zzz")
	mustContain(t, page.body, "No application’s name contains “zzz”", `href="/applications">Show all applications`)
	for range pageSize {
		e.createApp("bulk " + identity.NewID()[:8])
	}
	page = c.get("/applications")
	mustContain(t, page.body, "1–50 of 53", `rel="next"`)
	page = c.get("/applications?offset=50")
	mustContain(t, page.body, "51–53 of 53", `rel="prev"`)
}

func assertNoSecret(t *testing.T, e *env, secrets ...string) {
	t.Helper()
	logs := e.log.String()
	evs := e.audit("")
	for _, s := range secrets {
		if strings.Contains(logs, s) {
			t.Error("the log holds a secret")
		}
		for _, ev := range evs {
			for k, v := range ev.Detail {
				if strings.Contains(v, s) {
					t.Errorf("audit %s detail %s holds a secret", ev.Action, k)
				}
			}
		}
	}
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}
