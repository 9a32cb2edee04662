package accesstoken

import (
	"encoding/json"
)

// Header types a token may carry. Keycloak consumers expect "JWT"; RFC 9068 names
// "at+jwt".
const (
	TypeJWT   = "JWT"
	TypeAtJWT = "at+jwt"
)

type header struct {
	Alg string `json:"alg"`
	Typ string `json:"typ"`
	Kid string `json:"kid"`
}

// Mint signs c with k. typ is the JOSE header type (TypeJWT or TypeAtJWT).
func Mint(k SigningKey, typ string, c *Claims) (string, error) {
	h, err := json.Marshal(header{Alg: k.Alg, Typ: typ, Kid: k.ID})
	if err != nil {
		return "", err
	}
	p, err := json.Marshal(c)
	if err != nil {
		return "", err
	}
	return sign(k, h, p)
}

// MintJSON signs any JSON payload with k: ID tokens, whose claims are not an access
// token's. typ is the JOSE header type.
func MintJSON(k SigningKey, typ string, payload any) (string, error) {
	h, err := json.Marshal(header{Alg: k.Alg, Typ: typ, Kid: k.ID})
	if err != nil {
		return "", err
	}
	p, err := json.Marshal(payload)
	if err != nil {
		return "", err
	}
	return sign(k, h, p)
}
