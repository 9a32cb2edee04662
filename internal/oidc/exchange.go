package oidc

import (
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/accesstoken"
	"github.com/gatehouse/gatehouse/internal/audit"
	"github.com/gatehouse/gatehouse/internal/identity"
	"github.com/gatehouse/gatehouse/internal/oauth"
	"github.com/gatehouse/gatehouse/internal/store"
)

// IDClaims is an ID token's payload (OIDC Core §2, §5.1). It always carries auth_time
// and, with the profile and email scopes, the person's claims (as Keycloak does).
type IDClaims struct {
	Issuer            string `json:"iss"`
	Subject           string `json:"sub"`
	Audience          string `json:"aud"`
	ExpiresAt         int64  `json:"exp"`
	IssuedAt          int64  `json:"iat"`
	AuthTime          int64  `json:"auth_time"`
	ID                string `json:"jti"`
	Nonce             string `json:"nonce,omitempty"`
	AuthorizedParty   string `json:"azp"`
	SessionID         string `json:"sid"`
	AtHash            string `json:"at_hash,omitempty"`
	Type              string `json:"typ"` // "ID": never accepted where an access token is
	PreferredUsername string `json:"preferred_username,omitempty"`
	Name              string `json:"name,omitempty"`
	GivenName         string `json:"given_name,omitempty"`
	FamilyName        string `json:"family_name,omitempty"`
	Email             string `json:"email,omitempty"`
	EmailVerified     *bool  `json:"email_verified,omitempty"`
}

var (
	errGrant = func(d string) *oauth.Error {
		return &oauth.Error{Status: http.StatusBadRequest, Code: "invalid_grant", Description: d}
	}
	errUnauthorized = &oauth.Error{Status: http.StatusBadRequest, Code: "unauthorized_client",
		Description: "This client may not use the authorization code grant"}
	errClient = &oauth.Error{Status: http.StatusUnauthorized, Code: "invalid_client",
		Description: "Invalid client or Invalid client credentials"}
	errServer = &oauth.Error{Status: http.StatusInternalServerError, Code: "server_error", Description: "Internal error"}
	errBusy   = &oauth.Error{Status: http.StatusServiceUnavailable, Code: "temporarily_unavailable",
		Description: "The service is temporarily unavailable; retry later", RetryAfter: 5 * time.Second}
)

// Exchange redeems an authorization code (RFC 6749 §4.1.3, RFC 7636 §4.6) for an
// access token and, with scope openid, an ID token. It implements oauth.CodeExchanger.
func (p *Provider) Exchange(ctx context.Context, realm oauth.Realm, c oauth.CodeClient, req oauth.TokenRequest) (oauth.TokenResponse, *oauth.Error) {
	rc, ok := p.c.Realms[realm.Name]
	if !ok {
		return oauth.TokenResponse{}, errServer
	}
	app, err := p.c.Identity.WebClient(ctx, rc.Name, c.ClientID)
	switch {
	case errors.Is(err, store.ErrNotFound) && c.Public:
		return oauth.TokenResponse{}, errClient
	case errors.Is(err, store.ErrNotFound):
		return oauth.TokenResponse{}, errUnauthorized // an authenticated M2M client
	case err != nil:
		return oauth.TokenResponse{}, p.storeErr(err)
	case c.Public != (app.Type == identity.AppPublic):
		// A confidential client must authenticate; a public one has nothing to show.
		return oauth.TokenResponse{}, errClient
	}
	actor := audit.Actor{Kind: audit.KindClient, ID: c.ClientID, Source: "token"}
	code, err := p.c.Identity.RedeemCode(ctx, actor, rc.Name, app.ID, req.Code)
	switch {
	case errors.Is(err, identity.ErrCodeReplayed):
		return oauth.TokenResponse{}, errGrant("Code already used; the tokens issued from it are revoked")
	case errors.Is(err, identity.ErrBadCode):
		return oauth.TokenResponse{}, errGrant("Code not valid")
	case err != nil:
		return oauth.TokenResponse{}, p.storeErr(err)
	}
	// The code is bound to the redirect URI of its request (RFC 6749 §4.1.3) and to
	// the PKCE challenge (RFC 7636 §4.6); a verifier without a challenge is a
	// downgrade attempt (RFC 9700 §2.1.1).
	if req.RedirectURI != code.RedirectURI {
		return oauth.TokenResponse{}, errGrant("Incorrect redirect_uri")
	}
	if code.Challenge == "" && req.CodeVerifier != "" || code.Challenge != "" && !pkceMatch(code.Challenge, req.CodeVerifier) {
		return oauth.TokenResponse{}, errGrant("PKCE verification failed")
	}
	ss, u, err := p.c.Identity.SessionByID(ctx, rc.Name, code.SessionID)
	if errors.Is(err, identity.ErrNoSession) {
		return oauth.TokenResponse{}, errGrant("Session not active")
	}
	if err != nil {
		return oauth.TokenResponse{}, p.storeErr(err)
	}
	resp, jti, err := p.mint(rc, app, code, ss, u)
	if err != nil {
		p.c.Log.Error("oidc: mint", "realm", rc.Name, "err", err)
		return oauth.TokenResponse{}, errServer
	}
	if err := p.c.Identity.CodeTokens(ctx, code, jti); err != nil {
		return oauth.TokenResponse{}, p.storeErr(err)
	}
	return resp, nil
}

