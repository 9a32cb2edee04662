package mgmt_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/httpapi/mgmt"
	"github.com/gatehouse/gatehouse/internal/store"
)

func TestAPIs(t *testing.T) {
	t.Parallel()
	e := start(t, nil)
	admin := e.admin()
	var api mgmt.API
	r := e.call(admin, "POST", "/apis", map[string]any{"name": "Billing API", "audience": "billing-api", "aliases": []string{"billing.example"},
		"permissions": []map[string]string{{"definition": "read:*", "description": "Read invoices"}, {"definition": "write:*"}}})
	r.want(http.StatusCreated).decode(&api)
	if api.Audience != "billing-api" || api.Preset || len(api.Permissions) != 2 || r.header.Get("Location") == "" {
		t.Fatalf("created: %+v", api)
	}
	var list mgmt.List[mgmt.API]
	e.call(admin, "GET", "/apis?q=billing", nil).want(http.StatusOK).decode(&list)
	if list.Total != 1 || list.Items[0].ID != api.ID {
		t.Errorf("search: %+v", list)
	}
	e.call(admin, "GET", "/apis?limit=3&offset=2", nil).want(http.StatusOK).decode(&list)
	if len(list.Items) != 3 || list.Total != 9 {
		t.Errorf("presets + 1 paged: total %d, %d items", list.Total, len(list.Items))
	}

	// An application granted write:* gets it in its token.
	id, clientID, secret := e.app("invoicer", "billing-api:write:*")
	claims := e.introspect(e.tokenFor(realm, clientID, secret, ""))
	if !strings.Contains(strings.Join(toStrings(claims["permissions"].(map[string]any)["billing-api"]), " "), "write:*") {
		t.Errorf("token permissions: %v", claims["permissions"])
	}

	// Dropping a definition drops its grants.
	e.call(admin, "PATCH", "/apis/"+api.ID, map[string]any{"name": "Billing", "permissions": []map[string]string{{"definition": "read:*"}}}).
		want(http.StatusOK).decode(&api)
	if api.Name != "Billing" || len(api.Permissions) != 1 || len(api.Aliases) != 1 {
		t.Errorf("patched: %+v", api)
	}
	var perms mgmt.Items[mgmt.Permission]
	e.call(admin, "GET", "/applications/"+id+"/permissions", nil).want(http.StatusOK).decode(&perms)
	if len(perms.Items) != 0 {
		t.Errorf("grant of a dropped definition: %+v", perms)
	}

	// Delete: refused while granted, cascades on request.
	e.call(admin, "PUT", "/applications/"+id+"/permissions", []map[string]string{{"api": "billing-api", "permission": "read:*"}}).
		want(http.StatusOK).decode(&perms)
	if len(perms.Items) != 1 {
		t.Fatalf("granted: %+v", perms)
	}
	p := e.call(admin, "DELETE", "/apis/"+api.ID, nil).want(http.StatusConflict).problem()
	if !strings.Contains(p["detail"].(string), "cascade=true") {
		t.Errorf("conflict detail: %v", p)
	}
	e.call(admin, "DELETE", "/apis/"+api.ID+"?cascade=true", nil).want(http.StatusNoContent)
	e.call(admin, "GET", "/apis/"+api.ID, nil).want(http.StatusNotFound)
	e.call(admin, "GET", "/applications/"+id+"/permissions", nil).want(http.StatusOK).decode(&perms)
	if len(perms.Items) != 0 {
		t.Errorf("cascade left grants: %+v", perms)
	}

	// Preset APIs stay.
	e.call(admin, "GET", "/apis?q=Camunda%20Identity", nil).want(http.StatusOK).decode(&list)
	if len(list.Items) != 1 || !list.Items[0].Preset {
		t.Fatalf("preset: %+v", list)
	}
	e.call(admin, "DELETE", "/apis/"+list.Items[0].ID+"?cascade=true", nil).want(http.StatusConflict)
	e.call(admin, "PATCH", "/apis/"+list.Items[0].ID, map[string]any{"permissions": []map[string]string{{"definition": "read"}}}).
		want(http.StatusConflict)
}

func toStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

