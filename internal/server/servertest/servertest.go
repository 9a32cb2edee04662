// Package servertest starts a real Gatehouse server on random loopback ports for tests,
// with its log captured so tests can check that no secret ever reached it.
package servertest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/server"
)

// Bootstrap credentials every test server's default realm is created with.
const (
	AdminID     = "test-admin"
	AdminSecret = "test-admin-secret-0123456789"
)

// Options tune a test server.
type Options struct {
	Config  func(*config.Config) // adjust the configuration before start
	Now     func() time.Time
	DataDir string // reuse a data directory (restart tests); empty: a fresh temp dir
}

// Instance is a running server.
type Instance struct {
	*server.Server
	Config config.Config
	Log    *Buffer
	Stdout *Buffer
	Access *Buffer // the access log, with Config.AccessLog
	cancel context.CancelFunc
	done   chan error
}

// Buffer is a concurrency-safe bytes.Buffer.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// DefaultConfig is the configuration of a test server before Options.Config runs.
func DefaultConfig(dataDir string) config.Config {
	c := config.Defaults()
	c.IdentityAddr, c.ConsoleAddr, c.ModelerAddr, c.ManagementAddr = "127.0.0.1:0", "127.0.0.1:0", "127.0.0.1:0", "127.0.0.1:0"
	c.DataDir = dataDir
	c.MasterKey = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
	c.BootstrapClientID, c.BootstrapSecret = AdminID, AdminSecret
	c.LogLevel = "debug"
	c.DrainDelay = 0 // tests that check the drain set their own
	return c
}

// Start runs a server until the test ends.
func Start(t testing.TB, o Options) *Instance {
	t.Helper()
	dir := o.DataDir
	if dir == "" {
		dir = t.TempDir()
	}
	c := DefaultConfig(dir)
	if o.Config != nil {
		o.Config(&c)
	}
	if err := c.Validate(); err != nil {
		t.Fatalf("config: %v", err)
	}
	logs, out, access := &Buffer{}, &Buffer{}, &Buffer{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := server.New(ctx, c, server.Options{Log: log, Stdout: out, Now: o.Now, AccessLog: access})
	if err != nil {
		cancel()
		t.Fatalf("start server: %v", err)
	}
	in := &Instance{Server: srv, Config: c, Log: logs, Stdout: out, Access: access, cancel: cancel, done: make(chan error, 1)}
	go func() { in.done <- srv.Run(ctx) }()
	t.Cleanup(in.Stop)
	return in
}

// Stop shuts the server down and waits for it (idempotent).
func (in *Instance) Stop() {
	in.cancel()
	if in.done != nil {
		<-in.done
		in.done = nil
	}
}

// URL is the base URL of a listener, e.g. URL(server.IdentityListener).
func (in *Instance) URL(listener string) string { return "http://" + in.Addr(listener) }

// TokenURL is the realm's token endpoint on this server.
func (in *Instance) TokenURL(realm string) string {
	return in.URL(server.IdentityListener) + "/auth/realms/" + realm + "/protocol/openid-connect/token"
}

// Token fetches an access token with client_secret_post; it fails the test on error.
func (in *Instance) Token(t testing.TB, realm, clientID, secret, audience string) string {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {clientID}, "client_secret": {secret}}
	if audience != "" {
		form.Set("audience", audience)
	}
	resp, err := http.Post(in.TokenURL(realm), "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatalf("token request: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("token request: %s: %s", resp.Status, body)
	}
	var tr struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(body, &tr); err != nil || tr.AccessToken == "" {
		t.Fatalf("token response %s: %v", body, err)
	}
	return tr.AccessToken
}

// Do sends a request with a bearer token (none when token is empty) and, when body is
// not empty, a JSON body; it returns the status, the headers and the body, and fails
// the test when the request cannot be sent.
func Do(t testing.TB, method, url, token, body string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}
