package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
)

// webCols are an application's browser settings, in webDest/webArgs order.
const webCols = "root_url, redirect_uris, post_logout_uris, web_origins"

func webDest(w *store.WebSettings) []any {
	return []any{&w.RootURL, jsonCol{&w.RedirectURIs}, jsonCol{&w.PostLogoutRedirectURIs}, jsonCol{&w.WebOrigins}}
}

func webArgs(w store.WebSettings) ([]any, error) {
	out := []any{w.RootURL}
	for _, l := range [][]string{w.RedirectURIs, w.PostLogoutRedirectURIs, w.WebOrigins} {
		j, err := jsonList(l)
		if err != nil {
			return nil, err
		}
		out = append(out, j)
	}
	return out, nil
}

const ssoCols = "id_digest, realm, user_id, auth_time, last_seen, expires_at, ended_at"

func scanSSO(sc scanner) (store.SSOSession, error) {
	var s store.SSOSession
	err := sc.Scan(&s.ID, &s.Realm, &s.UserID, msTime{&s.AuthTime}, msTime{&s.LastSeen}, msTime{&s.ExpiresAt}, msTime{&s.EndedAt})
	return s, err
}

// CreateSSOSession stores a new single sign-on session.
func (s *Store) CreateSSOSession(ctx context.Context, ss store.SSOSession) error {
	return s.write(ctx, "create sso session", func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q("INSERT INTO sso_sessions ("+ssoCols+") VALUES (?, ?, ?, ?, ?, ?, ?)"),
			ss.ID, ss.Realm, ss.UserID, ms(ss.AuthTime), ms(ss.LastSeen), ms(ss.ExpiresAt), ms(ss.EndedAt))
		return err
	})
}

// GetSSOSession returns a session, ended or not.
func (s *Store) GetSSOSession(ctx context.Context, id string) (store.SSOSession, error) {
	return guarded(ctx, s, false, func(ctx context.Context) (store.SSOSession, error) {
		ss, err := scanSSO(s.r.QueryRowContext(ctx, s.q("SELECT "+ssoCols+" FROM sso_sessions WHERE id_digest = ?"), id))
		return ss, wrap("get sso session", err)
	})
}

// UpdateSSOSession changes a session's last use, expiry or end, the row locked.
func (s *Store) UpdateSSOSession(ctx context.Context, id string, fn func(store.SSOSession) (store.SSOSession, error)) (store.SSOSession, error) {
	var out store.SSOSession
	err := s.write(ctx, "update sso session", func(ctx context.Context, tx *sql.Tx) error {
		cur, err := scanSSO(tx.QueryRowContext(ctx, s.q("SELECT "+ssoCols+" FROM sso_sessions WHERE id_digest = ?"+s.d.lockUpdate), id))
		if err != nil {
			return err
		}
		next, err := fn(cur)
		if err != nil {
			return &callerError{err}
		}
		next.ID, next.Realm, next.UserID, next.AuthTime = cur.ID, cur.Realm, cur.UserID, cur.AuthTime
		if _, err := tx.ExecContext(ctx, s.q("UPDATE sso_sessions SET last_seen = ?, expires_at = ?, ended_at = ? WHERE id_digest = ?"),
			ms(next.LastSeen), ms(next.ExpiresAt), ms(next.EndedAt), id); err != nil {
			return err
		}
		out = next
		return nil
	})
	if err != nil {
		return store.SSOSession{}, err
	}
	return out, nil
}

// EndUserSSOSessions ends every live session of a user.
func (s *Store) EndUserSSOSessions(ctx context.Context, realm, userID string, at time.Time) (int, error) {
	return s.deleteSessions(ctx, "end user sso sessions",
		"UPDATE sso_sessions SET ended_at = ? WHERE realm = ? AND user_id = ? AND ended_at IS NULL", at.UnixMilli(), realm, userID)
}

// PurgeSSOSessions deletes sessions that expired or ended before the time.
func (s *Store) PurgeSSOSessions(ctx context.Context, before time.Time) (int, error) {
	b := before.UnixMilli()
	return s.deleteSessions(ctx, "purge sso sessions", "DELETE FROM sso_sessions WHERE expires_at < ? OR ended_at < ?", b, b)
}