func (p *Provider) storeErr(err error) *oauth.Error {
	if errors.Is(err, store.ErrUnavailable) || errors.Is(err, context.DeadlineExceeded) {
		return errBusy
	}
	p.c.Log.Error("oidc: token exchange", "err", err)
	return errServer
}

// pkceMatch checks BASE64URL(SHA256(verifier)) == challenge in constant time.
func pkceMatch(challenge, verifier string) bool {
	if !pkceValue(verifier) {
		return false
	}
	sum := sha256.Sum256([]byte(verifier))
	got := base64.RawURLEncoding.EncodeToString(sum[:])
	return subtle.ConstantTimeCompare([]byte(got), []byte(challenge)) == 1
}

// mint signs a person's access token (the machine token's shape, sub = the user) and,
// with scope openid, an ID token: two signatures.
func (p *Provider) mint(rc Realm, app store.Application, code store.AuthCode, ss store.SSOSession, u store.User) (oauth.TokenResponse, string, error) {
	k, err := p.c.Keys.Signer(rc.Name)
	if err != nil {
		return oauth.TokenResponse{}, "", err
	}
	now := p.now()
	exp := now.Add(rc.Lifetime)
	name := fullName(u)
	at := &accesstoken.Claims{
		ExpiresAt: accesstoken.NumericDate(exp.Unix()), IssuedAt: accesstoken.NumericDate(now.Unix()),
		ID: identity.NewID(), Issuer: rc.Issuer, Audience: accesstoken.Audience(code.Audiences), Subject: u.ID,
		Type: "Bearer", AuthorizedParty: app.ClientID, Scope: code.Scope, ClientID: app.ClientID,
		PreferredUsername: u.Username, Permissions: map[string][]string{}, SessionID: ss.ID, Email: u.Email, Name: name,
	}
	if at.Audience == nil {
		at.Audience = accesstoken.Audience{}
	}
	access, err := accesstoken.Mint(k, rc.HeaderType, at)
	if err != nil {
		return oauth.TokenResponse{}, "", err
	}
	resp := oauth.TokenResponse{AccessToken: access, ExpiresIn: int64(rc.Lifetime / time.Second), TokenType: "Bearer",
		Scope: code.Scope, SessionState: ss.ID}
	if hasScope(code.Scope, "openid") {
		idc := IDClaims{Issuer: rc.Issuer, Subject: u.ID, Audience: app.ClientID, ExpiresAt: exp.Unix(), IssuedAt: now.Unix(),
			AuthTime: ss.AuthTime.Unix(), ID: identity.NewID(), Nonce: code.Nonce, AuthorizedParty: app.ClientID,
			SessionID: ss.ID, AtHash: halfHash(k.Alg, access), Type: "ID"}
		profileClaims(&idc, u, code.Scope)
		if resp.IDToken, err = accesstoken.MintJSON(k, accesstoken.TypeJWT, idc); err != nil {
			return oauth.TokenResponse{}, "", err
		}
	}
	return resp, at.ID, nil
}

// profileClaims adds what the profile and email scopes show (ID token and userinfo).
// Email addresses are set by administrators, never by the person, so they count as
// verified.
func profileClaims(c *IDClaims, u store.User, scope string) {
	if hasScope(scope, "profile") {
		c.PreferredUsername, c.Name, c.GivenName, c.FamilyName = u.Username, fullName(u), u.FirstName, u.LastName
	}
	if hasScope(scope, "email") && u.Email != "" {
		t := true
		c.Email, c.EmailVerified = u.Email, &t
	}
}

func fullName(u store.User) string { return strings.TrimSpace(u.FirstName + " " + u.LastName) }

// halfHash is at_hash: the left half of the access token's hash under the ID token's
// algorithm's hash, base64url (OIDC Core §3.1.3.6; SHA-512 for Ed25519).
func halfHash(alg, token string) string {
	var sum []byte
	if alg == accesstoken.EdDSA {
		s := sha512.Sum512([]byte(token))
		sum = s[:]
	} else {
		s := sha256.Sum256([]byte(token))
		sum = s[:]
	}
	return base64.RawURLEncoding.EncodeToString(sum[:len(sum)/2])
}
