package oauth

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/gatehouse/gatehouse/internal/accesstoken"
	"github.com/gatehouse/gatehouse/internal/identity"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/throttle"
)

// reuseWorld is the token endpoint's surroundings that the reuse tests change between
// two requests: the application's state, its grants, the signing key, the deny-list
// and the clock.
type reuseWorld struct {
	mu      sync.Mutex
	now     time.Time
	client  identity.Client
	enabled bool
	key     accesstoken.SigningKey
	denied  map[string]bool
	audit   []store.AuditEvent
}

func (w *reuseWorld) Authenticate(ctx context.Context, realm, id, secret string) (*identity.Client, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.enabled {
		return nil, &identity.AuthError{Reason: "client disabled"}
	}
	c := w.client
	return &c, nil
}
func (*reuseWorld) Forget(string, string) {}
func (w *reuseWorld) Signer(string) (accesstoken.SigningKey, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.key, nil
}
func (w *reuseWorld) Denied(c *accesstoken.Claims) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.denied[c.ID]
}
func (w *reuseWorld) Deny(jti string) { w.mu.Lock(); w.denied[jti] = true; w.mu.Unlock() }
func (w *reuseWorld) Record(e store.AuditEvent) {
	w.mu.Lock()
	w.audit = append(w.audit, e)
	w.mu.Unlock()
}
func (w *reuseWorld) clock() time.Time { w.mu.Lock(); defer w.mu.Unlock(); return w.now }

func newKeyES(t *testing.T, id string) accesstoken.SigningKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return accesstoken.SigningKey{ID: id, Alg: accesstoken.ES256, Signer: k}
}

func newReuseServer(t *testing.T, reuse float64) (*Server, *reuseWorld) {
	w := &reuseWorld{now: time.Unix(1_800_000_000, 0), enabled: true, key: newKeyES(t, "k1"), denied: map[string]bool{},
		client: identity.Client{Realm: "r", AppID: "app-1", ClientID: "job", UpdatedAt: time.Unix(1_700_000_000, 0),
			Held: []identity.APIGrant{{Audience: "console-api", Permissions: []string{"read:*"}}}}}
	s := &Server{Realms: map[string]Realm{"r": {Name: "r", Issuer: "http://localhost/auth/realms/r", Lifetime: 300 * time.Second,
		HeaderType: accesstoken.TypeJWT, Reuse: reuse}}, Default: "r", Clients: w, Keys: w, Audit: w,
		ClientRL: throttle.New(throttle.DefaultClientPolicy, nil), IPRL: throttle.New(throttle.DefaultIPPolicy, nil),
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: w.clock, Deny: map[string]DenyList{"r": w}}
	return s, w
}

type answer struct {
	Status    int
	Token     string
	ExpiresIn int64
	Reused    string // the audit event's "reused" detail
}

func ask(t *testing.T, s *Server, w *reuseWorld, form string) answer {
	t.Helper()
	req := httptest.NewRequest("POST", "/auth/realms/r/protocol/openid-connect/token",
		strings.NewReader("grant_type=client_credentials&client_id=job&client_secret=pw"+form))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetPathValue("realm", "r")
	rec := httptest.NewRecorder()
	s.RealmToken(rec, req)
	a := answer{Status: rec.Code}
	if rec.Code != 200 {
		return a
	}
	var body TokenResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	a.Token, a.ExpiresIn = body.AccessToken, body.ExpiresIn
	w.mu.Lock()
	a.Reused = w.audit[len(w.audit)-1].Detail["reused"]
	w.mu.Unlock()
	return a
}

