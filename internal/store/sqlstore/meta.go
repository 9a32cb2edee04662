package sqlstore

import (
	"context"
	"database/sql"
)

// GetMeta returns the server-wide value stored under key.
func (s *Store) GetMeta(ctx context.Context, key string) (string, error) {
	return guarded(ctx, s, false, func(ctx context.Context) (string, error) {
		var v string
		err := s.r.QueryRowContext(ctx, s.q("SELECT value FROM meta WHERE name = ?"), key).Scan(&v)
		if err != nil {
			return "", wrap("get meta", err)
		}
		return v, nil
	})
}

// PutMetaIfAbsent stores value under key unless key is set, and returns the
// stored value: the first writer wins, on every replica.
func (s *Store) PutMetaIfAbsent(ctx context.Context, key, value string) (string, error) {
	var v string
	err := s.write(ctx, "put meta", func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q("INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING"), key, value)
		if err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, s.q("SELECT value FROM meta WHERE name = ?"), key).Scan(&v)
	})
	return v, err
}
