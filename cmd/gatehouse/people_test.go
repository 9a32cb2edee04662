package main

import (
	"strings"
	"testing"
)

// TestWebAppCommands: `apps create --type … --redirect-uri …` and `apps set-web`.
func TestWebAppCommands(t *testing.T) {
	env, _, _, _ := flowServer(t)
	out, errOut, code := ghRun(t, env, "apps", "create", "--name", "web", "--type", "CONFIDENTIAL",
		"--root-url", "https://web.example", "--redirect-uri", "/cb", "--post-logout-redirect-uri", "https://web.example/")
	if code != 0 {
		t.Fatalf("apps create: exit %d: %s", code, errOut)
	}
	id := field(t, out, "ID")
	if !strings.HasPrefix(field(t, out, "CLIENT SECRET"), "gh_cs_") {
		t.Errorf("confidential app without a secret:\n%s", out)
	}
	out = gh(t, env, "apps", "set-web", id, "--redirect-uri", "https://web.example/a", "--redirect-uri", "https://web.example/b/*")
	if field(t, out, "TYPE") != "confidential" || !strings.Contains(out, "https://web.example/b/*") || strings.Contains(out, "/cb\n") {
		t.Errorf("apps set-web printed:\n%s", out)
	}
	out, errOut, code = ghRun(t, env, "apps", "create", "--name", "spa", "--type", "PUBLIC", "--redirect-uri", "http://127.0.0.1/cb")
	if code != 0 || strings.Contains(out, "CLIENT SECRET") || field(t, out, "TYPE") != "public" {
		t.Fatalf("public apps create: exit %d\n%s\n%s", code, out, errOut)
	}
	if _, _, code := ghRun(t, env, "apps", "set-web", field(t, out, "ID"), "--type", "CONFIDENTIAL"); code == 0 {
		t.Error("a PUBLIC application became CONFIDENTIAL")
	}
}
