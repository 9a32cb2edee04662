package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/identity"
)

// TestWebApplicationForms: a PUBLIC application made in the console (no secret to
// show), its redirect URIs changed on its page, and type changes limited to M2M ↔
// CONFIDENTIAL.
func TestWebApplicationForms(t *testing.T) {
	e := newEnv(t)
	c := e.signIn("admin")
	mustContain(t, c.get("/applications/new").body, `<label for="redirectUris">Redirect URIs</label>`, `<option value="public">Public</option>`)
	r := c.post("/applications", url.Values{"name": {"SPA"}, "type": {"PUBLIC"},
		"redirectUris": {"https://spa.example/cb\n  \nhttps://spa.example/other"}, "webOrigins": {"https://spa.example"}})
	if r.status != http.StatusSeeOther || strings.HasSuffix(r.loc, "/credentials") {
		t.Fatalf("create public: %d %q", r.status, r.loc)
	}
	id := strings.Split(r.loc, "/")[2]
	app, err := e.st.GetApp(context.Background(), "camunda-platform", id)
	if err != nil || app.Type != identity.AppPublic || len(app.Secrets) != 0 || len(app.Web.RedirectURIs) != 2 {
		t.Fatalf("stored: %+v %v", app, err)
	}
	page := c.get(r.loc)
	mustContain(t, page.body, "https://spa.example/other", `action="/applications/`+id+`/web"`)
	mustNotContain(t, page.body, `<option value="confidential"`)

	r = c.post("/applications/"+id+"/web", url.Values{"type": {"public"}, "redirectUris": {"https://spa.example/new"},
		"webOrigins": {"https://spa.example"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("save: %d %s", r.status, r.body)
	}
	app, _ = e.st.GetApp(context.Background(), "camunda-platform", id)
	if len(app.Web.RedirectURIs) != 1 || app.Web.RedirectURIs[0] != "https://spa.example/new" {
		t.Errorf("after save: %+v", app.Web)
	}
	if r := c.post("/applications/"+id+"/web", url.Values{"type": {"CONFIDENTIAL"}}); r.status != http.StatusConflict {
		t.Errorf("public → confidential: %d", r.status)
	}
	if r := c.post("/applications/"+id+"/web", url.Values{"type": {"public"}, "redirectUris": {"javascript:alert(1)"}}); r.status != http.StatusBadRequest {
		t.Errorf("bad redirect URI: %d", r.status)
	}
}
