package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// binary is the built gatehouse command; "" under -short, where the tests that run it
// skip (building it alone takes a large part of a short run).
var binary string

func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() {
		os.Exit(m.Run())
	}
	dir, err := os.MkdirTemp("", "gatehouse-bin")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "gatehouse")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// needBinary skips a test that runs the built binary as a separate process under -short.
func needBinary(t *testing.T) {
	t.Helper()
	if binary == "" {
		t.Skip("slow: builds and runs the gatehouse binary")
	}
}

// cli runs the command in process as main does, with only HOME set, and answers its
// combined output and exit code.
func cli(t *testing.T, args ...string) (string, int) {
	t.Helper()
	vars := map[string]string{"HOME": t.TempDir()}
	var out bytes.Buffer
	err := run(t.Context(), args, func(k string) string { return vars[k] }, []string{"HOME=" + vars["HOME"]}, &out, &out)
	code := exitCode(err, &out)
	return out.String(), code
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func TestUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		out  string
	}{
		{[]string{"version"}, 0, "gatehouse"},
		{[]string{"help"}, 0, "Usage"},
		{nil, 2, "Usage"},
		{[]string{"frobnicate"}, 2, "unknown command"},
		{[]string{"serve", "--no-such-flag"}, 2, "no-such-flag"},
		{[]string{"serve", "--token-lifetime", "48h"}, 2, "token-lifetime"},
		{[]string{"token"}, 2, "client-id"},
		{[]string{"token", "-h"}, 0, "Usage: gatehouse token"},
		{[]string{"token", "--nope"}, 2, "nope"},
		{[]string{"serve", "-h"}, 0, "Usage: gatehouse serve"},
		{[]string{"keys"}, 2, "missing keys command"},
		{[]string{"keys", "list", "--local", "-h"}, 0, "data-dir"},
		{[]string{"keys", "list", "--local", "--output", "yaml"}, 2, "--output"},
		{[]string{"keys", "revoke"}, 2, "missing argument"},
		{[]string{"apps"}, 2, "missing apps command"},
		{[]string{"apps", "frobnicate"}, 2, "unknown apps command"},
		{[]string{"apps", "list", "--nope"}, 2, "flag provided but not defined: -nope"},
		{[]string{"apps", "get"}, 2, "missing argument"},
		{[]string{"apps", "get", "a", "b"}, 2, `unexpected argument "b"`},
		{[]string{"apps", "create"}, 2, "--name is required"},
		{[]string{"apps", "create", "--name", "x", "--permission", "console-api"}, 2, "API:DEFINITION"},
		{[]string{"apps", "create", "--name", "x"}, 2, "no credentials"},
		{[]string{"apps", "list", "--output", "yaml"}, 2, "--output must be table or json"},
		{[]string{"apps", "rotate-secret", "x", "--grace", "soon"}, 2, "grace"},
		{[]string{"apps", "rotate-secret", "x", "--grace", "721h"}, 2, "720h"},
		{[]string{"grants", "add", "x"}, 2, "at least one permission"},
		{[]string{"apis", "update", "x"}, 2, "nothing to change"},
		{[]string{"apis", "update", "x", "--alias", "a", "--no-aliases"}, 2, "exclude each other"},
		{[]string{"users", "create", "--username", "u"}, 2, "password"},
		{[]string{"users", "add-roles", "x"}, 2, "missing argument"},
		{[]string{"clusters", "create", "--name", "c", "--component", "type=operate"}, 2, "id= is required"},
		{[]string{"clusters", "create", "--name", "c", "--component", "id=a,colour=red"}, 2, "unknown key"},
		{[]string{"audit", "list", "--since", "yesterday"}, 2, "--since"},
	} {
		out, code := cli(t, tc.args...)
		if code != tc.code || !strings.Contains(out, tc.out) {
			t.Errorf("gatehouse %v: exit %d, output %q; want exit %d mentioning %q", tc.args, code, out, tc.code, tc.out)
		}
	}
}

