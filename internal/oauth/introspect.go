package oauth

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/accesstoken"
	"github.com/gatehouse/gatehouse/internal/identity"
	"github.com/gatehouse/gatehouse/internal/store"
)

// AppChecker says whether the application a token names may still act (identity.Service).
type AppChecker interface {
	ClientActive(ctx context.Context, realm, clientID, appID string, issuedAt time.Time) (bool, error)
}

// PersonChecker says whether a person's token still stands: its client enabled and
// its single sign-on session live (identity.Service). Without one, people's tokens
// are never active at introspection.
type PersonChecker interface {
	PersonActive(ctx context.Context, realm, clientID, sessionID string) (bool, error)
}

// DenyList is a realm's deny-list of revoked token ids and disabled or deleted
// applications (identity.DenyList). Deny refuses a token id at once on this replica,
// ahead of the reload that reads it from the store.
type DenyList interface {
	Denied(c *accesstoken.Claims) bool
	Deny(jti string)
}

// Revocations stores revoked token ids (store.Store).
type Revocations interface {
	AddRevocation(ctx context.Context, r store.Revocation) error
}

// AuditWriter stores one audit event synchronously (audit.Recorder).
type AuditWriter interface {
	Write(ctx context.Context, e store.AuditEvent) error
}

// TokenControl serves token introspection (RFC 7662) and revocation (RFC 7009) for the
// realms of the embedded token Server, whose client authentication and failure
// throttles it shares: a caller authenticates exactly as at the token endpoint.
type TokenControl struct {
	*Server
	KeySource   func(realm string) accesstoken.KeySource // the realm's published keys (keys.Manager)
	Apps        AppChecker
	Deny        map[string]DenyList // by realm; a missing realm has none
	Revocations Revocations
	Trail       AuditWriter
}

// TokenParams is a syntactically valid introspection or revocation request.
type TokenParams struct {
	Token        string
	Hint         string // token_type_hint; advisory only (every token here is an access token)
	ClientID     string
	ClientSecret string
}

// tokenAdminQuery are parameters that may never travel in the URL: credentials and
// the token itself (RFC 6749 §2.3.1, RFC 9700 §4.3.2).
var tokenAdminQuery = []string{"token", "client_id", "client_secret", "client_assertion"}

var errPostOnly = &Error{Status: http.StatusMethodNotAllowed, Code: "invalid_request", Description: "This endpoint accepts POST only"}

// ParseTokenParams validates the syntax of an introspection (RFC 7662 §2.1) or
// revocation (RFC 7009 §2.1) request: a form-encoded POST with "token" and the caller's
// credentials by exactly one method (RFC 6749 §2.3). It looks nothing up.
func ParseTokenParams(in Input) (TokenParams, *Error) {
	if in.Method != http.MethodPost {
		return TokenParams{}, errPostOnly
	}
	for _, p := range tokenAdminQuery {
		if in.Query.Has(p) {
			return TokenParams{}, errRequest("Parameters must be sent in the request body, not the URL")
		}
	}
	in.AllowJSON = false
	params, perr := parseBody(in)
	if perr != nil {
		return TokenParams{}, perr
	}
	tok := params["token"]
	if tok == "" {
		return TokenParams{}, errRequest("Missing token")
	}
	hint := params["token_type_hint"]
	if len(hint) > 64 {
		return TokenParams{}, errRequest("Parameter too long")
	}
	cred, perr := authParams(TokenRequest{}, params, in.Authorization)
	if perr != nil {
		return TokenParams{}, perr
	}
	return TokenParams{Token: tok, Hint: hint, ClientID: cred.ClientID, ClientSecret: cred.ClientSecret}, nil
}

// Introspection is the RFC 7662 §2.2 answer for an active token: the token's own
// claims, in Keycloak's vocabulary. An inactive token is answered with exactly
// {"active":false}.
type Introspection struct {
	Active            bool                 `json:"active"`
	Scope             string               `json:"scope,omitempty"`
	ClientID          string               `json:"client_id,omitempty"`
	Username          string               `json:"username,omitempty"`
	TokenType         string               `json:"token_type,omitempty"`
	ExpiresAt         int64                `json:"exp,omitempty"`
	IssuedAt          int64                `json:"iat,omitempty"`
	NotBefore         int64                `json:"nbf,omitempty"`
	Subject           string               `json:"sub,omitempty"`
	Audience          accesstoken.Audience `json:"aud,omitempty"`
	Issuer            string               `json:"iss,omitempty"`
	ID                string               `json:"jti,omitempty"`
	AuthorizedParty   string               `json:"azp,omitempty"`
	PreferredUsername string               `json:"preferred_username,omitempty"`
	Permissions       map[string][]string  `json:"permissions,omitempty"`
}

var inactive = []byte(`{"active":false}`)

