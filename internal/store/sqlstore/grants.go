package sqlstore

import (
	"context"
	"database/sql"
	"slices"

	"github.com/gatehouse/gatehouse/internal/store"
)

// ListGrants returns realm's grants that match f, ordered by app, API, permission.
func (s *Store) ListGrants(ctx context.Context, realm string, f store.GrantFilter) ([]store.Grant, error) {
	return guarded(ctx, s, false, func(ctx context.Context) ([]store.Grant, error) {
		query, args := "SELECT realm, app_id, api_id, permission, created_at FROM grants WHERE realm = ?", []any{realm}
		if f.AppID != "" {
			query, args = query+" AND app_id = ?", append(args, f.AppID)
		}
		if f.APIID != "" {
			query, args = query+" AND api_id = ?", append(args, f.APIID)
		}
		rows, err := s.r.QueryContext(ctx, s.q(query+" ORDER BY app_id, api_id, permission"), args...)
		if err != nil {
			return nil, wrap("list grants", err)
		}
		gs, err := collect(rows, func(sc scanner) (store.Grant, error) {
			var g store.Grant
			err := sc.Scan(&g.Realm, &g.AppID, &g.APIID, &g.Permission, msTime{&g.CreatedAt})
			return g, err
		})
		return gs, wrap("list grants", err)
	})
}

// AddGrants stores grants that do not exist yet. Every grant must name an
// application and an API of realm and a permission the API defines, else
// nothing is stored and the error is ErrNotFound. Grant.Realm is ignored: realm
// is the grants' realm.
func (s *Store) AddGrants(ctx context.Context, realm string, gs []store.Grant) error {
	if len(gs) == 0 {
		return nil
	}
	return s.write(ctx, "add grants", func(ctx context.Context, tx *sql.Tx) error {
		if err := s.checkGrants(ctx, tx, realm, gs); err != nil {
			return err
		}
		added, err := s.insertGrants(ctx, tx, realm, gs)
		if err != nil || added == 0 {
			return err
		}
		return s.bump(ctx, tx)
	})
}

// insertGrants inserts grants that do not exist yet and returns how many it added.
func (s *Store) insertGrants(ctx context.Context, tx *sql.Tx, realm string, gs []store.Grant) (int64, error) {
	added := int64(0)
	for _, g := range gs {
		res, err := tx.ExecContext(ctx, s.q(`INSERT INTO grants (realm, app_id, api_id, permission, created_at)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (app_id, api_id, permission) DO NOTHING`),
			realm, g.AppID, g.APIID, g.Permission, ms(g.CreatedAt))
		if err != nil {
			return 0, err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return 0, err
		}
		added += n
	}
	return added, nil
}

// checkGrants validates every grant against the realm's applications and APIs.
// On PostgreSQL the API rows are share-locked, so that an UpdateAPI that drops
// a permission waits for this transaction and then removes its grants too.
func (s *Store) checkGrants(ctx context.Context, tx *sql.Tx, realm string, gs []store.Grant) error {
	apps := map[string]bool{}
	perms := map[string][]string{}
	for _, g := range gs {
		if _, seen := apps[g.AppID]; !seen {
			ok, err := exists(ctx, tx, s.q("SELECT 1 FROM apps WHERE realm = ? AND id = ?"), realm, g.AppID)
			if err != nil {
				return err
			}
			apps[g.AppID] = ok
		}
		if !apps[g.AppID] {
			return store.ErrNotFound
		}
		defs, seen := perms[g.APIID]
		if !seen {
			a, err := s.loadAPI(ctx, tx, realm, g.APIID, s.d.lockShare)
			if err != nil {
				return err // sql.ErrNoRows: ErrNotFound
			}
			defs = []string{}
			for _, p := range a.Permissions {
				defs = append(defs, p.Definition)
			}
			perms[g.APIID] = defs
		}
		if !slices.Contains(defs, g.Permission) {
			return store.ErrNotFound
		}
	}
	return nil
}

// RemoveGrants deletes the given grants of realm; absent ones are ignored.
func (s *Store) RemoveGrants(ctx context.Context, realm string, gs []store.Grant) error {
	if len(gs) == 0 {
		return nil
	}
	return s.write(ctx, "remove grants", func(ctx context.Context, tx *sql.Tx) error {
		removed := int64(0)
		for _, g := range gs {
			res, err := tx.ExecContext(ctx, s.q("DELETE FROM grants WHERE realm = ? AND app_id = ? AND api_id = ? AND permission = ?"),
				realm, g.AppID, g.APIID, g.Permission)
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			removed += n
		}
		if removed == 0 {
			return nil
		}
		return s.bump(ctx, tx)
	})
}
