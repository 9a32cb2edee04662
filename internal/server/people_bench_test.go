package server_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

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

// BenchmarkTokenDuringLoginStorm measures client_credentials latency while 50 failing
// password logins a second arrive from ever new sources (X-Forwarded-For from a
// trusted proxy, so that the per-source throttle does not stop them before argon2id).
// It reports the p50 and p99 of the token requests.
func BenchmarkTokenDuringLoginStorm(b *testing.B) {
	in := servertest.Start(b, servertest.Options{Config: func(c *config.Config) {
		people(c)
		c.LogLevel = "warn"
		c.TrustedProxies = "127.0.0.1/32,::1/128"
	}})
	base := strings.TrimSuffix(in.PublicURL(), "/")
	br := newBrowser(b)
	_, body := br.get(authBase(in) + "/auth?" + url.Values{"client_id": {webID}, "redirect_uri": {webCB},
		"response_type": {"code"}, "scope": {"openid"}}.Encode())
	action, form := loginForm(b, base, body)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(20 * time.Millisecond) // 50 a second
		defer tick.Stop()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			v := url.Values{}
			for k := range form {
				v.Set(k, form.Get(k))
			}
			v.Set("username", fmt.Sprintf("nobody%d", i))
			v.Set("password", "wrong")
			wg.Go(func() {
				br.postForm(action, v, "X-Forwarded-For", fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255))
			})
		}
	})
	u := in.TokenURL(realm)
	tokenBody := "grant_type=client_credentials&client_id=" + servertest.AdminID + "&client_secret=" + servertest.AdminSecret
	client := &http.Client{}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		resp, err := client.Post(u, "application/x-www-form-urlencoded", strings.NewReader(tokenBody))
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("status %d", resp.StatusCode)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	close(stop)
	wg.Wait()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}
