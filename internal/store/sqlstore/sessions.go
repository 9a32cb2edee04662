package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
)

const sessionCols = "session_key, realm, user_id, username, created_at, last_seen, flash, reveal"

func scanSession(sc scanner) (store.ConsoleSession, error) {
	var cs store.ConsoleSession
	err := sc.Scan(&cs.Key, &cs.Realm, &cs.UserID, &cs.Username, msTime{&cs.CreatedAt}, msTime{&cs.LastSeen}, &cs.Flash, &cs.Reveal)
	if len(cs.Reveal) == 0 {
		cs.Reveal = nil
	}
	return cs, err
}

// reveal stores an empty sealed secret as NULL.
func reveal(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

// CreateSession stores a new console session. Sessions do not move the revision.
func (s *Store) CreateSession(ctx context.Context, cs store.ConsoleSession) error {
	return s.write(ctx, "create session", func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q("INSERT INTO console_sessions ("+sessionCols+") VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
			cs.Key, cs.Realm, cs.UserID, cs.Username, ms(cs.CreatedAt), ms(cs.LastSeen), cs.Flash, reveal(cs.Reveal))
		return err
	})
}

// GetSession returns the session of key.
func (s *Store) GetSession(ctx context.Context, key string) (store.ConsoleSession, error) {
	return guarded(ctx, s, false, func(ctx context.Context) (store.ConsoleSession, error) {
		cs, err := scanSession(s.r.QueryRowContext(ctx, s.q("SELECT "+sessionCols+" FROM console_sessions WHERE session_key = ?"), key))
		return cs, wrap("get session", err)
	})
}

// UpdateSession changes a session (last use, notice, pending secret) in one
// transaction, the row locked: two requests that take the same one-time value cannot
// both get it. Key, realm, user and creation time cannot change.
func (s *Store) UpdateSession(ctx context.Context, key string, fn func(store.ConsoleSession) (store.ConsoleSession, error)) (store.ConsoleSession, error) {
	var out store.ConsoleSession
	err := s.write(ctx, "update session", func(ctx context.Context, tx *sql.Tx) error {
		cur, err := scanSession(tx.QueryRowContext(ctx, s.q("SELECT "+sessionCols+" FROM console_sessions WHERE session_key = ?"+s.d.lockUpdate), key))
		if err != nil {
			return err
		}
		next, err := fn(cur)
		if err != nil {
			return &callerError{err}
		}
		next.Key, next.Realm, next.UserID, next.CreatedAt = cur.Key, cur.Realm, cur.UserID, cur.CreatedAt
		if len(next.Reveal) == 0 {
			next.Reveal = nil
		}
		if _, err := tx.ExecContext(ctx, s.q("UPDATE console_sessions SET username = ?, last_seen = ?, flash = ?, reveal = ? WHERE session_key = ?"),
			next.Username, ms(next.LastSeen), next.Flash, reveal(next.Reveal), key); err != nil {
			return err
		}
		out = next
		return nil
	})
	if err != nil {
		return store.ConsoleSession{}, err
	}
	return out, nil
}

// DeleteSession ends one session; ErrNotFound when there is none.
func (s *Store) DeleteSession(ctx context.Context, key string) error {
	return s.deleteOne(ctx, "delete session", false, "DELETE FROM console_sessions WHERE session_key = ?", key)
}

// DeleteUserSessions ends every session of a user of realm.
func (s *Store) DeleteUserSessions(ctx context.Context, realm, userID string) (int, error) {
	return s.deleteSessions(ctx, "delete user sessions", "DELETE FROM console_sessions WHERE realm = ? AND user_id = ?", realm, userID)
}

// DeleteUserSessionsExcept ends every session of a user of realm but the one keyed keep.
func (s *Store) DeleteUserSessionsExcept(ctx context.Context, realm, userID, keep string) (int, error) {
	return s.deleteSessions(ctx, "delete user sessions", "DELETE FROM console_sessions WHERE realm = ? AND user_id = ? AND session_key <> ?",
		realm, userID, keep)
}

// PurgeSessions deletes sessions idle since before idleBefore or created before
// createdBefore.
func (s *Store) PurgeSessions(ctx context.Context, idleBefore, createdBefore time.Time) (int, error) {
	return s.deleteSessions(ctx, "purge sessions", "DELETE FROM console_sessions WHERE last_seen < ? OR created_at < ?",
		idleBefore.UnixMilli(), createdBefore.UnixMilli())
}

func (s *Store) deleteSessions(ctx context.Context, op, query string, args ...any) (int, error) {
	var n int64
	err := s.write(ctx, op, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(query), args...)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}
