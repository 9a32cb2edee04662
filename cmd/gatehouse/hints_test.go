package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestUsageMistakesExit2(t *testing.T) {
	creds := []string{"--client-id", "a", "--client-secret", "b"}
	for _, tc := range []struct {
		name string
		args []string
		code int
		out  string
	}{
		{"server without scheme", append([]string{"apps", "list", "--server", "localhost:18080"}, creds...), 2,
			`"localhost:18080" has no scheme: give http://localhost:18080`},
		{"token server without scheme", append([]string{"token", "--server", "localhost:18080"}, creds...), 2,
			`--server (env GATEHOUSE_SERVER) "localhost:18080" has no scheme`},
		{"token url not http", append([]string{"token", "--token-url", "ftp://host/token"}, creds...), 2,
			`--token-url "ftp://host/token" is not an http(s) URL`},
		{"completion without shell", []string{"completion"}, 2, "bash|zsh|fish"},
		{"completion unknown shell", []string{"completion", "tcsh"}, 2, `unknown shell "tcsh"`},
		{"completion bash", []string{"completion", "bash"}, 0, "complete -F _gatehouse gatehouse"},
		{"completion zsh", []string{"completion", "zsh"}, 0, "#compdef gatehouse"},
		{"completion fish", []string{"completion", "fish"}, 0, "__fish_seen_subcommand_from apps"},
		{"completion help", []string{"completion", "-h"}, 0, "source <(gatehouse completion bash)"},
		{"import help", []string{"import", "-h"}, 0, "usage: gatehouse import keycloak"},
		{"import without file", []string{"import", "keycloak"}, 2, "usage: gatehouse import keycloak"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, code := cli(t, tc.args...)
			if code != tc.code || !strings.Contains(out, tc.out) {
				t.Errorf("gatehouse %v: exit %d, output %q; want exit %d mentioning %q", tc.args, code, out, tc.code, tc.out)
			}
		})
	}
}

func TestCompletionListsEveryVerb(t *testing.T) {
	out, _ := cli(t, "completion", "bash")
	for name, g := range groups {
		for _, v := range g.verbs {
			if !strings.Contains(out, v.name) {
				t.Errorf("bash completion lacks %s %s", name, v.name)
			}
		}
	}
}

// TestWrongListener: --server pointed at a listener without a token endpoint (the
// console answers 404 there) says which listener to use.
func TestWrongListener(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	for _, args := range [][]string{
		{"token", "--server", srv.URL, "--client-id", "a", "--client-secret", "b"},
		{"apps", "list", "--server", srv.URL, "--client-id", "a", "--client-secret", "b"},
	} {
		out, code := cli(t, args...)
		if code != 1 || !strings.Contains(out, "no token endpoint at "+srv.URL) ||
			!strings.Contains(out, "identity listener (default port 18080)") {
			t.Errorf("gatehouse %v: exit %d, output %q", args, code, out)
		}
	}
	if hint := wrongListener("http://localhost:8080"); !strings.Contains(hint, "port 8080 is the console listener") {
		t.Errorf("hint for the console port: %q", hint)
	}
}

// TestUnknownPermission: a permission the server refuses is named, with what exists.
func TestUnknownPermission(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /auth/realms/camunda-platform/protocol/openid-connect/token", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"access_token":"t","expires_in":300,"token_type":"Bearer"}`))
	})
	refuse := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusBadRequest)
		w.Write([]byte(`{"type":"about:blank","title":"Bad Request","status":400,"detail":"permissions: every item must name an existing API audience and one of its permission definitions"}`))
	}
	mux.HandleFunc("POST /manage/v1/realms/camunda-platform/applications", refuse)
	mux.HandleFunc("PUT /manage/v1/realms/camunda-platform/applications/{id}/permissions", refuse)
	mux.HandleFunc("GET /manage/v1/realms/camunda-platform/apis", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"total": 2, "offset": 0, "limit": 500, "items": []map[string]any{
			{"id": "1", "name": "Console", "audience": "console-api", "permissions": []map[string]string{{"definition": "read:*"}, {"definition": "write:*"}}},
			{"id": "2", "name": "Zeebe", "audience": "zeebe-api", "permissions": []map[string]string{{"definition": "write:*"}}},
		}})
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	conn := []string{"--server", srv.URL, "--client-id", "a", "--client-secret", "b"}
	for _, args := range [][]string{
		append([]string{"apps", "create", "--name", "x", "--permission", "consle-api:read:*", "--permission", "zeebe-api:read:*",
			"--permission", "console-api:read:*"}, conn...),
		append([]string{"grants", "add", "app1", "consle-api:read:*", "zeebe-api:read:*", "console-api:read:*"}, conn...),
	} {
		out, code := cli(t, args...)
		for _, want := range []string{
			`permission "consle-api:read:*": no API has the audience "consle-api" (APIs: console-api, zeebe-api; see 'gatehouse apis list')`,
			`permission "zeebe-api:read:*": API zeebe-api has no definition "read:*" (it has: write:*)`,
		} {
			if code != 1 || !strings.Contains(out, want) {
				t.Errorf("gatehouse %v: exit %d, output %q; want %q", args[:2], code, out, want)
			}
		}
		if strings.Contains(out, `"console-api:read:*"`) {
			t.Errorf("a valid permission is reported: %q", out)
		}
	}
}

func TestVersionLine(t *testing.T) {
	defer func(v, c, d string) { version, commit, date = v, c, d }(version, commit, date)
	if got := versionLine(); got != "gatehouse dev" {
		t.Errorf("unstamped: %q", got)
	}
	version, commit, date = "v1.2.0", "abc123", "2026-01-02T03:04:05Z"
	if got, want := versionLine(), "gatehouse v1.2.0 commit abc123 built 2026-01-02T03:04:05Z"; got != want {
		t.Errorf("stamped: %q, want %q", got, want)
	}
}
