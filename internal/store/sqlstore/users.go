package sqlstore

import (
	"context"
	"database/sql"

	"github.com/gatehouse/gatehouse/internal/store"
)

const userCols = "id, realm, username, email, first_name, last_name, password_hash, enabled, roles, created_at, updated_at"

func scanUser(sc scanner) (store.User, error) {
	var u store.User
	err := sc.Scan(&u.ID, &u.Realm, &u.Username, &u.Email, &u.FirstName, &u.LastName, &u.PasswordHash,
		&u.Enabled, jsonCol{&u.Roles}, msTime{&u.CreatedAt}, msTime{&u.UpdatedAt})
	return u, err
}

// CreateUser stores a new user; the username is unique in the realm.
func (s *Store) CreateUser(ctx context.Context, u store.User) error {
	roles, err := jsonList(u.Roles)
	if err != nil {
		return wrap("create user", err)
	}
	return s.write(ctx, "create user", func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q("INSERT INTO users (username_fold, "+userCols+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
			fold(u.Username), u.ID, u.Realm, u.Username, u.Email, u.FirstName, u.LastName, u.PasswordHash,
			u.Enabled, roles, ms(u.CreatedAt), ms(u.UpdatedAt))
		if err != nil {
			return err
		}
		return s.bump(ctx, tx)
	})
}

// GetUser returns a user of realm by id.
func (s *Store) GetUser(ctx context.Context, realm, id string) (store.User, error) {
	return s.getUser(ctx, "get user", "id", realm, id)
}

// GetUserByUsername returns a user of realm by exact username.
func (s *Store) GetUserByUsername(ctx context.Context, realm, username string) (store.User, error) {
	return s.getUser(ctx, "get user by username", "username", realm, username)
}

func (s *Store) getUser(ctx context.Context, op, col, realm, key string) (store.User, error) {
	return guarded(ctx, s, false, func(ctx context.Context) (store.User, error) {
		u, err := scanUser(s.r.QueryRowContext(ctx, s.q("SELECT "+userCols+" FROM users WHERE realm = ? AND "+col+" = ?"), realm, key))
		if err != nil {
			return store.User{}, wrap(op, err)
		}
		return u, nil
	})
}

// ListUsers returns a page of realm's users ordered by username, id, and the
// number of users whose username contains opt.Query.
func (s *Store) ListUsers(ctx context.Context, realm string, opt store.ListOptions) ([]store.User, int, error) {
	var users []store.User
	var total int
	err := s.read(ctx, "list users", func(ctx context.Context, tx *sql.Tx) error {
		var err error
		users, total, err = listPage(ctx, s, tx, "users", userCols, textSearch{`username_fold LIKE ? ESCAPE '\'`, containsPattern}, "username, id", realm, opt, scanUser)
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	return users, total, nil
}

// UpdateUser changes a user in one transaction. ID and Realm cannot change.
func (s *Store) UpdateUser(ctx context.Context, realm, id string, fn func(store.User) (store.User, error)) (store.User, error) {
	load := func(ctx context.Context, tx *sql.Tx) (store.User, error) {
		return scanUser(tx.QueryRowContext(ctx, s.q("SELECT "+userCols+" FROM users WHERE realm = ? AND id = ?"+s.d.lockUpdate), realm, id))
	}
	save := func(ctx context.Context, tx *sql.Tx, u store.User) error {
		roles, err := jsonList(u.Roles)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.q(`UPDATE users SET username = ?, username_fold = ?, email = ?, first_name = ?,
			last_name = ?, password_hash = ?, enabled = ?, roles = ?, created_at = ?, updated_at = ? WHERE id = ?`),
			u.Username, fold(u.Username), u.Email, u.FirstName, u.LastName, u.PasswordHash, u.Enabled, roles,
			ms(u.CreatedAt), ms(u.UpdatedAt), id)
		return err
	}
	return update(ctx, s, "update user", load, fn, save)
}

// DeleteUser removes a user.
func (s *Store) DeleteUser(ctx context.Context, realm, id string) error {
	return s.deleteRow(ctx, "delete user", "DELETE FROM users WHERE realm = ? AND id = ?", realm, id)
}

// deleteRow runs a single-row DELETE of identity data (it moves the revision),
// ErrNotFound when it removed nothing.
func (s *Store) deleteRow(ctx context.Context, op, query string, args ...any) error {
	return s.deleteOne(ctx, op, true, query, args...)
}

// deleteOne runs a single-row DELETE, ErrNotFound when it removed nothing; bump moves
// the revision.
func (s *Store) deleteOne(ctx context.Context, op string, bump bool, query string, args ...any) error {
	return s.write(ctx, op, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(query), args...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			if err == nil {
				err = store.ErrNotFound
			}
			return err
		}
		if !bump {
			return nil
		}
		return s.bump(ctx, tx)
	})
}
