package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/identity"
	"github.com/gatehouse/gatehouse/internal/server"
	"github.com/gatehouse/gatehouse/internal/server/servertest"
)

// TestTokenReuseThroughTheServer: with --token-reuse, a repeated request gets the same
// token; once that token is revoked (RFC 7009, this replica), the next request gets a
// new one. The cases of internal/oauth's table test run there without HTTP.
func TestTokenReuseThroughTheServer(t *testing.T) {
	// The administrator's token names the management API only when asked (RFC 9700
	// §2.3); without an audience it would be no token to revoke.
	in := servertest.Start(t, servertest.Options{Config: func(c *config.Config) { c.TokenReuse = 0.5; c.SigningAlg = "ES256" }})
	first := in.Token(t, realm, servertest.AdminID, servertest.AdminSecret, identity.AudienceIdentity)
	if again := in.Token(t, realm, servertest.AdminID, servertest.AdminSecret, identity.AudienceIdentity); again != first {
		t.Fatal("the second request got a new token")
	}
	form := url.Values{"token": {first}, "client_id": {servertest.AdminID}, "client_secret": {servertest.AdminSecret}}
	resp, err := http.Post(in.URL(server.IdentityListener)+"/auth/realms/"+realm+"/protocol/openid-connect/revoke",
		"application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("revoke: %s", resp.Status)
	}
	if after := in.Token(t, realm, servertest.AdminID, servertest.AdminSecret, identity.AudienceIdentity); after == first {
		t.Fatal("a revoked token was handed out again")
	}
}
