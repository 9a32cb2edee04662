package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/server/servertest"
)

const (
	flowAdminID     = "flow-admin"
	flowAdminSecret = "flow-admin-secret-0123456789abcdef"
)

// flowServer runs the built binary with a bootstrap administrator and answers the
// environment a user of the CLI would have (GATEHOUSE_SERVER and the administrator's
// credentials) and the console and modeler base URLs.
func flowServer(t *testing.T) (env []string, consoleURL, modelerURL string, logs *servertest.Buffer) {
	t.Helper()
	needBinary(t)
	id, console, modeler, mgmt := freePort(t), freePort(t), freePort(t), freePort(t)
	srvEnv := []string{"HOME=" + t.TempDir(), "GATEHOUSE_DATA_DIR=" + t.TempDir(), "GATEHOUSE_IDENTITY_ADDR=" + id,
		"GATEHOUSE_CONSOLE_ADDR=" + console, "GATEHOUSE_MODELER_ADDR=" + modeler, "GATEHOUSE_MANAGEMENT_ADDR=" + mgmt,
		"GATEHOUSE_BOOTSTRAP_CLIENT_ID=" + flowAdminID, "GATEHOUSE_BOOTSTRAP_CLIENT_SECRET=" + flowAdminSecret, "GATEHOUSE_DRAIN_DELAY=0s"}
	srv := exec.Command(binary, "serve")
	srv.Env = srvEnv
	logs = &servertest.Buffer{} // written by the process while the test reads it
	srv.Stdout, srv.Stderr = logs, logs
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		srv.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { srv.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			srv.Process.Kill()
		}
	})
	waitReady(t, "http://"+mgmt+"/readyz", logs)
	env = []string{"HOME=" + t.TempDir(), "GATEHOUSE_SERVER=http://" + id,
		"GATEHOUSE_CLIENT_ID=" + flowAdminID, "GATEHOUSE_CLIENT_SECRET=" + flowAdminSecret}
	return env, "http://" + console, "http://" + modeler, logs
}

// ghRun runs the binary and answers its stdout, stderr and exit code.
func ghRun(t *testing.T, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = env
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatalf("gatehouse %v: %v", args, err)
	}
	return o.String(), e.String(), cmd.ProcessState.ExitCode()
}

