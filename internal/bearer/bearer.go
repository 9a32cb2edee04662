package bearer

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gatehouse/gatehouse/internal/accesstoken"
	"github.com/gatehouse/gatehouse/internal/problem"
)

// Verifier checks a token's signature, type, issuer, lifetime and audience.
// *accesstoken.Verifier is the implementation.
type Verifier interface {
	Verify(token string, audiences ...string) (*accesstoken.Claims, error)
}

// DenyList refuses verified tokens that must no longer work: revoked token ids and tokens
// of applications that were disabled or deleted (checklist C20).
type DenyList interface {
	Denied(c *accesstoken.Claims) bool
}

// Config configures an Authenticator.
type Config struct {
	Realm     string   // realm="…" in WWW-Authenticate
	Audiences []string // accepted "aud" values: the API's audience and its aliases (see SetAudiences)
	Verifier  Verifier
	Deny      DenyList // nil: none (remote resource servers)
	// OnError writes the body of a refusal after the status's headers (WWW-Authenticate)
	// are set; it must call WriteHeader(status). nil: problem+json via internal/problem.
	OnError func(w http.ResponseWriter, r *http.Request, status int, code, description string)
	// Disabled switches authentication off (Console's CAMUNDA_CONSOLE_DISABLE_AUTH):
	// every request passes with no claims.
	Disabled bool

	// CacheSize bounds the verified-token cache; 0: DefaultCacheSize, negative: no cache.
	CacheSize int
	// Now is the clock of the cache. nil: the Verifier's clock when it is an
	// *accesstoken.Verifier, else time.Now. Leeway and expiry proper stay the Verifier's.
	Now func() time.Time
}

// Authenticator is the resource side of bearer tokens for one API. Safe for concurrent
// use.
type Authenticator struct {
	cfg       Config
	audiences atomic.Pointer[[]string] // Config.Audiences, replaced by SetAudiences
	cache     *cache
	now       func() time.Time
	keys      accesstoken.KeySource // to check that a cached token's key is still published
	chal      string                // `Bearer realm="…"`
	hits      atomic.Uint64         // verified-token cache (CacheStats)
	misses    atomic.Uint64
}

// CacheStats returns how many tokens were found in the verified-token cache and how many
// had to be verified (metrics).
func (a *Authenticator) CacheStats() (hits, misses uint64) { return a.hits.Load(), a.misses.Load() }

// New returns an Authenticator for cfg.
func New(cfg Config) *Authenticator {
	a := &Authenticator{cfg: cfg, now: cfg.Now}
	auds := slices.Clone(cfg.Audiences)
	a.audiences.Store(&auds)
	size := cfg.CacheSize
	if size == 0 {
		size = DefaultCacheSize
	}
	a.cache = newCache(size)
	if v, ok := cfg.Verifier.(*accesstoken.Verifier); ok {
		a.keys = v.Keys
		if a.now == nil && v.Now != nil {
			a.now = v.Now
		}
	}
	if a.now == nil {
		a.now = time.Now
	}
	a.chal = `Bearer realm="` + quote(cfg.Realm) + `"`
	return a
}

// Middleware authenticates every request: without a token it answers 401 with a bare
// challenge, with a malformed request 400 invalid_request, with a bad, expired, foreign
// or revoked token 401 invalid_token (RFC 6750 §3.1). On success the claims travel in
// the request context (ClaimsFrom).
func (a *Authenticator) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a.cfg.Disabled {
			next.ServeHTTP(w, r)
			return
		}
		e := extract(r)
		switch e.outcome {
		case absent:
			a.refuse(w, r, http.StatusUnauthorized, "", e.desc, "")
			return
		case invalidRequest:
			a.refuse(w, r, http.StatusBadRequest, "invalid_request", e.desc, "")
			return
		case invalidToken:
			a.refuse(w, r, http.StatusUnauthorized, "invalid_token", e.desc, "")
			return
		}
		c, desc := a.Authenticate(e.token)
		if c == nil {
			a.refuse(w, r, http.StatusUnauthorized, "invalid_token", desc, "")
			return
		}
		next.ServeHTTP(w, r.WithContext(WithClaims(r.Context(), c)))
	})
}

