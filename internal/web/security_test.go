package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/store"
)

// TestCrossOriginPostsRefused: every state-changing form refuses a cross-site request
// (checklist D1), and nothing changes.
func TestCrossOriginPostsRefused(t *testing.T) {
	e := newEnv(t)
	c := e.signIn("admin")
	app, _ := e.createApp("target")
	api, err := e.setup().CreateAPI(context.Background(), testActor, realm, apiSpec("orders", "orders-api"))
	if err != nil {
		t.Fatal(err)
	}
	forms := map[string]url.Values{
		"/applications":                                {"name": {"evil"}},
		"/applications/" + app.ID + "/name":            {"name": {"pwned"}},
		"/applications/" + app.ID + "/permissions":     {"perm": {"zeebe-api:write:*"}},
		"/applications/" + app.ID + "/rotate":          {"grace": {"0s"}},
		"/applications/" + app.ID + "/enabled":         {"enabled": {"false"}},
		"/applications/" + app.ID + "/delete":          nil,
		"/apis":                                        {"name": {"x"}, "audience": {"x"}},
		"/apis/" + api.ID + "/permissions":             {"definition": {"evil"}},
		"/apis/" + api.ID + "/delete":                  nil,
		"/users":                                       {"username": {"mallory"}, "password": {"longenough1"}, "roles": {"admin"}},
		"/users/" + e.users["reader"].ID + "/roles":    {"roles": {"admin"}},
		"/users/" + e.users["reader"].ID + "/password": {"password": {"newpassword1"}, "confirm": {"newpassword1"}},
		"/users/" + e.users["reader"].ID + "/delete":   nil,
		"/keys/rotate":                                 nil,
		"/signout":                                     nil,
	}
	attacks := []struct {
		name    string
		headers map[string]string
	}{
		{"Sec-Fetch-Site cross-site", map[string]string{"Sec-Fetch-Site": "cross-site"}},
		{"Sec-Fetch-Site same-site", map[string]string{"Sec-Fetch-Site": "same-site"}},
		{"foreign Origin", map[string]string{"Origin": "http://evil.example"}},
	}
	for path, form := range forms {
		for _, a := range attacks {
			req, _ := http.NewRequest(http.MethodPost, e.srv.URL+path, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for k, v := range a.headers {
				req.Header.Set(k, v)
			}
			r := c.do(req)
			if r.status != http.StatusForbidden {
				t.Errorf("%s %s: %d, want 403", a.name, path, r.status)
			}
			if a.name == "Sec-Fetch-Site cross-site" {
				mustContain(t, r.body, "This request came from another site and was refused.")
			}
		}
	}
	// Nothing changed.
	got, err := e.id.GetApp(context.Background(), realm, app.ID)
	if err != nil || got.Name != "target" || !got.Enabled || len(got.Secrets) != 1 {
		t.Fatalf("application changed: %+v %v", got, err)
	}
	if _, total, _ := e.id.ListApps(context.Background(), realm, storeAll()); total != 1 {
		t.Errorf("%d applications", total)
	}
	if _, total, _ := e.id.ListUsers(context.Background(), realm, storeAll()); total != 3 {
		t.Errorf("%d users", total)
	}
	if len(e.audit("")) != 1 { // the sign-in only
		t.Errorf("audit events: %+v", e.audit(""))
	}
	if r := c.get("/applications"); r.status != http.StatusOK {
		t.Errorf("the cross-site sign-out ended the session: %d", r.status)
	}
}

// TestNoStateChangeOnGet: the forms' URLs do nothing on GET, and confirmation pages only
// ask.
func TestNoStateChangeOnGet(t *testing.T) {
	e := newEnv(t)
	c := e.signIn("admin")
	app, _ := e.createApp("stays")
	for _, path := range []string{"/applications/" + app.ID + "/delete", "/applications/" + app.ID + "/rotate",
		"/applications/" + app.ID + "/enabled", "/keys/rotate", "/signout", "/users/" + e.users["reader"].ID + "/delete"} {
		c.get(path)
	}
	got, err := e.id.GetApp(context.Background(), realm, app.ID)
	if err != nil || !got.Enabled || len(got.Secrets) != 1 {
		t.Fatalf("a GET changed the application: %+v %v", got, err)
	}
	if _, err := e.id.GetUser(context.Background(), realm, e.users["reader"].ID); err != nil {
		t.Fatal("a GET deleted a user")
	}
	if r := c.get("/applications"); r.status != http.StatusOK {
		t.Error("GET /signout signed out")
	}
	if n := len(e.audit("")); n != 1 {
		t.Errorf("%d audit events after GETs", n)
	}
}

func TestSecurityHeaders(t *testing.T) {
	e := newEnv(t)
	c := e.signIn("admin")
	for _, path := range []string{"/signin", "/applications", "/static/style.css", "/nope", "/clusters/health"} {
		r := c.get(path)
		h := r.header
		csp := h.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'",
			"object-src 'none'", "base-uri 'none'", "form-action 'self'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %q", path, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("%s: CSP allows inline code", path)
		}
		if h.Get("X-Frame-Options") != "DENY" || h.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: headers %v", path, h)
		}
	}
	// No inline script or style anywhere: the CSP would block it.
	for _, path := range []string{"/signin", "/applications", "/applications/new", "/apis", "/users", "/clusters", "/audit", "/keys"} {
		body := c.get(path).body
		if strings.Contains(body, "<script>") || strings.Contains(body, "style=") || strings.Contains(body, "<style") ||
			strings.Contains(body, " onclick=") || strings.Contains(body, " onload=") {
			t.Errorf("%s has inline script or style", path)
		}
	}
	html := c.get("/applications")
	if html.header.Get("Cache-Control") != "no-store" || !strings.HasPrefix(html.header.Get("Content-Type"), "text/html") {
		t.Errorf("page headers %v", html.header)
	}
}

