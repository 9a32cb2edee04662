package identity

import (
	"net/url"
	"strings"

	"github.com/gatehouse/gatehouse/internal/store"
)

// Application types, as Camunda Identity has them. Stored lowercase.
const (
	AppM2M          = "m2m"          // client_credentials only
	AppConfidential = "confidential" // a secret; authorization code; may use client_credentials
	AppPublic       = "public"       // no secret; authorization code with PKCE only
)

// Grants a client may use.
const (
	GrantClientCredentials = "client_credentials"
	GrantAuthorizationCode = "authorization_code"
)

// Web-setting limits.
const (
	MaxURIs   = 64   // redirect URIs, post-logout URIs or web origins per application
	MaxURILen = 2048 // one URI
)

// ParseAppType reads M2M, CONFIDENTIAL or PUBLIC (any case); "" is M2M.
func ParseAppType(s string) (string, error) {
	switch t := strings.ToLower(strings.TrimSpace(s)); t {
	case "":
		return AppM2M, nil
	case AppM2M, AppConfidential, AppPublic:
		return t, nil
	}
	return "", invalid("type", "must be M2M, CONFIDENTIAL or PUBLIC")
}

// AllowsGrant says whether an application of type typ may use grant.
func AllowsGrant(typ, grant string) bool {
	switch grant {
	case GrantClientCredentials:
		return typ == AppM2M || typ == AppConfidential || typ == ""
	case GrantAuthorizationCode:
		return typ == AppConfidential || typ == AppPublic
	}
	return false
}

// CheckWeb validates an application's browser settings for its type. M2M applications
// have none; redirect URIs are absolute http(s) URIs without a fragment or user info,
// or relative paths when a root URL is set; origins are scheme://host[:port].
func CheckWeb(typ string, w store.WebSettings) error {
	if typ == AppM2M {
		if w.RootURL != "" || len(w.RedirectURIs)+len(w.PostLogoutRedirectURIs)+len(w.WebOrigins) > 0 {
			return invalid("redirectUris", "M2M applications have no root URL, redirect URIs or web origins")
		}
		return nil
	}
	if w.RootURL != "" {
		if u, ok := absURL(w.RootURL); !ok || u.RawQuery != "" {
			return invalid("rootUrl", "must be an absolute http or https URL without query, fragment or user info")
		}
	}
	for _, l := range []struct {
		field string
		uris  []string
	}{{"redirectUris", w.RedirectURIs}, {"postLogoutRedirectUris", w.PostLogoutRedirectURIs}} {
		if len(l.uris) > MaxURIs {
			return invalid(l.field, "at most 64 URIs")
		}
		for _, u := range l.uris {
			if !validRegistered(w.RootURL, u) {
				return invalid(l.field, "every item must be an absolute http(s) URI without fragment or user info (or a path starting with '/' when rootUrl is set), optionally ending in '/*'")
			}
		}
	}
	if len(w.WebOrigins) > MaxURIs {
		return invalid("webOrigins", "at most 64 origins")
	}
	for _, o := range w.WebOrigins {
		if u, ok := absURL(o); !ok || u.Path != "" || u.RawQuery != "" || strings.HasSuffix(o, "/") {
			return invalid("webOrigins", "every item must be an origin: scheme://host[:port]")
		}
	}
	return nil
}

func validRegistered(root, uri string) bool {
	if len(uri) > MaxURILen || strings.ContainsAny(uri, " \t\r\n\\") {
		return false
	}
	full, ok := resolve(root, uri)
	if !ok {
		return false
	}
	_, ok = absURL(strings.TrimSuffix(full, "*"))
	return ok
}

// absURL parses an absolute http(s) URL without fragment or user info.
func absURL(s string) (*url.URL, bool) {
	if len(s) > MaxURILen {
		return nil, false
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		u.Fragment != "" || strings.Contains(s, "#") || u.Opaque != "" {
		return nil, false
	}
	return u, true
}

// resolve makes a registered URI absolute: a path starting with "/" is appended to
// root (Keycloak's relative redirect URIs); anything else stays as it is.
func resolve(root, uri string) (string, bool) {
	if strings.HasPrefix(uri, "/") && !strings.HasPrefix(uri, "//") {
		if root == "" {
			return "", false
		}
		return strings.TrimRight(root, "/") + uri, true
	}
	return uri, uri != ""
}
