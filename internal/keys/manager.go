package keys

import (
	"context"
	"crypto"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
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

// Ensure gives the realm an active key of its algorithm if it has none (or if the
// configured algorithm changed), then loads the realm's view.
func (m *Manager) Ensure(ctx context.Context, realm string) error {
	r, ks, err := m.current(ctx, realm)
	if err != nil {
		return err
	}
	if a, ok := find(ks, store.KeyActive); !ok || a.Alg != r.Alg {
		// Only the active key now: the next one is made in the background (EnsureNext),
		// so a first start does not wait for two RSA key generations.
		// The condition is checked again inside the serialized update: a replica starting
		// at the same moment may have made the key already.
		missing := func(ks []store.SigningKey) bool {
			a, ok := find(ks, store.KeyActive)
			return !ok || a.Alg != r.Alg
		}
		if err := m.rotate(ctx, r, missing, "", false); err != nil {
			return err
		}
	}
	return m.Reload(ctx, realm)
}

// EnsureNext generates the realm's next key if it has none, so that the next rotation
// promotes a key that has already been published.
func (m *Manager) EnsureNext(ctx context.Context, realm string) error {
	r, ks, err := m.current(ctx, realm)
	if err != nil {
		return err
	}
	if n, ok := find(ks, store.KeyNext); ok && n.Alg == r.Alg {
		return nil
	}
	fresh, err := m.newKey(r, store.KeyNext)
	if err != nil {
		return err
	}
	_, err = m.store.UpdateKeys(ctx, realm, func(old []store.SigningKey) ([]store.SigningKey, error) {
		if n, ok := find(old, store.KeyNext); ok && n.Alg == r.Alg {
			return old, nil
		}
		out := slices.DeleteFunc(slices.Clone(old), func(k store.SigningKey) bool { return k.State == store.KeyNext })
		return append(out, fresh), nil
	})
	if err != nil {
		return err
	}
	return m.Reload(ctx, realm)
}

// Rotate makes the next key active (generating one if there is none) and retires the
// active key; a new next key is generated and published.
func (m *Manager) Rotate(ctx context.Context, realm string) error {
	r, _, err := m.realm(realm)
	if err != nil {
		return err
	}
	if err := m.rotate(ctx, r, always, "", true); err != nil {
		return err
	}
	return m.Reload(ctx, realm)
}

// RotateIfDue rotates when the active key has been active for at least every. Replicas
// may call it concurrently: the check runs inside the serialized key update.
func (m *Manager) RotateIfDue(ctx context.Context, realm string, every time.Duration) (bool, error) {
	r, _, err := m.realm(realm)
	if err != nil {
		return false, err
	}
	due := func(ks []store.SigningKey) bool {
		a, ok := find(ks, store.KeyActive)
		return !ok || !m.now().Before(a.ActivatedAt.Add(every))
	}
	ks, err := m.store.ListKeys(ctx, realm)
	if err != nil || !due(ks) {
		return false, err
	}
	if err := m.rotate(ctx, r, due, "", true); err != nil {
		return false, err
	}
	return true, m.Reload(ctx, realm)
}

// Revoke withdraws key kid at once: it leaves the JWKS and verifies nothing more. If it
// was the active key, the next key takes over immediately.
func (m *Manager) Revoke(ctx context.Context, realm, kid string) error {
	r, ks, err := m.current(ctx, realm)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(ks, func(k store.SigningKey) bool { return k.ID == kid && k.State != store.KeyRevoked })
	if i < 0 {
		return store.ErrNotFound
	}
	err = m.rotate(ctx, r, func(ks []store.SigningKey) bool {
		a, ok := find(ks, store.KeyActive)
		return ok && a.ID == kid
	}, kid, true)
	if err != nil {
		return err
	}
	return m.Reload(ctx, realm)
}

// rotate runs one serialized key update: if cond holds on the current set, the active
// key retires and the next key (or a fresh one, if there is none) becomes active.
// withNext adds a fresh next key in the same update; revoke, if set, names a key to mark
// revoked. Keys are generated before the update (RSA generation is slow) and only when
// the stored set shows they will be needed.
func (m *Manager) rotate(ctx context.Context, r Realm, cond func([]store.SigningKey) bool, revoke string, withNext bool) error {
	ks, err := m.store.ListKeys(ctx, r.Name)
	if err != nil {
		return err
	}
	var fresh, nextN *store.SigningKey
	if n, ok := find(ks, store.KeyNext); !ok || n.Alg != r.Alg || n.ID == revoke {
		k, err := m.newKey(r, store.KeyActive)
		if err != nil {
			return err
		}
		fresh = &k
	}
	if withNext {
		k, err := m.newKey(r, store.KeyNext)
		if err != nil {
			return err
		}
		nextN = &k
	}
	_, err = m.store.UpdateKeys(ctx, r.Name, func(old []store.SigningKey) ([]store.SigningKey, error) {
		now := m.now().UTC()
		ks := slices.Clone(old)
		for i := range ks {
			if ks[i].ID == revoke && ks[i].State != store.KeyRevoked {
				ks[i].State, ks[i].RetiredAt, ks[i].PublishUntil = store.KeyRevoked, now, now
			}
		}
		if !cond(old) {
			if _, ok := find(ks, store.KeyNext); !ok && nextN != nil {
				ks = append(ks, *nextN)
			}
			return gc(ks, now), nil
		}
		promoted := false
		for i := range ks {
			switch ks[i].State {
			case store.KeyActive:
				ks[i].State, ks[i].RetiredAt = store.KeyRetired, now
				ks[i].PublishUntil = now.Add(r.MaxLifetime + Skew)
			case store.KeyNext:
				if ks[i].Alg == r.Alg && !promoted {
					ks[i].State, ks[i].ActivatedAt, promoted = store.KeyActive, now, true
				} else {
					ks[i].State, ks[i].RetiredAt, ks[i].PublishUntil = store.KeyRetired, now, now
				}
			}
		}
		if !promoted {
			if fresh == nil { // another writer consumed the next key since we looked
				k, err := m.newKey(r, store.KeyActive)
				if err != nil {
					return nil, err
				}
				fresh = &k
			}
			a := *fresh
			a.ActivatedAt = now
			ks = append(ks, a)
		}
		if nextN != nil {
			ks = append(ks, *nextN)
		}
		return gc(ks, now), nil
	})
	return err
}

// gc drops keys that are no longer published and no longer worth listing: retired and
// revoked keys a day after they left the JWKS.
func gc(ks []store.SigningKey, now time.Time) []store.SigningKey {
	return slices.DeleteFunc(ks, func(k store.SigningKey) bool {
		return (k.State == store.KeyRetired || k.State == store.KeyRevoked) && now.After(k.PublishUntil.Add(24*time.Hour))
	})
}

func (m *Manager) newKey(r Realm, state store.KeyState) (store.SigningKey, error) {
	priv, err := generate(r.Alg)
	if err != nil {
		return store.SigningKey{}, err
	}
	pubDER, privDER, err := marshal(priv)
	if err != nil {
		return store.SigningKey{}, err
	}
	id := kid(pubDER)
	now := m.now().UTC()
	m.mu.Lock()
	m.signers[id] = priv
	m.mu.Unlock()
	return store.SigningKey{ID: id, Realm: r.Name, Alg: r.Alg, State: state, PublicKey: pubDER,
		PrivateKey: m.kek.Seal(privDER, aad(r.Name, id)), CreatedAt: now, ActivatedAt: activation(state, now)}, nil
}

func activation(s store.KeyState, now time.Time) time.Time {
	if s == store.KeyActive {
		return now
	}
	return time.Time{}
}

func aad(realm, kid string) string { return "signing-key/" + realm + "/" + kid }

func find(ks []store.SigningKey, s store.KeyState) (store.SigningKey, bool) {
	for _, k := range ks {
		if k.State == s {
			return k, true
		}
	}
	return store.SigningKey{}, false
}

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
	p.Store(v)
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

// Info describes a key for listings; it holds no private material.
type Info struct {
	ID           string    `json:"kid"`
	Alg          string    `json:"alg"`
	State        string    `json:"state"`
	CreatedAt    time.Time `json:"createdAt"`
	ActivatedAt  time.Time `json:"activatedAt,omitzero"`
	RetiredAt    time.Time `json:"retiredAt,omitzero"`
	PublishUntil time.Time `json:"publishUntil,omitzero"`
}

// List returns the realm's keys, active first.
func (m *Manager) List(ctx context.Context, realm string) ([]Info, error) {
	ks, err := m.store.ListKeys(ctx, realm)
	if err != nil {
		return nil, err
	}
	ks = sorted(ks)
	out := make([]Info, len(ks))
	for i, k := range ks {
		out[i] = Info{ID: k.ID, Alg: k.Alg, State: string(k.State), CreatedAt: k.CreatedAt,
			ActivatedAt: k.ActivatedAt, RetiredAt: k.RetiredAt, PublishUntil: k.PublishUntil}
	}
	return out, nil
}

var stateRank = map[store.KeyState]int{store.KeyActive: 0, store.KeyNext: 1, store.KeyRetired: 2, store.KeyRevoked: 3}

// sorted returns ks in a stable order: active first, then next, retired, revoked;
// newest first within a state.
func sorted(ks []store.SigningKey) []store.SigningKey {
	ks = slices.Clone(ks)
	slices.SortStableFunc(ks, func(a, b store.SigningKey) int {
		if d := stateRank[a.State] - stateRank[b.State]; d != 0 {
			return d
		}
		return b.CreatedAt.Compare(a.CreatedAt)
	})
	return ks
}
