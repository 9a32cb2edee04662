package oidc

import (
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Response modes (OAuth 2.0 Multiple Response Type Encoding Practices; Form Post).
const (
	ModeQuery    = "query"
	ModeFragment = "fragment"
	ModeFormPost = "form_post"
)

// AuthRequest is a syntactically valid authorization request (OIDC Core §3.1.2.1).
type AuthRequest struct {
	ClientID            string
	RedirectURI         string
	ResponseType        string
	ResponseMode        string // query (default), fragment or form_post
	Scope               string
	State               string // echoed byte for byte
	Nonce               string // echoed byte for byte into the ID token
	CodeChallenge       string
	CodeChallengeMethod string // "S256" when CodeChallenge is set
	Prompt              string // "", "none" or "login" (consent and select_account are ignored)
	MaxAge              int    // -1: not given
	LoginHint           string
	UILocales           string
	Audiences           []string // audience= and resource= (RFC 8707), several allowed
}

// AuthError is a refused authorization request. Page errors (unknown client, bad
// redirect URI) are shown to the person and never redirected (RFC 6749 §4.1.2.1); the
// others go back to the client's redirect URI.
type AuthError struct {
	Code        string
	Description string
	Page        bool
}

func pageErr(desc string) *AuthError {
	return &AuthError{Code: "invalid_request", Description: desc, Page: true}
}
func redirErr(code, desc string) *AuthError {
	return &AuthError{Code: code, Description: desc}
}

// Parameter limits.
const (
	maxParam     = 2048
	maxHint      = 255
	maxAudiences = 16
)

// ParseAuthorize validates an authorization request's parameters (the query of a GET
// or the form of a POST). It looks nothing up: the client and its redirect URIs are
// checked next, before any redirect error is sent. The first error returned is a page
// error whenever client_id or redirect_uri cannot be trusted.
func ParseAuthorize(v url.Values) (AuthRequest, *AuthError) {
	req := AuthRequest{MaxAge: -1}
	for k, vs := range v {
		if !clean(k) {
			return req, pageErr("Malformed request")
		}
		for _, x := range vs {
			if !clean(x) || len(x) > maxParam {
				return req, pageErr("Malformed or over-long parameter")
			}
		}
	}
	one := func(name string) (string, bool) {
		vs := v[name]
		if len(vs) > 1 {
			return "", false
		}
		if len(vs) == 0 {
			return "", true
		}
		return vs[0], true
	}
	var ok bool
	if req.ClientID, ok = one("client_id"); !ok || req.ClientID == "" || len(req.ClientID) > 255 {
		return req, pageErr("Missing or invalid client_id")
	}
	if req.RedirectURI, ok = one("redirect_uri"); !ok || req.RedirectURI == "" {
		return req, pageErr("Missing or invalid redirect_uri")
	}
	// From here on the client and redirect URI are what the caller will check; errors
	// travel back to the client. state first, so that every error can carry it.
	if req.State, ok = one("state"); !ok {
		return req, redirErr("invalid_request", "Parameter state is repeated")
	}
	if req.ResponseMode, ok = one("response_mode"); !ok {
		return req, redirErr("invalid_request", "Parameter response_mode is repeated")
	}
	switch req.ResponseMode {
	case "":
		req.ResponseMode = ModeQuery
	case ModeQuery, ModeFragment, ModeFormPost:
	default:
		req.ResponseMode = ModeQuery
		return req, redirErr("invalid_request", "Unsupported response_mode")
	}
	for _, name := range []string{"response_type", "scope", "nonce", "code_challenge", "code_challenge_method",
		"prompt", "max_age", "login_hint", "ui_locales", "request", "request_uri", "registration"} {
		if len(v[name]) > 1 {
			return req, redirErr("invalid_request", "Parameter "+name+" is repeated")
		}
	}
	if v.Has("request") || v.Has("request_uri") {
		return req, redirErr("request_not_supported", "Request objects are not supported")
	}
	req.ResponseType = v.Get("response_type")
	switch req.ResponseType {
	case "":
		return req, redirErr("invalid_request", "Missing response_type")
	case "code":
	default:
		// Implicit and hybrid flows are not offered (RFC 9700 §2.1.2).
		return req, redirErr("unsupported_response_type", "Only response_type=code is supported")
	}
	req.Scope, req.Nonce = v.Get("scope"), v.Get("nonce")
	req.LoginHint, req.UILocales = v.Get("login_hint"), v.Get("ui_locales")
	if len(req.Nonce) > 512 || len(req.LoginHint) > maxHint || len(req.UILocales) > maxHint {
		return req, redirErr("invalid_request", "Parameter too long")
	}
	req.CodeChallenge, req.CodeChallengeMethod = v.Get("code_challenge"), v.Get("code_challenge_method")
	switch {
	case req.CodeChallenge == "" && req.CodeChallengeMethod != "":
		return req, redirErr("invalid_request", "code_challenge_method without code_challenge")
	case req.CodeChallenge != "" && req.CodeChallengeMethod != "S256":
		// RFC 7636 §4.2 defaults to "plain", which protects nothing against a stolen
		// authorization request: only S256 is accepted.
		return req, redirErr("invalid_request", "Only code_challenge_method=S256 is supported")
	case req.CodeChallenge != "" && !pkceValue(req.CodeChallenge):
		return req, redirErr("invalid_request", "Malformed code_challenge")
	}
	for _, p := range strings.Fields(v.Get("prompt")) {
		switch p {
		case "none", "login":
			if req.Prompt != "" && req.Prompt != p || (p == "none" && len(strings.Fields(v.Get("prompt"))) > 1) {
				return req, redirErr("invalid_request", "prompt=none cannot be combined")
			}
			req.Prompt = p
		case "consent", "select_account":
			// Nothing to consent to or select: applications are registered by an
			// administrator, and a browser holds one session.
		default:
			return req, redirErr("invalid_request", "Unsupported prompt value")
		}
	}
	if ma := v.Get("max_age"); ma != "" {
		n, err := strconv.Atoi(ma)
		if err != nil || n < 0 || n > 1_000_000_000 || strings.TrimLeft(ma, "0123456789") != "" {
			return req, redirErr("invalid_request", "max_age must be a non-negative integer")
		}
		req.MaxAge = n
	}
	for _, name := range []string{"audience", "resource"} {
		for _, a := range v[name] {
			if a != "" {
				req.Audiences = append(req.Audiences, a)
			}
		}
	}
	if len(req.Audiences) > maxAudiences {
		return req, redirErr("invalid_target", "Too many audiences")
	}
	return req, nil
}

// pkceValue is 43-128 characters of [A-Za-z0-9-._~] (RFC 7636 §4.1, §4.2).
func pkceValue(s string) bool {
	if len(s) < 43 || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~') {
			return false
		}
	}
	return true
}

// clean refuses invalid UTF-8 and control characters.
func clean(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			return false
		}
	}
	return true
}

// Encode gives back the request's parameters, for the login form to carry.
func (r AuthRequest) Encode() string {
	v := url.Values{"client_id": {r.ClientID}, "redirect_uri": {r.RedirectURI}, "response_type": {r.ResponseType},
		"response_mode": {r.ResponseMode}}
	for k, x := range map[string]string{"scope": r.Scope, "state": r.State, "nonce": r.Nonce,
		"code_challenge": r.CodeChallenge, "code_challenge_method": r.CodeChallengeMethod, "prompt": r.Prompt,
		"login_hint": r.LoginHint, "ui_locales": r.UILocales} {
		if x != "" {
			v.Set(k, x)
		}
	}
	if r.MaxAge >= 0 {
		v.Set("max_age", strconv.Itoa(r.MaxAge))
	}
	for _, a := range r.Audiences {
		v.Add("audience", a)
	}
	return v.Encode()
}
