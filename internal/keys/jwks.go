package keys

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"

	"github.com/gatehouse/gatehouse/internal/accesstoken"
)

// JWK is a public JSON Web Key (RFC 7517) as Gatehouse publishes it: public members only.
type JWK struct {
	Kty string `json:"kty"`
	Use string `json:"use"`
	Alg string `json:"alg"`
	Kid string `json:"kid"`
	N   string `json:"n,omitempty"`
	E   string `json:"e,omitempty"`
	Crv string `json:"crv,omitempty"`
	X   string `json:"x,omitempty"`
	Y   string `json:"y,omitempty"`
}

// Set is a JWKS document.
type Set struct {
	Keys []JWK `json:"keys"`
}

var b64 = base64.RawURLEncoding

// ToJWK renders a public key.
func ToJWK(k accesstoken.PublicKey) (JWK, error) {
	j := JWK{Use: "sig", Alg: k.Alg, Kid: k.ID}
	switch p := k.Key.(type) {
	case *rsa.PublicKey:
		j.Kty, j.N, j.E = "RSA", b64.EncodeToString(p.N.Bytes()), b64.EncodeToString(big.NewInt(int64(p.E)).Bytes())
	case *ecdsa.PublicKey:
		ecdh, err := p.ECDH()
		if err != nil {
			return JWK{}, err
		}
		raw := ecdh.Bytes() // 0x04 || X || Y
		j.Kty, j.Crv, j.X, j.Y = "EC", "P-256", b64.EncodeToString(raw[1:33]), b64.EncodeToString(raw[33:])
	case ed25519.PublicKey:
		j.Kty, j.Crv, j.X = "OKP", "Ed25519", b64.EncodeToString(p)
	default:
		return JWK{}, errors.New("keys: unsupported public key type")
	}
	return j, nil
}

// ParseSet reads a JWKS fetched from issuer. Keys that are not signature keys of an
// allowed algorithm are skipped; every returned key is bound to issuer.
func ParseSet(data []byte, issuer string) ([]accesstoken.PublicKey, error) {
	var s Set
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, err
	}
	var out []accesstoken.PublicKey
	for _, j := range s.Keys {
		if j.Kid == "" || (j.Use != "" && j.Use != "sig") || !accesstoken.Supported(j.Alg) {
			continue
		}
		pub, err := fromJWK(j)
		if err != nil || accesstoken.CheckKeyAlg(j.Alg, pub) != nil {
			continue
		}
		out = append(out, accesstoken.PublicKey{ID: j.Kid, Alg: j.Alg, Issuer: issuer, Key: pub})
	}
	return out, nil
}

func fromJWK(j JWK) (any, error) {
	dec := func(s string) []byte { b, _ := b64.DecodeString(s); return b }
	switch j.Kty {
	case "RSA":
		n, e := dec(j.N), dec(j.E)
		if len(n) == 0 || len(e) == 0 || len(e) > 4 {
			return nil, errors.New("bad RSA key")
		}
		return &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}, nil
	case "EC":
		x, y := dec(j.X), dec(j.Y)
		if j.Crv != "P-256" || len(x) != 32 || len(y) != 32 {
			return nil, errors.New("bad EC key")
		}
		raw := append(append([]byte{4}, x...), y...)
		return ecdsa.ParseUncompressedPublicKey(elliptic.P256(), raw)
	case "OKP":
		x := dec(j.X)
		if j.Crv != "Ed25519" || len(x) != ed25519.PublicKeySize {
			return nil, errors.New("bad OKP key")
		}
		return ed25519.PublicKey(x), nil
	}
	return nil, errors.New("unsupported key type")
}
