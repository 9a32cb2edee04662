package config

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestKeycloakUsers(t *testing.T) {
	tests := []struct {
		name    string
		env     []string
		want    []User
		wantErr string
	}{
		{name: "none", env: []string{"PATH=/bin", "KEYCLOAK_CLIENTS_0_ID=x"}, want: []User{}},
		{name: "camunda first user", env: []string{
			"KEYCLOAK_USERS_0_USERNAME=demo", "KEYCLOAK_USERS_0_PASSWORD=demo", "KEYCLOAK_USERS_0_EMAIL=demo@acme.com",
			"KEYCLOAK_USERS_0_FIRST_NAME=Demo", "KEYCLOAK_USERS_0_LAST_NAME=User",
			"KEYCLOAK_USERS_0_ROLES_1=Operate", "KEYCLOAK_USERS_0_ROLES_0=Identity", "KEYCLOAK_USERS_0_ROLES_10=Zeebe",
		}, want: []User{{Username: "demo", Password: "demo", Email: "demo@acme.com", FirstName: "Demo", LastName: "User",
			Roles: []string{"Identity", "Operate", "Zeebe"}}}},
		{name: "ordered by n", env: []string{
			"KEYCLOAK_USERS_2_USERNAME=b", "KEYCLOAK_USERS_2_PASSWORD=pb",
			"KEYCLOAK_USERS_1_USERNAME=a", "KEYCLOAK_USERS_1_PASSWORD=pa",
		}, want: []User{{Username: "a", Password: "pa"}, {Username: "b", Password: "pb"}}},
		{name: "value with equals sign", env: []string{"KEYCLOAK_USERS_0_USERNAME=u", "KEYCLOAK_USERS_0_PASSWORD=a=b"},
			want: []User{{Username: "u", Password: "a=b"}}},
		{name: "missing password", env: []string{"KEYCLOAK_USERS_0_USERNAME=u"}, wantErr: "needs both USERNAME and PASSWORD"},
		{name: "bad index", env: []string{"KEYCLOAK_USERS_X_USERNAME=u"}, wantErr: "expected KEYCLOAK_USERS_<n>_<FIELD>"},
		{name: "unknown field", env: []string{"KEYCLOAK_USERS_0_USERNAME=u", "KEYCLOAK_USERS_0_PASSWORD=p", "KEYCLOAK_USERS_0_SHOE=9"},
			wantErr: "unknown user field"},
		{name: "bad role index", env: []string{"KEYCLOAK_USERS_0_USERNAME=u", "KEYCLOAK_USERS_0_PASSWORD=p", "KEYCLOAK_USERS_0_ROLES_x=r"},
			wantErr: "unknown user field"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := keycloakUsers(tt.env)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("users (-want +got):\n%s", d)
			}
		})
	}
}

func TestLoadReadsUsers(t *testing.T) {
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	env := []string{"KEYCLOAK_USERS_0_USERNAME=demo", "KEYCLOAK_USERS_0_PASSWORD=demo"}
	c, err := Load(fs, func(string) string { return "" }, env)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Users) != 1 || c.Users[0].Username != "demo" {
		t.Errorf("users = %+v", c.Users)
	}
	if strings.Contains(c.String(), "demo") {
		t.Errorf("String() shows a user: %s", c.String())
	}
	if _, err := Load(fs, func(string) string { return "" }, []string{"KEYCLOAK_USERS_0_USERNAME=demo"}); err == nil {
		t.Error("Load accepted a user without a password")
	}
}

// Users declared in the YAML file come first, then those of KEYCLOAK_USERS_*; a file
// user needs a username and a password, and unknown keys are refused.
func TestYAMLUsers(t *testing.T) {
	write := func(body string) string {
		file := filepath.Join(t.TempDir(), "g.yaml")
		if err := os.WriteFile(file, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return file
	}
	file := write(`
keycloak:
  users:
    - username: demo
      password: demo
      email: demo@acme.com
      first-name: Demo
      last-name: User
      roles: [Identity, Operate]
    - username: ops
      password: ops-password
`)
	c, err := load(t, []string{"--config", file}, map[string]string{
		"KEYCLOAK_USERS_0_USERNAME": "env-user", "KEYCLOAK_USERS_0_PASSWORD": "env-password"})
	if err != nil {
		t.Fatal(err)
	}
	want := []User{
		{Username: "demo", Password: "demo", Email: "demo@acme.com", FirstName: "Demo", LastName: "User", Roles: []string{"Identity", "Operate"}},
		{Username: "ops", Password: "ops-password"},
		{Username: "env-user", Password: "env-password"},
	}
	if d := cmp.Diff(want, c.Users); d != "" {
		t.Errorf("users (-want +got):\n%s", d)
	}

	for _, tc := range []struct{ name, body, wantErr string }{
		{"no password", "keycloak:\n  users:\n    - username: x\n", "keycloak.users[0] needs both username and password"},
		{"no username", "keycloak:\n  users:\n    - password: x\n", "keycloak.users[0] needs both username and password"},
		{"unknown key", "keycloak:\n  users:\n    - username: x\n      password: y\n      group: z\n", "field group not found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := load(t, []string{"--config", write(tc.body)}, nil)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
			}
			if strings.Contains(err.Error(), "password: y") {
				t.Fatalf("error echoes the password: %v", err)
			}
		})
	}
}
