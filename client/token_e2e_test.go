package client_test

import (
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/client"
	"github.com/gatehouse/gatehouse/internal/server/servertest"
)

// clock is a settable time shared by the server and the token source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// TestTokenSourceEndToEnd runs the token source against a real token endpoint: one
// request for many concurrent callers, the cached token until the refresh threshold
// before its exp, a new one after, backoff after a refusal, and the bearer Transport
// and oauth2 adapter on a real API.
func TestTokenSourceEndToEnd(t *testing.T) {
	clk := &clock{t: time.Now()}
	f := start(t, servertest.Options{Now: clk.now})
	ctx := f.ctx
	counter := &countingTransport{base: http.DefaultTransport}
	src := f.source(servertest.AdminID, servertest.AdminSecret, client.ManagementAudience,
		client.WithHTTPClient(&http.Client{Transport: counter}), client.WithClock(clk.now),
		client.WithRefreshThreshold(30*time.Second))

	var wg sync.WaitGroup
	toks := make([]client.Token, 32)
	errs := make([]error, len(toks))
	for i := range toks {
		wg.Go(func() { toks[i], errs[i] = src.Token(ctx) })
	}
	wg.Wait()
	for i := range toks {
		if errs[i] != nil || toks[i] != toks[0] {
			t.Fatalf("caller %d: %v (tokens differ: %v)", i, errs[i], toks[i] != toks[0])
		}
	}
	if n := counter.n.Load(); n != 1 {
		t.Fatalf("%d token requests for %d concurrent callers, want 1", n, len(toks))
	}
	first := toks[0]
	lifetime := first.Expiry.Sub(clk.now())
	if lifetime < time.Minute || lifetime > 24*time.Hour {
		t.Fatalf("token lifetime %v from its exp", lifetime)
	}

	clk.add(lifetime - 31*time.Second) // just outside the threshold: still cached
	if tok, err := src.Token(ctx); err != nil || tok != first || counter.n.Load() != 1 {
		t.Fatalf("refreshed too early: %v, %d requests", err, counter.n.Load())
	}
	clk.add(2 * time.Second) // inside the threshold, before exp: a new token
	second, err := src.Token(ctx)
	if err != nil || second == first || !second.Expiry.After(first.Expiry) || counter.n.Load() != 2 {
		t.Fatalf("no refresh inside the threshold: %v, %d requests", err, counter.n.Load())
	}

	// The bearer Transport and the oauth2 adapter carry it to a real API.
	hc := &http.Client{Transport: &client.Transport{Source: src}}
	resp, err := hc.Get(f.url() + "/manage/v1/realms/" + realm + "/keys")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("through Transport: %v %v", resp, err)
	}
	resp.Body.Close()
	if o, err := src.OAuth2(ctx).Token(); err != nil || o.AccessToken != second.AccessToken {
		t.Fatalf("oauth2 adapter: %v", err)
	}

	// A refused secret backs off: no second request inside the wait.
	bad := &countingTransport{base: http.DefaultTransport}
	wrong := f.source(servertest.AdminID, "wrong-secret", "", client.WithHTTPClient(&http.Client{Transport: bad}),
		client.WithClock(clk.now), client.WithBackoff(client.Backoff{Base: time.Minute, Max: time.Hour}))
	_, err = wrong.Token(ctx)
	var te *client.TokenError
	if !errors.As(err, &te) || te.Status != http.StatusUnauthorized || te.Code != "invalid_client" {
		t.Fatalf("wrong secret: %v", err)
	}
	if _, err := wrong.Token(ctx); err == nil || bad.n.Load() != 1 {
		t.Fatalf("asked again inside the backoff (%d requests): %v", bad.n.Load(), err)
	}
	clk.add(time.Minute)
	wrong.Token(ctx)
	if bad.n.Load() != 2 {
		t.Fatalf("%d requests after the backoff, want 2", bad.n.Load())
	}
}