const codeCols = `code_digest, realm, app_id, user_id, session_id, redirect_uri, challenge, nonce, scope, audiences,
	auth_time, created_at, expires_at, used_at, replayed, token_ids`

func scanCode(sc scanner) (store.AuthCode, error) {
	var c store.AuthCode
	err := sc.Scan(&c.Digest, &c.Realm, &c.AppID, &c.UserID, &c.SessionID, &c.RedirectURI, &c.Challenge, &c.Nonce,
		&c.Scope, jsonCol{&c.Audiences}, msTime{&c.AuthTime}, msTime{&c.CreatedAt}, msTime{&c.ExpiresAt},
		msTime{&c.UsedAt}, &c.Replayed, jsonCol{&c.TokenIDs})
	return c, err
}

// CreateAuthCode stores a new, unused authorization code.
func (s *Store) CreateAuthCode(ctx context.Context, c store.AuthCode) error {
	aud, err := jsonList(c.Audiences)
	if err != nil {
		return wrap("create auth code", err)
	}
	tids, err := jsonList(c.TokenIDs)
	if err != nil {
		return wrap("create auth code", err)
	}
	return s.write(ctx, "create auth code", func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q("INSERT INTO auth_codes ("+codeCols+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
			c.Digest, c.Realm, c.AppID, c.UserID, c.SessionID, c.RedirectURI, c.Challenge, c.Nonce, c.Scope, aud,
			ms(c.AuthTime), ms(c.CreatedAt), ms(c.ExpiresAt), ms(c.UsedAt), c.Replayed, tids)
		return err
	})
}

// RedeemAuthCode marks the code used with one conditional UPDATE: whichever
// transaction sets used_at first wins on either dialect (PostgreSQL re-checks the
// WHERE clause after waiting for the winner's row lock), every other one marks the
// code replayed.
func (s *Store) RedeemAuthCode(ctx context.Context, digest string, at time.Time) (store.AuthCode, error) {
	var out store.AuthCode
	var replay bool
	err := s.write(ctx, "redeem auth code", func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q("UPDATE auth_codes SET used_at = ? WHERE code_digest = ? AND used_at IS NULL"), at.UnixMilli(), digest)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if replay = n == 0; replay {
			if _, err := tx.ExecContext(ctx, s.q("UPDATE auth_codes SET replayed = ? WHERE code_digest = ?"), true, digest); err != nil {
				return err
			}
		}
		out, err = scanCode(tx.QueryRowContext(ctx, s.q("SELECT "+codeCols+" FROM auth_codes WHERE code_digest = ?"), digest))
		return err
	})
	if err != nil {
		return store.AuthCode{}, err
	}
	if replay {
		return out, store.ErrConflict
	}
	return out, nil
}

// AddAuthCodeTokens appends token ids to a code and returns the code as stored.
func (s *Store) AddAuthCodeTokens(ctx context.Context, digest string, jtis []string) (store.AuthCode, error) {
	var out store.AuthCode
	err := s.write(ctx, "add auth code tokens", func(ctx context.Context, tx *sql.Tx) error {
		cur, err := scanCode(tx.QueryRowContext(ctx, s.q("SELECT "+codeCols+" FROM auth_codes WHERE code_digest = ?"+s.d.lockUpdate), digest))
		if err != nil {
			return err
		}
		cur.TokenIDs = append(cur.TokenIDs, jtis...)
		tids, err := jsonList(cur.TokenIDs)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q("UPDATE auth_codes SET token_ids = ? WHERE code_digest = ?"), tids, digest); err != nil {
			return err
		}
		out = cur
		return nil
	})
	if err != nil {
		return store.AuthCode{}, err
	}
	return out, nil
}

// PurgeAuthCodes deletes codes that expired before the time.
func (s *Store) PurgeAuthCodes(ctx context.Context, before time.Time) (int, error) {
	return s.deleteSessions(ctx, "purge auth codes", "DELETE FROM auth_codes WHERE expires_at < ?", before.UnixMilli())
}
