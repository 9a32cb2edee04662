package oauth

import (
	"bytes"
	"encoding/json"
	"mime"
	"net/url"
	"unicode/utf8"

	"github.com/gatehouse/gatehouse/internal/identity"
)

// MaxBodySize caps a token, introspection or revocation request body (checklist A8).
const MaxBodySize = 64 << 10

// MaxClientIDLen caps a client id in bytes. Longer ids are refused as malformed before
// anything is looked up, throttled or audited: an unauthenticated caller must not be
// able to make the server keep (throttle keys, audit actors) kilobytes per request.
const MaxClientIDLen = 255

// Input is everything the token endpoint reads from an HTTP request.
type Input struct {
	Method        string
	ContentType   string
	Query         url.Values
	Authorization []string // every Authorization header value
	Body          []byte
	AllowJSON     bool // the SaaS-style endpoint also takes a JSON body
}

// Grant types of the token endpoint.
const (
	GrantClientCredentials = "client_credentials"
	GrantAuthorizationCode = "authorization_code"
)

// TokenRequest is a syntactically valid client_credentials or authorization_code
// request.
type TokenRequest struct {
	GrantType    string
	ClientID     string
	ClientSecret string
	Basic        bool // credentials came in the Authorization header
	Public       bool // authorization_code with client_id alone: a public client (PKCE proves it)
	Audience     string
	Scope        string
	Code         string // authorization_code only
	RedirectURI  string
	CodeVerifier string
}

// credentialParams may never travel in the URL (RFC 6749 §2.3.1).
var credentialParams = []string{"client_id", "client_secret", "grant_type", "audience", "scope", "client_assertion",
	"code", "code_verifier"}

// ParseToken validates the syntax of a token request (RFC 6749 §3.2, §4.4, §2.3) and
// never looks anything up. Client authentication comes later.
func ParseToken(in Input) (TokenRequest, *Error) {
	if in.Method != "POST" {
		return TokenRequest{}, errMethod
	}
	for _, p := range credentialParams {
		if in.Query.Has(p) {
			return TokenRequest{}, errRequest("Parameters must be sent in the request body, not the URL")
		}
	}
	params, perr := parseBody(in)
	if perr != nil {
		return TokenRequest{}, perr
	}
	gt := params["grant_type"]
	switch gt {
	case "":
		return TokenRequest{}, errRequest("Missing grant_type")
	case GrantClientCredentials, GrantAuthorizationCode:
	default:
		return TokenRequest{}, errGrantType
	}
	req := TokenRequest{GrantType: gt, Audience: params["audience"], Scope: params["scope"]}
	if len(req.Scope) > 4096 || len(req.Audience) > 1024 {
		return TokenRequest{}, errRequest("Parameter too long")
	}
	if gt == GrantAuthorizationCode {
		req.Code, req.RedirectURI, req.CodeVerifier = params["code"], params["redirect_uri"], params["code_verifier"]
		switch {
		case req.Code == "":
			return TokenRequest{}, errRequest("Missing code")
		case len(req.Code) > 256 || len(req.RedirectURI) > 2048 || len(req.CodeVerifier) > 128:
			return TokenRequest{}, errRequest("Parameter too long")
		}
		// A public client authenticates with its client_id alone (RFC 6749 §2.3,
		// §4.1.3); PKCE binds the code to it.
		if len(in.Authorization) == 0 && params["client_secret"] == "" && params["client_id"] != "" {
			if len(params["client_id"]) > MaxClientIDLen {
				return TokenRequest{}, errRequest("Parameter too long")
			}
			req.ClientID, req.Public = params["client_id"], true
			return req, nil
		}
	}
	return authParams(req, params, in.Authorization)
}

