package server_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/server"
	"github.com/gatehouse/gatehouse/internal/server/servertest"
)

// TestAliasChangesReachResourceAPIs: an alias audience added to an API through the
// management API is accepted by that API's resource endpoints without a restart, and
// one removed stops being accepted, also for tokens the resource API has cached.
func TestAliasChangesReachResourceAPIs(t *testing.T) {
	const id, secret = "alias-app", "alias-app-secret-0123456789"
	in := servertest.Start(t, servertest.Options{Config: func(c *config.Config) {
		c.Clients = append(c.Clients, config.Client{Realm: config.DefaultRealm, Name: id, ID: id, Secret: secret, Type: "M2M",
			Permissions: []config.Permission{{ResourceServerID: "web-modeler-public-api", Definition: "read:*"},
				{ResourceServerID: "console-api", Definition: "read:*"}}})
	}})
	admin := in.Token(t, config.DefaultRealm, servertest.AdminID, servertest.AdminSecret, "camunda-identity-resource-server")
	apis := in.URL(server.IdentityListener) + "/manage/v1/realms/" + config.DefaultRealm + "/apis"

	do := func(method, url, tok, body string) (int, []byte) {
		t.Helper()
		st, _, b := servertest.Do(t, method, url, tok, body)
		return st, b
	}
	apiID := func(audience string) string {
		st, b := do("GET", apis+"?limit=100", admin, "")
		var list struct {
			Items []struct{ ID, Audience string }
		}
		if st != 200 || json.Unmarshal(b, &list) != nil {
			t.Fatalf("list APIs: %d %s", st, b)
		}
		for _, a := range list.Items {
			if a.Audience == audience {
				return a.ID
			}
		}
		t.Fatalf("no API %s in %s", audience, b)
		return ""
	}
	setAliases := func(audience string, aliases ...string) {
		t.Helper()
		js, _ := json.Marshal(map[string]any{"aliases": aliases})
		if st, b := do("PATCH", apis+"/"+apiID(audience), admin, string(js)); st != 200 {
			t.Fatalf("PATCH aliases of %s: %d %s", audience, st, b)
		}
	}
	resources := []struct {
		audience, alias, url string
	}{
		{"web-modeler-public-api", "modeler.example.com", in.URL(server.ModelerListener) + "/api/v1/info"},
		{"console-api", "admin.example.com", in.URL(server.ConsoleListener) + "/admin-api/clusters"},
	}
	// eventually waits (bounded) for the resource API to answer want: the revision
	// poll runs every second. Under -short it applies the change itself instead of
	// waiting for the poll.
	eventually := func(url, tok string, want int) time.Duration {
		t.Helper()
		if testing.Short() {
			if err := in.RefreshAudiences(t.Context()); err != nil {
				t.Fatal(err)
			}
			if st, b := do("GET", url, tok, ""); st != want {
				t.Fatalf("GET %s: %d %s after the refresh, want %d", url, st, b, want)
			}
			return 0
		}
		start := time.Now()
		for {
			st, b := do("GET", url, tok, "")
			if st == want {
				return time.Since(start)
			}
			if time.Since(start) > 5*time.Second {
				t.Fatalf("GET %s: %d %s after 5 s, want %d", url, st, b, want)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	for _, r := range resources {
		t.Run(r.audience, func(t *testing.T) {
			setAliases(r.audience, "api.cloud.camunda.io", r.alias)
			tok := in.Token(t, config.DefaultRealm, id, secret, r.alias)
			took := eventually(r.url, tok, 200)
			t.Logf("new alias accepted after %v", took.Round(time.Millisecond))
			if st, _ := do("GET", r.url, tok, ""); st != 200 { // now from the verified-token cache
				t.Fatalf("second call %d", st)
			}
			setAliases(r.audience, "api.cloud.camunda.io")
			took = eventually(r.url, tok, 401)
			t.Logf("dropped alias refused after %v", took.Round(time.Millisecond))
			if st, b := do("GET", r.url, in.Token(t, config.DefaultRealm, id, secret, "api.cloud.camunda.io"), ""); st != 200 {
				t.Fatalf("remaining alias: %d %s", st, b)
			}
		})
	}
}
