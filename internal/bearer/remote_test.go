package bearer

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/accesstoken"
	"github.com/gatehouse/gatehouse/internal/keys"
)

type fakeIssuer struct {
	srv       *httptest.Server
	issuer    string
	mu        sync.Mutex
	set       keys.Set
	discovery atomic.Int64
	jwks      atomic.Int64
	badIssuer bool
}

func newFakeIssuer(t *testing.T) *fakeIssuer {
	f := &fakeIssuer{}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /realms/x/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		f.discovery.Add(1)
		iss := f.issuer
		if f.badIssuer {
			iss += "/"
		}
		json.NewEncoder(w).Encode(map[string]string{"issuer": iss, "jwks_uri": f.srv.URL + "/realms/x/certs"})
	})
	mux.HandleFunc("GET /realms/x/certs", func(w http.ResponseWriter, r *http.Request) {
		f.jwks.Add(1)
		f.mu.Lock()
		defer f.mu.Unlock()
		json.NewEncoder(w).Encode(f.set)
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	f.issuer = f.srv.URL + "/realms/x"
	return f
}

func (f *fakeIssuer) addKey(t *testing.T, kid string) accesstoken.SigningKey {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	j, err := keys.ToJWK(accesstoken.PublicKey{ID: kid, Alg: accesstoken.ES256, Key: &priv.PublicKey})
	if err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	f.set.Keys = append(f.set.Keys, j)
	f.mu.Unlock()
	return accesstoken.SigningKey{ID: kid, Alg: accesstoken.ES256, Signer: priv}
}

func TestRemoteVerifies(t *testing.T) {
	fi := newFakeIssuer(t)
	sk := fi.addKey(t, "r1")
	clk := newClock(time.Now())
	rem, err := NewRemote(fi.issuer, RemoteOptions{Now: clk.Now, Outbound: loopback})
	if err != nil {
		t.Fatal(err)
	}
	v := &accesstoken.Verifier{Issuer: fi.issuer, Keys: rem, Leeway: time.Minute, Now: clk.Now}
	c := &accesstoken.Claims{ExpiresAt: accesstoken.NumericDate(clk.Unix() + 300), IssuedAt: accesstoken.NumericDate(clk.Unix()),
		ID: "j", Issuer: fi.issuer, Audience: accesstoken.Audience{testAPI}, Subject: "s", Type: "Bearer", ClientID: "c"}
	tok, err := accesstoken.Mint(sk, accesstoken.TypeJWT, c)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(tok, testAPI); err != nil {
		t.Fatalf("verify: %v", err)
	}
	if fi.discovery.Load() != 1 || fi.jwks.Load() != 1 {
		t.Fatalf("fetches: discovery %d jwks %d", fi.discovery.Load(), fi.jwks.Load())
	}

	// A storm of unknown kids costs at most one fetch per interval.
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rem.Key("unknown-" + string(rune('a'+i%26)))
		}()
	}
	wg.Wait()
	if n := fi.jwks.Load(); n != 1 {
		t.Fatalf("unknown kids within the interval fetched the JWKS %d times", n)
	}

	// A key the issuer adds later is found after the interval, with one more fetch.
	sk2 := fi.addKey(t, "r2")
	if _, ok := rem.Key("r2"); ok {
		t.Fatal("new key found before the interval passed")
	}
	clk.Add(61 * time.Second)
	for range 50 {
		rem.Key("r2")
	}
	if _, ok := rem.Key("r2"); !ok || fi.jwks.Load() != 2 {
		t.Fatalf("new key after interval: jwks fetches %d", fi.jwks.Load())
	}
	if fi.discovery.Load() != 1 {
		t.Fatalf("discovery fetched %d times", fi.discovery.Load())
	}
	_ = sk2
}

func TestRemoteIssuerMismatch(t *testing.T) {
	fi := newFakeIssuer(t)
	fi.addKey(t, "r1")
	fi.badIssuer = true
	rem, err := NewRemote(fi.issuer, RemoteOptions{Outbound: loopback})
	if err != nil {
		t.Fatal(err)
	}
	if err := rem.Refresh(context.Background()); err == nil {
		t.Fatal("discovery naming another issuer accepted")
	}
	if _, ok := rem.Key("r1"); ok {
		t.Fatal("key of a mismatching issuer served")
	}
	if fi.jwks.Load() != 0 {
		t.Fatal("JWKS fetched despite issuer mismatch")
	}
}

func TestNewRemoteRejectsBadURL(t *testing.T) {
	for _, u := range []string{"", "ftp://x", "/relative", "http://", "http://x?q=1"} {
		if _, err := NewRemote(u, RemoteOptions{}); err == nil {
			t.Errorf("%q accepted", u)
		}
	}
}
