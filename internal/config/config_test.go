package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func load(t *testing.T, args []string, env map[string]string) (Config, error) {
	t.Helper()
	fs := FlagSet("test", &strings.Builder{})
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	var environ []string
	for k, v := range env {
		environ = append(environ, k+"="+v)
	}
	return Load(fs, func(k string) string { return env[k] }, environ)
}

func TestPrecedence(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "g.yaml")
	os.WriteFile(file, []byte("identity-addr: ':1001'\nconsole-addr: ':1002'\nmodeler-addr: ':1003'\ntoken-lifetime: 600\n"), 0o600)
	c, err := load(t, []string{"--config", file, "--identity-addr", ":3001"},
		map[string]string{"GATEHOUSE_IDENTITY_ADDR": ":2001", "GATEHOUSE_CONSOLE_ADDR": ":2002"})
	if err != nil {
		t.Fatal(err)
	}
	got := []string{c.IdentityAddr, c.ConsoleAddr, c.ModelerAddr, c.ManagementAddr}
	want := []string{":3001", ":2002", ":1003", ":9100"} // flag > env > file > default
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if c.TokenLifetime != 600*time.Second {
		t.Errorf("token lifetime %s from file", c.TokenLifetime)
	}
}

func TestDefaults(t *testing.T) {
	c, err := load(t, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.IdentityAddr != ":18080" || c.ConsoleAddr != ":8080" || c.ModelerAddr != ":8070" || c.ManagementAddr != ":9100" ||
		c.TokenLifetime != 300*time.Second || c.DataDir != "./gatehouse-data" || c.SigningAlg != "RS256" || c.LogFormat != "text" {
		t.Errorf("defaults: %s", c)
	}
	if len(c.Realms) != 1 || c.Realms[0].Name != DefaultRealm || c.Realms[0].SigningAlg != "RS256" {
		t.Errorf("realms: %+v", c.Realms)
	}
}

func TestKeycloakClients(t *testing.T) {
	c, err := load(t, nil, map[string]string{
		"KEYCLOAK_CLIENTS_0_NAME": "Billing", "KEYCLOAK_CLIENTS_0_ID": "billing", "KEYCLOAK_CLIENTS_0_SECRET": "pw",
		"KEYCLOAK_CLIENTS_0_TYPE": "M2M", "KEYCLOAK_CLIENTS_0_PERMISSIONS_0_RESOURCE_SERVER_ID": "console-api",
		"KEYCLOAK_CLIENTS_0_PERMISSIONS_0_DEFINITION": "read:*", "KEYCLOAK_CLIENTS_0_PERMISSIONS_1_RESOURCE_SERVER_ID": "operate-api",
		"KEYCLOAK_CLIENTS_0_PERMISSIONS_1_DEFINITION": "write:*",
		"KEYCLOAK_CLIENTS_1_ID":                       "two", "KEYCLOAK_CLIENTS_1_SECRET": "pw2",
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []Client{
		{Realm: DefaultRealm, Name: "Billing", ID: "billing", Secret: "pw", Type: "M2M", Permissions: []Permission{{"console-api", "read:*"}, {"operate-api", "write:*"}}},
		{Realm: DefaultRealm, ID: "two", Secret: "pw2"},
	}
	if d := cmp.Diff(want, c.Clients); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if strings.Contains(c.String(), "pw") {
		t.Errorf("String() shows a secret: %s", c)
	}
}

func TestInvalid(t *testing.T) {
	dir := t.TempDir()
	unknown := filepath.Join(dir, "u.yaml")
	os.WriteFile(unknown, []byte("identity-adr: ':1'\n"), 0o600)
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"lifetime too long", []string{"--token-lifetime", "25h"}, nil, "token-lifetime"},
		{"lifetime zero", []string{"--token-lifetime", "0"}, nil, "token-lifetime"},
		{"bad alg", []string{"--signing-alg", "HS256"}, nil, "signing-alg"},
		{"reuse of 1", []string{"--token-reuse", "1"}, nil, "token-reuse"},
		{"negative reuse", nil, map[string]string{"GATEHOUSE_TOKEN_REUSE": "-0.1"}, "token-reuse"},
		{"reuse not a number", []string{"--token-reuse", "half"}, nil, "token-reuse"},
		{"bad log format", nil, map[string]string{"GATEHOUSE_LOG_FORMAT": "xml"}, "log-format"},
		{"bad addr", []string{"--identity-addr", "nope"}, nil, "identity-addr"},
		{"bad public url", []string{"--identity-public-url", "ftp://x"}, nil, "identity-public-url"},
		{"bad modeler public url", []string{"--modeler-public-url", "ftp://x"}, nil, "modeler-public-url"},
		{"unknown file key", []string{"--config", unknown}, nil, "unknown"},
		{"client without secret", nil, map[string]string{"KEYCLOAK_CLIENTS_0_ID": "x"}, "secret"},
		{"half a permission", nil, map[string]string{"KEYCLOAK_CLIENTS_0_ID": "x", "KEYCLOAK_CLIENTS_0_SECRET": "y",
			"KEYCLOAK_CLIENTS_0_PERMISSIONS_0_DEFINITION": "read:*"}, "RESOURCE_SERVER_ID"},
		{"bootstrap id without secret", nil, map[string]string{"GATEHOUSE_BOOTSTRAP_CLIENT_ID": "x"}, "BOOTSTRAP"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := load(t, tc.args, tc.env)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want mention of %q", err, tc.want)
			}
		})
	}
}