// Authenticate verifies token (through the cache) and applies the deny-list. On failure
// it returns nil and a description that is safe to send. The returned claims are shared
// with the cache: callers must not modify them.
func (a *Authenticator) Authenticate(token string) (*accesstoken.Claims, string) {
	now := a.now().Unix()
	var c *accesstoken.Claims
	if a.cache != nil {
		key := digest(token)
		if e, ok := a.cache.get(key, now); ok {
			if a.keys != nil {
				if _, live := a.keys.Key(e.kid); !live {
					a.cache.remove(key)
					return nil, descInvalid
				}
			}
			a.hits.Add(1)
			c = e.claims
		} else {
			a.misses.Add(1)
			v, err := a.cfg.Verifier.Verify(token, *a.audiences.Load()...)
			if err != nil {
				return nil, describe(err)
			}
			c = v
			if int64(c.ExpiresAt) > now {
				a.cache.put(key, entry{claims: c, exp: int64(c.ExpiresAt), kid: tokenKid(token)}, now)
			}
		}
	} else {
		v, err := a.cfg.Verifier.Verify(token, *a.audiences.Load()...)
		if err != nil {
			return nil, describe(err)
		}
		c = v
	}
	if a.cfg.Deny != nil && a.cfg.Deny.Denied(c) {
		return nil, descRevoked
	}
	return c, ""
}

// SetAudiences replaces the accepted "aud" values (an API's aliases changed). When the
// set changes, the verified-token cache is emptied: a cached token was accepted for an
// audience that may no longer be one.
func (a *Authenticator) SetAudiences(auds []string) {
	next := slices.Clone(auds)
	prev := *a.audiences.Load()
	if slices.Equal(slices.Sorted(slices.Values(prev)), slices.Sorted(slices.Values(next))) {
		return
	}
	a.audiences.Store(&next)
	if a.cache != nil {
		a.cache.clear()
	}
}

// Require lets a request through when its token holds, on the API whose own audience is
// api, at least one of the permissions anyOf; otherwise 403 insufficient_scope. It runs
// after Middleware. With authentication disabled every request passes.
func (a *Authenticator) Require(api string, anyOf ...string) func(http.Handler) http.Handler {
	scope := strings.Join(anyOf, " ")
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if a.cfg.Disabled {
				next.ServeHTTP(w, r)
				return
			}
			c, ok := ClaimsFrom(r.Context())
			if !ok {
				a.refuse(w, r, http.StatusUnauthorized, "", descAbsent, "")
				return
			}
			for _, p := range anyOf {
				if c.Has(api, p) {
					next.ServeHTTP(w, r)
					return
				}
			}
			a.Forbid(w, r, scope)
		})
	}
}

// Forbid answers 403 insufficient_scope naming scope (space-separated permissions any
// of which would do), for handlers that decide per method.
func (a *Authenticator) Forbid(w http.ResponseWriter, r *http.Request, scope string) {
	a.refuse(w, r, http.StatusForbidden, "insufficient_scope", descInsufficient, scope)
}

// refuse sets WWW-Authenticate (RFC 6750 §3) and hands the body to OnError.
func (a *Authenticator) refuse(w http.ResponseWriter, r *http.Request, status int, code, desc, scope string) {
	var b strings.Builder
	b.Grow(len(a.chal) + 64 + len(desc) + len(scope))
	b.WriteString(a.chal)
	if code != "" {
		b.WriteString(`, error="`)
		b.WriteString(code)
		b.WriteString(`", error_description="`)
		b.WriteString(quote(desc))
		b.WriteByte('"')
	}
	if scope != "" {
		b.WriteString(`, scope="`)
		b.WriteString(quote(scope))
		b.WriteByte('"')
	}
	w.Header().Set("WWW-Authenticate", b.String())
	w.Header().Set("Cache-Control", "no-store")
	if a.cfg.OnError != nil {
		a.cfg.OnError(w, r, status, code, desc)
		return
	}
	problem.Write(w, r, status, desc)
}

// describe turns a verification error into a safe description. Verification reasons
// are fixed texts of accesstoken (they never quote the token); anything else is
// reported generically.
func describe(err error) string {
	var e *accesstoken.Error
	if errors.As(err, &e) {
		return "The access token is invalid: " + e.Reason + "."
	}
	return descInvalid
}

// quote escapes a value for a quoted-string (RFC 9110 §5.6.4). RFC 6750 §3 restricts
// error_description and scope to printable ASCII without '"' and '\'; our texts are
// fixed, but a configured realm name is escaped rather than trusted.
func quote(s string) string {
	if !strings.ContainsAny(s, "\"\\") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// tokenKid reads the kid of an already verified token's header.
func tokenKid(token string) string {
	h, _, ok := strings.Cut(token, ".")
	if !ok {
		return ""
	}
	b, err := base64.RawURLEncoding.DecodeString(h)
	if err != nil {
		return ""
	}
	var v struct {
		Kid string `json:"kid"`
	}
	if json.Unmarshal(b, &v) != nil {
		return ""
	}
	return v.Kid
}
