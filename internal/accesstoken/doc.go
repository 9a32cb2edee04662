// Package accesstoken mints and verifies Gatehouse's JWT access tokens (RFC 9068 shape,
// Keycloak claim set). It implements compact JWS itself so that one rule holds
// everywhere: the algorithm is a property of the key found by "kid", never chosen by the
// token (RFC 8725 §3.1). Only RS256, ES256 and EdDSA exist; "none", HMAC and any header
// that points at key material (jku, x5u, jwk, x5c) are never honoured.
package accesstoken
