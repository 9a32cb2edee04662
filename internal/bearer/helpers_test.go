package bearer

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/accesstoken"
)

const (
	testIssuer = "http://localhost:18080/auth/realms/camunda-platform"
	testAPI    = "console-api"
)

// keySet is a mutable in-memory KeySource.
type keySet struct {
	mu sync.RWMutex
	m  map[string]accesstoken.PublicKey
}

func (s *keySet) Key(kid string) (accesstoken.PublicKey, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	k, ok := s.m[kid]
	return k, ok
}

func (s *keySet) remove(kid string) {
	s.mu.Lock()
	delete(s.m, kid)
	s.mu.Unlock()
}

type fixture struct {
	signer accesstoken.SigningKey
	keys   *keySet
	clock  *clock
	v      *accesstoken.Verifier
}

type clock struct{ t atomic.Int64 }

func newClock(t time.Time) *clock    { c := &clock{}; c.t.Store(t.Unix()); return c }
func (c *clock) Now() time.Time      { return time.Unix(c.t.Load(), 0) }
func (c *clock) Add(d time.Duration) { c.t.Add(int64(d / time.Second)) }
func (c *clock) Unix() int64         { return c.t.Load() }

func newFixture(t testing.TB) *fixture {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ks := &keySet{m: map[string]accesstoken.PublicKey{
		"k1": {ID: "k1", Alg: accesstoken.ES256, Issuer: testIssuer, Key: &priv.PublicKey},
	}}
	clk := newClock(time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC))
	return &fixture{
		signer: accesstoken.SigningKey{ID: "k1", Alg: accesstoken.ES256, Signer: priv},
		keys:   ks,
		clock:  clk,
		v:      &accesstoken.Verifier{Issuer: testIssuer, Keys: ks, Leeway: 60 * time.Second, Now: clk.Now},
	}
}

// claims returns valid claims for testAPI with read:*.
func (f *fixture) claims() *accesstoken.Claims {
	now := f.clock.Unix()
	return &accesstoken.Claims{
		ExpiresAt: accesstoken.NumericDate(now + 300), IssuedAt: accesstoken.NumericDate(now),
		ID: "jti-1", Issuer: testIssuer, Audience: accesstoken.Audience{testAPI}, Subject: "app-1",
		Type: "Bearer", AuthorizedParty: "client-1", ClientID: "client-1",
		Permissions: map[string][]string{testAPI: {"read:*"}},
	}
}

func (f *fixture) mint(t testing.TB, c *accesstoken.Claims) string {
	t.Helper()
	tok, err := accesstoken.Mint(f.signer, accesstoken.TypeJWT, c)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// countingVerifier counts calls to the wrapped verifier.
type countingVerifier struct {
	Verifier
	n atomic.Int64
}

func (c *countingVerifier) Verify(tok string, aud ...string) (*accesstoken.Claims, error) {
	c.n.Add(1)
	return c.Verifier.Verify(tok, aud...)
}

// denySet denies listed jtis.
type denySet struct {
	mu  sync.Mutex
	ids map[string]bool
}

func (d *denySet) Denied(c *accesstoken.Claims) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.ids[c.ID]
}

func (d *denySet) add(id string) {
	d.mu.Lock()
	d.ids[id] = true
	d.mu.Unlock()
}
