// Package oauth serves the authorization server's endpoints: the client_credentials
// token endpoint (Keycloak's realm path and the SaaS-style /oauth/token), client
// authentication (RFC 6749 §2.3), and the RFC 6749 §5.2 error answers.
//
// Each endpoint is split into Parse (bytes → request, pure), the decision (domain calls)
// and Respond (one function writes every answer), so table tests can drive the parser
// without HTTP.
package oauth
