package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestWebClientsFromEnvAndYAML: confidential and public clients declared the Camunda
// way, by environment and by YAML; a PUBLIC client needs no secret.
func TestWebClientsFromEnvAndYAML(t *testing.T) {
	env := []string{
		"KEYCLOAK_CLIENTS_0_ID=operate", "KEYCLOAK_CLIENTS_0_NAME=Operate", "KEYCLOAK_CLIENTS_0_SECRET=s3cret",
		"KEYCLOAK_CLIENTS_0_TYPE=CONFIDENTIAL", "KEYCLOAK_CLIENTS_0_ROOT_URL=http://localhost:8081",
		"KEYCLOAK_CLIENTS_0_REDIRECT_URIS_0=/identity-callback", "KEYCLOAK_CLIENTS_0_REDIRECT_URIS_1=http://op.example/cb",
		"KEYCLOAK_CLIENTS_0_POST_LOGOUT_REDIRECT_URIS_0=http://localhost:8081/",
		"KEYCLOAK_CLIENTS_1_ID=web-modeler", "KEYCLOAK_CLIENTS_1_TYPE=PUBLIC",
		"KEYCLOAK_CLIENTS_1_REDIRECT_URIS_0=http://localhost:8070/login-callback",
		"KEYCLOAK_CLIENTS_1_WEB_ORIGINS_0=http://localhost:8070",
	}
	c, err := load(t, nil, kv(env))
	if err != nil {
		t.Fatal(err)
	}
	want := []Client{
		{Realm: "camunda-platform", Name: "Operate", ID: "operate", Secret: "s3cret", Type: "CONFIDENTIAL",
			RootURL: "http://localhost:8081", RedirectURIs: []string{"/identity-callback", "http://op.example/cb"},
			PostLogoutRedirectURIs: []string{"http://localhost:8081/"}},
		{Realm: "camunda-platform", ID: "web-modeler", Type: "PUBLIC",
			RedirectURIs: []string{"http://localhost:8070/login-callback"}, WebOrigins: []string{"http://localhost:8070"}},
	}
	if d := cmp.Diff(want, c.Clients); d != "" {
		t.Errorf("clients (-want +got):\n%s", d)
	}

	for name, env := range map[string][]string{
		"public with secret":     {"KEYCLOAK_CLIENTS_0_ID=x", "KEYCLOAK_CLIENTS_0_TYPE=PUBLIC", "KEYCLOAK_CLIENTS_0_SECRET=s"},
		"confidential no secret": {"KEYCLOAK_CLIENTS_0_ID=x", "KEYCLOAK_CLIENTS_0_TYPE=CONFIDENTIAL"},
		"unknown type":           {"KEYCLOAK_CLIENTS_0_ID=x", "KEYCLOAK_CLIENTS_0_TYPE=SPA", "KEYCLOAK_CLIENTS_0_SECRET=s"},
		"bad list index":         {"KEYCLOAK_CLIENTS_0_ID=x", "KEYCLOAK_CLIENTS_0_SECRET=s", "KEYCLOAK_CLIENTS_0_REDIRECT_URIS_x=/a"},
	} {
		if _, err := load(t, nil, kv(env)); err == nil {
			t.Errorf("%s: loaded, want an error", name)
		}
	}

	file := filepath.Join(t.TempDir(), "g.yaml")
	os.WriteFile(file, []byte(`realms:
  - name: camunda-platform
    sso-session-idle: 15m
keycloak:
  clients:
    - id: console
      type: PUBLIC
      rootUrl: http://localhost:8087
      redirectUris: ["/"]
      postLogoutRedirectUris: ["http://localhost:8087/"]
      webOrigins: ["http://localhost:8087"]
`), 0o600)
	c, err = load(t, []string{"--config", file}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Clients[0]; got.Type != "PUBLIC" || got.RootURL != "http://localhost:8087" || len(got.RedirectURIs) != 1 ||
		len(got.WebOrigins) != 1 || len(got.PostLogoutRedirectURIs) != 1 {
		t.Errorf("YAML client = %+v", got)
	}
	if r := c.Realms[0]; r.SSOSessionIdle != Duration(15*60e9) || r.SSOSessionMax != Duration(10*3600e9) {
		t.Errorf("realm sso lifetimes = %v %v", r.SSOSessionIdle, r.SSOSessionMax)
	}
}

func kv(env []string) map[string]string {
	m := map[string]string{}
	for _, e := range env {
		k, v, _ := strings.Cut(e, "=")
		m[k] = v
	}
	return m
}