func TestYAMLRealmsAndClients(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "g.yaml")
	os.WriteFile(file, []byte(`
signing-alg: ES256
token-reuse: 0.5
realms:
  - name: camunda-platform
  - name: other
    signing-alg: EdDSA
    token-lifetime: 10m
    header-type: at+jwt
    token-reuse: 0
keycloak:
  clients:
    - name: job
      id: job
      secret: pw
      type: M2M
      permissions:
        - resource-server-id: console-api
          definition: "read:*"
    - id: o
      secret: pw
      realm: other
`), 0o600)
	c, err := load(t, []string{"--config", file}, nil)
	if err != nil {
		t.Fatal(err)
	}
	half, off := 0.5, 0.0
	sso := func(r Realm) Realm {
		r.SSOSessionIdle, r.SSOSessionMax = Duration(30*time.Minute), Duration(10*time.Hour)
		return r
	}
	want := []Realm{sso(Realm{Name: "camunda-platform", SigningAlg: "ES256", TokenLifetime: Duration(300 * time.Second), HeaderType: "JWT", TokenReuse: &half}),
		sso(Realm{Name: "other", SigningAlg: "EdDSA", TokenLifetime: Duration(10 * time.Minute), HeaderType: "at+jwt", TokenReuse: &off})}
	if d := cmp.Diff(want, c.Realms); d != "" {
		t.Errorf("realms (-want +got):\n%s", d)
	}
	if len(c.Clients) != 2 || c.Clients[1].Realm != "other" || c.Clients[0].Permissions[0].Definition != "read:*" {
		t.Errorf("clients: %+v", c.Clients)
	}
}

// TestModelerPublicURL: --modeler-public-url comes from the flag, GATEHOUSE_MODELER_PUBLIC_URL
// or the YAML key modeler-public-url, and loses a trailing slash.
func TestModelerPublicURL(t *testing.T) {
	file := filepath.Join(t.TempDir(), "g.yaml")
	os.WriteFile(file, []byte("modeler-public-url: https://file.example/\n"), 0o600)
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"default", nil, nil, ""},
		{"file", []string{"--config", file}, nil, "https://file.example"},
		{"env", []string{"--config", file}, map[string]string{"GATEHOUSE_MODELER_PUBLIC_URL": "https://env.example"}, "https://env.example"},
		{"flag", []string{"--config", file, "--modeler-public-url", "https://flag.example/"},
			map[string]string{"GATEHOUSE_MODELER_PUBLIC_URL": "https://env.example"}, "https://flag.example"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := load(t, tc.args, tc.env)
			if err != nil {
				t.Fatal(err)
			}
			if c.ModelerPublicURL != tc.want {
				t.Errorf("ModelerPublicURL = %q, want %q", c.ModelerPublicURL, tc.want)
			}
		})
	}
}