func TestPermissionsGiveAndTake(t *testing.T) {
	t.Parallel()
	e := start(t, nil)
	admin := e.admin()
	id, clientID, secret := e.app("job")
	var perms mgmt.Items[mgmt.Permission]
	e.call(admin, "PUT", "/applications/"+id+"/permissions", []map[string]string{
		{"api": "console-api", "permission": "read:*"}, {"api": "console-api", "permission": "write:*"}}).want(http.StatusOK).decode(&perms)
	e.call(admin, "PUT", "/applications/"+id+"/permissions", []map[string]string{{"api": "console-api", "permission": "read:*"}}).
		want(http.StatusOK).decode(&perms)
	if len(perms.Items) != 2 {
		t.Fatalf("after idempotent add: %+v", perms)
	}
	claims := e.introspect(e.tokenFor(realm, clientID, secret, ""))
	if got := toStrings(claims["permissions"].(map[string]any)["console-api"]); !slices.Equal(got, []string{"read:*", "write:*"}) {
		t.Errorf("token permissions %v", got)
	}
	e.call(admin, "DELETE", "/applications/"+id+"/permissions", []map[string]string{{"api": "console-api", "permission": "write:*"}}).
		want(http.StatusOK).decode(&perms)
	if d := cmp.Diff([]mgmt.Permission{{API: "console-api", Permission: "read:*"}}, perms.Items); d != "" {
		t.Errorf("after take (-want +got):\n%s", d)
	}
	claims = e.introspect(e.tokenFor(realm, clientID, secret, ""))
	if got := toStrings(claims["permissions"].(map[string]any)["console-api"]); !slices.Equal(got, []string{"read:*"}) {
		t.Errorf("token permissions after take %v", got)
	}
}

func TestUsers(t *testing.T) {
	t.Parallel()
	e := start(t, func(c *config.Config) {
		c.Users = []config.User{{Username: "demo", Password: "demo", Email: "demo@acme.com", FirstName: "Demo", Roles: []string{"Identity", "Operate"}}}
	})
	admin := e.admin()
	e.remember("long enough password", "another password!")

	var list mgmt.List[mgmt.User]
	e.call(admin, "GET", "/users", nil).want(http.StatusOK).decode(&list)
	// The template's first start (no users declared) created the console administrator.
	if list.Total != 2 || list.Items[0].Username != "admin" || !slices.Equal(list.Items[0].Roles, []string{"admin"}) ||
		list.Items[1].Username != "demo" || !slices.Equal(list.Items[1].Roles, []string{"Identity", "Operate"}) {
		t.Fatalf("seeded users: %+v", list)
	}

	var u mgmt.User
	r := e.call(admin, "POST", "/users", map[string]any{"username": "Ada", "password": "long enough password", "email": "ada@example.com",
		"firstName": "Ada", "lastName": "Lovelace", "roles": []string{"Web Modeler"}}).want(http.StatusCreated)
	r.decode(&u)
	if u.Username != "ada" || !u.Enabled || u.LastName != "Lovelace" {
		t.Errorf("created: %+v", u)
	}
	for _, rd := range []reply{r, e.call(admin, "GET", "/users/"+u.ID, nil).want(http.StatusOK), e.call(admin, "GET", "/users", nil).want(http.StatusOK)} {
		if s := strings.ToLower(string(rd.body)); strings.Contains(s, "password") || strings.Contains(s, "argon2") {
			t.Errorf("%s %s shows password material: %s", rd.req.Method, rd.req.URL, rd.body)
		}
	}
	e.call(admin, "PATCH", "/users/"+u.ID, map[string]any{"enabled": false, "password": "another password!", "lastName": "King"}).
		want(http.StatusOK).decode(&u)
	if u.Enabled || u.LastName != "King" {
		t.Errorf("patched: %+v", u)
	}
	var roles mgmt.Items[string]
	e.call(admin, "PUT", "/users/"+u.ID+"/roles", []string{"Operate", "Web Modeler"}).want(http.StatusOK).decode(&roles)
	if !slices.Equal(roles.Items, []string{"Web Modeler", "Operate"}) {
		t.Errorf("roles after add: %v", roles.Items)
	}
	e.call(admin, "DELETE", "/users/"+u.ID+"/roles", []string{"Web Modeler"}).want(http.StatusOK).decode(&roles)
	e.call(admin, "GET", "/users/"+u.ID+"/roles", nil).want(http.StatusOK).decode(&roles)
	if !slices.Equal(roles.Items, []string{"Operate"}) {
		t.Errorf("roles after remove: %v", roles.Items)
	}
	e.call(admin, "DELETE", "/users/"+u.ID, nil).want(http.StatusNoContent)
	e.call(admin, "GET", "/users/"+u.ID, nil).want(http.StatusNotFound)
	e.call(admin, "GET", "/users/"+u.ID+"/roles", nil).want(http.StatusNotFound)
}

