package oauth

import (
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/internal/accesstoken"
	"github.com/gatehouse/gatehouse/internal/identity"
)

// Token reuse (Realm.Reuse > 0): a client that asks again for the same audience and
// scope while its last token still has more than Reuse of its lifetime left gets that
// token back with the remaining expires_in, and no new signature. Clients told to
// cache tokens but asking for one per job then cost a map lookup, not an RSA signature.
//
// An entry answers only while nothing it was issued under has changed: the
// application's state (UpdatedAt moves on disable, enable, rename and secret
// rotation; a disabled application does not authenticate at all), the resolved grant
// (audience, scope, permissions), and the realm's active signing key; and the realm's
// deny-list is consulted before every answer, so a revoked jti (or a disabled or
// deleted application) ends reuse at once on this replica. Entries are per replica
// and in memory: a restart or another replica signs afresh.

// maxReuseEntries bounds the cache: one entry per (realm, application, audience,
// scope) asked for. Beyond it, expired entries go first, then arbitrary ones (an
// evicted client only pays one signature).
const maxReuseEntries = 10_000

type reuseKey struct{ realm, appID, audience, scope string }

type reuseEntry struct {
	token     string
	claims    *accesstoken.Claims // for the deny-list
	scope     string              // the response's scope
	issued    time.Time
	expires   time.Time
	appState  time.Time // identity.Client.UpdatedAt when issued
	kid       string
	audience  []string
	perms     map[string][]string
	grantedTo string // client id, in case an application's client id changes
}

// reuseCache is safe for concurrent use; the zero value is empty and ready.
type reuseCache struct {
	mu sync.Mutex
	m  map[reuseKey]*reuseEntry
}

// get returns the token to answer with and its remaining lifetime, or ok=false when a
// new token must be signed. fraction is the realm's Reuse (> 0).
func (rc *reuseCache) get(k reuseKey, now time.Time, fraction float64, c *identity.Client, g identity.Grant, kid string, deny DenyList) (e *reuseEntry, left time.Duration, ok bool) {
	rc.mu.Lock()
	e = rc.m[k]
	rc.mu.Unlock()
	if e == nil {
		return nil, 0, false
	}
	left = e.expires.Sub(now)
	lifetime := e.expires.Sub(e.issued)
	switch {
	case float64(left) <= fraction*float64(lifetime),
		!e.appState.Equal(c.UpdatedAt), e.grantedTo != c.ClientID, e.kid != kid,
		e.scope != g.Scope, !slices.Equal(e.audience, g.Audience), !maps.EqualFunc(e.perms, g.Permissions, slices.Equal[[]string]),
		deny != nil && deny.Denied(e.claims):
		rc.drop(k, e)
		return nil, 0, false
	}
	return e, left, true
}

// put records a freshly signed token for k.
func (rc *reuseCache) put(k reuseKey, e *reuseEntry, now time.Time) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.m == nil {
		rc.m = map[reuseKey]*reuseEntry{}
	}
	if _, ok := rc.m[k]; !ok && len(rc.m) >= maxReuseEntries {
		for ok, v := range rc.m {
			if !v.expires.After(now) {
				delete(rc.m, ok)
			}
		}
		for ok := range rc.m {
			if len(rc.m) < maxReuseEntries {
				break
			}
			delete(rc.m, ok)
		}
	}
	rc.m[k] = e
}

// drop removes k if it still holds e (a concurrent put may have replaced it).
func (rc *reuseCache) drop(k reuseKey, e *reuseEntry) {
	rc.mu.Lock()
	if rc.m[k] == e {
		delete(rc.m, k)
	}
	rc.mu.Unlock()
}

// len is for tests.
func (rc *reuseCache) len() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return len(rc.m)
}
