package keys

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"fmt"

	"github.com/gatehouse/gatehouse/internal/accesstoken"
)

// generate makes a new private key for alg.
func generate(alg string) (crypto.Signer, error) {
	switch alg {
	case accesstoken.RS256:
		return rsa.GenerateKey(rand.Reader, 2048)
	case accesstoken.ES256:
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case accesstoken.EdDSA:
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		return priv, err
	}
	return nil, fmt.Errorf("keys: unsupported algorithm %q (want RS256, ES256 or EdDSA)", alg)
}

// kid derives a key id from the public key: lowercase hex of the first 16 bytes of the
// SHA-256 of its PKIX encoding. Stable, unique, reveals nothing, and never starts with
// "-" (base64url ids can, and then read as a flag on a command line).
func kid(pubDER []byte) string {
	sum := sha256.Sum256(pubDER)
	return hex.EncodeToString(sum[:16])
}

func marshal(priv crypto.Signer) (pubDER, privDER []byte, err error) {
	pubDER, err = x509.MarshalPKIXPublicKey(priv.Public())
	if err != nil {
		return nil, nil, err
	}
	privDER, err = x509.MarshalPKCS8PrivateKey(priv)
	return pubDER, privDER, err
}

func parsePrivate(der []byte) (crypto.Signer, error) {
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, err
	}
	s, ok := k.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("keys: stored key of type %T cannot sign", k)
	}
	return s, nil
}
