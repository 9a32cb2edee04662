package oauth

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/accesstoken"
	"github.com/gatehouse/gatehouse/internal/audit"
	"github.com/gatehouse/gatehouse/internal/clientip"
	"github.com/gatehouse/gatehouse/internal/identity"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/throttle"
)

// Realm is what the endpoints need to know about one realm.
type Realm struct {
	Name       string
	Issuer     string
	Lifetime   time.Duration
	HeaderType string // accesstoken.TypeJWT or TypeAtJWT
	// Reuse > 0 answers a repeated request with the client's last token while more
	// than this fraction of its lifetime is left (reuse.go); 0: every answer is signed.
	Reuse float64
}

// Authenticator checks client credentials (identity.Service).
type Authenticator interface {
	Authenticate(ctx context.Context, realm, clientID, secret string) (*identity.Client, error)
	// Forget drops a cached client, so the next Authenticate reads the store.
	Forget(realm, clientID string)
}

// Signers gives each realm's active signing key (keys.Manager).
type Signers interface {
	Signer(realm string) (accesstoken.SigningKey, error)
}

// Auditor records events without blocking the request.
type Auditor interface {
	Record(e store.AuditEvent)
}

// TokenResponse is the success body: RFC 6749 §5.1 plus Keycloak's fields, in
// Keycloak's order.
type TokenResponse struct {
	AccessToken      string `json:"access_token"`
	ExpiresIn        int64  `json:"expires_in"`
	RefreshExpiresIn int64  `json:"refresh_expires_in"`
	TokenType        string `json:"token_type"`
	NotBeforePolicy  int64  `json:"not-before-policy"`
	Scope            string `json:"scope"`
	IDToken          string `json:"id_token,omitempty"`
	SessionState     string `json:"session_state,omitempty"`
}

// CodeClient is the client of an authorization_code request: authenticated by its
// secret (a confidential client), or named by client_id alone (Public).
type CodeClient struct {
	AppID    string // "" for a public client: the exchanger looks it up
	ClientID string
	Public   bool
}

// CodeExchanger turns an authorization code into tokens (the OpenID Provider). It
// checks the client's type, the code's binding and PKCE; an *Error is the answer.
type CodeExchanger interface {
	Exchange(ctx context.Context, realm Realm, c CodeClient, req TokenRequest) (TokenResponse, *Error)
}

// Server serves the token endpoints.
type Server struct {
	Realms   map[string]Realm
	Default  string // realm of /oauth/token
	Clients  Authenticator
	Keys     Signers
	Audit    Auditor
	ClientRL *throttle.Limiter // per (client id, source IP)
	IPRL     *throttle.Limiter // per source IP
	Metrics  *Metrics
	Log      *slog.Logger
	Now      func() time.Time
	ClientIP clientip.Resolver // the zero value: the TCP peer (no proxy trusted)
	Code     CodeExchanger     // nil: authorization_code is unsupported
	// Deny is each realm's deny-list, consulted before a token is reused (nil: none).
	Deny map[string]DenyList

	reuse reuseCache
}

// RealmToken serves POST /auth/realms/{realm}/protocol/openid-connect/token (form only).
func (s *Server) RealmToken(w http.ResponseWriter, r *http.Request) {
	s.token(w, r, r.PathValue("realm"), false)
}

// SaaSToken serves POST /oauth/token for the default realm (form or JSON).
func (s *Server) SaaSToken(w http.ResponseWriter, r *http.Request) {
	s.token(w, r, s.Default, true)
}

