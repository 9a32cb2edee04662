package main

import (
	"bytes"
	"encoding/json"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/server"
	"github.com/gatehouse/gatehouse/internal/server/servertest"
)

// TestCommands runs every API command in process (run, as main calls it) against a real
// server, in order. Arguments may name ids captured from earlier output as {name};
// capture takes the first match of a regexp group from stdout.
func TestCommands(t *testing.T) {
	in := servertest.Start(t, servertest.Options{})
	vars := map[string]string{
		"GATEHOUSE_SERVER":        in.URL(server.IdentityListener),
		"GATEHOUSE_CLIENT_ID":     servertest.AdminID,
		"GATEHOUSE_CLIENT_SECRET": servertest.AdminSecret,
	}
	ids := map[string]string{"console": in.URL(server.ConsoleListener)}
	uuid := `([0-9a-f-]{36})`
	for _, tc := range []struct {
		name    string
		args    string
		stdin   string
		code    int
		want    []string // in stdout
		absent  []string // not in stdout
		wantErr string   // in stderr
		capture map[string]string
	}{
		{name: "apps create", args: "apps create --name job-a --permission console-api:read:*",
			want: []string{"NAME:           job-a", "PERMISSIONS:    console-api:read:*"}, wantErr: "only this once",
			capture: map[string]string{"app": `(?m)^ID:\s+` + uuid, "appClient": `CLIENT ID:\s+(\S+)`, "appSecret": `CLIENT SECRET:\s+(\S+)`}},
		{name: "apps create json", args: "apps create --name job-b --output json", want: []string{`"clientSecret": "gh_cs_`, `"name": "job-b"`}},
		{name: "apps list", args: "apps list --query job- --limit 1", want: []string{"job-a"}, wantErr: "next page: --offset 1"},
		{name: "apps list json", args: "apps list --query job- --output json", want: []string{`"total": 2`}},
		{name: "apps get", args: "apps get {app}", want: []string{"ENABLED:    true", "SECRETS:"}},
		{name: "apps rename (flag before id)", args: "apps rename --name job-c {app}", want: []string{"NAME:       job-c"}},
		{name: "apps disable", args: "apps disable {app}", want: []string{"ENABLED:    false"}},
		{name: "apps enable", args: "apps enable {app} --output json", want: []string{`"enabled": true`}},
		{name: "apps rotate-secret", args: "apps rotate-secret {app}", want: []string{"OLD SECRET:     no longer valid"}},
		{name: "apps get unknown", args: "apps get nope", code: 1, wantErr: "404 Not Found: No such object in this realm."},

		{name: "grants list", args: "grants list {app}", want: []string{"console-api  read:*"}},
		{name: "grants add", args: "grants add {app} web-modeler-public-api:read:* --permission operate-api:read:*",
			want: []string{"operate-api             read:*", "web-modeler-public-api  read:*"}},
		{name: "grants remove", args: "grants remove {app} operate-api:read:* --output json",
			want: []string{`"api": "web-modeler-public-api"`}},
		{name: "grants add unknown definition", args: "grants add {app} console-api:fly", code: 1, wantErr: "400 Bad Request"},

		{name: "apis create", args: "apis create --name Billing --audience billing-api --alias billing --permission 'read:*=Read invoices' --permission write:*",
			want:    []string{"AUDIENCE:     billing-api", "PERMISSIONS:  read:*   Read invoices", "write:*"},
			capture: map[string]string{"api": `(?m)^ID:\s+` + uuid}},
		{name: "apis create taken audience", args: "apis create --name Other --audience billing-api", code: 1, wantErr: "409 Conflict"},
		{name: "apis list", args: "apis list --query billing", want: []string{"billing-api", "read:*,write:*", "false"}},
		{name: "apis get", args: "apis get {api} --output json", want: []string{`"aliases": [`, `"description": "Read invoices"`}},
		{name: "apis update", args: "apis update {api} --name Invoices --no-aliases --permission read:*",
			want: []string{"NAME:         Invoices", "ALIASES:      -"}},
		{name: "grant on the new API", args: "grants add {app} billing-api:read:*", want: []string{"billing-api"}},
		{name: "apis delete while granted", args: "apis delete {api}", code: 1, wantErr: "409 Conflict"},
		{name: "apis delete cascade", args: "apis delete --cascade {api}", wantErr: "Deleted API"},

		{name: "users create", args: "users create --username Ada --password-stdin --email ada@acme.com --role Operate",
			stdin: "correct horse battery\n", want: []string{"USERNAME:    ada", "ROLES:       Operate"},
			capture: map[string]string{"user": `(?m)^ID:\s+` + uuid}},
		{name: "users create short password", args: "users create --username bob --password short", code: 1, wantErr: "400 Bad Request"},
		{name: "users list", args: "users list", want: []string{"ada@acme.com"}},
		{name: "users update", args: "users update {user} --last-name Lovelace", want: []string{"LAST NAME:   Lovelace"}},
		{name: "users disable", args: "users disable {user}", want: []string{"ENABLED:     false"}},
		{name: "users enable", args: "users enable {user}", want: []string{"ENABLED:     true"}},
		{name: "users add-roles", args: "users add-roles {user} Tasklist Identity", want: []string{"Identity", "Tasklist"}},
		{name: "users remove-roles", args: "users remove-roles {user} Operate --output json", want: []string{`"Tasklist"`}},
		{name: "users roles", args: "users roles {user}", want: []string{"ROLE\nTasklist\nIdentity"}},
		{name: "users get", args: "users get {user} --output json", want: []string{`"username": "ada"`}},
		{name: "users delete", args: "users delete {user}", wantErr: "Deleted user"},

		{name: "clusters create", args: "clusters create --name prod --namespace camunda --version 8.8.0 --tag eu " +
			"--component id=zeebe,type=zeebe-broker,version=8.8.0,url=http://127.0.0.1:1/",
			want:    []string{"COMPONENTS:  id=zeebe,type=zeebe-broker,version=8.8.0,url=http://127.0.0.1:1/"},
			capture: map[string]string{"cluster": `(?m)^ID:\s+` + uuid}},
		{name: "clusters list", args: "clusters list", want: []string{"prod", "camunda", "zeebe", "api"}},
		{name: "clusters update", args: "clusters update {cluster} --version 8.8.1 --no-tags", want: []string{"VERSION:     8.8.1", "TAGS:        -"}},
		{name: "clusters get", args: "clusters get {cluster} --output json", want: []string{`"version": "8.8.1"`, `"tags": []`}},
		{name: "clusters status as the administrator", args: "clusters status --console-url {console}", code: 1, wantErr: "invalid_target"},
		{name: "clusters status", args: "clusters status --console-url {console} --client-id {appClient} --client-secret {appSecret}",
			code: 1, wantErr: "invalid_client"}, // the secret was rotated away above
		{name: "clusters delete", args: "clusters delete {cluster}", wantErr: "Deleted cluster"},

		{name: "audit list", args: "audit list --action app. --target {app}",
			want: []string{"app.rotate-secret", "app.update", "app.create", "name=job-a"}},
		{name: "audit list json", args: "audit list --action cluster. --limit 1 --output json", want: []string{`"nextBefore"`, `"cluster.delete"`}},
		{name: "audit list all", args: "audit list --action cluster. --limit 1 --all --since 1h", want: []string{"cluster.create", "cluster.update", "cluster.delete"}},
		{name: "audit list failures", args: "audit list --outcome failure --action api.", want: []string{"api.delete", "failure", "reason=conflict"}},
		{name: "audit list hides token.issue", args: "audit list --limit 500", want: []string{"app.create"}, absent: []string{"token.issue"}},
		{name: "audit list include-token-issue", args: "audit list --limit 500 --include-token-issue", want: []string{"token.issue", "app.create"}},
		{name: "audit list token.issue asked", args: "audit list --action token.issue --limit 1", want: []string{"token.issue"}},

		{name: "keys list", args: "keys list", want: []string{"RS256  active"}},
		{name: "wrong realm", args: "keys list --realm nowhere", code: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := splitArgs(tc.args)
			for i, a := range args {
				args[i] = regexp.MustCompile(`\{(\w+)\}`).ReplaceAllStringFunc(a, func(m string) string {
					v, ok := ids[m[1:len(m)-1]]
					if !ok {
						t.Fatalf("no %s captured", m)
					}
					return v
				})
			}
			stdin = strings.NewReader(tc.stdin)
			defer func() { stdin = io.Reader(nil) }()
			var out, errOut bytes.Buffer
			err := run(t.Context(), args, func(k string) string { return vars[k] }, nil, &out, &errOut)
			code := exitCode(err, &errOut)
			if code != tc.code {
				t.Fatalf("gatehouse %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", tc.args, code, tc.code, out.String(), errOut.String())
			}
			for _, w := range tc.want {
				if !strings.Contains(out.String(), w) {
					t.Fatalf("gatehouse %s: stdout lacks %q:\n%s", tc.args, w, out.String())
				}
			}
			for _, a := range tc.absent {
				if strings.Contains(out.String(), a) {
					t.Fatalf("gatehouse %s: stdout holds %q:\n%s", tc.args, a, out.String())
				}
			}
			if !strings.Contains(errOut.String(), tc.wantErr) {
				t.Fatalf("gatehouse %s: stderr lacks %q:\n%s", tc.args, tc.wantErr, errOut.String())
			}
			if strings.Contains(tc.args, "--output json") && !json.Valid(out.Bytes()) {
				t.Fatalf("not JSON:\n%s", out.String())
			}
			for k, re := range tc.capture {
				m := regexp.MustCompile(re).FindStringSubmatch(out.String())
				if m == nil {
					t.Fatalf("no %s (%s) in:\n%s", k, re, out.String())
				}
				ids[k] = m[1]
			}
		})
	}
}

// splitArgs splits a command line at spaces, keeping 'quoted parts' together.
func splitArgs(line string) []string {
	var out []string
	for i, part := range strings.Split(line, "'") {
		if i%2 == 1 {
			out = append(out, part)
			continue
		}
		out = append(out, strings.Fields(part)...)
	}
	return out
}
