package mgmt_test

import (
	"net/http"
	"testing"

	"github.com/gatehouse/gatehouse/internal/httpapi/mgmt"
)

// TestWebApplications: confidential and public applications with their browser
// settings through the management API, and the type changes that are safe.
func TestWebApplications(t *testing.T) {
	t.Parallel()
	e := start(t, nil)
	admin := e.admin()
	r := e.call(admin, "POST", "/applications", map[string]any{"name": "spa", "type": "PUBLIC",
		"redirectUris": []string{"https://spa.example/cb"}, "webOrigins": []string{"https://spa.example"}}).want(http.StatusCreated)
	var spa mgmt.ApplicationWithSecret
	r.decode(&spa)
	if spa.Type != "public" || spa.ClientSecret != "" || len(spa.Secrets) != 0 || spa.RedirectURIs[0] != "https://spa.example/cb" ||
		spa.WebOrigins[0] != "https://spa.example" {
		t.Fatalf("public app: %+v", spa)
	}
	r = e.call(admin, "POST", "/applications", map[string]any{"name": "web", "type": "CONFIDENTIAL", "rootUrl": "https://web.example",
		"redirectUris": []string{"/cb"}, "postLogoutRedirectUris": []string{"https://web.example/"}}).want(http.StatusCreated)
	var web mgmt.ApplicationWithSecret
	r.decode(&web)
	e.remember(web.ClientSecret)
	if web.Type != "confidential" || web.ClientSecret == "" || web.RootURL != "https://web.example" {
		t.Fatalf("confidential app: %+v", web)
	}
	e.call(admin, "POST", "/applications", map[string]any{"name": "bad", "type": "PUBLIC",
		"redirectUris": []string{"javascript:alert(1)"}}).want(http.StatusBadRequest)
	e.call(admin, "POST", "/applications", map[string]any{"name": "bad", "type": "SPA"}).want(http.StatusBadRequest)

	// Change redirect URIs; change type M2M ↔ CONFIDENTIAL; never to or from PUBLIC.
	var got mgmt.Application
	e.call(admin, "PATCH", "/applications/"+web.ID, map[string]any{"redirectUris": []string{"https://web.example/new-cb"}}).
		want(http.StatusOK).decode(&got)
	if len(got.RedirectURIs) != 1 || got.RedirectURIs[0] != "https://web.example/new-cb" {
		t.Errorf("after patch: %+v", got)
	}
	got = mgmt.Application{}
	e.call(admin, "PATCH", "/applications/"+web.ID, map[string]any{"type": "M2M"}).want(http.StatusOK).decode(&got)
	if got.Type != "m2m" || len(got.RedirectURIs) != 0 || got.RootURL != "" {
		t.Errorf("after becoming M2M: %+v", got)
	}
	e.call(admin, "PATCH", "/applications/"+web.ID, map[string]any{"type": "CONFIDENTIAL"}).want(http.StatusOK)
	e.call(admin, "PATCH", "/applications/"+web.ID, map[string]any{"type": "PUBLIC"}).want(http.StatusConflict)
	e.call(admin, "PATCH", "/applications/"+spa.ID, map[string]any{"type": "CONFIDENTIAL"}).want(http.StatusConflict)
	e.call(admin, "POST", "/applications/"+spa.ID+"/rotate-secret", nil).want(http.StatusConflict)
}
