package mgmt_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/httpapi/mgmt"
	"github.com/gatehouse/gatehouse/internal/server/servertest"
)

// endpoint is one operation of the API with a body that passes validation.
type endpoint struct {
	method, path string
	body         any
	need         string // "read", "write" or "users" (read or read:users)
}

// objects are ids of one of each kind in the default realm.
type objects struct{ app, api, user, cluster, kid string }

func (e *env) objects() objects {
	e.t.Helper()
	admin := e.admin()
	var o objects
	o.app, _, _ = e.app("target-app")
	var api mgmt.API
	e.call(admin, "POST", "/apis", map[string]any{"name": "Billing", "audience": "billing-api",
		"permissions": []map[string]string{{"definition": "read:*"}}}).want(http.StatusCreated).decode(&api)
	o.api = api.ID
	var u mgmt.User
	e.call(admin, "POST", "/users", map[string]any{"username": "target", "password": "long enough password"}).
		want(http.StatusCreated).decode(&u)
	o.user = u.ID
	var c mgmt.Cluster
	e.call(admin, "POST", "/clusters", map[string]any{"name": "target-cluster"}).want(http.StatusCreated).decode(&c)
	o.cluster = c.ID
	var ks mgmt.Items[struct {
		Kid   string `json:"kid"`
		State string `json:"state"`
	}]
	// A rotation leaves a retired key and a fresh next key.
	e.call(admin, "POST", "/keys/rotate", nil).want(http.StatusOK).decode(&ks)
	for _, k := range ks.Items {
		if k.State == "next" {
			o.kid = k.Kid
		}
	}
	if o.kid == "" {
		e.t.Fatalf("no next key: %+v", ks)
	}
	return o
}

// endpoints lists every operation on the objects o.
func endpoints(o objects) []endpoint {
	perm := []map[string]string{{"api": "console-api", "permission": "read:*"}}
	return []endpoint{
		{"GET", "/applications", nil, "read"},
		{"POST", "/applications", map[string]any{"name": "x"}, "write"},
		{"GET", "/applications/" + o.app, nil, "read"},
		{"PATCH", "/applications/" + o.app, map[string]any{"name": "renamed"}, "write"},
		{"POST", "/applications/" + o.app + "/rotate-secret", map[string]any{"grace": "1m"}, "write"},
		{"GET", "/applications/" + o.app + "/permissions", nil, "read"},
		{"PUT", "/applications/" + o.app + "/permissions", perm, "write"},
		{"DELETE", "/applications/" + o.app + "/permissions", perm, "write"},
		{"GET", "/apis", nil, "read"},
		{"POST", "/apis", map[string]any{"name": "New", "audience": "new-api"}, "write"},
		{"GET", "/apis/" + o.api, nil, "read"},
		{"PATCH", "/apis/" + o.api, map[string]any{"name": "Renamed"}, "write"},
		{"GET", "/users", nil, "users"},
		{"POST", "/users", map[string]any{"username": "new", "password": "long enough password"}, "write"},
		{"GET", "/users/" + o.user, nil, "users"},
		{"PATCH", "/users/" + o.user, map[string]any{"firstName": "Ada"}, "write"},
		{"GET", "/users/" + o.user + "/roles", nil, "users"},
		{"PUT", "/users/" + o.user + "/roles", []string{"Operate"}, "write"},
		{"DELETE", "/users/" + o.user + "/roles", []string{"Operate"}, "write"},
		{"GET", "/clusters", nil, "read"},
		{"POST", "/clusters", map[string]any{"name": "new-cluster"}, "write"},
		{"GET", "/clusters/" + o.cluster, nil, "read"},
		{"PATCH", "/clusters/" + o.cluster, map[string]any{"version": "8.6.0"}, "write"},
		{"GET", "/keys", nil, "read"},
		{"GET", "/audit", nil, "read"},
		// Destructive ones last.
		{"POST", "/keys/" + o.kid + "/revoke", nil, "write"},
		{"POST", "/keys/rotate", nil, "write"},
		{"DELETE", "/clusters/" + o.cluster, nil, "write"},
		{"DELETE", "/users/" + o.user, nil, "write"},
		{"DELETE", "/apis/" + o.api + "?cascade=true", nil, "write"},
		{"DELETE", "/applications/" + o.app, nil, "write"},
	}
}