func (s *Server) token(w http.ResponseWriter, r *http.Request, realmName string, allowJSON bool) {
	start := time.Now()
	realm, ok := s.Realms[realmName]
	if !ok {
		s.fail(w, realmName, errRealm)
		return
	}
	body, perr := readBody(w, r)
	if perr != nil {
		s.fail(w, realm.Name, perr)
		return
	}
	req, perr := ParseToken(Input{Method: r.Method, ContentType: r.Header.Get("Content-Type"), Query: r.URL.Query(),
		Authorization: r.Header.Values("Authorization"), Body: body, AllowJSON: allowJSON})
	if perr != nil {
		s.fail(w, realm.Name, perr)
		return
	}
	if req.GrantType == GrantAuthorizationCode {
		s.codeGrant(w, r, realm, req, start)
		return
	}
	client, perr := s.authenticate(r, realm.Name, req)
	if perr != nil {
		s.failGrant(w, realm.Name, grantClientCredentials, perr)
		return
	}
	grant, err := identity.Resolve(client.Held, req.Audience, req.Scope)
	if err != nil && client.Cached {
		// A permission granted through another replica may not be in this one's cache
		// yet: read the client again before refusing.
		s.Clients.Forget(realm.Name, req.ClientID)
		if fresh, aerr := s.Clients.Authenticate(r.Context(), realm.Name, req.ClientID, req.ClientSecret); aerr == nil {
			client = fresh
			grant, err = identity.Resolve(client.Held, req.Audience, req.Scope)
		}
	}
	if err != nil {
		perr := errScope
		if errors.Is(err, identity.ErrInvalidTarget) {
			perr = errTarget
		}
		s.deny(client.AppID, req.ClientID, realm.Name, perr.Code, r)
		s.failGrant(w, realm.Name, grantClientCredentials, perr)
		return
	}
	k, err := s.Keys.Signer(realm.Name)
	if err != nil {
		s.Log.Error("token: no signing key", "realm", realm.Name, "err", err)
		s.failGrant(w, realm.Name, grantClientCredentials, errServer)
		return
	}
	rk := reuseKey{realm: realm.Name, appID: client.AppID, audience: req.Audience, scope: req.Scope}
	var resp TokenResponse
	reused := false
	if realm.Reuse > 0 {
		if e, left, ok := s.reuse.get(rk, s.now(), realm.Reuse, client, grant, k.ID, s.Deny[realm.Name]); ok {
			resp = TokenResponse{AccessToken: e.token, ExpiresIn: int64(left / time.Second), TokenType: "Bearer", Scope: e.scope}
			reused = true
		}
	}
	if !reused {
		var e *reuseEntry
		if resp, e, err = s.mint(realm, k, client, grant); err != nil {
			s.Log.Error("token: mint failed", "realm", realm.Name, "err", err)
			s.failGrant(w, realm.Name, grantClientCredentials, errServer)
			return
		}
		if realm.Reuse > 0 {
			s.reuse.put(rk, e, s.now())
		}
	}
	writeToken(w, resp)
	detail := map[string]string{"aud": strings.Join(grant.Audience, " "), "ip": s.ClientIP.IP(r)}
	if reused {
		detail["reused"] = "true"
		s.Metrics.reused(realm.Name, time.Since(start))
	} else {
		s.Metrics.issued(realm.Name, grantClientCredentials, time.Since(start))
	}
	s.Audit.Record(store.AuditEvent{Realm: realm.Name, Time: s.now(), Actor: client.ClientID, Action: audit.ActionTokenIssue,
		Target: client.AppID, Outcome: audit.OutcomeSuccess, Detail: detail})
}

func readBody(w http.ResponseWriter, r *http.Request) ([]byte, *Error) {
	if r.Method != http.MethodPost {
		return nil, errMethod
	}
	if r.ContentLength > MaxBodySize {
		return nil, errTooLarge
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodySize))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, errTooLarge
	}
	if err != nil {
		return nil, errRequest("Could not read the request body")
	}
	return body, nil
}

// authenticate checks the client under the failure throttle (checklist A21): an
// attempt is reserved before it is evaluated, so parallel guesses cannot slip past.
func (s *Server) authenticate(r *http.Request, realm string, req TokenRequest) (*identity.Client, *Error) {
	ip := s.ClientIP.Key(r) // IPv6 sources by /64
	ckey := realm + "\x00" + req.ClientID + "\x00" + ip
	if ok, wait := s.IPRL.Begin(r.Context(), ip); !ok {
		s.Metrics.throttled(realm, "ip")
		s.deny("", req.ClientID, realm, "throttled", r)
		return nil, errThrottled(wait)
	}
	if ok, wait := s.ClientRL.Begin(r.Context(), ckey); !ok {
		s.IPRL.Release(ip)
		s.Metrics.throttled(realm, "client")
		s.deny("", req.ClientID, realm, "throttled", r)
		return nil, errThrottled(wait)
	}
	c, err := s.Clients.Authenticate(r.Context(), realm, req.ClientID, req.ClientSecret)
	var ae *identity.AuthError
	var slow *identity.SlowDownError
	switch {
	case err == nil:
		s.ClientRL.Succeed(ckey)
		s.IPRL.Release(ip)
		return c, nil
	case errors.As(err, &ae):
		s.ClientRL.Fail(ckey)
		s.IPRL.Fail(ip)
		s.deny("", req.ClientID, realm, "invalid_client: "+ae.Reason, r)
		return nil, errInvalidClient
	case errors.As(err, &slow):
		// The application's budget of slow secret checks is spent (whatever the source).
		s.ClientRL.Release(ckey)
		s.IPRL.Release(ip)
		s.Metrics.throttled(realm, "app")
		s.deny("", req.ClientID, realm, "throttled", r)
		return nil, errThrottled(slow.RetryAfter)
	default:
		s.ClientRL.Release(ckey)
		s.IPRL.Release(ip)
		if errors.Is(err, store.ErrUnavailable) || errors.Is(err, context.DeadlineExceeded) {
			s.Log.Warn("token: store unavailable", "realm", realm, "err", err)
			return nil, errUnavailable
		}
		s.Log.Error("token: authentication error", "realm", realm, "err", err)
		return nil, errServer
	}
}

