package sqlstore

import (
	"context"
	"database/sql"

	"github.com/gatehouse/gatehouse/internal/store"
)

const keyCols = "realm, id, alg, state, public_key, private_key, created_at, activated_at, retired_at, publish_until"

func scanKey(sc scanner) (store.SigningKey, error) {
	var k store.SigningKey
	var state string
	err := sc.Scan(&k.Realm, &k.ID, &k.Alg, &state, &k.PublicKey, &k.PrivateKey,
		msTime{&k.CreatedAt}, msTime{&k.ActivatedAt}, msTime{&k.RetiredAt}, msTime{&k.PublishUntil})
	k.State = store.KeyState(state)
	k.PublicKey, k.PrivateKey = emptyNil(k.PublicKey), emptyNil(k.PrivateKey)
	return k, err
}

// ListKeys returns realm's signing keys in the order UpdateKeys stored them.
func (s *Store) ListKeys(ctx context.Context, realm string) ([]store.SigningKey, error) {
	ks, err := s.loadKeys(ctx, s.r, realm)
	return ks, wrap("list keys", err)
}

func (s *Store) loadKeys(ctx context.Context, q querier, realm string) ([]store.SigningKey, error) {
	rows, err := q.QueryContext(ctx, s.q("SELECT "+keyCols+" FROM signing_keys WHERE realm = ? ORDER BY pos"), realm)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanKey)
}

// UpdateKeys replaces realm's key set with what fn returns. It locks the realm
// row first (PostgreSQL; on SQLite the database write lock), so that every
// UpdateKeys of the realm, on any replica, runs after the previous one
// committed and sees its keys. The realm must exist.
func (s *Store) UpdateKeys(ctx context.Context, realm string, fn func([]store.SigningKey) ([]store.SigningKey, error)) ([]store.SigningKey, error) {
	load := func(ctx context.Context, tx *sql.Tx) ([]store.SigningKey, error) {
		ok, err := exists(ctx, tx, s.q("SELECT 1 FROM realms WHERE name = ?"+s.d.lockUpdate), realm)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, store.ErrNotFound
		}
		return s.loadKeys(ctx, tx, realm)
	}
	save := func(ctx context.Context, tx *sql.Tx, ks []store.SigningKey) error {
		if _, err := tx.ExecContext(ctx, s.q("DELETE FROM signing_keys WHERE realm = ?"), realm); err != nil {
			return err
		}
		for i, k := range ks {
			_, err := tx.ExecContext(ctx, s.q(`INSERT INTO signing_keys (pos, `+keyCols+`)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
				i, realm, k.ID, k.Alg, string(k.State), blob(k.PublicKey), blob(k.PrivateKey),
				ms(k.CreatedAt), ms(k.ActivatedAt), ms(k.RetiredAt), ms(k.PublishUntil))
			if err != nil {
				return err
			}
		}
		return nil
	}
	return update(ctx, s, "update keys", load, fn, save)
}
