// Package client is Gatehouse's Go SDK: a token source that caches and refreshes
// client_credentials tokens, and typed clients for the management API, the
// Administration API and the Web Modeler API.
//
// The token source computes expiry from the token's own "exp" claim (not the time of the
// request), refreshes a configurable threshold before it, shares one in-flight request
// among all callers, and backs off after failures. It satisfies
// golang.org/x/oauth2.TokenSource through OAuth2.
//
// The typed clients share one shape: New… takes the base URL of the listener that
// serves the API, a *TokenSource and options; every method takes a context first and
// answers the API's objects as plain structs. Errors answered by an API are *Error
// (the RFC 9457 problem details, status, title, detail), to be inspected with
// errors.As or compared with errors.Is and ErrNotFound, ErrConflict, …; errors of the
// token endpoint are *TokenError.
//
//   - Management (identity listener, default :18080): applications and their secrets
//     and permissions, APIs, users and roles, clusters, signing keys, audit trail.
//   - Admin (console listener, default :8080): clusters with live health, usage metrics.
//   - Modeler (modeler listener, default :8070): projects, collaborators, folders,
//     files, milestones, versions and their searches.
package client
