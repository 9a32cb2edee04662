package identity

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/gatehouse/gatehouse/internal/store"
)

// Password length bounds of the management API. Seeded users (configuration) may have
// shorter passwords: Camunda's charts default to "demo".
const (
	MinPasswordLen = 8
	MaxPasswordLen = 1024
)

// UserSpec describes a user to create or seed.
type UserSpec struct {
	Username  string
	Password  string
	Email     string
	FirstName string
	LastName  string
	Roles     []string
}

// UserPatch changes a user; nil fields stay.
type UserPatch struct {
	Email     *string
	FirstName *string
	LastName  *string
	Password  *string
	Enabled   *bool
	// KeepSession is the store key of the console session a user changes their own
	// password from: it stays signed in. Every other session of the user ends with a
	// password change, and all of them with a reset by someone else.
	KeepSession string
}

// checkUsername accepts 1-255 of [a-z0-9._@+-]; usernames are compared lowercase, as
// Keycloak does, so callers pass them through NormalizeUsername first.
func checkUsername(u string) error {
	const rule = "must be 1-255 characters of a-z, 0-9, '.', '_', '@', '+', '-'"
	if u == "" || len(u) > MaxNameLen {
		return invalid("username", rule)
	}
	for i := 0; i < len(u); i++ {
		c := u[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '@' || c == '+' || c == '-') {
			return invalid("username", rule)
		}
	}
	return nil
}

// NormalizeUsername lowercases ASCII letters (Keycloak stores usernames lowercase).
func NormalizeUsername(u string) string { return strings.ToLower(u) }

func checkPassword(pw string, min int) error {
	if len(pw) < min || len(pw) > MaxPasswordLen || strings.ContainsRune(pw, 0) {
		return invalid("password", fmt.Sprintf("must be %d-%d bytes without NUL", min, MaxPasswordLen))
	}
	return nil
}

func checkEmail(e string) error {
	if e == "" {
		return nil
	}
	local, domain, ok := strings.Cut(e, "@")
	if !ok || local == "" || domain == "" || strings.Contains(domain, "@") || len(e) > 254 ||
		strings.ContainsAny(e, " \t\r\n<>\"(),;:[]\\") || checkText("email", e, 254) != nil {
		return invalid("email", "must be an address of the form local@domain, at most 254 characters")
	}
	return nil
}

func checkPersonName(field, s string) error {
	if s == "" {
		return nil
	}
	return checkText(field, s, MaxNameLen)
}

func checkRoles(roles []string) error {
	if len(roles) > MaxListInput {
		return invalid("roles", "must hold at most 256 items")
	}
	for i, r := range roles {
		if err := CheckName("roles", r); err != nil {
			return err
		}
		if slices.Contains(roles[:i], r) {
			return invalid("roles", "must be distinct")
		}
	}
	return nil
}

func (spec *UserSpec) check(minPassword int) error {
	spec.Username = NormalizeUsername(spec.Username)
	if err := checkUsername(spec.Username); err != nil {
		return err
	}
	if err := checkPassword(spec.Password, minPassword); err != nil {
		return err
	}
	if err := checkEmail(spec.Email); err != nil {
		return err
	}
	if err := checkPersonName("firstName", spec.FirstName); err != nil {
		return err
	}
	if err := checkPersonName("lastName", spec.LastName); err != nil {
		return err
	}
	return checkRoles(spec.Roles)
}

// addUser creates an enabled user; the password is stored as an argon2id hash. A
// taken username is store.ErrAlreadyExists.
func (s *Service) addUser(ctx context.Context, realm string, spec UserSpec) (store.User, error) {
	if err := spec.check(MinPasswordLen); err != nil {
		return store.User{}, err
	}
	return s.createUser(ctx, realm, spec)
}

func (s *Service) createUser(ctx context.Context, realm string, spec UserSpec) (store.User, error) {
	now := s.now().UTC()
	u := store.User{ID: NewID(), Realm: realm, Username: spec.Username, Email: spec.Email, FirstName: spec.FirstName,
		LastName: spec.LastName, PasswordHash: HashPassword(spec.Password), Enabled: true, Roles: nonNil(spec.Roles),
		CreatedAt: now, UpdatedAt: now}
	if err := s.store.CreateUser(ctx, u); err != nil {
		return store.User{}, err
	}
	s.Invalidate()
	return u, nil
}

// GetUser returns a user of realm.
func (s *Service) GetUser(ctx context.Context, realm, id string) (store.User, error) {
	return s.store.GetUser(ctx, realm, id)
}

// ListUsers pages the realm's users by username.
func (s *Service) ListUsers(ctx context.Context, realm string, opt store.ListOptions) ([]store.User, int, error) {
	return s.store.ListUsers(ctx, realm, opt)
}