func TestStaticAssets(t *testing.T) {
	e := newEnv(t)
	c := e.client() // no sign-in needed
	for path, ct := range map[string]string{"/static/style.css": "text/css", "/static/app.js": "text/javascript",
		"/static/favicon.svg": "image/svg+xml"} {
		r := c.get(path)
		if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), ct) || len(r.body) == 0 {
			t.Errorf("%s: %d %q", path, r.status, r.header.Get("Content-Type"))
		}
	}
	if r := c.get("/static/style.css?v=" + e.h.assetTag); !strings.Contains(r.header.Get("Cache-Control"), "immutable") {
		t.Errorf("tagged asset Cache-Control %q", r.header.Get("Cache-Control"))
	}
	for _, path := range []string{"/static/nope.css", "/static/../web.go", "/static/", "/static/%2e%2e/web.go"} {
		if r := c.get(path); r.status == http.StatusOK || strings.Contains(r.body, "package web") {
			t.Errorf("%s: %d", path, r.status)
		}
	}
}

// TestReadOnlyUser: read roles read everything and change nothing, like the management
// API's "read" permission.
func TestReadOnlyUser(t *testing.T) {
	e := newEnv(t)
	app, _ := e.createApp("looked-at", "console-api:read:*")
	c := e.signIn("reader")
	for _, path := range []string{"/applications", "/applications/" + app.ID, "/apis", "/users", "/users/" + e.users["admin"].ID,
		"/clusters", "/audit", "/keys"} {
		r := c.get(path)
		if r.status != http.StatusOK {
			t.Errorf("%s: %d", path, r.status)
		}
		mustNotContain(t, r.body, "New application</a>", "Save permissions", "Rotate secret</button>", "Delete application…",
			"Rotate signing key", "New user</a>", "New API</a>", "Save roles")
	}
	mustContain(t, c.get("/applications/"+app.ID).body, `<fieldset disabled class="plain">`, "Your roles allow reading only.")
	for _, path := range []string{"/applications/new", "/applications/" + app.ID + "/delete", "/apis/new", "/users/new"} {
		if r := c.get(path); r.status != http.StatusForbidden {
			t.Errorf("GET %s: %d, want 403", path, r.status)
		}
	}
	for path, form := range map[string]url.Values{
		"/applications":                             {"name": {"x"}},
		"/applications/" + app.ID + "/rotate":       {"grace": {"0s"}},
		"/applications/" + app.ID + "/permissions":  {},
		"/applications/" + app.ID + "/delete":       nil,
		"/keys/rotate":                              nil,
		"/users/" + e.users["reader"].ID + "/roles": {"roles": {"admin"}},
	} {
		r := c.post(path, form)
		if r.status != http.StatusForbidden {
			t.Errorf("POST %s: %d, want 403", path, r.status)
		}
		mustContain(t, r.body, "Your roles allow reading only.", "admin or Identity role")
	}
	if held, _ := e.id.Permissions(context.Background(), realm, app.ID); len(held) != 1 {
		t.Errorf("a read-only user changed permissions: %v", held)
	}
	if u, _ := e.id.GetUser(context.Background(), realm, e.users["reader"].ID); len(u.Roles) != 1 {
		t.Errorf("a read-only user gave themselves roles: %v", u.Roles)
	}
}

