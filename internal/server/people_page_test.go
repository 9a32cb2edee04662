package server_test

import (
	"html"
	"net/http"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/server/servertest"
)

// TestLoginPageDisplayName: the login page names the realm by its display name, and
// by its name when none is configured.
func TestLoginPageDisplayName(t *testing.T) {
	for _, tc := range []struct{ name, display, want string }{
		{"configured", "Acme <Camunda>", "Sign in to Acme <Camunda>"},
		{"default", "", "Sign in to " + realm},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := servertest.Start(t, servertest.Options{Config: func(c *config.Config) {
				people(c)
				c.Realms = append(c.Realms, config.Realm{Name: realm, DisplayName: tc.display})
			}})
			resp, body := newBrowser(t).get(authURL(in, nil))
			if resp.StatusCode != http.StatusOK || !strings.Contains(html.UnescapeString(body), tc.want) {
				t.Fatalf("login page %d lacks %q:\n%s", resp.StatusCode, tc.want, body)
			}
			if tc.display != "" && strings.Contains(body, tc.display) {
				t.Fatal("the display name is not escaped")
			}
		})
	}
}
