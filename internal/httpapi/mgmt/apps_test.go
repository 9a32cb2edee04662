package mgmt_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/httpapi/mgmt"
)

func TestApplicationLifecycle(t *testing.T) {
	t.Parallel()
	e := start(t, nil)
	admin := e.admin()

	// Create: 201, Location, the secret once.
	r := e.call(admin, "POST", "/applications", map[string]any{"name": "billing-job", "permissions": []map[string]string{
		{"api": "console-api", "permission": "read:*"}, {"api": "web-modeler-public-api", "permission": "read:*"}}}).want(http.StatusCreated)
	var created mgmt.ApplicationWithSecret
	r.decode(&created)
	e.remember(created.ClientSecret)
	if created.ID == "" || len(created.ClientID) != 32 || !strings.HasPrefix(created.ClientSecret, "gh_cs_") || !created.Enabled ||
		created.Source != "api" || created.Type != "m2m" || len(created.Secrets) != 1 {
		t.Fatalf("created: %+v", created)
	}
	if loc := r.header.Get("Location"); loc != "/manage/v1/realms/"+realm+"/applications/"+created.ID {
		t.Errorf("Location %q", loc)
	}
	appToken := e.tokenFor(realm, created.ClientID, created.ClientSecret, "")

	// Reads never show the secret or its hash.
	reads := []reply{
		e.call(admin, "GET", "/applications/"+created.ID, nil).want(http.StatusOK),
		e.call(admin, "GET", "/applications", nil).want(http.StatusOK),
		e.call(admin, "GET", "/applications?q=BILLING&limit=1", nil).want(http.StatusOK),
		e.call(admin, "GET", "/applications/"+created.ID+"/permissions", nil).want(http.StatusOK),
	}
	for _, rd := range reads {
		if strings.Contains(string(rd.body), created.ClientSecret) || strings.Contains(string(rd.body), "clientSecret") ||
			strings.Contains(strings.ToLower(string(rd.body)), "hash") {
			t.Errorf("%s %s shows secret material: %s", rd.req.Method, rd.req.URL, rd.body)
		}
	}
	var got mgmt.Application
	reads[0].decode(&got)
	if got.ID != created.ID || got.Name != "billing-job" || got.ClientID != created.ClientID {
		t.Errorf("get: %+v", got)
	}
	var list mgmt.List[mgmt.Application]
	reads[2].decode(&list)
	if list.Total != 1 || len(list.Items) != 1 || list.Items[0].ID != created.ID || list.Limit != 1 {
		t.Errorf("search: %+v", list)
	}
	var perms mgmt.Items[mgmt.Permission]
	reads[3].decode(&perms)
	if len(perms.Items) != 2 || perms.Items[0] != (mgmt.Permission{API: "console-api", Permission: "read:*"}) {
		t.Errorf("permissions: %+v", perms)
	}

	// Paging.
	for i := range 3 {
		e.app("page-" + string(rune('a'+i)))
	}
	e.call(admin, "GET", "/applications?offset=1&limit=2&q=page-", nil).want(http.StatusOK).decode(&list)
	if list.Total != 3 || len(list.Items) != 2 || list.Items[0].Name != "page-b" || list.Offset != 1 {
		t.Errorf("page: %+v", list)
	}

	// Rename.
	e.call(admin, "PATCH", "/applications/"+created.ID, map[string]any{"name": "billing"}).want(http.StatusOK).decode(&got)
	if got.Name != "billing" || !got.Enabled {
		t.Errorf("renamed: %+v", got)
	}

	// Disable: the token endpoint refuses at once and introspection says inactive.
	if e.introspect(appToken)["active"] != true {
		t.Fatal("fresh token not active")
	}
	e.call(admin, "PATCH", "/applications/"+created.ID, map[string]any{"enabled": false}).want(http.StatusOK).decode(&got)
	if got.Enabled {
		t.Error("still enabled")
	}
	if s := e.tokenStatus(realm, created.ClientID, created.ClientSecret); s != http.StatusUnauthorized {
		t.Errorf("token request of a disabled application: %d", s)
	}
	if in := e.introspect(appToken); len(in) != 1 || in["active"] != false {
		t.Errorf("introspection of a disabled application's token: %v", in)
	}
	if s := e.adminAPI(appToken); s != http.StatusUnauthorized {
		t.Errorf("Administration API with a disabled application's token: %d", s)
	}
	// Re-enable: tokens issued before the disabling stay refused (the application's
	// not-before), on the resource APIs and at introspection; a new token works.
	e.call(admin, "PATCH", "/applications/"+created.ID, map[string]any{"enabled": true}).want(http.StatusOK)
	if s := e.adminAPI(appToken); s != http.StatusUnauthorized {
		t.Errorf("Administration API with a token from before the disabling, after re-enabling: %d", s)
	}
	if in := e.introspect(appToken); in["active"] != false {
		t.Errorf("introspection of a token from before the disabling, after re-enabling: %v", in)
	}
	e.clock.Advance(time.Second) // past the not-before's second (token times are whole seconds)
	if s := e.tokenStatus(realm, created.ClientID, created.ClientSecret); s != http.StatusOK {
		t.Errorf("token request after re-enabling: %d", s)
	}
	fresh := e.tokenFor(realm, created.ClientID, created.ClientSecret, "")
	if s := e.adminAPI(fresh); s != http.StatusOK {
		t.Errorf("Administration API with a new token: %d", s)
	}
	if e.introspect(fresh)["active"] != true {
		t.Error("new token not active after re-enabling")
	}

	// Delete: 204, then gone everywhere.
	e.call(admin, "DELETE", "/applications/"+created.ID, nil).want(http.StatusNoContent)
	e.call(admin, "GET", "/applications/"+created.ID, nil).want(http.StatusNotFound).problem()
	if s := e.tokenStatus(realm, created.ClientID, created.ClientSecret); s != http.StatusUnauthorized {
		t.Errorf("token request of a deleted application: %d", s)
	}
	if in := e.introspect(appToken); in["active"] != false {
		t.Errorf("introspection of a deleted application's token: %v", in)
	}
	e.call(admin, "DELETE", "/applications/"+created.ID, nil).want(http.StatusNotFound)
}