func TestAccess(t *testing.T) {
	for _, tt := range []struct {
		roles       []string
		read, write bool
	}{
		{nil, false, false},
		{[]string{"Operate", "Tasklist"}, false, false},
		{[]string{"read"}, true, false},
		{[]string{"Console"}, true, false},
		{[]string{"viewer", "Operate"}, true, false},
		{[]string{"Identity"}, true, true},
		{[]string{"admin"}, true, true},
		{[]string{"ADMIN"}, true, true},
		{[]string{"read", "write"}, true, true},
		{[]string{"administrator"}, false, false},
	} {
		if r, w := Access(tt.roles); r != tt.read || w != tt.write {
			t.Errorf("Access(%v) = %v, %v; want %v, %v", tt.roles, r, w, tt.read, tt.write)
		}
	}
}

func TestNotFound(t *testing.T) {
	e := newEnv(t)
	c := e.signIn("admin")
	for _, path := range []string{"/nope", "/applications/00000000-0000-4000-8000-000000000000", "/apis/x", "/users/x", "/clusters/x"} {
		r := c.get(path)
		if r.status != http.StatusNotFound {
			t.Errorf("%s: %d", path, r.status)
		}
		mustContain(t, r.body, `id="error-title"`)
	}
	// A method the page does not take.
	req, _ := http.NewRequest(http.MethodDelete, e.srv.URL+"/applications", nil)
	if r := c.do(req); r.status != http.StatusNotFound && r.status != http.StatusMethodNotAllowed {
		t.Errorf("DELETE /applications: %d", r.status)
	}
}

// TestStoreDown: a database outage is a 503 that says to retry, never a sign-out or a
// "wrong password".
func TestStoreDown(t *testing.T) {
	e := newEnv(t)
	c := e.signIn("admin")
	e.st.Close()
	r := c.get("/applications")
	if r.status != http.StatusServiceUnavailable || r.header.Get("Retry-After") == "" {
		t.Fatalf("page with the store down: %d", r.status)
	}
	mustContain(t, r.body, "cannot reach its database", "Reload the page in a few seconds.")
	if c.cookie() == "" {
		t.Error("an outage signed the user out")
	}
	r = e.client().post("/signin", url.Values{"username": {"admin"}, "password": {password}})
	if r.status != http.StatusServiceUnavailable {
		t.Fatalf("sign-in with the store down: %d", r.status)
	}
	mustContain(t, r.body, "Sign-in is unavailable right now")
}

// TestBidiControls: a username with a direction override is refused at sign-in before
// any throttle or audit write, and audit values that hold invisible or direction
// characters (written before this rule, or by another surface) show as visible escapes.
func TestBidiControls(t *testing.T) {
	e := newEnv(t)
	before := len(e.audit(""))
	r := e.client().post("/signin", url.Values{"username": {"\u202enimda"}, "password": {password}})
	if r.status != http.StatusBadRequest {
		t.Fatalf("bidi username: %d", r.status)
	}
	mustContain(t, r.body, "The username or password is wrong.")
	if n := len(e.audit("")); n != before {
		t.Errorf("a refused username wrote %d audit events", n-before)
	}

	ctx := t.Context()
	if err := e.st.AppendAudit(ctx, store.AuditEvent{Realm: realm, Time: e.clk.Now(), Actor: "\u202enimda", Action: "token.deny",
		Target: "t\u2066x", Outcome: "failure", Detail: map[string]string{"reason": "zero\u200bwidth\x07bell"}}); err != nil {
		t.Fatal(err)
	}
	page := e.signIn("admin").get("/audit")
	mustContain(t, page.body, `\u202enimda`, `\u2066`, `zero\u200bwidth\u0007bell`)
	for _, c := range []string{"\u202e", "\u2066", "\u200b", "\x07"} {
		if strings.Contains(page.body, c) {
			t.Errorf("the audit page holds the raw character %U", []rune(c)[0])
		}
	}
}
