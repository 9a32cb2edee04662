package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
)

// AddRevocation denies a token id until its ExpiresAt (a zero ExpiresAt never
// expires). Adding a jti that is already denied changes nothing.
func (s *Store) AddRevocation(ctx context.Context, r store.Revocation) error {
	return s.write(ctx, "add revocation", func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`INSERT INTO revocations (jti, realm, app_id, expires_at, created_at)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (jti) DO NOTHING`),
			r.JTI, r.Realm, r.AppID, ms(r.ExpiresAt), ms(r.CreatedAt))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		return s.bump(ctx, tx)
	})
}

// ListRevocations returns the revocations still live at liveAt (ExpiresAt after
// it, or never expiring), ordered by jti. A zero liveAt returns all.
func (s *Store) ListRevocations(ctx context.Context, liveAt time.Time) ([]store.Revocation, error) {
	return guarded(ctx, s, false, func(ctx context.Context) ([]store.Revocation, error) {
		query, args := "SELECT jti, realm, app_id, expires_at, created_at FROM revocations", []any{}
		if !liveAt.IsZero() {
			query, args = query+" WHERE expires_at IS NULL OR expires_at > ?", append(args, liveAt.UnixMilli())
		}
		rows, err := s.r.QueryContext(ctx, s.q(query+" ORDER BY jti"), args...)
		if err != nil {
			return nil, wrap("list revocations", err)
		}
		rs, err := collect(rows, func(sc scanner) (store.Revocation, error) {
			var r store.Revocation
			err := sc.Scan(&r.JTI, &r.Realm, &r.AppID, msTime{&r.ExpiresAt}, msTime{&r.CreatedAt})
			return r, err
		})
		return rs, wrap("list revocations", err)
	})
}

// PurgeRevocations deletes revocations whose ExpiresAt is before expiredBefore
// and returns how many it deleted.
func (s *Store) PurgeRevocations(ctx context.Context, expiredBefore time.Time) (int, error) {
	var n int64
	err := s.write(ctx, "purge revocations", func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q("DELETE FROM revocations WHERE expires_at < ?"), expiredBefore.UnixMilli())
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		return s.bump(ctx, tx)
	})
	return int(n), err
}