// TestTokenReuse: a second request answers with the first token while more than the
// fraction of its lifetime is left and nothing it was issued under has changed.
func TestTokenReuse(t *testing.T) {
	for _, tc := range []struct {
		name     string
		reuse    float64
		form     string                            // of the second request
		between  func(w *reuseWorld, first string) // what happens between the two requests
		reused   bool
		status   int   // of the second request (0: 200)
		leftSecs int64 // expires_in of a reused answer
	}{
		{name: "off by default", reuse: 0, between: func(w *reuseWorld, _ string) { w.now = w.now.Add(time.Second) }},
		{name: "hit", reuse: 0.5, between: func(w *reuseWorld, _ string) { w.now = w.now.Add(10 * time.Second) },
			reused: true, leftSecs: 290},
		{name: "hit just before the fraction", reuse: 0.5,
			between: func(w *reuseWorld, _ string) { w.now = w.now.Add(149*time.Second + 500*time.Millisecond) },
			reused:  true, leftSecs: 150},
		{name: "miss once the fraction has elapsed", reuse: 0.5,
			between: func(w *reuseWorld, _ string) { w.now = w.now.Add(150 * time.Second) }},
		{name: "miss for another audience", reuse: 0.5, form: "&audience=console-api"},
		{name: "miss for another scope", reuse: 0.5, form: "&scope=openid"},
		{name: "miss after revocation", reuse: 0.5, between: func(w *reuseWorld, first string) { w.denied[jti(t, first)] = true }},
		{name: "disabled: no token at all", reuse: 0.5, between: func(w *reuseWorld, _ string) { w.enabled = false }, status: 401},
		{name: "miss after disable and enable", reuse: 0.5,
			between: func(w *reuseWorld, _ string) { w.client.UpdatedAt = w.client.UpdatedAt.Add(time.Second) }},
		{name: "miss after secret rotation", reuse: 0.5, // rotation moves the application's UpdatedAt
			between: func(w *reuseWorld, _ string) { w.client.UpdatedAt = w.now }},
		{name: "miss after a permission change", reuse: 0.5, between: func(w *reuseWorld, _ string) {
			w.client.Held = []identity.APIGrant{{Audience: "console-api", Permissions: []string{"read:*", "write:*"}}}
		}},
		{name: "miss after key rotation", reuse: 0.5, between: func(w *reuseWorld, _ string) { w.key = newKeyES(t, "k2") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, w := newReuseServer(t, tc.reuse)
			first := ask(t, s, w, "")
			if first.Status != 200 || first.Reused != "" || first.ExpiresIn != 300 {
				t.Fatalf("first answer: %+v", first)
			}
			if tc.between != nil {
				w.mu.Lock()
				tc.between(w, first.Token)
				w.mu.Unlock()
			}
			second := ask(t, s, w, tc.form)
			want := answer{Status: 200, ExpiresIn: 300}
			if tc.status != 0 {
				want = answer{Status: tc.status}
			}
			if tc.reused {
				want = answer{Status: 200, Token: first.Token, ExpiresIn: tc.leftSecs, Reused: "true"}
			}
			if !tc.reused && tc.status == 0 {
				if second.Token == first.Token {
					t.Fatal("the first token was reused")
				}
				want.Token = second.Token
			}
			if d := cmp.Diff(want, second); d != "" {
				t.Errorf("second answer (-want +got):\n%s", d)
			}
		})
	}
}

// TestTokenReuseBounded: the cache never holds more than maxReuseEntries.
func TestTokenReuseBounded(t *testing.T) {
	var rc reuseCache
	now := time.Unix(1_800_000_000, 0)
	for i := range maxReuseEntries + 10 {
		rc.put(reuseKey{realm: "r", appID: "a", scope: string(rune('a'+i%26)) + strings.Repeat("x", i/26)},
			&reuseEntry{issued: now, expires: now.Add(time.Minute)}, now)
	}
	if n := rc.len(); n > maxReuseEntries {
		t.Errorf("%d entries, want at most %d", n, maxReuseEntries)
	}
}

func jti(t *testing.T, tok string) string {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWS: %q", tok)
	}
	p, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		ID string `json:"jti"`
	}
	if err := json.Unmarshal(p, &c); err != nil {
		t.Fatal(err)
	}
	return c.ID
}

// TestTokenReuseCounted: reused answers are counted apart from issued tokens.
func TestTokenReuseCounted(t *testing.T) {
	s, w := newReuseServer(t, 0.5)
	s.Metrics = NewMetrics(prometheus.NewRegistry(), "r")
	for range 3 {
		if a := ask(t, s, w, ""); a.Status != 200 {
			t.Fatalf("status %d", a.Status)
		}
	}
	got := [2]float64{counter(t, s.Metrics.issuedTotal.WithLabelValues("r", grantClientCredentials)), counter(t, s.Metrics.reusedTotal.WithLabelValues("r"))}
	if got != [2]float64{1, 2} {
		t.Errorf("issued, reused = %v, want [1 2]", got)
	}
}

func counter(t *testing.T, c prometheus.Counter) float64 {
	t.Helper()
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetCounter().GetValue()
}
