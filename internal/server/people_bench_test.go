package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/server/servertest"
)

// BenchmarkPeopleLogin measures one full password login of a fresh browser over
// loopback HTTP: authorize (login page) → form post (argon2id check, session, code) →
// code exchange with PKCE (access token + ID token: two signatures). Report
// logins/s per core as ops/s divided by GOMAXPROCS.
func BenchmarkPeopleLogin(b *testing.B) {
	in := servertest.Start(b, servertest.Options{Config: func(c *config.Config) { people(c); c.LogLevel = "warn" }})
	base := strings.TrimSuffix(in.PublicURL(), "/")
	tokenURL := authBase(in) + "/token"
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			br := newBrowser(b)
			verifier := oauth2.GenerateVerifier()
			auth := authBase(in) + "/auth?" + url.Values{"client_id": {spaID}, "redirect_uri": {spaCB}, "response_type": {"code"},
				"scope": {"openid profile email"}, "state": {"s"}, "nonce": {"n"}, "code_challenge_method": {"S256"},
				"code_challenge": {oauth2.S256ChallengeFromVerifier(verifier)}}.Encode()
			resp, body := br.get(auth)
			if resp.StatusCode != http.StatusOK {
				b.Fatalf("authorize: %d", resp.StatusCode)
			}
			action, v := loginForm(b, base, body)
			v.Set("username", personName)
			v.Set("password", personPass)
			resp, _ = br.postForm(action, v)
			loc, err := url.Parse(resp.Header.Get("Location"))
			if resp.StatusCode != http.StatusSeeOther || err != nil || loc.Query().Get("code") == "" {
				b.Fatalf("login: %d %s", resp.StatusCode, resp.Header.Get("Location"))
			}
			resp, _ = br.postForm(tokenURL, url.Values{"grant_type": {"authorization_code"}, "client_id": {spaID},
				"code": {loc.Query().Get("code")}, "redirect_uri": {spaCB}, "code_verifier": {verifier}})
			if resp.StatusCode != http.StatusOK {
				b.Fatalf("exchange: %d", resp.StatusCode)
			}
		}
	})
}
