package sqlstore

import (
	"context"
	"database/sql"

	"github.com/gatehouse/gatehouse/internal/store"
)

const apiCols = "id, realm, name, audience, aliases, permissions, preset, created_at, updated_at"

// permissionJSON fixes the stored field names of store.Permission.
type permissionJSON struct {
	Definition  string `json:"definition"`
	Description string `json:"description,omitempty"`
}

func scanAPI(sc scanner) (store.API, error) {
	var a store.API
	var perms []permissionJSON
	err := sc.Scan(&a.ID, &a.Realm, &a.Name, &a.Audience, jsonCol{&a.Aliases}, jsonCol{&perms}, &a.Preset,
		msTime{&a.CreatedAt}, msTime{&a.UpdatedAt})
	for _, p := range perms {
		a.Permissions = append(a.Permissions, store.Permission(p))
	}
	return a, err
}

func apiArgs(a store.API) ([]any, error) {
	aliases, err := jsonList(a.Aliases)
	if err != nil {
		return nil, err
	}
	ps := make([]permissionJSON, len(a.Permissions))
	for i, p := range a.Permissions {
		ps[i] = permissionJSON(p)
	}
	perms, err := jsonList(ps)
	if err != nil {
		return nil, err
	}
	return []any{a.Name, a.Audience, aliases, perms, a.Preset, ms(a.CreatedAt), ms(a.UpdatedAt)}, nil
}

// CreateAPI stores a new API; its audience is unique in the realm.
func (s *Store) CreateAPI(ctx context.Context, a store.API) error {
	args, err := apiArgs(a)
	if err != nil {
		return wrap("create api", err)
	}
	return s.write(ctx, "create api", func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO apis (id, realm, name, audience, aliases, permissions, preset,
			created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`), append([]any{a.ID, a.Realm}, args...)...)
		if err != nil {
			return err
		}
		return s.bump(ctx, tx)
	})
}

// GetAPI returns an API of realm by id.
func (s *Store) GetAPI(ctx context.Context, realm, id string) (store.API, error) {
	a, err := s.loadAPI(ctx, s.r, realm, id, "")
	if err != nil {
		return store.API{}, wrap("get api", err)
	}
	return a, nil
}

func (s *Store) loadAPI(ctx context.Context, q querier, realm, id, lock string) (store.API, error) {
	return scanAPI(q.QueryRowContext(ctx, s.q("SELECT "+apiCols+" FROM apis WHERE realm = ? AND id = ?"+lock), realm, id))
}

// ListAPIs returns realm's APIs ordered by name, id.
func (s *Store) ListAPIs(ctx context.Context, realm string) ([]store.API, error) {
	return guarded(ctx, s, false, func(ctx context.Context) ([]store.API, error) {
		rows, err := s.r.QueryContext(ctx, s.q("SELECT "+apiCols+" FROM apis WHERE realm = ? ORDER BY name, id"), realm)
		if err != nil {
			return nil, wrap("list apis", err)
		}
		as, err := collect(rows, scanAPI)
		return as, wrap("list apis", err)
	})
}

// UpdateAPI changes an API and removes the grants of permissions it no longer
// defines, in one transaction. ID and Realm cannot change.
func (s *Store) UpdateAPI(ctx context.Context, realm, id string, fn func(store.API) (store.API, error)) (store.API, error) {
	load := func(ctx context.Context, tx *sql.Tx) (store.API, error) {
		return s.loadAPI(ctx, tx, realm, id, s.d.lockUpdate)
	}
	save := func(ctx context.Context, tx *sql.Tx, a store.API) error {
		args, err := apiArgs(a)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.q(`UPDATE apis SET name = ?, audience = ?, aliases = ?, permissions = ?,
			preset = ?, created_at = ?, updated_at = ? WHERE id = ?`), append(args, id)...)
		if err != nil {
			return err
		}
		keep := []any{id}
		for _, p := range a.Permissions {
			keep = append(keep, p.Definition)
		}
		del := "DELETE FROM grants WHERE api_id = ?"
		if len(keep) > 1 {
			del += " AND permission NOT IN (" + placeholders(len(keep)-1) + ")"
		}
		_, err = tx.ExecContext(ctx, s.dyn(del), keep...)
		return err
	}
	return update(ctx, s, "update api", load, fn, save)
}

// DeleteAPI removes an API. While it is granted it fails with ErrConflict,
// unless cascade, which removes the grants too.
func (s *Store) DeleteAPI(ctx context.Context, realm, id string, cascade bool) error {
	return s.write(ctx, "delete api", func(ctx context.Context, tx *sql.Tx) error {
		ok, err := exists(ctx, tx, s.q("SELECT 1 FROM apis WHERE realm = ? AND id = ?"+s.d.lockUpdate), realm, id)
		if err != nil {
			return err
		}
		if !ok {
			return store.ErrNotFound
		}
		if !cascade {
			granted, err := exists(ctx, tx, s.q("SELECT 1 FROM grants WHERE api_id = ? LIMIT 1"), id)
			if err != nil {
				return err
			}
			if granted {
				return store.ErrConflict
			}
		}
		for _, q := range []string{"DELETE FROM grants WHERE api_id = ?", "DELETE FROM apis WHERE id = ?"} {
			if _, err := tx.ExecContext(ctx, s.q(q), id); err != nil {
				return err
			}
		}
		return s.bump(ctx, tx)
	})
}
