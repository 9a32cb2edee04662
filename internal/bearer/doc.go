// Package bearer is the resource side of Gatehouse's tokens, shared by every resource
// API (Administration API, Web Modeler API, management API). It takes the token from the
// Authorization header (RFC 6750 §2.1 only), verifies it through accesstoken (in-process
// key set or a remote issuer's JWKS), applies the deny-list, checks the API's audience
// and permissions, and answers failures per RFC 6750 §3:
//
//	no token             → 401, WWW-Authenticate: Bearer realm="…" (no error code)
//	bad token            → 401, WWW-Authenticate: Bearer realm="…", error="invalid_token"
//	malformed request    → 400, error="invalid_request"
//	missing permission   → 403, error="insufficient_scope", scope="…"
//
// Only the Authorization header carries a token: a token in the query or a form body is
// ignored on its own and refused (400) next to a header (RFC 9700 §4.3.2, RFC 6750 §2).
// Verified tokens are cached by their SHA-256 digest until exp, so a repeated token
// costs no signature check; the deny-list is consulted on every request. Remote is the
// key source of a remote issuer (--issuer-url): discovery, then jwks_uri, refreshed on an
// unknown kid at most once per interval.
//
// The resource APIs know the identity side only through this package.
package bearer
