package accesstoken

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"errors"
	"fmt"
)

// Algorithms on the allow-list.
const (
	RS256 = "RS256"
	ES256 = "ES256"
	EdDSA = "EdDSA"
)

// Supported reports whether alg is on the allow-list.
func Supported(alg string) bool { return alg == RS256 || alg == ES256 || alg == EdDSA }

// PublicKey binds a verification key to its algorithm and issuer (RFC 8725 §3.1; a key
// verifies tokens of one issuer only).
type PublicKey struct {
	ID     string
	Alg    string
	Issuer string
	Key    crypto.PublicKey
}

// SigningKey is the private half used to mint tokens.
type SigningKey struct {
	ID     string
	Alg    string
	Signer crypto.Signer
}

// CheckKeyAlg reports an error unless key is of the type alg requires
// (RSA ≥ 2048 bits for RS256, P-256 for ES256, Ed25519 for EdDSA).
func CheckKeyAlg(alg string, key crypto.PublicKey) error {
	switch k := key.(type) {
	case *rsa.PublicKey:
		if alg == RS256 && k.N.BitLen() >= 2048 {
			return nil
		}
	case *ecdsa.PublicKey:
		if alg == ES256 && k.Curve == elliptic.P256() {
			return nil
		}
	case ed25519.PublicKey:
		if alg == EdDSA && len(k) == ed25519.PublicKeySize {
			return nil
		}
	}
	return fmt.Errorf("accesstoken: key of type %T does not fit algorithm %q", key, alg)
}

var errUnsupportedAlg = errors.New("accesstoken: unsupported algorithm")
