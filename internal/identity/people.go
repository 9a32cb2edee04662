package identity

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/audit"
	"github.com/gatehouse/gatehouse/internal/store"
)

// Single sign-on sessions and authorization codes: the rules of when a person's
// browser session lives and how a code turns into tokens. The protocol (package oidc)
// only carries them over HTTP.

// Session lifetimes when the realm sets none (Keycloak's defaults).
const (
	DefaultSessionIdle = 30 * time.Minute
	DefaultSessionMax  = 10 * time.Hour
	// CodeLifetime is how long an authorization code can be redeemed (RFC 6749 §4.1.2
	// advises at most 10 minutes; Keycloak uses one).
	CodeLifetime = 60 * time.Second
	// touchEvery spares a database write per request: last use is recorded at most
	// this often, which shortens an idle lifetime by at most this much.
	touchEvery = 30 * time.Second
	// maxTokenLifetime bounds how long a revoked code's tokens stay on the deny list.
	maxTokenLifetime = 24 * time.Hour
)

// SessionPolicy is a realm's lifetimes of single sign-on sessions.
type SessionPolicy struct {
	Idle time.Duration // ends when unused this long
	Max  time.Duration // ends this long after sign-in
}

// Errors of people sign-in.
var (
	// ErrNoSession: the browser has no live session (none, ended, expired, or its user
	// is disabled or gone).
	ErrNoSession = errors.New("identity: no live session")
	// ErrBadCode: unknown, expired or foreign authorization code (invalid_grant).
	ErrBadCode = errors.New("identity: invalid authorization code")
	// ErrCodeReplayed: a code redeemed a second time (invalid_grant); the tokens issued
	// from it have been revoked.
	ErrCodeReplayed = errors.New("identity: authorization code already used")
)

func (s *Service) policy(realm string) SessionPolicy {
	p := SessionPolicy{}
	if s.Sessions != nil {
		p = s.Sessions(realm)
	}
	if p.Idle <= 0 {
		p.Idle = DefaultSessionIdle
	}
	if p.Max <= 0 {
		p.Max = DefaultSessionMax
	}
	return p
}

// Digest is the stored key of a random value a browser or client holds.
func Digest(v string) string {
	sum := sha256.Sum256([]byte(v))
	return hex.EncodeToString(sum[:])
}

// randomValue returns 256 random bits, base64url.
func randomValue() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// CheckPersonSignIn checks a person's password for the login page. Like CheckSignIn it
// costs the same for unknown users, but any enabled user may sign in: roles decide
// what tokens carry, not whether a person exists.
func (s *Service) CheckPersonSignIn(ctx context.Context, realm, username, password string) (store.User, string, error) {
	return s.checkSignIn(ctx, realm, username, password, false)
}

// StartSession signs a user in: it stores a new session and returns the value for the
// browser's cookie (only its digest is stored) and the session.
func (s *Service) StartSession(ctx context.Context, a audit.Actor, realm string, u store.User) (string, store.SSOSession, error) {
	now := s.now()
	cookie := randomValue()
	ss := store.SSOSession{ID: Digest(cookie), Realm: realm, UserID: u.ID, AuthTime: now, LastSeen: now,
		ExpiresAt: now.Add(s.policy(realm).Max)}
	err := s.store.CreateSSOSession(ctx, ss)
	s.Trail.Record(ctx, a, audit.Change{Realm: realm, Action: audit.ActionLogin, Target: u.ID,
		Detail: map[string]string{"username": u.Username}}, err)
	if err != nil {
		return "", store.SSOSession{}, err
	}
	return cookie, ss, nil
}

// Session returns the live session a browser's cookie names, with its user, and records
// its use. ErrNoSession when there is none to serve.
func (s *Service) Session(ctx context.Context, realm, cookie string) (store.SSOSession, store.User, error) {
	if cookie == "" || len(cookie) > 128 {
		return store.SSOSession{}, store.User{}, ErrNoSession
	}
	ss, err := s.store.GetSSOSession(ctx, Digest(cookie))
	if errors.Is(err, store.ErrNotFound) {
		return store.SSOSession{}, store.User{}, ErrNoSession
	}
	if err != nil {
		return store.SSOSession{}, store.User{}, err
	}
	now := s.now()
	if ss.Realm != realm || !live(ss, s.policy(realm), now) {
		return store.SSOSession{}, store.User{}, ErrNoSession
	}
	u, err := s.store.GetUser(ctx, realm, ss.UserID)
	if errors.Is(err, store.ErrNotFound) {
		return store.SSOSession{}, store.User{}, ErrNoSession
	}
	if err != nil {
		return store.SSOSession{}, store.User{}, err
	}
	if !u.Enabled {
		return store.SSOSession{}, store.User{}, ErrNoSession
	}
	if now.Sub(ss.LastSeen) >= touchEvery {
		ss, err = s.store.UpdateSSOSession(ctx, ss.ID, func(x store.SSOSession) (store.SSOSession, error) {
			x.LastSeen = now
			return x, nil
		})
		if err != nil {
			return store.SSOSession{}, store.User{}, err
		}
	}
	return ss, u, nil
}

