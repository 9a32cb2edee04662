package keys

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// MasterKeyFile is the file under the data directory that holds a generated master key
// when GATEHOUSE_MASTER_KEY is not set.
const MasterKeyFile = "master.key"

// ErrWrongMasterKey means the database was sealed with another master key. The server
// must refuse to start rather than generate new keys.
var ErrWrongMasterKey = errors.New("keys: the master key does not open this database's keys; refusing to start (check GATEHOUSE_MASTER_KEY or " + MasterKeyFile + ")")

// KEK is the key-encryption key (the master key).
type KEK struct {
	aead cipher.AEAD
	prk  []byte // HMAC key of Derive, itself derived from the master key
}

// NewKEK wraps a 32-byte master key.
func NewKEK(key []byte) (*KEK, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("keys: master key must be 32 bytes, got %d", len(key))
	}
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	g, err := cipher.NewGCM(b)
	if err != nil {
		return nil, err
	}
	m := hmac.New(sha256.New, []byte("gatehouse master key derivation v1"))
	m.Write(key)
	return &KEK{aead: g, prk: m.Sum(nil)}, nil
}

// Derive returns a 32-byte key for one purpose (label), derived from the master key
// (HKDF-Expand with one block, RFC 5869 §2.3): keys for other uses that a copy of the
// database alone cannot recompute.
func (k *KEK) Derive(label string) []byte {
	m := hmac.New(sha256.New, k.prk)
	m.Write([]byte(label))
	m.Write([]byte{1})
	return m.Sum(nil)
}

// ParseMasterKey decodes a master key given as base64 (standard or URL, padded or not)
// or hex; it must hold exactly 32 bytes.
func ParseMasterKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if len(s) == 64 {
		if b, err := hex.DecodeString(s); err == nil {
			return b, nil
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil && len(b) == 32 {
			return b, nil
		}
	}
	return nil, errors.New("keys: master key must be 32 bytes encoded as base64 or hex (e.g. `openssl rand -base64 32`)")
}

// LoadKEK returns the master key from value (GATEHOUSE_MASTER_KEY) when set, else from
// dataDir/master.key, creating that file (mode 0600) with a random key if it does not
// exist. created reports a newly generated key.
func LoadKEK(value, dataDir string) (k *KEK, created bool, err error) {
	if value != "" {
		raw, err := ParseMasterKey(value)
		if err != nil {
			return nil, false, err
		}
		k, err = NewKEK(raw)
		return k, false, err
	}
	path := filepath.Join(dataDir, MasterKeyFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		raw := make([]byte, 32)
		rand.Read(raw)
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, false, fmt.Errorf("keys: create master key file: %w", err)
		}
		_, werr := f.WriteString(base64.StdEncoding.EncodeToString(raw) + "\n")
		serr := f.Sync()
		if cerr := f.Close(); werr == nil && serr == nil {
			werr = cerr
		}
		if werr != nil || serr != nil {
			return nil, false, fmt.Errorf("keys: write master key file: %w", errors.Join(werr, serr))
		}
		k, err = NewKEK(raw)
		return k, true, err
	}
	if err != nil {
		return nil, false, fmt.Errorf("keys: read master key file: %w", err)
	}
	raw, err := ParseMasterKey(string(data))
	if err != nil {
		return nil, false, fmt.Errorf("keys: %s: %w", path, err)
	}
	k, err = NewKEK(raw)
	return k, false, err
}

// Seal encrypts plaintext bound to aad; the nonce is prepended.
func (k *KEK) Seal(plaintext []byte, aad string) []byte {
	nonce := make([]byte, k.aead.NonceSize(), k.aead.NonceSize()+len(plaintext)+k.aead.Overhead())
	rand.Read(nonce)
	return k.aead.Seal(nonce, nonce, plaintext, []byte(aad))
}

// Open decrypts what Seal produced for the same aad.
func (k *KEK) Open(sealed []byte, aad string) ([]byte, error) {
	n := k.aead.NonceSize()
	if len(sealed) < n+k.aead.Overhead() {
		return nil, ErrWrongMasterKey
	}
	pt, err := k.aead.Open(nil, sealed[:n], sealed[n:], []byte(aad))
	if err != nil {
		return nil, ErrWrongMasterKey
	}
	return pt, nil
}

// MetaStore is the part of the store that holds the master-key check value.
type MetaStore interface {
	PutMetaIfAbsent(ctx context.Context, key, value string) (string, error)
}

const checkMeta, checkText = "kek_check", "gatehouse master key check v1"

// Check proves k is the master key the database was first used with: the first call
// stores a sealed check value; later calls must be able to open it.
func (k *KEK) Check(ctx context.Context, s MetaStore) error {
	mine := base64.StdEncoding.EncodeToString(k.Seal([]byte(checkText), checkMeta))
	stored, err := s.PutMetaIfAbsent(ctx, checkMeta, mine)
	if err != nil {
		return fmt.Errorf("keys: store master key check: %w", err)
	}
	raw, err := base64.StdEncoding.DecodeString(stored)
	if err != nil {
		return ErrWrongMasterKey
	}
	pt, err := k.Open(raw, checkMeta)
	if err != nil || string(pt) != checkText {
		return ErrWrongMasterKey
	}
	return nil
}
