package accesstoken

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"math/big"
)

var b64 = base64.RawURLEncoding

// sign returns the compact JWS of the given header and payload JSON.
func sign(k SigningKey, header, payload []byte) (string, error) {
	n := b64.EncodedLen(len(header)) + 1 + b64.EncodedLen(len(payload))
	buf := make([]byte, n, n+1+b64.EncodedLen(512))
	b64.Encode(buf, header)
	buf[b64.EncodedLen(len(header))] = '.'
	b64.Encode(buf[b64.EncodedLen(len(header))+1:], payload)
	gate <- struct{}{} // see gate.go: at most one signature per core, in arrival order
	sig, err := signBytes(k, buf)
	<-gate
	if err != nil {
		return "", err
	}
	buf = append(buf, '.')
	buf = b64.AppendEncode(buf, sig)
	return string(buf), nil
}

func signBytes(k SigningKey, input []byte) ([]byte, error) {
	switch k.Alg {
	case RS256:
		d := sha256.Sum256(input)
		return k.Signer.Sign(rand.Reader, d[:], crypto.SHA256)
	case ES256:
		priv, ok := k.Signer.(*ecdsa.PrivateKey)
		if !ok {
			return nil, errUnsupportedAlg
		}
		d := sha256.Sum256(input)
		r, s, err := ecdsa.Sign(rand.Reader, priv, d[:])
		if err != nil {
			return nil, err
		}
		// RFC 7518 §3.4: R and S as 32-byte big-endian, concatenated.
		out := make([]byte, 64)
		r.FillBytes(out[:32])
		s.FillBytes(out[32:])
		return out, nil
	case EdDSA:
		return k.Signer.Sign(rand.Reader, input, crypto.Hash(0))
	}
	return nil, errUnsupportedAlg
}

// verifySig checks sig over input with key, for the key's own algorithm only.
func verifySig(k PublicKey, input, sig []byte) error {
	switch k.Alg {
	case RS256:
		pub, ok := k.Key.(*rsa.PublicKey)
		if !ok {
			return errUnsupportedAlg
		}
		d := sha256.Sum256(input)
		return rsa.VerifyPKCS1v15(pub, crypto.SHA256, d[:], sig)
	case ES256:
		pub, ok := k.Key.(*ecdsa.PublicKey)
		if !ok || len(sig) != 64 {
			return errBadSignature
		}
		d := sha256.Sum256(input)
		r := new(big.Int).SetBytes(sig[:32])
		s := new(big.Int).SetBytes(sig[32:])
		// ecdsa.Verify rejects r or s of zero or ≥ N (CVE-2022-21449 class).
		if !ecdsa.Verify(pub, d[:], r, s) {
			return errBadSignature
		}
		return nil
	case EdDSA:
		pub, ok := k.Key.(ed25519.PublicKey)
		if !ok || !ed25519.Verify(pub, input, sig) {
			return errBadSignature
		}
		return nil
	}
	return errUnsupportedAlg
}

var errBadSignature = errors.New("accesstoken: bad signature")
