package keys

import (
	"context"
	"crypto"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gatehouse/gatehouse/internal/accesstoken"
	"github.com/gatehouse/gatehouse/internal/store"
)

// Store is the part of store.Store the key manager uses.
type Store interface {
	ListKeys(ctx context.Context, realm string) ([]store.SigningKey, error)
	UpdateKeys(ctx context.Context, realm string, fn func([]store.SigningKey) ([]store.SigningKey, error)) ([]store.SigningKey, error)
}

// Realm describes what the manager needs to know about a realm's keys.
type Realm struct {
	Name        string
	Issuer      string
	Alg         string
	MaxLifetime time.Duration // longest token lifetime: how long a retired key stays published
}

// Skew is added to a retired key's publication so that resource servers allowing clock
// skew still find it.
const Skew = 60 * time.Second

// ErrNoKey means the realm has no active key (not yet ensured).
var ErrNoKey = errors.New("keys: realm has no active signing key")

// view is the immutable, published state of one realm.
type view struct {
	signer accesstoken.SigningKey
	public map[string]accesstoken.PublicKey
	jwks   []byte
	until  time.Time // earliest PublishUntil among retired keys: rebuild after it
	active time.Time // when the active key became active (key age metric)
}

// Manager keeps every realm's keys. Safe for concurrent use.
type Manager struct {
	store Store
	kek   *KEK
	now   func() time.Time

	mu      sync.Mutex
	realms  map[string]Realm
	views   map[string]*atomic.Pointer[view]
	signers map[string]crypto.Signer // decrypted private keys by kid
	changes sync.Map                 // realm → *atomic.Int64: active key changes loaded (metrics.go)
}

// NewManager returns a manager for the given realms. now may be nil (time.Now).
func NewManager(s Store, kek *KEK, now func() time.Time, realms ...Realm) *Manager {
	if now == nil {
		now = time.Now
	}
	m := &Manager{store: s, kek: kek, now: now, realms: map[string]Realm{},
		views: map[string]*atomic.Pointer[view]{}, signers: map[string]crypto.Signer{}}
	for _, r := range realms {
		m.realms[r.Name] = r
		m.views[r.Name] = new(atomic.Pointer[view])
	}
	return m
}

func (m *Manager) realm(name string) (Realm, *atomic.Pointer[view], error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.realms[name]
	if !ok {
		return Realm{}, nil, fmt.Errorf("keys: unknown realm %q", name)
	}
	return r, m.views[name], nil
}

// Signer returns the realm's active signing key.
func (m *Manager) Signer(realm string) (accesstoken.SigningKey, error) {
	_, p, err := m.realm(realm)
	if err != nil {
		return accesstoken.SigningKey{}, err
	}
	v := p.Load()
	if v == nil {
		return accesstoken.SigningKey{}, ErrNoKey
	}
	return v.signer, nil
}

// JWKS returns the realm's published key set document.
func (m *Manager) JWKS(realm string) ([]byte, error) {
	_, p, err := m.realm(realm)
	if err != nil {
		return nil, err
	}
	v := p.Load()
	if v == nil {
		return nil, ErrNoKey
	}
	return v.jwks, nil
}

// KeySource returns the realm's published keys for in-process verification.
func (m *Manager) KeySource(realm string) accesstoken.KeySource {
	_, p, _ := m.realm(realm)
	return source{p}
}

type source struct{ p *atomic.Pointer[view] }

func (s source) Key(kid string) (accesstoken.PublicKey, bool) {
	if s.p == nil {
		return accesstoken.PublicKey{}, false
	}
	v := s.p.Load()
	if v == nil {
		return accesstoken.PublicKey{}, false
	}
	k, ok := v.public[kid]
	return k, ok
}

// current returns the realm and its stored keys.
func (m *Manager) current(ctx context.Context, realm string) (Realm, []store.SigningKey, error) {
	r, _, err := m.realm(realm)
	if err != nil {
		return Realm{}, nil, err
	}
	ks, err := m.store.ListKeys(ctx, realm)
	return r, ks, err
}

func always([]store.SigningKey) bool { return true }

// Reload rebuilds the realm's view from the store. Replicas call it when the store's
// revision changes, and periodically so retired keys leave the JWKS on time.
func (m *Manager) Reload(ctx context.Context, realm string) error {
	r, p, err := m.realm(realm)
	if err != nil {
		return err
	}
	ks, err := m.store.ListKeys(ctx, realm)
	if err != nil {
		return err
	}
	v, err := m.build(r, ks)
	if err != nil {
		return err
	}
	if old := p.Swap(v); old != nil && old.signer.ID != v.signer.ID {
		m.changed(realm)
	}
	return nil
}

// ReloadAll reloads every realm.
func (m *Manager) ReloadAll(ctx context.Context) error {
	var errs []error
	for _, r := range m.Realms() {
		errs = append(errs, m.Reload(ctx, r.Name))
	}
	return errors.Join(errs...)
}

// Realms lists the configured realms.
func (m *Manager) Realms() []Realm {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Realm, 0, len(m.realms))
	for _, r := range m.realms {
		out = append(out, r)
	}
	return out
}

// Stale reports whether the realm's view holds a retired key past its publication.
func (m *Manager) Stale(realm string) bool {
	_, p, err := m.realm(realm)
	if err != nil {
		return false
	}
	v := p.Load()
	return v == nil || (!v.until.IsZero() && m.now().After(v.until))
}

func (m *Manager) build(r Realm, ks []store.SigningKey) (*view, error) {
	now := m.now()
	v := &view{public: map[string]accesstoken.PublicKey{}}
	set := Set{Keys: []JWK{}}
	ks = sorted(ks)
	for _, k := range ks {
		if k.State == store.KeyRevoked || (k.State == store.KeyRetired && !now.Before(k.PublishUntil)) {
			continue
		}
		pub, err := x509.ParsePKIXPublicKey(k.PublicKey)
		if err != nil {
			return nil, fmt.Errorf("keys: parse public key %s: %w", k.ID, err)
		}
		pk := accesstoken.PublicKey{ID: k.ID, Alg: k.Alg, Issuer: r.Issuer, Key: pub}
		j, err := ToJWK(pk)
		if err != nil {
			return nil, err
		}
		v.public[k.ID] = pk
		set.Keys = append(set.Keys, j)
		if k.State == store.KeyRetired && (v.until.IsZero() || k.PublishUntil.Before(v.until)) {
			v.until = k.PublishUntil
		}
		if k.State == store.KeyActive {
			s, err := m.signer(r.Name, k)
			if err != nil {
				return nil, err
			}
			v.signer = accesstoken.SigningKey{ID: k.ID, Alg: k.Alg, Signer: s}
			v.active = k.ActivatedAt
		}
	}
	if v.signer.Signer == nil {
		return nil, ErrNoKey
	}
	doc, err := json.Marshal(set)
	if err != nil {
		return nil, err
	}
	v.jwks = doc
	return v, nil
}

func (m *Manager) signer(realm string, k store.SigningKey) (crypto.Signer, error) {
	m.mu.Lock()
	s, ok := m.signers[k.ID]
	m.mu.Unlock()
	if ok {
		return s, nil
	}
	der, err := m.kek.Open(k.PrivateKey, aad(realm, k.ID))
	if err != nil {
		return nil, err
	}
	s, err = parsePrivate(der)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	m.signers[k.ID] = s
	m.mu.Unlock()
	return s, nil
}