func TestSelfProtection(t *testing.T) {
	t.Parallel()
	e := start(t, nil)
	r := e.call(e.admin(), "GET", "/applications?q=bootstrap", nil).want(http.StatusOK)
	var list mgmt.List[mgmt.Application]
	r.decode(&list)
	if len(list.Items) != 1 {
		t.Fatalf("bootstrap admin: %+v", list)
	}
	id := list.Items[0].ID
	e.call(e.admin(), "PATCH", "/applications/"+id, map[string]any{"enabled": false}).want(http.StatusConflict).problem()
	e.call(e.admin(), "DELETE", "/applications/"+id, nil).want(http.StatusConflict).problem()
	// The bootstrap administrator is declared by configuration: no rotation or rename here.
	e.call(e.admin(), "POST", "/applications/"+id+"/rotate-secret", nil).want(http.StatusConflict)
	e.call(e.admin(), "PATCH", "/applications/"+id, map[string]any{"name": "x"}).want(http.StatusConflict)
}

func TestRotateSecretWithGrace(t *testing.T) {
	t.Parallel()
	e := start(t, nil)
	id, clientID, first := e.app("rotating")

	r := e.call(e.admin(), "POST", "/applications/"+id+"/rotate-secret", map[string]string{"grace": "10m"}).want(http.StatusOK)
	var rotated mgmt.ApplicationWithSecret
	r.decode(&rotated)
	e.remember(rotated.ClientSecret)
	second := rotated.ClientSecret
	if second == "" || second == first || len(rotated.Secrets) != 2 {
		t.Fatalf("rotated: %+v", rotated)
	}
	var old mgmt.SecretInfo
	for _, s := range rotated.Secrets {
		if !s.ExpiresAt.IsZero() {
			old = s
		}
	}
	if want := e.clock.Now().Add(10 * time.Minute); !old.ExpiresAt.Equal(want) {
		t.Errorf("old secret expires %v, want %v", old.ExpiresAt, want)
	}
	for _, s := range []string{first, second} {
		if st := e.tokenStatus(realm, clientID, s); st != http.StatusOK {
			t.Errorf("inside the grace period: %d", st)
		}
	}
	e.clock.Advance(10*time.Minute - time.Second)
	if st := e.tokenStatus(realm, clientID, first); st != http.StatusOK {
		t.Errorf("old secret one second before the end of the grace period: %d", st)
	}
	e.clock.Advance(time.Second)
	if st := e.tokenStatus(realm, clientID, first); st != http.StatusUnauthorized {
		t.Errorf("old secret after the grace period: %d", st)
	}
	if st := e.tokenStatus(realm, clientID, second); st != http.StatusOK {
		t.Errorf("new secret after the grace period: %d", st)
	}
	var got mgmt.Application
	e.call(e.admin(), "GET", "/applications/"+id, nil).want(http.StatusOK).decode(&got)
	if len(got.Secrets) != 1 {
		t.Errorf("expired secret still listed: %+v", got.Secrets)
	}

	// Without a body the grace period is 0: the old secret dies at once.
	e.call(e.admin(), "POST", "/applications/"+id+"/rotate-secret", nil).want(http.StatusOK).decode(&rotated)
	e.remember(rotated.ClientSecret)
	if st := e.tokenStatus(realm, clientID, second); st != http.StatusUnauthorized {
		t.Errorf("old secret after a rotation without grace: %d", st)
	}
	if st := e.tokenStatus(realm, clientID, rotated.ClientSecret); st != http.StatusOK {
		t.Errorf("newest secret: %d", st)
	}
	for _, bad := range []string{`{"grace":"ten minutes"}`, `{"grace":"-1s"}`, `{"grace":"721h"}`, `{"grace":600}`, `{"grace":"1m","force":true}`} {
		e.call(e.admin(), "POST", "/applications/"+id+"/rotate-secret", bad).want(http.StatusBadRequest).problem()
	}
}
