package server_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/server/servertest"
)

// BenchmarkToken measures one client_credentials exchange over loopback HTTP with a
// keep-alive client, per signing algorithm.
func BenchmarkToken(b *testing.B) {
	for _, alg := range []string{"RS256", "ES256", "EdDSA"} {
		b.Run(alg, func(b *testing.B) {
			in := servertest.Start(b, servertest.Options{Config: func(c *config.Config) { c.SigningAlg = alg; c.LogLevel = "warn" }})
			u := in.TokenURL(realm)
			body := "grant_type=client_credentials&client_id=" + servertest.AdminID + "&client_secret=" + servertest.AdminSecret
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					resp, err := client.Post(u, "application/x-www-form-urlencoded", strings.NewReader(body))
					if err != nil {
						b.Fatal(err)
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 200 {
						b.Fatalf("status %d", resp.StatusCode)
					}
				}
			})
		})
	}
}
