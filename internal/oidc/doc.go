// Package oidc is Gatehouse's OpenID Provider for people, at Keycloak's paths under
// /auth/realms/{realm}/protocol/openid-connect/: the authorization endpoint (auth), the
// login page and its single sign-on cookie, the authorization_code exchange behind the
// token endpoint (package oauth dispatches to Provider.Exchange), userinfo and
// RP-initiated logout, with CORS for public clients' web origins.
//
// It is protocol code: who a user is, which applications and redirect URIs are
// registered, when a session ends and how a code is redeemed are rules of package
// identity, which this package only carries over HTTP. Each endpoint parses its input
// with a pure function (ParseAuthorize), asks identity, and renders the answer.
package oidc