// field reads "LABEL:  value" from key/value output.
func field(t *testing.T, out, label string) string {
	t.Helper()
	for _, line := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(line, label+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	t.Fatalf("no %q in output:\n%s", label, out)
	return ""
}

// bearerGet answers the status of GET u with tok.
func bearerGet(t *testing.T, u, tok string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestIssueFlow is issue 5's shell session, verbatim, against the built binary: with the
// bootstrap administrator's credentials in the environment, `apps create` prints a
// client id and secret once; `token` with them gets a token that works on the Web
// Modeler API and the Administration API; `apps rotate-secret --grace 10m` leaves old
// and new secret working; `apps disable` refuses new token requests at once and the
// live token on the APIs within 5 s.
func TestIssueFlow(t *testing.T) {
	env, consoleURL, modelerURL, logs := flowServer(t)

	out, errOut, code := ghRun(t, env, "apps", "create", "--name", "billing-job",
		"--permission", "web-modeler-public-api:read:*", "--permission", "console-api:read:*")
	if code != 0 {
		t.Fatalf("apps create: exit %d: %s", code, errOut)
	}
	appID, clientID, secret := field(t, out, "ID"), field(t, out, "CLIENT ID"), field(t, out, "CLIENT SECRET")
	if !strings.HasPrefix(secret, "gh_cs_") || !strings.Contains(errOut, "only this once") {
		t.Fatalf("apps create printed:\n%s\n%s", out, errOut)
	}
	if strings.Count(out, secret) != 1 {
		t.Fatalf("the secret is not printed exactly once:\n%s", out)
	}

	tok := gh(t, env, "token", "--client-id", clientID, "--client-secret", secret)
	if got := bearerGet(t, modelerURL+"/api/v1/info", tok); got != http.StatusOK {
		t.Fatalf("GET /api/v1/info: %d", got)
	}
	if got := bearerGet(t, consoleURL+"/admin-api/clusters", tok); got != http.StatusOK {
		t.Fatalf("GET /admin-api/clusters: %d", got)
	}

	out = gh(t, env, "apps", "rotate-secret", appID, "--grace", "10m")
	newSecret := field(t, out, "CLIENT SECRET")
	if newSecret == secret || !strings.HasPrefix(field(t, out, "OLD SECRET"), "valid until ") {
		t.Fatalf("rotate-secret printed:\n%s", out)
	}
	for _, s := range []string{secret, newSecret} {
		if tk := gh(t, env, "token", "--client-id", clientID, "--client-secret", s); tk == "" {
			t.Fatal("no token")
		}
	}
	live := gh(t, env, "token", "--client-id", clientID, "--client-secret", newSecret)

	out = gh(t, env, "apps", "disable", appID)
	if field(t, out, "ENABLED") != "false" {
		t.Fatalf("disable printed:\n%s", out)
	}
	for _, s := range []string{secret, newSecret} {
		if _, errOut, code := ghRun(t, env, "token", "--client-id", clientID, "--client-secret", s); code != 1 ||
			!strings.Contains(errOut, "invalid_client") {
			t.Fatalf("token after disable: exit %d: %s", code, errOut)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for bearerGet(t, modelerURL+"/api/v1/info", live) != http.StatusUnauthorized ||
		bearerGet(t, consoleURL+"/admin-api/clusters", live) != http.StatusUnauthorized {
		if time.Now().After(deadline) {
			t.Fatal("the disabled application's live token still works after 5 s")
		}
		time.Sleep(100 * time.Millisecond)
	}

	// The same through JSON output, and the audit trail of it all.
	var app struct {
		ID      string `json:"id"`
		Enabled bool   `json:"enabled"`
		Secrets []any  `json:"secrets"`
	}
	if err := json.Unmarshal([]byte(gh(t, env, "apps", "get", appID, "--output", "json")), &app); err != nil ||
		app.ID != appID || app.Enabled || len(app.Secrets) != 2 {
		t.Fatalf("apps get --output json: %+v %v", app, err)
	}
	var page struct {
		Items []struct{ Action, Actor string } `json:"items"`
	}
	if err := json.Unmarshal([]byte(gh(t, env, "audit", "list", "--target", appID, "--output", "json")), &page); err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range page.Items {
		if strings.HasPrefix(e.Action, "token.") { // the application's own token requests
			continue
		}
		if e.Actor != flowAdminID {
			t.Fatalf("actor %q of %s", e.Actor, e.Action)
		}
		actions = append(actions, e.Action)
	}
	if want := []string{"app.update", "app.rotate-secret", "app.create"}; !slices.Equal(actions, want) {
		t.Fatalf("audit actions %v, want %v", actions, want)
	}

	for _, s := range []string{secret, newSecret, flowAdminSecret, tok, live} {
		if strings.Contains(logs.String(), s) {
			t.Fatal("a secret or token reached the server's output")
		}
	}
}

// TestKeysThroughAPI runs `gatehouse keys` in its default mode, through the management
// API with the administrator's credentials, and checks that errors of the API exit 1.
func TestKeysThroughAPI(t *testing.T) {
	env, _, _, _ := flowServer(t)
	var keys []struct{ KID, State string }
	list := func() {
		t.Helper()
		keys = nil
		if err := json.Unmarshal([]byte(gh(t, env, "keys", "list", "--output", "json")), &keys); err != nil || len(keys) == 0 {
			t.Fatalf("keys list: %v %v", keys, err)
		}
	}
	list()
	if keys[0].State != "active" {
		t.Fatalf("keys %+v", keys)
	}
	oldKid := keys[0].KID
	table := gh(t, env, "keys", "rotate")
	if !strings.HasPrefix(table, "KID") || !strings.Contains(table, oldKid) {
		t.Fatalf("keys rotate printed:\n%s", table)
	}
	list()
	if keys[0].KID == oldKid || keys[0].State != "active" {
		t.Fatalf("after rotate %+v", keys)
	}
	gh(t, env, "keys", "revoke", oldKid)
	list()
	for _, k := range keys {
		if k.KID == oldKid && k.State != "revoked" {
			t.Fatalf("revoked key %+v", k)
		}
	}
	if _, errOut, code := ghRun(t, env, "keys", "revoke", "no-such-kid"); code != 1 || !strings.Contains(errOut, "404") {
		t.Fatalf("revoke of an unknown kid: exit %d: %s", code, errOut)
	}

	// Camunda's variable names work as well; wrong credentials exit 1.
	zeebe := []string{env[0], env[1], "ZEEBE_CLIENT_ID=" + flowAdminID, "ZEEBE_CLIENT_SECRET=" + flowAdminSecret}
	if out := gh(t, zeebe, "keys", "list"); !strings.Contains(out, keys[0].KID) {
		t.Fatalf("keys list with ZEEBE_* credentials:\n%s", out)
	}
	wrong := append(slices.Clone(env), "GATEHOUSE_CLIENT_SECRET=wrong")
	if _, errOut, code := ghRun(t, wrong, "keys", "list"); code != 1 || !strings.Contains(errOut, "invalid_client") {
		t.Fatalf("wrong secret: exit %d: %s", code, errOut)
	}
}