// live applies the session rules: not ended, inside the maximum lifetime, and used
// within the idle lifetime.
func live(ss store.SSOSession, p SessionPolicy, now time.Time) bool {
	return ss.EndedAt.IsZero() && now.Before(ss.ExpiresAt) && now.Before(ss.AuthTime.Add(p.Max)) &&
		now.Before(ss.LastSeen.Add(p.Idle))
}

// EndSession ends the session with the given id (the stored digest, the ID token's
// "sid"), if it is live. Ending an ended or unknown session is no error.
func (s *Service) EndSession(ctx context.Context, a audit.Actor, realm, id string) error {
	now := s.now()
	c := audit.Change{Realm: realm, Action: audit.ActionLogout}
	_, err := s.store.UpdateSSOSession(ctx, id, func(x store.SSOSession) (store.SSOSession, error) {
		if x.Realm != realm {
			return x, store.ErrNotFound
		}
		c.Target = x.UserID
		if x.EndedAt.IsZero() {
			x.EndedAt = now
		}
		return x, nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	s.Trail.Record(ctx, a, c, err)
	return err
}

// endUserSessions ends every browser session of a user: after a password reset or
// when the user is disabled, no old session may sign them in anywhere.
func (s *Service) endUserSessions(ctx context.Context, realm, userID string) error {
	_, err := s.store.EndUserSSOSessions(ctx, realm, userID, s.now())
	return err
}

// CodeSpec is what an authorization code is bound to.
type CodeSpec struct {
	Realm       string
	AppID       string
	Session     store.SSOSession
	RedirectURI string
	Challenge   string // S256 code challenge, "" none (confidential clients only)
	Nonce       string
	Scope       string
	Audiences   []string
}

// IssueCode stores a new single-use authorization code of 256 random bits and returns
// it; only its digest is stored.
func (s *Service) IssueCode(ctx context.Context, spec CodeSpec) (string, error) {
	now := s.now()
	code := randomValue()
	err := s.store.CreateAuthCode(ctx, store.AuthCode{Digest: Digest(code), Realm: spec.Realm, AppID: spec.AppID,
		UserID: spec.Session.UserID, SessionID: spec.Session.ID, RedirectURI: spec.RedirectURI, Challenge: spec.Challenge,
		Nonce: spec.Nonce, Scope: spec.Scope, Audiences: spec.Audiences, AuthTime: spec.Session.AuthTime,
		CreatedAt: now, ExpiresAt: now.Add(CodeLifetime)})
	if err != nil {
		return "", fmt.Errorf("identity: issue code: %w", err)
	}
	return code, nil
}

// RedeemCode uses a code once for appID. A replay revokes every token issued from the
// code (RFC 6749 §4.1.2) and is ErrCodeReplayed; an unknown, expired or other client's
// code is ErrBadCode. The caller checks redirect URI and PKCE on the returned code.
func (s *Service) RedeemCode(ctx context.Context, a audit.Actor, realm, appID, code string) (store.AuthCode, error) {
	if code == "" || len(code) > 128 {
		return store.AuthCode{}, ErrBadCode
	}
	c, err := s.store.RedeemAuthCode(ctx, Digest(code), s.now())
	switch {
	case errors.Is(err, store.ErrNotFound):
		return store.AuthCode{}, ErrBadCode
	case errors.Is(err, store.ErrConflict):
		rerr := s.revokeCodeTokens(ctx, c)
		s.Trail.Record(ctx, a, audit.Change{Realm: realm, Action: audit.ActionCodeReplay, Target: c.UserID,
			Detail: map[string]string{"tokens": fmt.Sprint(len(c.TokenIDs))}}, rerr)
		if rerr != nil {
			return store.AuthCode{}, rerr
		}
		return store.AuthCode{}, ErrCodeReplayed
	case err != nil:
		return store.AuthCode{}, err
	}
	if c.Realm != realm || c.AppID != appID || !s.now().Before(c.ExpiresAt) {
		return store.AuthCode{}, ErrBadCode
	}
	// The session the code was issued in must still be live: signing out, a password
	// reset or disabling the user between authorization and exchange stops it.
	if _, _, err := s.sessionByID(ctx, realm, c.SessionID); err != nil {
		if errors.Is(err, ErrNoSession) {
			return store.AuthCode{}, ErrBadCode
		}
		return store.AuthCode{}, err
	}
	return c, nil
}

// CodeTokens records the ids of tokens issued from a redeemed code. If the code was
// replayed meanwhile, they are revoked at once.
func (s *Service) CodeTokens(ctx context.Context, c store.AuthCode, jtis ...string) error {
	got, err := s.store.AddAuthCodeTokens(ctx, c.Digest, jtis)
	if err != nil {
		return err
	}
	if got.Replayed {
		return s.revokeCodeTokens(ctx, got)
	}
	return nil
}

func (s *Service) revokeCodeTokens(ctx context.Context, c store.AuthCode) error {
	now := s.now()
	for _, jti := range c.TokenIDs {
		if err := s.store.AddRevocation(ctx, store.Revocation{JTI: jti, Realm: c.Realm, AppID: c.AppID,
			ExpiresAt: c.CreatedAt.Add(maxTokenLifetime), CreatedAt: now}); err != nil {
			return err
		}
	}
	if len(c.TokenIDs) > 0 && s.OnChange != nil {
		s.OnChange(context.WithoutCancel(ctx), c.Realm)
	}
	return nil
}

// SessionUser returns the live session with the given id and its user (no touch).
func (s *Service) sessionByID(ctx context.Context, realm, id string) (store.SSOSession, store.User, error) {
	ss, err := s.store.GetSSOSession(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return store.SSOSession{}, store.User{}, ErrNoSession
	}
	if err != nil {
		return store.SSOSession{}, store.User{}, err
	}
	if ss.Realm != realm || !live(ss, s.policy(realm), s.now()) {
		return store.SSOSession{}, store.User{}, ErrNoSession
	}
	u, err := s.store.GetUser(ctx, realm, ss.UserID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !u.Enabled) {
		return store.SSOSession{}, store.User{}, ErrNoSession
	}
	return ss, u, err
}

// SessionByID returns the live session whose id (an ID token's "sid") is given.
func (s *Service) SessionByID(ctx context.Context, realm, id string) (store.SSOSession, store.User, error) {
	return s.sessionByID(ctx, realm, id)
}

// WebClient returns an enabled application that signs people in (CONFIDENTIAL or
// PUBLIC) by client id; store.ErrNotFound for any other.
func (s *Service) WebClient(ctx context.Context, realm, clientID string) (store.Application, error) {
	if clientID == "" || len(clientID) > 255 {
		return store.Application{}, store.ErrNotFound
	}
	c, _, err := s.client(ctx, realm, clientID)
	if err != nil {
		return store.Application{}, err
	}
	if !c.app.Enabled || !AllowsGrant(c.app.Type, GrantAuthorizationCode) {
		return store.Application{}, store.ErrNotFound
	}
	return c.app, nil
}

// PersonActive says whether a person's token still stands: its client is enabled and
// the single sign-on session it was issued in lives (introspection).
func (s *Service) PersonActive(ctx context.Context, realm, clientID, sessionID string) (bool, error) {
	c, _, err := s.client(ctx, realm, clientID)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil || !c.app.Enabled {
		return false, err
	}
	_, _, err = s.sessionByID(ctx, realm, sessionID)
	if errors.Is(err, ErrNoSession) {
		return false, nil
	}
	return err == nil, err
}

// PersonScopes are the scopes a person's token may carry. offline_access is accepted
// and not granted until refresh tokens exist; any other scope is invalid_scope.
var PersonScopes = []string{"openid", "profile", "email"}

// ResolvePerson decides what a person's tokens carry for the audiences and scope an
// application asked for. Users hold no API permissions of their own yet, so an asked
// audience is invalid_target and the token carries no audience and no permissions;
// roles and groups will give them (Keycloak's audience-resolve, as for machines).
func ResolvePerson(u store.User, audiences []string, scope string) (Grant, error) {
	g := Grant{Audience: []string{}, Permissions: map[string][]string{}}
	if len(audiences) > 0 {
		held := []APIGrant(nil) // what u's roles give: nothing yet
		for _, a := range audiences {
			if _, err := Resolve(held, a, ""); err != nil {
				return Grant{}, err
			}
		}
	}
	if scope == "" {
		return g, nil
	}
	toks, err := splitScope(scope)
	if err != nil {
		return Grant{}, err
	}
	var granted []string
	for _, t := range toks {
		switch {
		case slices.Contains(PersonScopes, t):
			granted = append(granted, t)
		case t == "offline_access":
		default:
			return Grant{}, ErrInvalidScope
		}
	}
	g.Scope = strings.Join(granted, " ")
	return g, nil
}

// WebOriginAllowed says whether an enabled PUBLIC application of realm registers
// origin as a web origin (CORS for browser code at the token, userinfo and logout
// endpoints).
func (s *Service) WebOriginAllowed(ctx context.Context, realm, origin string) (bool, error) {
	for off := 0; ; off += 500 {
		apps, total, err := s.store.ListApps(ctx, realm, store.ListOptions{Offset: off, Limit: 500})
		if err != nil {
			return false, err
		}
		for _, a := range apps {
			if a.Enabled && a.Type == AppPublic && slices.Contains(a.Web.WebOrigins, origin) {
				return true, nil
			}
		}
		if off+len(apps) >= total || len(apps) == 0 {
			return false, nil
		}
	}
}
