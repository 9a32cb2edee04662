package oidc

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/gatehouse/gatehouse/internal/accesstoken"
	"github.com/gatehouse/gatehouse/internal/store"
)

// UserInfo serves GET and POST …/protocol/openid-connect/userinfo (OIDC Core §5.3).
// It takes any access token the realm issued to a person with scope openid, whatever
// its audience, while the session it was issued in lives. Errors follow RFC 6750 §3.
func (p *Provider) UserInfo(w http.ResponseWriter, r *http.Request) {
	rc, ok := p.realm(r)
	if !ok {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		bearerError(w, rc, http.StatusMethodNotAllowed, "invalid_request", "GET or POST only")
		return
	}
	token, perr := bearerToken(w, r)
	if perr != "" {
		bearerError(w, rc, http.StatusBadRequest, "invalid_request", perr)
		return
	}
	if token == "" {
		// RFC 6750 §3.1: no error code when no credentials were sent.
		w.Header().Set("WWW-Authenticate", `Bearer realm="`+rc.Name+`"`)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	v := accesstoken.Verifier{Issuer: rc.Issuer, Keys: p.c.Keys.KeySource(rc.Name), Now: p.c.Now, AnyAudience: true}
	c, err := v.Verify(token)
	if err != nil || !c.Person() {
		bearerError(w, rc, http.StatusUnauthorized, "invalid_token", "The access token is invalid or not a person's")
		return
	}
	if d := p.c.Deny[rc.Name]; d != nil && d.Denied(c) {
		bearerError(w, rc, http.StatusUnauthorized, "invalid_token", "The access token has been revoked")
		return
	}
	if !hasScope(c.Scope, "openid") {
		bearerError(w, rc, http.StatusForbidden, "insufficient_scope", "The access token lacks scope openid")
		return
	}
	ss, u, err := p.c.Identity.SessionByID(r.Context(), rc.Name, c.SessionID)
	if err != nil || u.ID != c.Subject {
		if err != nil && !isNoSession(err) {
			w.Header().Set("Retry-After", "5")
			bearerError(w, rc, http.StatusServiceUnavailable, "temporarily_unavailable", "Try again later")
			return
		}
		bearerError(w, rc, http.StatusUnauthorized, "invalid_token", "The session of this token has ended")
		return
	}
	_ = ss
	writeJSON(w, userClaims(u, c.Scope))
}

// userClaims are the ID token's person claims for the token's scopes.
func userClaims(u store.User, scope string) map[string]any {
	var idc IDClaims
	profileClaims(&idc, u, scope)
	out := map[string]any{"sub": u.ID}
	for k, v := range map[string]string{"preferred_username": idc.PreferredUsername, "name": idc.Name,
		"given_name": idc.GivenName, "family_name": idc.FamilyName, "email": idc.Email} {
		if v != "" {
			out[k] = v
		}
	}
	if idc.EmailVerified != nil {
		out["email_verified"] = *idc.EmailVerified
	}
	return out
}

// bearerToken takes the token from the Authorization header or, for a form POST, the
// access_token field; never from the URL (RFC 9700 §4.3.2) and never from two places
// (RFC 6750 §2).
func bearerToken(w http.ResponseWriter, r *http.Request) (string, string) {
	if r.URL.Query().Has("access_token") {
		return "", "Send the access token in the Authorization header"
	}
	var tok string
	hs := r.Header.Values("Authorization")
	if len(hs) > 1 {
		return "", "Multiple Authorization headers"
	}
	if len(hs) == 1 {
		scheme, rest, _ := strings.Cut(hs[0], " ")
		if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(rest) == "" {
			return "", "Use the Bearer scheme"
		}
		tok = strings.TrimSpace(rest)
	}
	if r.Method == http.MethodPost && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		r.Body = http.MaxBytesReader(w, r.Body, maxForm)
		if err := r.ParseForm(); err != nil {
			return "", "Malformed form body"
		}
		if f := r.PostForm["access_token"]; len(f) > 0 {
			if tok != "" || len(f) > 1 {
				return "", "Send the access token one way only"
			}
			tok = f[0]
		}
	}
	return tok, ""
}

func bearerError(w http.ResponseWriter, rc Realm, status int, code, desc string) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="`+rc.Name+`", error="`+code+`", error_description="`+desc+`"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": desc})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(v)
}