func TestClusters(t *testing.T) {
	t.Parallel()
	e := start(t, nil)
	admin := e.admin()
	var c mgmt.Cluster
	e.call(admin, "POST", "/clusters", map[string]any{"name": "camunda", "namespace": "camunda-prod", "version": "8.6.0", "tags": []string{"prod"},
		"components": []map[string]string{{"id": "operate", "name": "Operate", "type": "operate", "version": "8.6.0",
			"url": "https://operate.example", "readiness": "http://operate:9600/actuator/health/readiness"}}}).
		want(http.StatusCreated).decode(&c)
	if c.ID == "" || c.Source != "api" || len(c.Components) != 1 || c.Components[0].Type != "operate" {
		t.Fatalf("created: %+v", c)
	}
	e.call(admin, "PATCH", "/clusters/"+c.ID, map[string]any{"version": "8.6.1", "tags": []string{"prod", "eu"}}).want(http.StatusOK).decode(&c)
	if c.Version != "8.6.1" || len(c.Tags) != 2 || c.Name != "camunda" || len(c.Components) != 1 {
		t.Errorf("patched: %+v", c)
	}
	var list mgmt.List[mgmt.Cluster]
	e.call(admin, "GET", "/clusters?q=CAMUNDA", nil).want(http.StatusOK).decode(&list)
	if list.Total != 1 || list.Items[0].ID != c.ID {
		t.Errorf("list: %+v", list)
	}
	e.call(admin, "GET", "/clusters/"+c.ID, nil).want(http.StatusOK)
	e.call(admin, "DELETE", "/clusters/"+c.ID, nil).want(http.StatusNoContent)

	// Clusters declared in configuration are changed there (the next start would undo it).
	declared := store.Cluster{ID: "11111111-2222-4333-8444-555555555555", Realm: realm, Name: "declared", Source: "config",
		CreatedAt: e.clock.Now(), UpdatedAt: e.clock.Now()}
	if err := e.in.Store().CreateCluster(context.Background(), declared); err != nil {
		t.Fatal(err)
	}
	e.call(admin, "PATCH", "/clusters/"+declared.ID, map[string]any{"version": "1"}).want(http.StatusConflict).problem()
	e.call(admin, "DELETE", "/clusters/"+declared.ID, nil).want(http.StatusConflict).problem()
	e.call(admin, "GET", "/clusters/"+declared.ID, nil).want(http.StatusOK)
	e.call(admin, "GET", "/clusters/"+c.ID, nil).want(http.StatusNotFound)
	e.call(admin, "PATCH", "/clusters/"+c.ID, map[string]any{"version": "1"}).want(http.StatusNotFound)
}

type keyInfo struct {
	Kid   string `json:"kid"`
	State string `json:"state"`
}

func activeKey(ks []keyInfo) string {
	for _, k := range ks {
		if k.State == "active" {
			return k.Kid
		}
	}
	return ""
}

func TestKeys(t *testing.T) {
	t.Parallel()
	e := start(t, nil)
	admin := e.admin()
	var ks mgmt.Items[keyInfo]
	e.call(admin, "GET", "/keys", nil).want(http.StatusOK).decode(&ks)
	first := activeKey(ks.Items)
	if first == "" {
		t.Fatalf("keys: %+v", ks)
	}
	e.call(admin, "POST", "/keys/rotate", nil).want(http.StatusOK).decode(&ks)
	second := activeKey(ks.Items)
	if second == "" || second == first {
		t.Fatalf("after rotation: %+v", ks)
	}
	// The old key still verifies (retired, published): the admin token signed by it works.
	e.call(admin, "GET", "/keys", nil).want(http.StatusOK)

	// Emergency revocation of the old key: its tokens stop working at once.
	e.call(e.admin(), "POST", "/keys/"+first+"/revoke", nil).want(http.StatusOK).decode(&ks)
	for _, k := range ks.Items {
		if k.Kid == first && k.State != "revoked" {
			t.Errorf("revoked key state %q", k.State)
		}
	}
	e.call(admin, "GET", "/keys", nil).want(http.StatusUnauthorized)
	fresh := e.admin()
	e.call(fresh, "POST", "/keys/"+first+"/revoke", nil).want(http.StatusNotFound)
	e.call(fresh, "POST", "/keys/no-such-kid/revoke", nil).want(http.StatusNotFound)

	// Revoking the active key: the next one takes over, tokens of the old one fail.
	e.call(fresh, "POST", "/keys/"+second+"/revoke", nil).want(http.StatusOK).decode(&ks)
	if third := activeKey(ks.Items); third == "" || third == second {
		t.Errorf("after revoking the active key: %+v", ks)
	}
	e.call(fresh, "GET", "/keys", nil).want(http.StatusUnauthorized)
	e.call(e.admin(), "GET", "/keys", nil).want(http.StatusOK)
}
