package identity

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// SecretPrefix marks secrets Gatehouse generated, so secret scanners can find leaks.
const SecretPrefix = "gh_cs_"

// GenerateSecret returns a new client secret carrying 256 bits of entropy.
func GenerateSecret() string {
	b := make([]byte, 32)
	rand.Read(b)
	return SecretPrefix + base64.RawURLEncoding.EncodeToString(b)
}

// IsGeneratedSecret reports whether secret has the form GenerateSecret gives: the
// prefix and 32 bytes in unpadded base64url. Such a secret, declared or imported
// (copied from another Gatehouse), is stored like a generated one.
func IsGeneratedSecret(secret string) bool {
	rest, ok := strings.CutPrefix(secret, SecretPrefix)
	if !ok || len(rest) != 43 {
		return false
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(rest)
	return err == nil && len(b) == 32
}

// digestGenerated is the stored verifier of a generated secret: a domain-separated
// SHA-256. A password-grade KDF adds nothing for 256-bit secrets (checklist §5.3).
func digestGenerated(secret string) []byte {
	h := sha256.New()
	h.Write([]byte("gatehouse client secret v1\x00"))
	h.Write([]byte(secret))
	return h.Sum(nil)
}

// Argon2id parameters for operator-chosen secrets and user passwords (OWASP 2024
// minimum: m=19 MiB, t=2, p=1).
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
)

// HashPassword returns an argon2id PHC string for a low-entropy secret or password.
func HashPassword(pw string) string {
	salt := make([]byte, 16)
	rand.Read(salt)
	sum := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(sum))
}

var errBadHash = errors.New("identity: malformed password hash")

// DummyPasswordHash is a valid argon2id hash with the same parameters as real ones, of a
// password nobody uses. Checking a password against it costs what a real check costs, so
// an unknown username answers as slowly as a known one, without hashing at start-up.
const DummyPasswordHash = "$argon2id$v=19$m=19456,t=2,p=1$BV4CWYsY1kaEFl7fU4yLvA$B0zp4oqFKMQFTKWwzjzRZhM8nlPslhv1xGHmjGLaZf0"

// CheckPassword verifies pw against an argon2id PHC string in constant time.
func CheckPassword(phc, pw string) (bool, error) {
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errBadHash
	}
	var v int
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return false, errBadHash
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m > 1<<20 || t > 16 || p == 0 {
		return false, errBadHash
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false, errBadHash
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}
