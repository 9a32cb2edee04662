package identity

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/gatehouse/gatehouse/internal/audit"
	"github.com/gatehouse/gatehouse/internal/store"
)

// The use cases of console users, audited like those of applications (changes.go).
// Details name what changed, never a password.

// CreateUser creates an enabled user; the password is stored as an argon2id hash. A
// taken username is store.ErrAlreadyExists.
func (s *Service) CreateUser(ctx context.Context, a audit.Actor, realm string, spec UserSpec) (store.User, error) {
	c := audit.Change{Realm: realm, Action: audit.ActionUserCreate,
		Detail: map[string]string{"username": NormalizeUsername(spec.Username)}}
	u, err := s.addUser(ctx, realm, spec)
	if err == nil {
		c.Target = u.ID
	}
	s.done(ctx, a, c, err, false)
	return u, err
}

// UpdateUser changes a user's profile, password or enabled state.
func (s *Service) UpdateUser(ctx context.Context, a audit.Actor, realm, id string, p UserPatch) (store.User, error) {
	c := audit.Change{Realm: realm, Action: audit.ActionUserUpdate, Target: id, Detail: map[string]string{}}
	if f := p.fields(); f != "" {
		c.Detail["fields"] = f
	}
	if p.Enabled != nil {
		c.Detail["enabled"] = strconv.FormatBool(*p.Enabled)
	}
	u, err := s.patchUser(ctx, realm, id, p)
	if err == nil && p.Password != nil {
		// A changed password ends the user's console sessions (but the current one of a
		// self-service change).
		err = s.endSessions(ctx, a, realm, u, p.KeepSession)
	}
	if err == nil && (p.Password != nil || (p.Enabled != nil && !*p.Enabled)) {
		// A reset password or a disabled user ends every single sign-on session.
		err = s.endUserSessions(ctx, realm, id)
	}
	describeUser(&c, u)
	s.done(ctx, a, c, err, false)
	return u, err
}

// endSessions ends the console sessions of a user whose password changed: a stolen
// session must not outlive the reset meant to lock its thief out. A user changing
// their own password keeps the session they did it from; a reset by anyone else ends
// every session.
func (s *Service) endSessions(ctx context.Context, a audit.Actor, realm string, u store.User, keep string) error {
	var err error
	if keep != "" && a.Kind == audit.KindUser && a.ID == u.Username {
		_, err = s.store.DeleteUserSessionsExcept(ctx, realm, u.ID, keep)
	} else {
		_, err = s.store.DeleteUserSessions(ctx, realm, u.ID)
	}
	if err != nil {
		return fmt.Errorf("identity: password changed, but its sessions could not be ended: %w", err)
	}
	return nil
}

// fields names the profile fields p changes, sorted and space separated: which ones,
// never their values.
func (p UserPatch) fields() string {
	var fields []string
	for name, set := range map[string]bool{"email": p.Email != nil, "firstName": p.FirstName != nil,
		"lastName": p.LastName != nil, "password": p.Password != nil} {
		if set {
			fields = append(fields, name)
		}
	}
	slices.Sort(fields)
	return strings.Join(fields, " ")
}

// DeleteUser removes a user and returns who it was.
func (s *Service) DeleteUser(ctx context.Context, a audit.Actor, realm, id string) (store.User, error) {
	c := audit.Change{Realm: realm, Action: audit.ActionUserDelete, Target: id, Detail: map[string]string{}}
	u, err := s.store.GetUser(ctx, realm, id)
	if err == nil {
		c.Detail["username"] = u.Username
		err = s.deleteUser(ctx, realm, id)
	}
	s.done(ctx, a, c, err, false)
	return u, err
}

// AddRoles gives a user roles (idempotent) and returns the user.
func (s *Service) AddRoles(ctx context.Context, a audit.Actor, realm, id string, roles []string) (store.User, error) {
	c := audit.Change{Realm: realm, Action: audit.ActionUserRolesAdd, Target: id,
		Detail: map[string]string{"roles": strings.Join(roles, ",")}}
	u, err := s.addRoles(ctx, realm, id, roles)
	describeUser(&c, u)
	s.done(ctx, a, c, err, false)
	return u, err
}

// RemoveRoles takes roles from a user (absent ones are ignored) and returns the user.
func (s *Service) RemoveRoles(ctx context.Context, a audit.Actor, realm, id string, roles []string) (store.User, error) {
	c := audit.Change{Realm: realm, Action: audit.ActionUserRolesRemove, Target: id,
		Detail: map[string]string{"roles": strings.Join(roles, ",")}}
	u, err := s.removeRoles(ctx, realm, id, roles)
	describeUser(&c, u)
	s.done(ctx, a, c, err, false)
	return u, err
}
