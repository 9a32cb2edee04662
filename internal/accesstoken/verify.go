package accesstoken

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"time"
)

// MaxTokenSize bounds the work done on a presented token (checklist C19).
const MaxTokenSize = 8 << 10

// KeySource finds a verification key by kid. Implementations may refresh a remote key
// set on a miss, at a bounded rate.
type KeySource interface {
	Key(kid string) (PublicKey, bool)
}

// Error is a verification failure. Reason is safe to show to the caller: it never
// quotes the token.
type Error struct{ Reason string }

func (e *Error) Error() string { return "accesstoken: " + e.Reason }

func fail(reason string) error { return &Error{Reason: reason} }

// Verification failures callers may test for with errors.Is.
var (
	ErrExpired = &Error{Reason: "token expired"}
)

// Is makes errors.Is match errors with the same reason.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Reason == e.Reason
}

// Verifier checks tokens of one issuer.
type Verifier struct {
	Issuer string
	Keys   KeySource
	Leeway time.Duration    // clock skew allowed on exp, nbf, iat
	Now    func() time.Time // nil: time.Now
	// AnyAudience skips the audience check: userinfo and introspection accept every
	// token the realm issued to a person, whatever its audience (as Keycloak does).
	AnyAudience bool
}

type rawHeader struct {
	Alg  string          `json:"alg"`
	Typ  string          `json:"typ"`
	Kid  string          `json:"kid"`
	Crit json.RawMessage `json:"crit"`
}

// Verify parses token, checks its signature with the key its kid names (whose algorithm
// must equal the header's), its type, issuer, lifetime and that "aud" holds one of
// audiences. It returns the claims only when every check passes (RFC 9068 §4).
func (v *Verifier) Verify(token string, audiences ...string) (*Claims, error) {
	pb, err := v.VerifySignature(token)
	if err != nil {
		return nil, err
	}
	var c Claims
	dec := json.NewDecoder(bytes.NewReader(pb))
	if hasDuplicateKeys(pb) || dec.Decode(&c) != nil {
		return nil, fail("malformed token claims")
	}
	if err := v.checkClaims(&c, audiences); err != nil {
		return nil, err
	}
	return &c, nil
}

// VerifySignature checks a compact JWS of this issuer (header, type, algorithm, key,
// signature) and returns its payload, unchecked: for tokens that are not access
// tokens, such as an ID token given back as a logout hint.
func (v *Verifier) VerifySignature(token string) ([]byte, error) {
	if len(token) > MaxTokenSize {
		return nil, fail("token too large")
	}
	d1 := strings.IndexByte(token, '.')
	if d1 < 0 {
		return nil, fail("malformed token")
	}
	d2 := strings.IndexByte(token[d1+1:], '.')
	if d2 < 0 {
		return nil, fail("malformed token")
	}
	d2 += d1 + 1
	if strings.IndexByte(token[d2+1:], '.') >= 0 {
		return nil, fail("malformed token")
	}
	enc := b64.Strict()
	hb, err1 := enc.DecodeString(token[:d1])
	pb, err2 := enc.DecodeString(token[d1+1 : d2])
	sig, err3 := enc.DecodeString(token[d2+1:])
	if err1 != nil || err2 != nil || err3 != nil || len(sig) == 0 {
		return nil, fail("malformed token")
	}
	var h rawHeader
	if hasDuplicateKeys(hb) || json.Unmarshal(hb, &h) != nil {
		return nil, fail("malformed token header")
	}
	if h.Crit != nil {
		return nil, fail("unsupported critical header")
	}
	if !typOK(h.Typ) {
		return nil, fail("wrong token type")
	}
	if !Supported(h.Alg) || h.Kid == "" {
		return nil, fail("unsupported algorithm or missing key id")
	}
	k, ok := v.Keys.Key(h.Kid)
	if !ok {
		return nil, fail("unknown signing key")
	}
	if k.Alg != h.Alg || k.Issuer != v.Issuer {
		return nil, fail("key does not match token")
	}
	if verifySig(k, []byte(token[:d2]), sig) != nil {
		return nil, fail("invalid signature")
	}
	return pb, nil
}

func typOK(t string) bool {
	return strings.EqualFold(t, TypeJWT) || strings.EqualFold(t, TypeAtJWT) ||
		strings.EqualFold(t, "application/at+jwt")
}

func (v *Verifier) checkClaims(c *Claims, audiences []string) error {
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	t := now().Unix()
	skew := int64(v.Leeway / time.Second)
	switch {
	case c.Type != "Bearer":
		return fail("wrong token type")
	case c.Issuer != v.Issuer:
		return fail("wrong issuer")
	case c.ExpiresAt == 0 || c.IssuedAt == 0 || c.ID == "" || c.Subject == "" || c.ClientID == "":
		return fail("missing required claim")
	case t > int64(c.ExpiresAt)+skew:
		return ErrExpired
	case int64(c.IssuedAt) > t+skew || int64(c.NotBefore) > t+skew:
		return fail("token not yet valid")
	case !v.AnyAudience && !c.Audience.Contains(audiences...):
		return fail("wrong audience")
	}
	return nil
}

// IsVerification reports whether err is a token verification failure (as opposed to an
// internal problem).
func IsVerification(err error) bool {
	var e *Error
	return errors.As(err, &e)
}