// mint signs a new token with k. The entry describes it for reuse.
func (s *Server) mint(realm Realm, k accesstoken.SigningKey, c *identity.Client, g identity.Grant) (TokenResponse, *reuseEntry, error) {
	now := s.now()
	claims := &accesstoken.Claims{
		ExpiresAt:         accesstoken.NumericDate(now.Add(realm.Lifetime).Unix()),
		IssuedAt:          accesstoken.NumericDate(now.Unix()),
		ID:                identity.NewID(),
		Issuer:            realm.Issuer,
		Audience:          accesstoken.Audience(g.Audience),
		Subject:           c.AppID,
		Type:              "Bearer",
		AuthorizedParty:   c.ClientID,
		Scope:             g.Scope,
		ClientID:          c.ClientID,
		PreferredUsername: "service-account-" + c.ClientID,
		Permissions:       g.Permissions,
	}
	if claims.Audience == nil {
		claims.Audience = accesstoken.Audience{}
	}
	if claims.Permissions == nil {
		claims.Permissions = map[string][]string{}
	}
	tok, err := accesstoken.Mint(k, realm.HeaderType, claims)
	if err != nil {
		return TokenResponse{}, nil, err
	}
	e := &reuseEntry{token: tok, claims: claims, scope: g.Scope, issued: now, expires: now.Add(realm.Lifetime),
		appState: c.UpdatedAt, kid: k.ID, audience: g.Audience, perms: g.Permissions, grantedTo: c.ClientID}
	return TokenResponse{AccessToken: tok, ExpiresIn: int64(realm.Lifetime / time.Second), TokenType: "Bearer", Scope: g.Scope}, e, nil
}

func (s *Server) deny(appID, clientID, realm, reason string, r *http.Request) {
	s.Audit.Record(store.AuditEvent{Realm: realm, Time: s.now(), Actor: clientID, Action: audit.ActionTokenDeny, Target: appID,
		Outcome: audit.OutcomeFailure, Detail: map[string]string{"reason": reason, "ip": s.ClientIP.IP(r)}})
}

// grantClientCredentials is the grant type of every request that parsed (the only one
// the token endpoint supports); requests that did not parse count as grant type "none".
const grantClientCredentials = "client_credentials"

func (s *Server) fail(w http.ResponseWriter, realm string, e *Error) {
	s.failGrant(w, realm, "", e)
}

func (s *Server) failGrant(w http.ResponseWriter, realm, grant string, e *Error) {
	writeError(w, realm, e)
	s.Metrics.denied(realm, grant, e.Code)
}

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// codeGrant serves grant_type=authorization_code: the client authenticates as at
// client_credentials (a public client names itself and proves the code with PKCE),
// then the exchanger redeems the code.
func (s *Server) codeGrant(w http.ResponseWriter, r *http.Request, realm Realm, req TokenRequest, start time.Time) {
	if s.Code == nil {
		s.fail(w, realm.Name, errGrantType)
		return
	}
	cc := CodeClient{ClientID: req.ClientID, Public: req.Public}
	if !req.Public {
		client, perr := s.authenticate(r, realm.Name, req)
		if perr != nil {
			s.fail(w, realm.Name, perr)
			return
		}
		cc.AppID = client.AppID
	}
	resp, perr := s.Code.Exchange(r.Context(), realm, cc, req)
	if perr != nil {
		s.deny(cc.AppID, req.ClientID, realm.Name, perr.Code, r)
		s.fail(w, realm.Name, perr)
		return
	}
	writeToken(w, resp)
	s.Metrics.issued(realm.Name, GrantAuthorizationCode, time.Since(start))
	s.Audit.Record(store.AuditEvent{Realm: realm.Name, Time: s.now(), Actor: req.ClientID, Action: audit.ActionTokenIssue,
		Target: cc.AppID, Outcome: audit.OutcomeSuccess, Detail: map[string]string{"grant": GrantAuthorizationCode, "ip": s.ClientIP.IP(r)}})
}
