package identity

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gatehouse/gatehouse/internal/audit"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/throttle"
)

// ErrInvalidClient is the one answer to every failed client authentication: unknown
// client, disabled client, wrong or expired secret. The reason travels only to the audit
// trail (checklist A12, A13).
var ErrInvalidClient = errors.New("identity: invalid client credentials")

// AuthError carries the private reason of a failed authentication.
type AuthError struct{ Reason string }

func (e *AuthError) Error() string        { return "identity: client authentication failed: " + e.Reason }
func (e *AuthError) Is(target error) bool { return target == ErrInvalidClient }

// Client is an authenticated application with what it holds, ready for token minting.
type Client struct {
	Realm    string
	AppID    string
	ClientID string
	Name     string
	Held     []APIGrant
	Cached   bool // served from this replica's cache: may lag another replica's change by up to a second
	// UpdatedAt is the application's last change (disable, rename, secret rotation):
	// a token reused from before it is not handed out again (oauth token reuse).
	UpdatedAt time.Time
}

type cacheKey struct{ realm, clientID string }

type cached struct {
	app  store.Application
	held []APIGrant
}

// Service is the identity domain. Safe for concurrent use once Trail and OnChange are
// set: the wiring sets them before the service serves.
type Service struct {
	// Trail records the one audit event of each change a use case makes (nil: none).
	Trail *audit.Trail
	// OnChange runs after an application was enabled, disabled or deleted, so that this
	// replica's deny lists drop (or restore) its tokens at once (nil: nothing).
	OnChange func(ctx context.Context, realm string)
	// Sessions gives a realm's single sign-on lifetimes (nil or zero fields: defaults).
	Sessions func(realm string) SessionPolicy
	// DeclaredKey keys the verifiers of secrets declared in configuration (seed.go):
	// derived from the master key by the wiring. Nil (offline tools): declared and
	// imported secrets are stored as argon2id.
	DeclaredKey []byte

	store store.Store
	now   func() time.Time

	mu       sync.RWMutex
	gen      uint64
	clients  map[cacheKey]*cached
	verified map[string][32]byte // secret id → keyed digest of a slow-hashed secret seen valid (slow.go)

	slow       chan struct{}     // bounds concurrent argon2id verifications
	slowBudget *throttle.Limiter // failed argon2id verifications per application
	digestKey  []byte            // per-process HMAC key of verified
	slowRuns   atomic.Int64      // argon2id verifications run (tests)
	dummy      []byte
}

// New returns the identity service. now may be nil (time.Now).
func New(s store.Store, now func() time.Time, maxSlowHashes int) *Service {
	if now == nil {
		now = time.Now
	}
	clock := now
	// The store keeps milliseconds: objects answered at creation carry the same times
	// as when they are read back.
	now = func() time.Time { return clock().UTC().Truncate(time.Millisecond) }
	if maxSlowHashes < 1 {
		maxSlowHashes = 1
	}
	key := make([]byte, 32)
	rand.Read(key)
	return &Service{store: s, now: now, clients: map[cacheKey]*cached{}, verified: map[string][32]byte{},
		slow: make(chan struct{}, maxSlowHashes), slowBudget: throttle.New(SlowPolicy, now), digestKey: key,
		dummy: digestGenerated(GenerateSecret())}
}

// Invalidate drops every cached client. Called after local writes and when the store's
// revision moves (another replica wrote).
func (s *Service) Invalidate() {
	s.mu.Lock()
	s.gen++
	clear(s.clients)
	s.mu.Unlock()
}