// patchUser changes a user's profile, password or enabled state.
func (s *Service) patchUser(ctx context.Context, realm, id string, p UserPatch) (store.User, error) {
	if p.Email == nil && p.FirstName == nil && p.LastName == nil && p.Password == nil && p.Enabled == nil {
		return store.User{}, invalid("body", "must change at least one of email, firstName, lastName, password, enabled")
	}
	var errs []error
	if p.Email != nil {
		errs = append(errs, checkEmail(*p.Email))
	}
	if p.FirstName != nil {
		errs = append(errs, checkPersonName("firstName", *p.FirstName))
	}
	if p.LastName != nil {
		errs = append(errs, checkPersonName("lastName", *p.LastName))
	}
	hash := ""
	if p.Password != nil {
		errs = append(errs, checkPassword(*p.Password, MinPasswordLen))
	}
	for _, err := range errs {
		if err != nil {
			return store.User{}, err
		}
	}
	if p.Password != nil {
		hash = HashPassword(*p.Password)
	}
	return s.updateUser(ctx, realm, id, func(u store.User) store.User {
		set(&u.Email, p.Email)
		set(&u.FirstName, p.FirstName)
		set(&u.LastName, p.LastName)
		set(&u.Enabled, p.Enabled)
		if hash != "" {
			u.PasswordHash = hash
		}
		return u
	})
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

func (s *Service) updateUser(ctx context.Context, realm, id string, fn func(store.User) store.User) (store.User, error) {
	now := s.now().UTC()
	u, err := s.store.UpdateUser(ctx, realm, id, func(u store.User) (store.User, error) {
		u = fn(u)
		u.UpdatedAt = now
		return u, nil
	})
	s.Invalidate()
	return u, err
}

// deleteUser removes a user.
func (s *Service) deleteUser(ctx context.Context, realm, id string) error {
	err := s.store.DeleteUser(ctx, realm, id)
	s.Invalidate()
	return err
}

// addRoles gives a user roles (idempotent) and returns the user.
func (s *Service) addRoles(ctx context.Context, realm, id string, roles []string) (store.User, error) {
	if err := checkRoles(roles); err != nil {
		return store.User{}, err
	}
	return s.updateUser(ctx, realm, id, func(u store.User) store.User {
		for _, r := range roles {
			if !slices.Contains(u.Roles, r) {
				u.Roles = append(u.Roles, r)
			}
		}
		return u
	})
}

// removeRoles takes roles from a user (absent ones are ignored) and returns the user.
func (s *Service) removeRoles(ctx context.Context, realm, id string, roles []string) (store.User, error) {
	if err := checkRoles(roles); err != nil {
		return store.User{}, err
	}
	return s.updateUser(ctx, realm, id, func(u store.User) store.User {
		u.Roles = nonNil(slices.DeleteFunc(slices.Clone(u.Roles), func(r string) bool { return slices.Contains(roles, r) }))
		return u
	})
}

// SeedUsers makes the users declared in configuration (Camunda Identity's
// KEYCLOAK_USERS_<n>_*) exist. It is idempotent: a changed password replaces the stored
// hash, a declared email or name replaces the stored one, declared roles are added
// (never removed: they may have been given through the management API since). Each
// result names the user in its ClientID field.
func (s *Service) SeedUsers(ctx context.Context, realm string, specs []UserSpec) ([]SeedResult, error) {
	var out []SeedResult
	for _, spec := range specs {
		if err := spec.check(1); err != nil {
			return out, fmt.Errorf("identity: configured user %d: %w", len(out), err)
		}
		u, err := s.store.GetUserByUsername(ctx, realm, spec.Username)
		if errors.Is(err, store.ErrNotFound) {
			if _, err := s.createUser(ctx, realm, spec); err != nil {
				return out, fmt.Errorf("identity: seed user %q: %w", spec.Username, err)
			}
			out = append(out, SeedResult{ClientID: spec.Username, Action: "created"})
			continue
		}
		if err != nil {
			return out, err
		}
		changed, err := s.reseedUser(ctx, realm, u, spec)
		if err != nil {
			return out, fmt.Errorf("identity: seed user %q: %w", spec.Username, err)
		}
		action := "unchanged"
		if changed {
			action = "updated"
		}
		out = append(out, SeedResult{ClientID: spec.Username, Action: action})
	}
	return out, nil
}

func (s *Service) reseedUser(ctx context.Context, realm string, u store.User, spec UserSpec) (bool, error) {
	good, _ := CheckPassword(u.PasswordHash, spec.Password)
	hash := ""
	if !good {
		hash = HashPassword(spec.Password)
	}
	apply := func(u store.User) store.User {
		if hash != "" {
			u.PasswordHash = hash
		}
		for _, f := range []struct {
			dst *string
			v   string
		}{{&u.Email, spec.Email}, {&u.FirstName, spec.FirstName}, {&u.LastName, spec.LastName}} {
			if f.v != "" {
				*f.dst = f.v
			}
		}
		for _, r := range spec.Roles {
			if !slices.Contains(u.Roles, r) {
				u.Roles = append(u.Roles, r)
			}
		}
		return u
	}
	if next := apply(u); next.PasswordHash == u.PasswordHash && next.Email == u.Email && next.FirstName == u.FirstName &&
		next.LastName == u.LastName && slices.Equal(next.Roles, u.Roles) {
		return false, nil
	}
	if _, err := s.updateUser(ctx, realm, u.ID, apply); err != nil {
		return false, err
	}
	if hash != "" {
		// A password set from configuration is a reset: the user's sessions end.
		if _, err := s.store.DeleteUserSessions(ctx, realm, u.ID); err != nil {
			return false, err
		}
	}
	return true, nil
}
