package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/identity"
	"github.com/gatehouse/gatehouse/internal/store"
)

func apiSpec(name, audience string) identity.APISpec {
	return identity.APISpec{Name: name, Audience: audience, Permissions: []store.Permission{{Definition: "read", Description: "Read"}}}
}

func TestAPIPages(t *testing.T) {
	e := newEnv(t)
	c := e.signIn("admin")
	list := c.get("/apis")
	mustContain(t, list.body, "Web Modeler API", "web-modeler-public-api", "preset", "New API</a>")

	r := c.post("/apis", url.Values{"name": {"Orders"}, "audience": {"orders-api"}, "aliases": {"orders, orders.internal"},
		"permissions": {"read:orders Read orders\nwrite:orders\n\n"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("create API: %d %s", r.status, r.body)
	}
	id := strings.TrimPrefix(r.loc, "/apis/")
	page := c.follow(r)
	mustContain(t, page.body, "API created.", "orders-api", "orders.internal", "read:orders", "Read orders", "write:orders", "Delete API…")
	a, err := e.id.GetAPI(context.Background(), realm, id)
	if err != nil || len(a.Permissions) != 2 || len(a.Aliases) != 2 {
		t.Fatalf("stored API %+v %v", a, err)
	}

	// Same audience again: a clear message, the form kept.
	r = c.post("/apis", url.Values{"name": {"Orders 2"}, "audience": {"orders-api"}})
	if r.status != http.StatusConflict {
		t.Fatalf("duplicate audience: %d", r.status)
	}
	mustContain(t, r.body, "An API with this audience exists already", `value="Orders 2"`)
	if r := c.post("/apis", url.Values{"name": {"bad"}, "audience": {"has space"}}); r.status != http.StatusBadRequest {
		t.Errorf("bad audience: %d", r.status)
	}

	// Add and remove a permission definition.
	if r := c.post("/apis/"+id+"/permissions", url.Values{"definition": {"delete:orders"}, "description": {"Delete"}}); r.status != http.StatusSeeOther {
		t.Fatalf("add permission: %d %s", r.status, r.body)
	}
	r = c.post("/apis/"+id+"/permissions", url.Values{"definition": {"delete:orders"}})
	if r.status != http.StatusBadRequest {
		t.Errorf("duplicate permission: %d", r.status)
	}
	mustContain(t, r.body, "already defines this permission")
	if r := c.post("/apis/"+id+"/permissions", url.Values{"definition": {"bad perm"}}); r.status != http.StatusBadRequest {
		t.Errorf("bad definition: %d", r.status)
	}
	app, _ := e.createApp("holder", "orders-api:read:orders")
	if r := c.post("/apis/"+id+"/permissions/remove", url.Values{"definition": {"read:orders"}}); r.status != http.StatusSeeOther {
		t.Fatalf("remove permission: %d", r.status)
	}
	if held, _ := e.id.Permissions(context.Background(), realm, app.ID); len(held) != 0 {
		t.Errorf("grant of a removed permission kept: %v", held)
	}

	// Presets keep their definitions and cannot be deleted.
	var preset store.API
	apis, _ := e.id.ListAPIs(context.Background(), realm)
	for _, x := range apis {
		if x.Audience == identity.AudienceModeler {
			preset = x
		}
	}
	r = c.post("/apis/"+preset.ID+"/permissions/remove", url.Values{"definition": {"read:*"}})
	if r.status != http.StatusConflict {
		t.Errorf("remove a preset permission: %d", r.status)
	}
	if r := c.get("/apis/" + preset.ID + "/delete"); r.status != http.StatusConflict {
		t.Errorf("delete page of a preset: %d", r.status)
	}
	if r := c.post("/apis/"+preset.ID+"/delete", nil); r.status != http.StatusConflict {
		t.Errorf("delete a preset: %d", r.status)
	}

	// Delete the custom API (grants go with it).
	e.createApp("holder2", "orders-api:write:orders")
	mustContain(t, c.get("/apis/"+id+"/delete").body, "Delete the API “Orders”?")
	r = c.post("/apis/"+id+"/delete", nil)
	if r.status != http.StatusSeeOther || r.loc != "/apis" {
		t.Fatalf("delete API: %d %s", r.status, r.body)
	}
	if _, err := e.id.GetAPI(context.Background(), realm, id); err == nil {
		t.Error("API not deleted")
	}
	for _, action := range []string{"api.create", "api.update", "api.delete"} {
		for _, ev := range e.audit(action) {
			if ev.Actor != "admin" || ev.Detail["via"] != "console" {
				t.Errorf("%s event %+v", action, ev)
			}
		}
	}
	if n := len(e.audit("api.create")); n != 3 {
		t.Errorf("%d api.create events, want 3", n)
	}
}

func TestUserPages(t *testing.T) {
	e := newEnv(t)
	c := e.signIn("admin")
	mustContain(t, c.get("/users").body, "admin@example.com", "Read and change", "Read only", "No console access")
	mustContain(t, c.get("/users/new").body, `<label for="username">Username</label>`, `type="password"`)

	r := c.post("/users", url.Values{"username": {"Carol"}, "password": {"carols-password"}, "email": {"carol@example.com"},
		"roles": {"read, Operate"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("create user: %d %s", r.status, r.body)
	}
	id := strings.TrimPrefix(r.loc, "/users/")
	page := c.follow(r)
	mustContain(t, page.body, "User created.", "carol", "carol@example.com", "Read only", `value="read, Operate"`)

	// Carol signs in with the password set here (argon2id in the store).
	carol := e.client()
	if r := carol.post("/signin", url.Values{"username": {"carol"}, "password": {"carols-password"}}); r.status != http.StatusSeeOther {
		t.Fatalf("new user signs in: %d", r.status)
	}
	u, _ := e.id.GetUser(context.Background(), realm, id)
	if !strings.HasPrefix(u.PasswordHash, "$argon2id$") {
		t.Errorf("password hash %q", u.PasswordHash)
	}

	for _, tt := range []struct {
		name string
		form url.Values
		want int
		msg  string
	}{
		{"taken", url.Values{"username": {"carol"}, "password": {"whatever123"}}, http.StatusConflict, "exists already"},
		{"short password", url.Values{"username": {"dave"}, "password": {"short"}}, http.StatusBadRequest, "Check the password"},
		{"bad username", url.Values{"username": {"da ve"}, "password": {"whatever123"}}, http.StatusBadRequest, "Check the username"},
		{"bad email", url.Values{"username": {"dave"}, "password": {"whatever123"}, "email": {"nope"}}, http.StatusBadRequest, "Check the email"},
	} {
		r := c.post("/users", tt.form)
		if r.status != tt.want {
			t.Errorf("%s: %d", tt.name, r.status)
		}
		mustContain(t, r.body, tt.msg)
		mustNotContain(t, r.body, "whatever123")
	}

	// Roles: the field is the whole wanted set.
	if r := c.post("/users/"+id+"/roles", url.Values{"roles": {"admin,Operate"}}); r.status != http.StatusSeeOther {
		t.Fatalf("roles: %d %s", r.status, r.body)
	}
	u, _ = e.id.GetUser(context.Background(), realm, id)
	if strings.Join(u.Roles, ",") != "Operate,admin" {
		t.Errorf("roles %v", u.Roles)
	}
	if add, rm := e.audit("user.roles.add"), e.audit("user.roles.remove"); len(add) != 1 || add[0].Detail["roles"] != "admin" ||
		len(rm) != 1 || rm[0].Detail["roles"] != "read" {
		t.Errorf("role events %+v %+v", add, rm)
	}
	// Carol's next request can change things.
	mustContain(t, carol.get("/applications").body, "can change")

	// Password.
	if r := c.post("/users/"+id+"/password", url.Values{"password": {"new-password-1"}, "confirm": {"new-password-2"}}); r.status != http.StatusBadRequest {
		t.Errorf("mismatched passwords: %d", r.status)
	}
	if r := c.post("/users/"+id+"/password", url.Values{"password": {"new-password-1"}, "confirm": {"new-password-1"}}); r.status != http.StatusSeeOther {
		t.Errorf("set password: %d", r.status)
	}
	for _, ev := range e.audit("user.update") {
		if ev.Detail["fields"] != "password" {
			t.Errorf("event %+v", ev)
		}
	}

	// Nobody locks themselves out.
	self := "/users/" + e.users["admin"].ID
	mustNotContain(t, c.get(self).body, "Disable user", "Delete user…")
	if r := c.post(self+"/enabled", url.Values{"enabled": {"false"}}); r.status != http.StatusBadRequest {
		t.Errorf("disable yourself: %d", r.status)
	}
	if r := c.post(self+"/delete", nil); r.status != http.StatusBadRequest {
		t.Errorf("delete yourself: %d", r.status)
	}
	if r := c.get(self + "/delete"); r.status != http.StatusConflict {
		t.Errorf("delete page for yourself: %d", r.status)
	}
	r = c.post(self+"/roles", url.Values{"roles": {"read"}})
	if r.status != http.StatusBadRequest {
		t.Errorf("take your own admin role: %d", r.status)
	}
	mustContain(t, r.body, "cannot take your own admin or Identity role")

	// Delete Carol: her session ends.
	mustContain(t, c.get("/users/"+id+"/delete").body, "Delete the user “carol”?")
	if r := c.post("/users/"+id+"/delete", nil); r.status != http.StatusSeeOther {
		t.Fatalf("delete user: %d", r.status)
	}
	if r := carol.get("/applications"); r.status != http.StatusSeeOther {
		t.Errorf("deleted user still signed in: %d", r.status)
	}
	mustContain(t, c.get("/users?q=car").body, "No username contains “car”")
}

func TestClusterPages(t *testing.T) {
	e := newEnv(t)
	c := e.signIn("reader")
	list := c.get("/clusters")
	if list.status != http.StatusOK {
		t.Fatalf("clusters: %d", list.status)
	}
	id := e.clusters.View().Clusters[0].UUID
	mustContain(t, list.body, "prod", `data-health-url="/clusters/health"`, `data-health-refresh="5000"`,
		`data-health-app="operate">healthy</span>`, `data-health-app="zeebeGateway">unknown</span>`)

	health := func() healthJSON {
		r := c.get("/clusters/health")
		if r.status != http.StatusOK || r.header.Get("Content-Type") != "application/json" || r.header.Get("Cache-Control") != "no-store" {
			t.Fatalf("health: %d %v", r.status, r.header)
		}
		var h healthJSON
		if err := json.Unmarshal([]byte(r.body), &h); err != nil {
			t.Fatal(err)
		}
		return h
	}
	h := health()
	if len(h.Clusters) != 1 || h.Clusters[0].UUID != id || h.Clusters[0].Apps[0].Status != "healthy" {
		t.Fatalf("health %+v", h)
	}
	// A component turns unhealthy: the next probe round shows in the endpoint the page polls.
	e.healthy.Store(false)
	e.clusters.Probe(context.Background())
	h = health()
	if h.Clusters[0].Status != "unhealthy" || h.Clusters[0].Apps[0].Status != "unhealthy" {
		t.Fatalf("health after failure %+v", h)
	}
	mustContain(t, c.get("/clusters").body, `data-health-app="operate">unhealthy</span>`)

	// Detail: usage for the chosen period; a failing source says which and what to do.
	page := c.get("/clusters/" + id + "?period=7d")
	if page.status != http.StatusOK {
		t.Fatalf("cluster page: %d", page.status)
	}
	mustContain(t, page.body, "Usage metrics could not be read from component “operate”", "Check that its metrics URL is reachable")
	e.healthy.Store(true)
	page = c.get("/clusters/" + id + "?period=7d")
	mustContain(t, page.body, `<span class="value" id="metric-pi">42</span>`, `<span class="value" id="metric-di">7</span>`,
		`<option value="7d" selected>`)
	page = c.get("/clusters/" + id + "?period=custom&from=2026-02-01&to=2026-02-28")
	mustContain(t, page.body, "From 2026-02-01 00:00:00 UTC to 2026-03-01 00:00:00 UTC")
	for q, msg := range map[string]string{
		"period=custom": "Enter both dates",
		"period=custom&from=2026-03-01&to=2026-02-01": "ends before it starts",
		"period=custom&from=2020-01-01&to=2026-01-01": "at most one year",
	} {
		mustContain(t, c.get("/clusters/"+id+"?"+q).body, msg)
	}
}

func TestNoClusters(t *testing.T) {
	e := newEnv(t)
	e.h.o.Clusters = nil
	c := e.signIn("admin")
	mustContain(t, c.get("/clusters").body, "No clusters are configured.", "clusters:", "/manage/v1/realms/camunda-platform/clusters")
	var h healthJSON
	json.Unmarshal([]byte(c.get("/clusters/health").body), &h)
	if h.Clusters == nil || len(h.Clusters) != 0 {
		t.Errorf("health %+v", h)
	}
}

// act is how the audit table shows an action.
func act(action string) string { return `data-label="Action"><code>` + action + `</code>` }

func TestAuditPage(t *testing.T) {
	e := newEnv(t)
	c := e.signIn("admin")
	app, _ := e.createApp("audited")
	c.post("/applications/"+app.ID+"/name", url.Values{"name": {"audited 2"}})
	c.post("/applications/"+app.ID+"/name", url.Values{"name": {""}})
	ctx := context.Background()
	e.st.AppendAudit(ctx, store.AuditEvent{Realm: realm, Time: e.clk.Now().AddDate(0, 0, -10), Actor: "old-client", Action: "token.issue",
		Outcome: "success", Detail: map[string]string{"aud": "zeebe-api"}})

	all := c.get("/audit?token_issue=1")
	mustContain(t, all.body, act("console.signin"), act("app.update"), act("token.issue"), "old-client", `<span class="k">via</span> console`)
	// token.issue events are hidden unless asked: by the checkbox or by the action filter.
	def := c.get("/audit")
	mustContain(t, def.body, act("console.signin"), act("app.update"), `name="token_issue"`)
	mustNotContain(t, def.body, act("token.issue"))
	mustContain(t, c.get("/audit?action=token.").body, act("token.issue"))
	f := c.get("/audit?action=app.&outcome=failure")
	mustContain(t, f.body, "app.update", `<span class="k">reason</span> invalid`)
	mustNotContain(t, f.body, act("console.signin"), act("token.issue"))
	mustContain(t, c.get("/audit?actor=old-client&token_issue=1").body, act("token.issue"))
	mustNotContain(t, c.get("/audit?actor=old-client").body, act("app.update"))
	mustContain(t, c.get("/audit?target="+app.ID).body, "app.update")
	since := c.get("/audit?since=" + e.clk.Now().Format("2006-01-02"))
	mustNotContain(t, since.body, "old-client")
	until := c.get("/audit?token_issue=1&until=" + e.clk.Now().AddDate(0, 0, -5).Format("2006-01-02"))
	mustContain(t, until.body, "old-client")
	mustNotContain(t, until.body, act("console.signin"))
	mustContain(t, c.get("/audit?action=nothing.like.this").body, "No event matches these filters.")
	for q, msg := range map[string]string{"outcome=maybe": "Outcome is success or failure.", "since=yesterday": "Dates are of the form",
		"actor=" + strings.Repeat("a", 300): "Filters are at most"} {
		r := c.get("/audit?" + q)
		if r.status != http.StatusBadRequest {
			t.Errorf("%s: %d", q, r.status)
		}
		mustContain(t, r.body, msg)
	}
	// Paging backwards by event id.
	for i := range auditPageSize + 5 {
		e.st.AppendAudit(ctx, store.AuditEvent{Realm: realm, Time: e.clk.Now(), Actor: "bulk", Action: "token.issue", Outcome: "success",
			Target: "t" + string(rune('a'+i%26))})
	}
	page := c.get("/audit?actor=bulk&token_issue=1")
	if !strings.Contains(page.body, "Older →") {
		t.Fatal("no link to older events")
	}
	m := regexp.MustCompile(`href="([^"]+)" rel="next">Older`).FindStringSubmatch(page.body)
	if m == nil {
		t.Fatal("no older link")
	}
	older := strings.ReplaceAll(m[1], "&amp;", "&")
	mustContain(t, older, "before=", "actor=bulk", "token_issue=1")
	next := c.get(older)
	if strings.Count(next.body, "<tr>")-1 != 5 {
		t.Errorf("second page has %d rows", strings.Count(next.body, "<tr>")-1)
	}
	mustContain(t, next.body, "← Newest")
}

func TestKeysPage(t *testing.T) {
	e := newEnv(t)
	c := e.signIn("admin")
	page := c.get("/keys")
	mustContain(t, page.body, "ES256", `state-active">active`, "Rotate signing key",
		"http://localhost:18080/auth/realms/camunda-platform/protocol/openid-connect/certs")
	before, _ := e.h.o.Keys.List(context.Background(), realm)
	r := c.post("/keys/rotate", nil)
	if r.status != http.StatusSeeOther {
		t.Fatalf("rotate: %d %s", r.status, r.body)
	}
	mustContain(t, c.follow(r).body, "Signing key rotated", `state-retired">retired`)
	after, _ := e.h.o.Keys.List(context.Background(), realm)
	if after[0].State != "active" || after[0].ID == before[0].ID {
		t.Errorf("keys before %+v after %+v", before, after)
	}
	evs := e.audit("key.rotate")
	if len(evs) != 1 || evs[0].Detail["trigger"] != "manual" || evs[0].Detail["active"] != after[0].ID || evs[0].Actor != "admin" {
		t.Errorf("audit %+v", evs)
	}
}

// TestEveryPageRenders is a smoke test over every GET page for a writer.
func TestEveryPageRenders(t *testing.T) {
	e := newEnv(t)
	c := e.signIn("admin")
	app, _ := e.createApp("smoke")
	api, _ := e.setup().CreateAPI(context.Background(), testActor, realm, apiSpec("Smoke", "smoke-api"))
	cl := e.clusters.View().Clusters[0].UUID
	for path, title := range map[string]string{
		"/applications":                              "<title>Applications · Gatehouse</title>",
		"/applications/new":                          "<title>New application · Gatehouse</title>",
		"/applications/" + app.ID:                    "<title>smoke · Gatehouse</title>",
		"/applications/" + app.ID + "/credentials":   "<title>Credentials of smoke · Gatehouse</title>",
		"/applications/" + app.ID + "/delete":        "<title>Delete smoke · Gatehouse</title>",
		"/apis":                                      "<title>APIs · Gatehouse</title>",
		"/apis/new":                                  "<title>New API · Gatehouse</title>",
		"/apis/" + api.ID:                            "<title>Smoke · Gatehouse</title>",
		"/apis/" + api.ID + "/delete":                "<title>Delete Smoke · Gatehouse</title>",
		"/users":                                     "<title>Users · Gatehouse</title>",
		"/users/new":                                 "<title>New user · Gatehouse</title>",
		"/users/" + e.users["reader"].ID:             "<title>reader · Gatehouse</title>",
		"/users/" + e.users["reader"].ID + "/delete": "<title>Delete reader · Gatehouse</title>",
		"/clusters":                                  "<title>Clusters · Gatehouse</title>",
		"/clusters/" + cl:                            "<title>prod · Gatehouse</title>",
		"/audit":                                     "<title>Audit log · Gatehouse</title>",
		"/keys":                                      "<title>Signing keys · Gatehouse</title>",
	} {
		r := c.get(path)
		if r.status != http.StatusOK {
			t.Errorf("%s: %d", path, r.status)
			continue
		}
		mustContain(t, r.body, title, `<main id="main"`, `href="#main"`, `aria-label="Main"`)
	}
	if r := c.get("/"); r.status != http.StatusSeeOther || r.loc != "/applications" {
		t.Errorf("/: %d %q", r.status, r.loc)
	}
}