// authParams settles the one client authentication method of the request (RFC 6749 §2.3).
func authParams(req TokenRequest, params map[string]string, authz []string) (TokenRequest, *Error) {
	bodyID, bodySecret := params["client_id"], params["client_secret"]
	if len(bodyID) > MaxClientIDLen {
		return TokenRequest{}, errRequest("Parameter too long")
	}
	if identity.HasBidiControl(bodyID) {
		return TokenRequest{}, errRequest("client_id holds a bidirectional control character")
	}
	if len(authz) > 1 {
		return TokenRequest{}, errRequest("Multiple Authorization headers")
	}
	if len(authz) == 1 {
		id, secret, isBasic, err := DecodeBasic(authz[0])
		if !isBasic || err != nil {
			return TokenRequest{}, errInvalidClient
		}
		if len(id) > MaxClientIDLen {
			return TokenRequest{}, errRequest("Parameter too long")
		}
		if identity.HasBidiControl(id) {
			return TokenRequest{}, errRequest("client_id holds a bidirectional control character")
		}
		if bodySecret != "" {
			return TokenRequest{}, errRequest("Use exactly one client authentication method")
		}
		if bodyID != "" && bodyID != id {
			return TokenRequest{}, errRequest("client_id does not match the Authorization header")
		}
		req.ClientID, req.ClientSecret, req.Basic = id, secret, true
		return req, nil
	}
	if bodyID == "" || bodySecret == "" {
		return TokenRequest{}, errInvalidClient
	}
	req.ClientID, req.ClientSecret = bodyID, bodySecret
	return req, nil
}

// parseBody reads the form (or, where allowed, JSON) body into single-valued
// parameters. Empty values count as omitted (§3.2); a repeated parameter is an error.
func parseBody(in Input) (map[string]string, *Error) {
	mt, _, err := mime.ParseMediaType(in.ContentType)
	if err != nil {
		return nil, errRequest("Content-Type must be application/x-www-form-urlencoded")
	}
	switch {
	case mt == "application/x-www-form-urlencoded":
		return parseForm(in.Body)
	case mt == "application/json" && in.AllowJSON:
		return parseJSON(in.Body)
	}
	return nil, errRequest("Content-Type must be application/x-www-form-urlencoded")
}

func parseForm(body []byte) (map[string]string, *Error) {
	vals, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, errRequest("Malformed form body")
	}
	out := make(map[string]string, len(vals))
	for k, vs := range vals {
		if k == "" || !clean(k) {
			return nil, errRequest("Malformed form body")
		}
		if len(vs) > 1 {
			return nil, errRequest("Parameter " + safeName(k) + " is repeated")
		}
		if !clean(vs[0]) {
			return nil, errRequest("Malformed form body")
		}
		if vs[0] != "" {
			out[k] = vs[0]
		}
	}
	return out, nil
}

// parseJSON reads a flat JSON object of string members (Camunda SaaS clients post
// {"grant_type":…,"audience":…,"client_id":…,"client_secret":…}).
func parseJSON(body []byte) (map[string]string, *Error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	bad := errRequest("Malformed JSON body")
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, bad
	}
	out := map[string]string{}
	seen := map[string]bool{}
	for dec.More() {
		t, err := dec.Token()
		k, ok := t.(string)
		if err != nil || !ok || !clean(k) {
			return nil, bad
		}
		if seen[k] {
			return nil, errRequest("Parameter " + safeName(k) + " is repeated")
		}
		seen[k] = true
		v, err := dec.Token()
		if err != nil {
			return nil, bad
		}
		s, ok := v.(string)
		if !ok {
			return nil, bad
		}
		if !clean(s) {
			return nil, bad
		}
		if s != "" {
			out[k] = s
		}
	}
	if t, err := dec.Token(); err != nil || t != json.Delim('}') {
		return nil, bad
	}
	if _, err := dec.Token(); err == nil {
		return nil, bad
	}
	return out, nil
}

// clean refuses invalid UTF-8 and control characters (NUL included).
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

// safeName echoes a parameter name only when it is one we know: error bodies never
// reflect arbitrary input.
func safeName(k string) string {
	switch k {
	case "grant_type", "client_id", "client_secret", "audience", "scope", "resource", "code", "redirect_uri", "code_verifier":
		return k
	}
	return "(unknown)"
}
