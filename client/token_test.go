package client

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// issuer is a fake token endpoint that counts requests and mints unsigned JWT-shaped
// tokens expiring lifetime after the fake clock's now.
type issuer struct {
	clock    *fakeClock
	lifetime time.Duration
	calls    atomic.Int32
	fail     atomic.Bool
	gate     chan struct{} // when set, requests wait for it
	arrived  chan struct{} // when set, told of each request without blocking
}

func (is *issuer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := is.calls.Add(1)
	if is.arrived != nil {
		select {
		case is.arrived <- struct{}{}:
		default:
		}
	}
	if is.gate != nil {
		<-is.gate
	}
	if is.fail.Load() {
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte(`{"error":"temporarily_unavailable"}`))
		return
	}
	r.ParseForm()
	if r.PostForm.Get("client_id") != "app" || r.PostForm.Get("client_secret") != "s" {
		w.WriteHeader(http.StatusUnauthorized)
		w.Write([]byte(`{"error":"invalid_client"}`))
		return
	}
	exp := is.clock.now().Add(is.lifetime).Unix()
	payload, _ := json.Marshal(map[string]any{"exp": exp, "n": n})
	tok := "e30." + base64.RawURLEncoding.EncodeToString(payload) + ".sig"
	fmt.Fprintf(w, `{"access_token":%q,"expires_in":300,"token_type":"Bearer"}`, tok)
}

func setup(t *testing.T) (*fakeClock, *issuer, *TokenSource) {
	clk := &fakeClock{t: time.Unix(1_800_000_000, 0)}
	is := &issuer{clock: clk, lifetime: 300 * time.Second}
	srv := httptest.NewServer(is)
	t.Cleanup(srv.Close)
	ts := NewTokenSource(Credentials{TokenURL: srv.URL, ClientID: "app", ClientSecret: "s"},
		WithClock(clk.now), WithRefreshThreshold(30*time.Second), WithBackoff(Backoff{Base: time.Second, Max: 8 * time.Second}))
	return clk, is, ts
}

func TestCachesAndRefreshesBeforeExp(t *testing.T) {
	clk, is, ts := setup(t)
	ctx := context.Background()
	first, err := ts.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := clk.now().Add(300 * time.Second); !first.Expiry.Equal(want) {
		t.Fatalf("expiry %v, want %v (from exp)", first.Expiry, want)
	}
	clk.add(269 * time.Second)
	if tok, _ := ts.Token(ctx); tok != first || is.calls.Load() != 1 {
		t.Fatalf("refreshed too early (calls %d)", is.calls.Load())
	}
	clk.add(2 * time.Second) // inside the 30 s threshold
	tok, err := ts.Token(ctx)
	if err != nil || tok == first || is.calls.Load() != 2 {
		t.Fatalf("not refreshed inside the threshold: %v calls %d", err, is.calls.Load())
	}
}

func TestOneRequestForManyCallers(t *testing.T) {
	_, is, ts := setup(t)
	is.gate, is.arrived = make(chan struct{}), make(chan struct{}, 1)
	var wg sync.WaitGroup
	toks := make([]Token, 50)
	for i := range toks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			toks[i], _ = ts.Token(context.Background())
		}()
	}
	<-is.arrived // the first request is in flight
	close(is.gate)
	wg.Wait()
	if n := is.calls.Load(); n != 1 {
		t.Fatalf("%d token requests for 50 concurrent callers, want 1", n)
	}
	for _, tok := range toks {
		if tok != toks[0] || tok.AccessToken == "" {
			t.Fatal("callers got different tokens")
		}
	}
}

func TestBackoff(t *testing.T) {
	clk, is, ts := setup(t)
	is.fail.Store(true)
	ctx := context.Background()
	for i, wait := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 8 * time.Second} {
		if _, err := ts.Token(ctx); err == nil {
			t.Fatal("no error from a failing endpoint")
		}
		calls := is.calls.Load()
		if int(calls) != i+1 {
			t.Fatalf("attempt %d: %d requests", i, calls)
		}
		clk.add(wait - time.Millisecond)
		if _, err := ts.Token(ctx); err == nil || is.calls.Load() != calls {
			t.Fatalf("attempt %d: requested again inside the %v backoff", i, wait)
		}
		clk.add(time.Millisecond)
	}
	is.fail.Store(false)
	if _, err := ts.Token(ctx); err != nil {
		t.Fatalf("no recovery after the backoff: %v", err)
	}
}

func TestInvalidClient(t *testing.T) {
	_, _, ts := setup(t)
	ts.creds.ClientSecret = "wrong"
	_, err := ts.Token(context.Background())
	var te *TokenError
	if !asTokenError(err, &te) || te.Status != 401 || te.Code != "invalid_client" {
		t.Fatalf("err = %v", err)
	}
}

func asTokenError(err error, te **TokenError) bool {
	e, ok := err.(*TokenError)
	*te = e
	return ok
}

func TestOAuth2Adapter(t *testing.T) {
	_, _, ts := setup(t)
	tok, err := ts.OAuth2(context.Background()).Token()
	if err != nil || tok.AccessToken == "" || tok.TokenType != "Bearer" || tok.Expiry.IsZero() {
		t.Fatalf("%+v %v", tok, err)
	}
}
