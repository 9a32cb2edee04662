package identity

import (
	"net"
	"net/url"
	"strings"

	"github.com/gatehouse/gatehouse/internal/store"
)

// MatchRedirect reports whether uri, as a client sent it, is one of the redirect URIs
// registered in w (uris: w.RedirectURIs or w.PostLogoutRedirectURIs). It is pure.
//
//   - Exact match of scheme, host, port, path and query (RFC 9700 §4.1.3), after a
//     relative registered URI is resolved against the root URL.
//   - A registered URI ending in "/*" allows that path and its sub-paths only, with any
//     query (Keycloak's wildcard; a risk: every page under the path can receive codes).
//   - A PUBLIC client's loopback URI (http://127.0.0.1, http://[::1], http://localhost)
//     matches on any port (RFC 8252 §7.3); a confidential client's never does.
//
// A requested URI with a fragment, user info, a backslash, dot segments or encoded
// slashes or dots never matches.
func MatchRedirect(typ, root string, uris []string, uri string) bool {
	req, ok := absURL(uri)
	if !ok || strings.ContainsAny(uri, "\\ \t\r\n") || hasDotSegment(req) {
		return false
	}
	for _, reg := range uris {
		full, ok := resolve(root, reg)
		if !ok {
			continue
		}
		if matchOne(typ, full, req) {
			return true
		}
	}
	return false
}

// MatchAppRedirect is MatchRedirect over an application's redirect URIs.
func MatchAppRedirect(a store.Application, uri string) bool {
	return MatchRedirect(a.Type, a.Web.RootURL, a.Web.RedirectURIs, uri)
}

// MatchAppLogoutRedirect is MatchRedirect over an application's post-logout URIs.
func MatchAppLogoutRedirect(a store.Application, uri string) bool {
	return MatchRedirect(a.Type, a.Web.RootURL, a.Web.PostLogoutRedirectURIs, uri)
}

func matchOne(typ, reg string, req *url.URL) bool {
	wild := strings.HasSuffix(reg, "/*")
	r, ok := absURL(strings.TrimSuffix(reg, "*"))
	if !ok {
		return false
	}
	if !strings.EqualFold(r.Scheme, req.Scheme) || !strings.EqualFold(r.Hostname(), req.Hostname()) {
		return false
	}
	if !(typ == AppPublic && r.Scheme == "http" && loopback(r.Hostname())) && port(r) != port(req) {
		return false
	}
	if wild {
		base := strings.TrimSuffix(r.EscapedPath(), "/")
		p := req.EscapedPath()
		return p == base || strings.HasPrefix(p, base+"/")
	}
	return r.EscapedPath() == req.EscapedPath() && r.RawQuery == req.RawQuery && r.ForceQuery == req.ForceQuery
}

func port(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if u.Scheme == "https" {
		return "443"
	}
	return "80"
}

// loopback is an IP loopback literal or "localhost" (RFC 8252 §7.3 prefers the
// literal; native apps commonly register localhost).
func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// hasDotSegment refuses paths that a browser or proxy could normalise into another
// path than the one compared: "." and ".." segments, encoded dots or slashes.
func hasDotSegment(u *url.URL) bool {
	p := strings.ToLower(u.EscapedPath())
	if strings.Contains(p, "%2e") || strings.Contains(p, "%2f") || strings.Contains(p, "%5c") || strings.Contains(p, "//") {
		return true
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == "." || seg == ".." {
			return true
		}
	}
	return false
}