func TestAuthentication(t *testing.T) {
	t.Parallel()
	e := start(t, nil)
	o := e.objects()
	_, rid, rsec := e.app("reader", "camunda-identity-resource-server:read")
	_, wid, wsec := e.app("writer", "camunda-identity-resource-server:write")
	_, uid, usec := e.app("user-reader", "camunda-identity-resource-server:read:users")
	_, cid, csec := e.app("console", "console-api:read:*")
	reader, writer, userReader := e.token(realm, rid, rsec), e.token(realm, wid, wsec), e.token(realm, uid, usec)
	wrongAudience := e.tokenFor(realm, cid, csec, "")
	// The administrator holds read and write on the management API, but a token asked
	// for without an audience never carries it (RFC 9700 §2.3).
	noAudience := e.tokenFor(realm, servertest.AdminID, servertest.AdminSecret, "")
	otherRealm := e.otherAdmin()

	for _, ep := range endpoints(o) {
		name := ep.method + " " + ep.path
		// RFC 6750 §3: no token → 401 with a bare challenge.
		r := e.call("", ep.method, ep.path, ep.body).want(http.StatusUnauthorized)
		if h := r.header.Get("WWW-Authenticate"); h != `Bearer realm="`+realm+`"` {
			t.Errorf("%s without a token: WWW-Authenticate %q", name, h)
		}
		r.problem()
		for what, tok := range map[string]string{"wrong audience": wrongAudience, "no audience": noAudience,
			"other realm": otherRealm, "garbage": "abc.def.ghi"} {
			r := e.call(tok, ep.method, ep.path, ep.body).want(http.StatusUnauthorized)
			if h := r.header.Get("WWW-Authenticate"); !strings.Contains(h, `error="invalid_token"`) {
				t.Errorf("%s with a %s token: WWW-Authenticate %q", name, what, h)
			}
		}
		allowed := map[string][]string{"read": {"read"}, "write": {"write"}, "users": {"read", "users"}}[ep.need]
		for who, tok := range map[string]string{"read": reader, "write": writer, "users": userReader} {
			ok := false
			for _, a := range allowed {
				ok = ok || a == who
			}
			if ok {
				continue // the happy paths are other tests' business; destructive calls would change o
			}
			r := e.call(tok, ep.method, ep.path, ep.body).want(http.StatusForbidden)
			if h := r.header.Get("WWW-Authenticate"); !strings.Contains(h, `error="insufficient_scope"`) {
				t.Errorf("%s as %s: WWW-Authenticate %q", name, who, h)
			}
		}
	}

	// Reads pass with read (and users with read:users); writes pass with write.
	e.call(reader, "GET", "/applications", nil).want(http.StatusOK)
	e.call(userReader, "GET", "/users", nil).want(http.StatusOK)
	e.call(writer, "POST", "/clusters", map[string]any{"name": "by-writer"}).want(http.StatusCreated)

	// An expired token (past exp plus the 60 s leeway) is refused.
	e.clock.Advance(5*time.Minute + 61*time.Second)
	r := e.call(reader, "GET", "/applications", nil).want(http.StatusUnauthorized)
	if h := r.header.Get("WWW-Authenticate"); !strings.Contains(h, `error="invalid_token"`) {
		t.Errorf("expired token: WWW-Authenticate %q", h)
	}
}

func TestOtherRealmIsNotFound(t *testing.T) {
	t.Parallel()
	e := start(t, nil)
	o := e.objects()
	tok := e.otherAdmin()
	for _, ep := range endpoints(o) {
		if !strings.Contains(ep.path, "/"+o.app) && !strings.Contains(ep.path, "/"+o.api) && !strings.Contains(ep.path, "/"+o.user) &&
			!strings.Contains(ep.path, "/"+o.cluster) && !strings.Contains(ep.path, "/"+o.kid) {
			continue
		}
		e.callRealm(tok, other, ep.method, ep.path, ep.body).want(http.StatusNotFound).problem()
	}
	// Nothing changed in the default realm.
	admin := e.admin()
	var app mgmt.Application
	e.call(admin, "GET", "/applications/"+o.app, nil).want(http.StatusOK).decode(&app)
	if app.Name != "target-app" || len(app.Secrets) != 1 {
		t.Errorf("application changed from another realm: %+v", app)
	}
	e.call(admin, "GET", "/apis/"+o.api, nil).want(http.StatusOK)
	e.call(admin, "GET", "/users/"+o.user, nil).want(http.StatusOK)
	e.call(admin, "GET", "/clusters/"+o.cluster, nil).want(http.StatusOK)

	// The other realm's own objects work with its own token.
	e.callRealm(tok, other, "GET", "/applications", nil).want(http.StatusOK)
	// A realm that does not exist.
	e.callRealm(admin, "nope", "GET", "/applications", nil).want(http.StatusNotFound).problem()
}

func TestUnknownRoutes(t *testing.T) {
	t.Parallel()
	e := start(t, nil)
	admin := e.admin()
	r := e.raw(admin, "GET", "/manage/v1/realms/"+realm+"/nothing-here", nil, "", true).want(http.StatusNotFound)
	r.problem()
	r = e.raw(admin, "PUT", "/manage/v1/realms/"+realm+"/applications", "{}", "application/json", true).want(http.StatusMethodNotAllowed)
	if allow := r.header.Get("Allow"); !strings.Contains(allow, "GET") || !strings.Contains(allow, "POST") {
		t.Errorf("Allow %q", allow)
	}
	r.problem()
	r = e.raw("", "GET", "/manage/v1/openapi.json", nil, "", false).want(http.StatusOK)
	if string(r.body) != string(mgmt.OpenAPI) {
		t.Error("served OpenAPI document differs from the embedded one")
	}
	openAPIRouter(t) // the document is valid OpenAPI 3
}
