// Package keys owns realm signing keys: generation (RS256, ES256, EdDSA), encryption at
// rest under the master key (AES-256-GCM), the life cycle next → active → retired
// (or revoked), scheduled and on-demand rotation, and the JWKS each realm publishes.
//
// A realm always has exactly one active key. The next key is published before it signs;
// a retired key stays published until every token it signed has expired plus the clock
// skew. The in-memory view used on the hot path is swapped atomically on reload.
package keys
