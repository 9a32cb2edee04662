package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
)

const appCols = "id, realm, client_id, name, type, enabled, source, created_at, updated_at, not_before, " + webCols

// appDest is where a row of appCols scans to.
func appDest(a *store.Application) []any {
	return append([]any{&a.ID, &a.Realm, &a.ClientID, &a.Name, &a.Type, &a.Enabled, &a.Source,
		msTime{&a.CreatedAt}, msTime{&a.UpdatedAt}, msTime{&a.NotBefore}}, webDest(&a.Web)...)
}

func scanApp(sc scanner) (store.Application, error) {
	var a store.Application
	err := sc.Scan(appDest(&a)...)
	return a, err
}

// CreateApp stores a new application with its secrets.
func (s *Store) CreateApp(ctx context.Context, a store.Application) error {
	return s.write(ctx, "create app", func(ctx context.Context, tx *sql.Tx) error {
		if err := s.insertApp(ctx, tx, a); err != nil {
			return err
		}
		return s.bumpApp(ctx, tx, a.Realm, a.ID, stateOf(a.Enabled), a.NotBefore)
	})
}

// CreateApps stores new applications of one realm with their secrets, and grants, in
// one transaction (one commit for a bulk import instead of two per application).
func (s *Store) CreateApps(ctx context.Context, apps []store.Application, grants []store.Grant) error {
	if len(apps) == 0 {
		return nil
	}
	return s.write(ctx, "create apps", func(ctx context.Context, tx *sql.Tx) error {
		for _, a := range apps {
			if a.Realm != apps[0].Realm {
				return fmt.Errorf("sqlstore: create apps: applications of realms %q and %q in one call", apps[0].Realm, a.Realm)
			}
			if err := s.insertApp(ctx, tx, a); err != nil {
				return err
			}
		}
		if len(grants) > 0 {
			if err := s.checkGrants(ctx, tx, apps[0].Realm, grants); err != nil {
				return err
			}
			if _, err := s.insertGrants(ctx, tx, apps[0].Realm, grants); err != nil {
				return err
			}
		}
		if err := s.bump(ctx, tx); err != nil {
			return err
		}
		for _, a := range apps {
			if err := s.recordApp(ctx, tx, a.Realm, a.ID, stateOf(a.Enabled), a.NotBefore); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *Store) insertApp(ctx context.Context, tx *sql.Tx, a store.Application) error {
	web, err := webArgs(a.Web)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, s.q("INSERT INTO apps (name_fold, "+appCols+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
		append([]any{fold(a.Name), a.ID, a.Realm, a.ClientID, a.Name, a.Type, a.Enabled, a.Source, ms(a.CreatedAt),
			ms(a.UpdatedAt), ms(a.NotBefore)}, web...)...)
	if err != nil {
		return err
	}
	return s.insertSecrets(ctx, tx, a.ID, a.Secrets)
}

// GetApp returns an application of realm by id.
func (s *Store) GetApp(ctx context.Context, realm, id string) (store.Application, error) {
	return s.getApp(ctx, "get app", "id", realm, id)
}

// GetAppByClientID returns an application of realm by its client id.
func (s *Store) GetAppByClientID(ctx context.Context, realm, clientID string) (store.Application, error) {
	return s.getApp(ctx, "get app by client id", "client_id", realm, clientID)
}

// getApp reads an application and its secrets with one statement (the token
// endpoint's lookup), so no transaction is needed for a consistent result.
func (s *Store) getApp(ctx context.Context, op, col, realm, key string) (store.Application, error) {
	return guarded(ctx, s, false, func(ctx context.Context) (store.Application, error) {
		rows, err := s.r.QueryContext(ctx, s.q(`SELECT a.id, a.realm, a.client_id, a.name, a.type, a.enabled, a.source,
			a.created_at, a.updated_at, a.not_before, a.root_url, a.redirect_uris, a.post_logout_uris, a.web_origins,
			s.id, s.kind, s.hash, s.created_at, s.expires_at
			FROM apps a LEFT JOIN app_secrets s ON s.app_id = a.id
			WHERE a.realm = ? AND a.`+col+` = ? ORDER BY s.pos`), realm, key)
		if err != nil {
			return store.Application{}, wrap(op, err)
		}
		defer rows.Close()
		var a store.Application
		found := false
		for rows.Next() {
			var sid, kind sql.NullString
			var sec store.Secret
			a.Web = store.WebSettings{}
			if err := rows.Scan(append(appDest(&a), &sid, &kind, &sec.Hash, msTime{&sec.CreatedAt}, msTime{&sec.ExpiresAt})...); err != nil {
				return store.Application{}, wrap(op, err)
			}
			found = true
			if sid.Valid {
				sec.ID, sec.Kind, sec.Hash = sid.String, kind.String, emptyNil(sec.Hash)
				a.Secrets = append(a.Secrets, sec)
			}
		}
		if err := rows.Err(); err != nil {
			return store.Application{}, wrap(op, err)
		}
		if !found {
			return store.Application{}, notFound(op)
		}
		return a, nil
	})
}

// loadApp reads one application and its secrets; lock is appended to the
// application's SELECT.
func (s *Store) loadApp(ctx context.Context, q querier, col, realm, key, lock string) (store.Application, error) {
	a, err := scanApp(q.QueryRowContext(ctx, s.q("SELECT "+appCols+" FROM apps WHERE realm = ? AND "+col+" = ?"+lock), realm, key))
	if err != nil {
		return a, err
	}
	secrets, err := s.loadSecrets(ctx, q, []string{a.ID})
	a.Secrets = secrets[a.ID]
	return a, err
}

// ListApps returns a page of realm's applications ordered by name, id, and the
// number of applications that match opt.Query.
func (s *Store) ListApps(ctx context.Context, realm string, opt store.ListOptions) ([]store.Application, int, error) {
	var apps []store.Application
	var total int
	err := s.read(ctx, "list apps", func(ctx context.Context, tx *sql.Tx) error {
		var err error
		if apps, total, err = listPage(ctx, s, tx, "apps", appCols, s.d.appSearch, "name, id", realm, opt, scanApp); err != nil || len(apps) == 0 {
			return err
		}
		ids := make([]string, len(apps))
		for i, a := range apps {
			ids[i] = a.ID
		}
		secrets, err := s.loadSecrets(ctx, tx, ids)
		for i := range apps {
			apps[i].Secrets = secrets[apps[i].ID]
		}
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	return apps, total, nil
}

// UpdateApp changes an application and replaces its secrets with the ones fn
// returns, in one transaction. ID and Realm cannot change.
func (s *Store) UpdateApp(ctx context.Context, realm, id string, fn func(store.Application) (store.Application, error)) (store.Application, error) {
	load := func(ctx context.Context, tx *sql.Tx) (store.Application, error) {
		return s.loadApp(ctx, tx, "id", realm, id, s.d.lockUpdate)
	}
	save := func(ctx context.Context, tx *sql.Tx, a store.Application) error {
		web, err := webArgs(a.Web)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.q(`UPDATE apps SET client_id = ?, name = ?, name_fold = ?, type = ?,
			enabled = ?, source = ?, created_at = ?, updated_at = ?, not_before = ?, root_url = ?, redirect_uris = ?,
			post_logout_uris = ?, web_origins = ? WHERE id = ?`),
			append([]any{a.ClientID, a.Name, fold(a.Name), a.Type, a.Enabled, a.Source, ms(a.CreatedAt), ms(a.UpdatedAt),
				ms(a.NotBefore)}, append(web, id)...)...)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q("DELETE FROM app_secrets WHERE app_id = ?"), id); err != nil {
			return err
		}
		return s.insertSecrets(ctx, tx, id, a.Secrets)
	}
	bump := func(ctx context.Context, tx *sql.Tx, a store.Application) error {
		return s.bumpApp(ctx, tx, realm, id, stateOf(a.Enabled), a.NotBefore)
	}
	return updateWith(ctx, s, "update app", load, fn, save, bump)
}

// DeleteApp removes an application, its secrets and its grants.
func (s *Store) DeleteApp(ctx context.Context, realm, id string) error {
	return s.write(ctx, "delete app", func(ctx context.Context, tx *sql.Tx) error {
		// Lock first, like UpdateApp, so the two serialize on the row.
		ok, err := exists(ctx, tx, s.q("SELECT 1 FROM apps WHERE realm = ? AND id = ?"+s.d.lockUpdate), realm, id)
		if err != nil {
			return err
		}
		if !ok {
			return store.ErrNotFound
		}
		for _, q := range []string{
			"DELETE FROM grants WHERE app_id = ?",
			"DELETE FROM app_secrets WHERE app_id = ?",
			"DELETE FROM apps WHERE id = ?",
		} {
			if _, err := tx.ExecContext(ctx, s.q(q), id); err != nil {
				return err
			}
		}
		return s.bumpApp(ctx, tx, realm, id, stateDeleted, time.Time{})
	})
}

func (s *Store) insertSecrets(ctx context.Context, tx *sql.Tx, appID string, secrets []store.Secret) error {
	for i, sec := range secrets {
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO app_secrets (app_id, id, pos, kind, hash, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`),
			appID, sec.ID, i, sec.Kind, blob(sec.Hash), ms(sec.CreatedAt), ms(sec.ExpiresAt))
		if err != nil {
			return err
		}
	}
	return nil
}

// loadSecrets returns the secrets of the given applications, in stored order.
func (s *Store) loadSecrets(ctx context.Context, q querier, appIDs []string) (map[string][]store.Secret, error) {
	args := make([]any, len(appIDs))
	for i, id := range appIDs {
		args[i] = id
	}
	rows, err := q.QueryContext(ctx, s.dyn(`SELECT app_id, id, kind, hash, created_at, expires_at FROM app_secrets
		WHERE app_id IN (`+placeholders(len(args))+`) ORDER BY app_id, pos`), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]store.Secret{}
	for rows.Next() {
		var appID string
		var sec store.Secret
		if err := rows.Scan(&appID, &sec.ID, &sec.Kind, &sec.Hash, msTime{&sec.CreatedAt}, msTime{&sec.ExpiresAt}); err != nil {
			return nil, err
		}
		sec.Hash = emptyNil(sec.Hash)
		out[appID] = append(out[appID], sec)
	}
	return out, rows.Err()
}

// listPage counts a realm's rows of table that match opt.Query (through match: the
// folded text contains the query, literally, case-insensitively) and reads the page opt
// asks for, ordered by order, inside tx.
func listPage[T any](ctx context.Context, s *Store, tx *sql.Tx, table, cols string, match textSearch, order, realm string,
	opt store.ListOptions, scan func(scanner) (T, error)) ([]T, int, error) {
	offset, limit := page(opt.Offset, opt.Limit)
	where, args := "realm = ?", []any{realm}
	if opt.Query != "" {
		where += " AND " + match.cond
		args = append(args, match.pattern(opt.Query))
	}
	var total int
	if err := tx.QueryRowContext(ctx, s.q("SELECT COUNT(*) FROM "+table+" WHERE "+where), args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := tx.QueryContext(ctx, s.q("SELECT "+cols+" FROM "+table+" WHERE "+where+" ORDER BY "+order+" LIMIT ? OFFSET ?"),
		append(args, limit, offset)...)
	if err != nil {
		return nil, 0, err
	}
	items, err := collect(rows, scan)
	return items, total, err
}
