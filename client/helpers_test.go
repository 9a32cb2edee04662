package client_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/gatehouse/gatehouse/client"
	"github.com/gatehouse/gatehouse/internal/server"
	"github.com/gatehouse/gatehouse/internal/server/servertest"
)

const realm = "camunda-platform"

// fixture is a real server started for one test, with an administrator client.
type fixture struct {
	t   *testing.T
	in  *servertest.Instance
	ctx context.Context
	m   *client.Management
}

var (
	templateOnce sync.Once
	templateDir  string // removed by run (main_test.go)
	templateErr  error
)

// fromTemplate fills dir with a copy of a data directory that a default server has
// started on once (migrated, seeded, signing key made): a start on it skips the RSA
// key generation that dominated the start of every test's server.
func fromTemplate(t *testing.T, dir string) {
	t.Helper()
	templateOnce.Do(func() {
		if templateDir, templateErr = os.MkdirTemp("", "client-template-"); templateErr == nil {
			servertest.Start(t, servertest.Options{DataDir: templateDir}).Stop()
		}
	})
	if templateErr != nil {
		t.Fatal(templateErr)
	}
	entries, err := os.ReadDir(templateDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(templateDir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// start starts a server for the test; one with the default configuration starts on a
// copy of the template data directory.
func start(t *testing.T, o servertest.Options) *fixture {
	t.Helper()
	if o.DataDir == "" && o.Config == nil {
		o.DataDir = t.TempDir()
		fromTemplate(t, o.DataDir)
	}
	in := servertest.Start(t, o)
	f := &fixture{t: t, in: in, ctx: t.Context()}
	f.m = client.NewManagement(f.url(), realm, f.source(servertest.AdminID, servertest.AdminSecret, client.ManagementAudience))
	return f
}

func (f *fixture) url() string        { return f.in.URL(server.IdentityListener) }
func (f *fixture) consoleURL() string { return f.in.URL(server.ConsoleListener) }
func (f *fixture) modelerURL() string { return f.in.URL(server.ModelerListener) }

func (f *fixture) source(id, secret, audience string, opts ...client.Option) *client.TokenSource {
	return client.NewTokenSource(client.Credentials{TokenURL: client.TokenURL(f.url(), realm), ClientID: id,
		ClientSecret: secret, Audience: audience}, opts...)
}

// app creates an application holding perms ("api:definition") and answers it with its
// secret.
func (f *fixture) app(name string, perms ...string) *client.ApplicationWithSecret {
	f.t.Helper()
	in := client.ApplicationCreate{Name: name}
	for _, p := range perms {
		pp, err := client.ParsePermission(p)
		if err != nil {
			f.t.Fatal(err)
		}
		in.Permissions = append(in.Permissions, pp)
	}
	a, err := f.m.CreateApplication(f.ctx, in)
	if err != nil {
		f.t.Fatalf("create %s: %v", name, err)
	}
	return a
}

// token asks for a token with fresh credentials (no cache, no backoff).
func (f *fixture) token(id, secret string) (client.Token, error) {
	return f.source(id, secret, "").Token(f.ctx)
}

// wantStatus checks that err is an *Error of this status (0: no error).
func wantStatus(t *testing.T, what string, err error, status int) *client.Error {
	t.Helper()
	if status == 0 {
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return nil
	}
	var e *client.Error
	if !errors.As(err, &e) || e.Status != status {
		t.Fatalf("%s: error %v, want status %d", what, err, status)
	}
	if e.Title != http.StatusText(status) || e.Detail == "" {
		t.Fatalf("%s: problem not decoded: %+v", what, e)
	}
	return e
}

// settled checks cond after applying the store's changes to the resource APIs (the
// deny-list and the clusters) at once, as the server's one-second loops do, instead of
// waiting for the loops.
func (f *fixture) settled(what string, cond func() bool) {
	f.t.Helper()
	if err := f.in.RefreshDenyList(f.ctx); err != nil {
		f.t.Fatal(err)
	}
	if err := f.in.ProbeClusters(f.ctx); err != nil {
		f.t.Fatal(err)
	}
	if !cond() {
		f.t.Fatalf("%s: not after the refresh", what)
	}
}

// countingTransport counts the requests it forwards.
type countingTransport struct {
	n    atomic.Int32
	base http.RoundTripper
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.base.RoundTrip(r)
}

// headerTransport sets a header on every request.
type headerTransport struct{ key, value string }

func (h headerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set(h.key, h.value)
	return http.DefaultTransport.RoundTrip(r)
}

func ptr[T any](v T) *T { return &v }