// Authenticate checks a client's credentials. It does the same work for unknown,
// disabled and known clients so that answers do not reveal which case applied.
func (s *Service) Authenticate(ctx context.Context, realm, clientID, secret string) (*Client, error) {
	c, hit, err := s.client(ctx, realm, clientID)
	if errors.Is(err, store.ErrNotFound) {
		subtle.ConstantTimeCompare(digestGenerated(secret), s.dummy)
		return nil, &AuthError{Reason: "unknown client"}
	}
	if err != nil {
		return nil, err
	}
	ok, err := s.checkSecret(ctx, c.app, secret)
	if err != nil {
		return nil, err
	}
	if !ok && hit {
		// The secret may have been rotated through another replica since this one
		// cached the client: look again before refusing.
		s.Forget(realm, clientID)
		was := c
		if c, _, err = s.client(ctx, realm, clientID); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return nil, &AuthError{Reason: "unknown client"}
			}
			return nil, err
		}
		// The same secrets give the same answer: no second check (for an argon2id
		// secret, no second slow hash per wrong guess).
		if !sameSecrets(was.app.Secrets, c.app.Secrets) {
			if ok, err = s.checkSecret(ctx, c.app, secret); err != nil {
				return nil, err
			}
		}
		hit = false
	}
	switch {
	case !ok:
		return nil, &AuthError{Reason: "wrong secret"}
	case !c.app.Enabled:
		return nil, &AuthError{Reason: "client disabled"}
	}
	if wait := c.app.NotBefore.Sub(s.now()); wait > 0 {
		// The application was disabled or its secret revoked less than a second ago: a
		// token minted now would carry the not-before's second, which counts as before
		// it, and be refused everywhere. Wait for that second to end (under 1 s).
		t := time.NewTimer(min(wait, time.Second))
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return &Client{Realm: realm, AppID: c.app.ID, ClientID: c.app.ClientID, Name: c.app.Name, Held: c.held, Cached: hit, UpdatedAt: c.app.UpdatedAt}, nil
}

func (s *Service) checkSecret(ctx context.Context, app store.Application, secret string) (bool, error) {
	now := s.now()
	gen := digestGenerated(secret)
	match := false
	for _, sec := range app.Secrets {
		live := SecretLive(sec, now)
		switch sec.Kind {
		case store.SecretSHA256:
			if subtle.ConstantTimeCompare(gen, sec.Hash) == 1 && live {
				match = true
			}
		case store.SecretHMAC:
			if len(s.DeclaredKey) > 0 && hmac.Equal(s.declaredMAC(secret), sec.Hash) && live {
				match = true
			}
		case store.SecretArgon2id:
			ok, err := s.checkSlow(ctx, app.Realm+"\x00"+app.ID, sec, secret)
			if err != nil {
				return false, err
			}
			if ok && live {
				match = true
			}
		}
	}
	return match, nil
}

// sameSecrets reports whether two loads of an application hold the same secrets.
func sameSecrets(a, b []store.Secret) bool {
	return slices.EqualFunc(a, b, func(x, y store.Secret) bool { return x.ID == y.ID && x.ExpiresAt.Equal(y.ExpiresAt) })
}

// Forget drops one client from the cache.
func (s *Service) Forget(realm, clientID string) {
	s.mu.Lock()
	delete(s.clients, cacheKey{realm, clientID})
	s.mu.Unlock()
}

// client returns the cached view of a client (hit reports a cache hit), loading it on
// a miss.
func (s *Service) client(ctx context.Context, realm, clientID string) (_ *cached, hit bool, _ error) {
	k := cacheKey{realm, clientID}
	s.mu.RLock()
	c, gen := s.clients[k], s.gen
	s.mu.RUnlock()
	if c != nil {
		return c, true, nil
	}
	app, err := s.store.GetAppByClientID(ctx, realm, clientID)
	if err != nil {
		return nil, false, err
	}
	held, err := s.Held(ctx, realm, app.ID)
	if err != nil {
		return nil, false, err
	}
	c = &cached{app: app, held: held}
	s.mu.Lock()
	if s.gen == gen && len(s.clients) < 100_000 {
		s.clients[k] = c
	}
	s.mu.Unlock()
	return c, false, nil
}

// Held lists what an application holds, per API, sorted by audience.
func (s *Service) Held(ctx context.Context, realm, appID string) ([]APIGrant, error) {
	grants, err := s.store.ListGrants(ctx, realm, store.GrantFilter{AppID: appID})
	if err != nil {
		return nil, err
	}
	if len(grants) == 0 {
		return nil, nil
	}
	apis, err := s.store.ListAPIs(ctx, realm)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]store.API, len(apis))
	for _, a := range apis {
		byID[a.ID] = a
	}
	perAPI := map[string][]string{}
	for _, g := range grants {
		perAPI[g.APIID] = append(perAPI[g.APIID], g.Permission)
	}
	var out []APIGrant
	for id, ps := range perAPI {
		a, ok := byID[id]
		if !ok {
			continue
		}
		slices.Sort(ps)
		out = append(out, APIGrant{Audience: a.Audience, Aliases: a.Aliases, Permissions: slices.Compact(ps)})
	}
	slices.SortFunc(out, func(a, b APIGrant) int {
		switch {
		case a.Audience < b.Audience:
			return -1
		case a.Audience > b.Audience:
			return 1
		}
		return 0
	})
	return out, nil
}
