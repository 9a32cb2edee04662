package replica_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/identity"
	"github.com/gatehouse/gatehouse/internal/replica"
	"github.com/gatehouse/gatehouse/internal/server"
	"github.com/gatehouse/gatehouse/internal/server/servertest"
)

const realm = config.DefaultRealm

// publicURL is what every replica of a test is configured with: replicas behind one
// load balancer share the issuer, so each accepts the others' tokens.
const publicURL = "http://gatehouse.test"

// Permissions the tests' applications hold.
var (
	consoleRead = replica.Permission{API: "console-api", Permission: "read:*"}
	modelerRW   = []replica.Permission{{API: "web-modeler-public-api", Permission: "create:*"}, {API: "web-modeler-public-api", Permission: "read:*"}}
)

// slow skips the test under -short: every test here runs whole replicas against a
// database that is stopped, cut off, locked or filled, and waits out real timeouts;
// scripts/test runs them (without -short).
func slow(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("slow: replicas under database faults wait out real timeouts")
	}
}

// pgBase returns the DSN of the throwaway PostgreSQL database or skips the test.
func pgBase(t *testing.T) string {
	t.Helper()
	dsn := os.Getenv(replica.EnvPostgres)
	if dsn == "" {
		t.Skip(replica.EnvPostgres + " is not set (scripts/test sets it)")
	}
	return dsn
}

// freshSchema returns a DSN whose search_path is a new, empty schema dropped at cleanup.
func freshSchema(t *testing.T, base string) string {
	t.Helper()
	dsn, drop, err := replica.NewSchema(t.Context(), base, "gh_replica_")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := drop(); err != nil {
			t.Errorf("drop schema: %v", err)
		}
	})
	return dsn
}

// startReplica starts an in-process replica on the database of dsn ("" = its own
// SQLite database) with the shared public URL and master key.
func startReplica(t *testing.T, dsn string, tweak ...func(*config.Config)) (*servertest.Instance, *replica.Client) {
	t.Helper()
	in := servertest.Start(t, servertest.Options{Config: func(c *config.Config) {
		c.DatabaseURL = dsn
		c.IdentityPublicURL = publicURL
		for _, f := range tweak {
			f(c)
		}
	}})
	return in, clientOf(in)
}

func clientOf(in *servertest.Instance) *replica.Client {
	return &replica.Client{
		HTTP:     &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}},
		Identity: in.URL(server.IdentityListener),
		Console:  in.URL(server.ConsoleListener),
		Modeler:  in.URL(server.ModelerListener),
		Health:   in.URL(server.ManagementListener),
		Realm:    realm,
	}
}

// adminToken returns a management API token of the bootstrap administrator.
func adminToken(t *testing.T, c *replica.Client) string {
	t.Helper()
	tok, r := c.Token(t.Context(), servertest.AdminID, servertest.AdminSecret, identity.AudienceIdentity) // asked for: RFC 9700 §2.3
	if tok == "" {
		t.Fatalf("administrator token: %v", r)
	}
	return tok
}

// mustApp creates an application or fails the test.
func mustApp(t *testing.T, c *replica.Client, admin, name string, perms ...replica.Permission) replica.App {
	t.Helper()
	app, r := c.CreateApp(t.Context(), admin, name, perms...)
	if r.Status != http.StatusCreated {
		t.Fatalf("create application %s: %v", name, r)
	}
	return app
}

// mustToken fetches a token or fails the test.
func mustToken(t *testing.T, c *replica.Client, app replica.App, audience string) string {
	t.Helper()
	tok, r := c.Token(t.Context(), app.ClientID, app.ClientSecret, audience)
	if tok == "" {
		t.Fatalf("token for %s: %v", app.ClientID, r)
	}
	return tok
}

// kidOf reads the kid of a compact JWS header (no verification: tests only).
func kidOf(t *testing.T, token string) string {
	t.Helper()
	h, _, _ := strings.Cut(token, ".")
	b, err := base64.RawURLEncoding.DecodeString(h)
	if err != nil {
		t.Fatalf("token header: %v", err)
	}
	var v struct {
		Kid string `json:"kid"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("token header: %v", err)
	}
	return v.Kid
}

// within polls check every 50 ms until it reports true or d has passed, and returns
// how long it took (d+ on timeout, with ok false).
func within(ctx context.Context, d time.Duration, check func() bool) (time.Duration, bool) {
	start := time.Now()
	for {
		if check() {
			return time.Since(start), true
		}
		if time.Since(start) > d || ctx.Err() != nil {
			return time.Since(start), false
		}
		time.Sleep(50 * time.Millisecond)
	}
}
