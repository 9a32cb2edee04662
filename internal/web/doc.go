// Package web serves the Gatehouse web console: server-rendered html/template pages
// for the people who manage applications, APIs, users, clusters, the audit trail and
// signing keys, with their CSS and a little plain JavaScript embedded (embed.FS, no
// CDN, no build step).
//
// The console acts through the same domain services as the management API
// (internal/identity, internal/keys, internal/cluster) and mirrors its rules: a user
// whose roles allow reading may read everything, a user whose roles allow changing may
// also change, and every change writes the same audit event the management API
// writes, with the signed-in username as the actor (docs/console.md).
//
// Security (checklist D1-D12): users sign in with their argon2id passwords; sessions
// live on the server, behind a random 256-bit id in an HttpOnly, SameSite=Lax cookie
// (Secure behind TLS), a fresh id at every sign-in, idle and absolute timeouts, and
// sign-out ends them on the server. Cross-origin state changes are refused by
// http.CrossOriginProtection; no GET changes state. Every answer carries a strict
// Content-Security-Policy (no inline script or style) and refuses framing. Failed
// sign-ins are throttled (internal/throttle) and audited. A new client secret is shown
// once: it is held in memory for the one page that shows it, never stored, never in a
// URL or a cookie.
package web
