package keys

import (
	"context"
	"slices"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
)

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
