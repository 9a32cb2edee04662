package server_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/server"
	"github.com/gatehouse/gatehouse/internal/server/servertest"
)

// TestModelerAPIWithRealTokens drives the Web Modeler API through the real server:
// tokens from the token endpoint, verified by the bearer middleware.
func TestModelerAPIWithRealTokens(t *testing.T) {
	in := servertest.Start(t, servertest.Options{Config: func(c *config.Config) {
		perm := func(def string) config.Permission {
			return config.Permission{ResourceServerID: "web-modeler-public-api", Definition: def}
		}
		c.Clients = append(c.Clients,
			config.Client{Realm: config.DefaultRealm, Name: "modeler-rw", ID: "modeler-rw", Secret: "modeler-rw-secret-0123456789", Type: "M2M",
				Permissions: []config.Permission{perm("create:*"), perm("read:*")}},
			config.Client{Realm: config.DefaultRealm, Name: "console-only", ID: "console-only", Secret: "console-only-secret-0123456789", Type: "M2M",
				Permissions: []config.Permission{{ResourceServerID: "console-api", Definition: "read:*"}}})
	}})
	base := in.URL(server.ModelerListener) + "/api/v1"
	call := func(tok, method, path, body string) (int, http.Header, map[string]any) {
		t.Helper()
		st, h, b := servertest.Do(t, method, base+path, tok, body)
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		return st, h, m
	}
	// Self-Managed: no audience in the token request.
	tok := in.Token(t, config.DefaultRealm, "modeler-rw", "modeler-rw-secret-0123456789", "")

	st, _, info := call(tok, "GET", "/info", "")
	realm, err := in.Store().GetRealm(t.Context(), config.DefaultRealm)
	if err != nil {
		t.Fatal(err)
	}
	if st != 200 || info["authorizedOrganization"] != realm.Organization || info["createPermission"] != true ||
		info["readPermission"] != true || info["updatePermission"] != false || info["deletePermission"] != false {
		t.Fatalf("info %d %v", st, info)
	}
	st, _, p := call(tok, "POST", "/projects", `{"name":"Real"}`)
	if st != 200 || p["createdBy"].(map[string]any)["name"] != "modeler-rw" {
		t.Fatalf("create %d %v", st, p)
	}
	st, h, prob := call(tok, "DELETE", "/projects/"+p["id"].(string), "")
	if st != 403 || prob["detail"] != "Operation not allowed." || !strings.Contains(h.Get("WWW-Authenticate"), `error="insufficient_scope"`) {
		t.Errorf("delete without delete:* → %d %v %q", st, prob, h.Get("WWW-Authenticate"))
	}
	if st, h, _ := call("", "GET", "/info", ""); st != 401 || !strings.HasPrefix(h.Get("WWW-Authenticate"), "Bearer") {
		t.Errorf("no token → %d", st)
	}
	if st, _, _ := call("not-a-token", "GET", "/info", ""); st != 401 {
		t.Errorf("garbage token → %d", st)
	}
	other := in.Token(t, config.DefaultRealm, "console-only", "console-only-secret-0123456789", "")
	if st, _, _ := call(other, "GET", "/info", ""); st != 401 {
		t.Errorf("token for another audience → %d", st)
	}
	// SaaS-style alias audience works too.
	alias := in.Token(t, config.DefaultRealm, "modeler-rw", "modeler-rw-secret-0123456789", "api.cloud.camunda.io")
	if st, _, _ := call(alias, "POST", "/projects/search", `{}`); st != 200 {
		t.Errorf("alias audience → %d", st)
	}
	resp, err := http.Get(base + "/openapi.json")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("openapi.json: %v %v", err, resp)
	}
	resp.Body.Close()
}
