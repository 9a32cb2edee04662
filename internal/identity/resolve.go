package identity

import (
	"errors"
	"slices"
	"strings"
)

// Errors of token-request resolution; the token endpoint maps them to RFC 6749 codes.
var (
	ErrInvalidTarget = errors.New("identity: audience not permitted for this client") // invalid_target
	ErrInvalidScope  = errors.New("identity: scope not permitted for this client")    // invalid_scope
)

// DefaultScope is what Keycloak reports when no scope was requested.
const DefaultScope = "email profile"

// MaxScopeTokens bounds a scope parameter (checklist A19).
const MaxScopeTokens = 64

var oidcScopes = []string{"openid", "email", "profile"}

// APIGrant is what a client holds on one API.
type APIGrant struct {
	Audience    string
	Aliases     []string
	Permissions []string // sorted
}

// Grant is the outcome of resolution: what goes into the token.
type Grant struct {
	Audience    []string
	Permissions map[string][]string
	Scope       string
}

// Resolve applies Gatehouse's audience and scope rules to what a client holds
// (Keycloak's audience-resolve, RFC 8707 targets, RFC 6749 §3.3 scopes):
//   - no audience: every API the client holds a permission on, keyed by its own audience,
//     except the management API (AudienceIdentity), which is in a token only when asked
//     for by name: a token meant for a resource server must not also administer the
//     realm (RFC 9700 §2.3, audience-restricted tokens);
//   - audience X: X must be the audience or an alias of such an API; "aud" is X and the
//     permissions are those of every API X names;
//   - scope: space-separated; "openid", "email", "profile" are echoed; any other token is
//     a permission ("read:*") or an API-qualified permission ("console-api:read:*") the
//     client must hold, and the token's permissions are narrowed to those requested.
func Resolve(held []APIGrant, audience, scope string) (Grant, error) {
	var targets []APIGrant
	var aud []string
	if audience == "" {
		for _, a := range held {
			if len(a.Permissions) > 0 && a.Audience != AudienceIdentity {
				targets = append(targets, a)
				aud = append(aud, a.Audience)
			}
		}
	} else {
		for _, a := range held {
			if len(a.Permissions) > 0 && (a.Audience == audience || slices.Contains(a.Aliases, audience)) {
				targets = append(targets, a)
			}
		}
		if len(targets) == 0 {
			return Grant{}, ErrInvalidTarget
		}
		aud = []string{audience}
	}
	g := Grant{Audience: aud, Permissions: make(map[string][]string, len(targets)), Scope: DefaultScope}
	for _, t := range targets {
		g.Permissions[t.Audience] = t.Permissions
	}
	if scope == "" {
		return g, nil
	}
	toks, err := splitScope(scope)
	if err != nil {
		return Grant{}, err
	}
	narrowed, any := map[string][]string{}, false
	for _, tok := range toks {
		if slices.Contains(oidcScopes, tok) {
			continue
		}
		any = true
		matched := false
		for _, t := range targets {
			perm := tok
			if p, ok := strings.CutPrefix(tok, t.Audience+":"); ok && slices.Contains(t.Permissions, p) {
				perm = p
			}
			if slices.Contains(t.Permissions, perm) {
				if !slices.Contains(narrowed[t.Audience], perm) {
					narrowed[t.Audience] = append(narrowed[t.Audience], perm)
				}
				matched = true
			}
		}
		if !matched {
			return Grant{}, ErrInvalidScope
		}
	}
	g.Scope = strings.Join(toks, " ")
	if !any {
		return g, nil
	}
	g.Permissions = narrowed
	if audience == "" {
		g.Audience = g.Audience[:0]
		for _, t := range targets {
			if len(narrowed[t.Audience]) > 0 {
				g.Audience = append(g.Audience, t.Audience)
			}
		}
	}
	for k := range narrowed {
		slices.Sort(narrowed[k])
	}
	return g, nil
}

// splitScope splits on single spaces (RFC 6749 §3.3: scope-token = 1*NQCHAR, separated
// by SP). Empty tokens (doubled or edge spaces), other whitespace, quotes, backslashes,
// duplicates and over-long lists are refused.
func splitScope(s string) ([]string, error) {
	toks := strings.Split(s, " ")
	if len(toks) > MaxScopeTokens {
		return nil, ErrInvalidScope
	}
	for i, t := range toks {
		if t == "" || slices.Contains(toks[:i], t) {
			return nil, ErrInvalidScope
		}
		for j := 0; j < len(t); j++ {
			c := t[j]
			if c < 0x21 || c == 0x22 || c == 0x5c || c > 0x7e {
				return nil, ErrInvalidScope
			}
		}
	}
	return toks, nil
}
