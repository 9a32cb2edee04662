package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
)

const realmCols = "name, organization, signing_alg, token_lifetime_ms, created_at"

func scanRealm(sc scanner) (store.Realm, error) {
	var r store.Realm
	var lifetime int64
	err := sc.Scan(&r.Name, &r.Organization, &r.SigningAlg, &lifetime, msTime{&r.CreatedAt})
	r.TokenLifetime = time.Duration(lifetime) * time.Millisecond
	return r, err
}

// CreateRealm stores a new realm; its name is the key.
func (s *Store) CreateRealm(ctx context.Context, r store.Realm) error {
	return s.write(ctx, "create realm", func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q("INSERT INTO realms ("+realmCols+") VALUES (?, ?, ?, ?, ?)"),
			r.Name, r.Organization, r.SigningAlg, durMS(r.TokenLifetime), ms(r.CreatedAt))
		if err != nil {
			return err
		}
		return s.bump(ctx, tx)
	})
}

// GetRealm returns the realm called name.
func (s *Store) GetRealm(ctx context.Context, name string) (store.Realm, error) {
	return guarded(ctx, s, false, func(ctx context.Context) (store.Realm, error) {
		r, err := scanRealm(s.r.QueryRowContext(ctx, s.q("SELECT "+realmCols+" FROM realms WHERE name = ?"), name))
		if err != nil {
			return store.Realm{}, wrap("get realm", err)
		}
		return r, nil
	})
}

// ListRealms returns every realm ordered by name.
func (s *Store) ListRealms(ctx context.Context) ([]store.Realm, error) {
	return guarded(ctx, s, false, func(ctx context.Context) ([]store.Realm, error) {
		rows, err := s.r.QueryContext(ctx, s.q("SELECT "+realmCols+" FROM realms ORDER BY name"))
		if err != nil {
			return nil, wrap("list realms", err)
		}
		rs, err := collect(rows, scanRealm)
		return rs, wrap("list realms", err)
	})
}

// UpdateRealm changes a realm in one transaction; the name cannot change.
func (s *Store) UpdateRealm(ctx context.Context, name string, fn func(store.Realm) (store.Realm, error)) (store.Realm, error) {
	load := func(ctx context.Context, tx *sql.Tx) (store.Realm, error) {
		return scanRealm(tx.QueryRowContext(ctx, s.q("SELECT "+realmCols+" FROM realms WHERE name = ?"+s.d.lockUpdate), name))
	}
	save := func(ctx context.Context, tx *sql.Tx, r store.Realm) error {
		_, err := tx.ExecContext(ctx, s.q(`UPDATE realms SET organization = ?, signing_alg = ?,
			token_lifetime_ms = ?, created_at = ? WHERE name = ?`),
			r.Organization, r.SigningAlg, durMS(r.TokenLifetime), ms(r.CreatedAt), name)
		return err
	}
	return update(ctx, s, "update realm", load, fn, save)
}

// collect scans every row with scan and closes rows.
func collect[T any](rows *sql.Rows, scan func(scanner) (T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// exists reports whether query finds a row.
func exists(ctx context.Context, q querier, query string, args ...any) (bool, error) {
	var one int
	err := q.QueryRowContext(ctx, query, args...).Scan(&one)
	switch err {
	case nil:
		return true, nil
	case sql.ErrNoRows:
		return false, nil
	}
	return false, err
}