// TestBinary runs the built binary as a user would: seeds an application through Camunda
// Identity's KEYCLOAK_CLIENTS_* variables, fetches a token with `gatehouse token`,
// rotates the signing key with `gatehouse keys rotate --local` on the database while the
// server runs (it publishes the new key by itself), and stops gracefully on SIGTERM.
func TestBinary(t *testing.T) {
	needBinary(t)
	dir := t.TempDir()
	id, mgmt := freePort(t), freePort(t)
	env := append(os.Environ(),
		"GATEHOUSE_DATA_DIR="+dir, "GATEHOUSE_IDENTITY_ADDR="+id, "GATEHOUSE_MANAGEMENT_ADDR="+mgmt,
		"GATEHOUSE_CONSOLE_ADDR=127.0.0.1:0", "GATEHOUSE_MODELER_ADDR=127.0.0.1:0", "GATEHOUSE_DRAIN_DELAY=0s",
		"KEYCLOAK_CLIENTS_0_NAME=billing-job", "KEYCLOAK_CLIENTS_0_ID=billing-job", "KEYCLOAK_CLIENTS_0_SECRET=billing-secret",
		"KEYCLOAK_CLIENTS_0_TYPE=M2M", "KEYCLOAK_CLIENTS_0_PERMISSIONS_0_RESOURCE_SERVER_ID=console-api",
		"KEYCLOAK_CLIENTS_0_PERMISSIONS_0_DEFINITION=read:*")
	srv := exec.Command(binary, "serve")
	srv.Env = env
	var stdout, stderr bytes.Buffer
	srv.Stdout, srv.Stderr = &stdout, &stderr
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Process.Kill()
	waitReady(t, "http://"+mgmt+"/readyz", &stderr)

	tokenURL := "http://" + id + "/auth/realms/camunda-platform/protocol/openid-connect/token"
	tok := gh(t, env, "token", "--client-id", "billing-job", "--client-secret", "billing-secret", "--token-url", tokenURL)
	claims := payload(t, tok)
	if claims["aud"] != "console-api" || claims["azp"] != "billing-job" {
		t.Fatalf("claims %v", claims)
	}
	oldKid := header(t, tok)["kid"]

	// --local works on the database the running server uses.
	list := gh(t, env, "keys", "list", "--local", "--output", "json")
	if !strings.Contains(list, oldKid) {
		t.Fatalf("keys list %s lacks the active key %s", list, oldKid)
	}
	gh(t, env, "keys", "rotate", "--local")
	deadline := time.Now().Add(5 * time.Second)
	for {
		tok = gh(t, env, "token", "--client-id", "billing-job", "--client-secret", "billing-secret", "--token-url", tokenURL)
		if header(t, tok)["kid"] != oldKid {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the running server did not pick up the rotated key within 5 s")
		}
		time.Sleep(100 * time.Millisecond)
	}

	srv.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- srv.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("no exit after SIGTERM")
	}
	if strings.Contains(stderr.String(), "billing-secret") || strings.Contains(stdout.String(), "billing-secret") {
		t.Error("the secret reached the server's output")
	}
}

// TestHelp asks every command for -h: exit 0, and a usage naming the command.
func TestHelp(t *testing.T) {
	cmds := [][]string{{"help"}, {"-h"}, {"serve", "-h"}, {"token", "--help"}, {"import", "keycloak", "x.json", "-h"}}
	for _, name := range slices.Sorted(maps.Keys(groups)) {
		g := groups[name]
		cmds = append(cmds, []string{name, "-h"})
		for _, v := range g.verbs {
			cmds = append(cmds, []string{name, v.name, "-h"})
		}
	}
	for _, v := range keysGroup.verbs {
		cmds = append(cmds, []string{"keys", v.name, "-h"}, []string{"keys", v.name, "--local", "-h"})
	}
	for _, args := range cmds {
		out, code := cli(t, args...)
		want := "Usage"
		if len(args) > 2 && args[0] != "import" {
			want = "Usage: gatehouse " + args[0] + " " + args[1]
		}
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("gatehouse %v: exit %d, output %q; want exit 0 and %q", args, code, out, want)
		}
	}
}

func gh(t *testing.T, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = env
	out, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("gatehouse %v: %v\n%s", args, err, stderr)
	}
	return strings.TrimSpace(string(out))
}

func waitReady(t *testing.T, u string, log fmt.Stringer) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for ctx.Err() == nil {
		if resp, err := http.Get(u); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("server not ready: %s", log.String())
}

func segment(t *testing.T, tok string, i int) map[string]any {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWS: %q", tok)
	}
	b, _ := base64.RawURLEncoding.DecodeString(parts[i])
	var m map[string]any
	json.Unmarshal(b, &m)
	return m
}

func payload(t *testing.T, tok string) map[string]any { return segment(t, tok, 1) }

func header(t *testing.T, tok string) map[string]string {
	out := map[string]string{}
	for k, v := range segment(t, tok, 0) {
		out[k], _ = v.(string)
	}
	return out
}