// Introspect serves POST /auth/realms/{realm}/protocol/openid-connect/token/introspect.
//
// Who may see a token active (checklist B3, our decision): the client the token was
// issued to, and callers holding "read" on the Camunda Identity API (administrators and
// resource servers given that permission). Any other caller learns only
// {"active":false}, so introspection cannot be used to probe other applications' tokens
// (RFC 7662 §4 lets answers differ per caller).
func (t *TokenControl) Introspect(w http.ResponseWriter, r *http.Request) {
	realm, caller, p, ok := t.begin(w, r)
	if !ok {
		t.Metrics.introspected(r.PathValue("realm"), "refused")
		return
	}
	c, err := t.check(r.Context(), realm, p.Token)
	if err != nil {
		t.Metrics.introspected(realm.Name, "error")
		t.storeFailure(w, realm.Name, "introspect", err)
		return
	}
	if c == nil || (c.ClientID != caller.ClientID && !caller.Holds(identity.AudienceIdentity, "read")) {
		t.Metrics.introspected(realm.Name, "inactive")
		writeRaw(w, inactive)
		return
	}
	t.Metrics.introspected(realm.Name, "active")
	writeJSON(w, Introspection{Active: true, Scope: c.Scope, ClientID: c.ClientID, Username: c.PreferredUsername,
		TokenType: "Bearer", ExpiresAt: int64(c.ExpiresAt), IssuedAt: int64(c.IssuedAt), NotBefore: int64(c.NotBefore),
		Subject: c.Subject, Audience: c.Audience, Issuer: c.Issuer, ID: c.ID, AuthorizedParty: c.AuthorizedParty,
		PreferredUsername: c.PreferredUsername, Permissions: c.Permissions})
}

// begin runs what introspection and revocation share: realm, body, syntax and client
// authentication. On failure it has answered and ok is false.
func (t *TokenControl) begin(w http.ResponseWriter, r *http.Request) (Realm, *identity.Client, TokenParams, bool) {
	realm, found := t.Realms[r.PathValue("realm")]
	if !found {
		writeError(w, r.PathValue("realm"), errRealm)
		return Realm{}, nil, TokenParams{}, false
	}
	if r.Method != http.MethodPost {
		writeError(w, realm.Name, errPostOnly)
		return Realm{}, nil, TokenParams{}, false
	}
	body, perr := readBody(w, r)
	if perr != nil {
		writeError(w, realm.Name, perr)
		return Realm{}, nil, TokenParams{}, false
	}
	p, perr := ParseTokenParams(Input{Method: r.Method, ContentType: r.Header.Get("Content-Type"), Query: r.URL.Query(),
		Authorization: r.Header.Values("Authorization"), Body: body})
	if perr != nil {
		writeError(w, realm.Name, perr)
		return Realm{}, nil, TokenParams{}, false
	}
	caller, perr := t.authenticate(r, realm.Name, TokenRequest{ClientID: p.ClientID, ClientSecret: p.ClientSecret})
	if perr != nil {
		writeError(w, realm.Name, perr)
		return Realm{}, nil, TokenParams{}, false
	}
	return realm, caller, p, true
}

// verify returns the claims of a token this realm issued that has a valid signature
// under a published key and has not expired (no leeway: the issuer's own clock
// decides), or nil.
func (t *TokenControl) verify(realm Realm, token string) *accesstoken.Claims {
	aud := peekAudience(token)
	v := accesstoken.Verifier{Issuer: realm.Issuer, Keys: t.KeySource(realm.Name), Now: t.now, AnyAudience: len(aud) == 0}
	c, err := v.Verify(token, aud...)
	if err != nil || (len(aud) == 0 && !c.Person()) {
		// A machine token without an audience grants nothing anywhere: it is not
		// active. A person's token may have none (userinfo takes it).
		return nil
	}
	return c
}

// check returns the claims of an active token, nil for an inactive one, or an error
// when the store cannot tell (the caller answers 503, never a guess).
func (t *TokenControl) check(ctx context.Context, realm Realm, token string) (*accesstoken.Claims, error) {
	c := t.verify(realm, token)
	if c == nil {
		return nil, nil
	}
	if d := t.Deny[realm.Name]; d != nil && d.Denied(c) {
		return nil, nil
	}
	var ok bool
	var err error
	if c.Person() {
		if pc, is := t.Apps.(PersonChecker); is {
			ok, err = pc.PersonActive(ctx, realm.Name, c.ClientID, c.SessionID)
		}
	} else {
		ok, err = t.Apps.ClientActive(ctx, realm.Name, c.ClientID, c.Subject, time.Unix(int64(c.IssuedAt), 0))
	}
	if err != nil || !ok {
		return nil, err
	}
	return c, nil
}

// peekAudience reads "aud" from an unverified token, only to tell Verify which
// audience to require; Verify then checks the signature over these very bytes.
func peekAudience(token string) []string {
	if len(token) > accesstoken.MaxTokenSize {
		return nil
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil
	}
	var v struct {
		Aud accesstoken.Audience `json:"aud"`
	}
	if json.Unmarshal(payload, &v) != nil {
		return nil
	}
	return v.Aud
}

// storeFailure answers a failed lookup: 503 + Retry-After when the store is
// unavailable (RFC 7009 §2.2.1; checklist B7, F3), else 500. Never a success.
func (t *TokenControl) storeFailure(w http.ResponseWriter, realm, op string, err error) {
	if errors.Is(err, store.ErrUnavailable) || errors.Is(err, context.DeadlineExceeded) {
		t.Log.Warn(op+": store unavailable", "realm", realm, "err", err)
		writeError(w, realm, errUnavailable)
		return
	}
	t.Log.Error(op+": store error", "realm", realm, "err", err)
	writeError(w, realm, errServer)
}

// writeRaw writes a fixed, uncacheable JSON answer.
func writeRaw(w http.ResponseWriter, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	w.Write(body)
}

func unixTime(d accesstoken.NumericDate) time.Time { return time.Unix(int64(d), 0).UTC() }
