package identity

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/gatehouse/gatehouse/internal/store"
)

// Roles that decide what a user may do in the console (docs/console.md). They mirror the
// management API's permissions on the Identity API: "read" reads, "write" changes.
// Names compare case-insensitively.
var (
	// ConsoleWriteRoles may read and change everything: Camunda Identity's "Identity"
	// role, a role named "admin", or one named "write".
	ConsoleWriteRoles = []string{"admin", "identity", "write"}
	// ConsoleReadRoles may read everything and change nothing.
	ConsoleReadRoles = []string{"read", "viewer", "console"}
)

// ConsoleAccess says what roles allow in the console.
func ConsoleAccess(roles []string) (read, write bool) {
	for _, r := range roles {
		r = strings.ToLower(r)
		if slices.Contains(ConsoleWriteRoles, r) {
			return true, true
		}
		if slices.Contains(ConsoleReadRoles, r) {
			read = true
		}
	}
	return read, false
}

// Reasons a console sign-in is refused, as the audit trail records them.
const (
	SignInUnknownUser   = "unknown_user"
	SignInWrongPassword = "wrong_password"
	SignInDisabled      = "disabled"
	SignInNoRole        = "no_role"
)

// CheckSignIn returns the user and "" when the password is right and the account may
// use the console, else one of the SignIn… reasons. Unknown users cost the same
// argon2id check as known ones, and every check waits for a slot of the one bound on
// concurrent argon2id work this service keeps (client secrets share it).
func (s *Service) CheckSignIn(ctx context.Context, realm, username, password string) (store.User, string, error) {
	return s.checkSignIn(ctx, realm, username, password, true)
}

func (s *Service) checkSignIn(ctx context.Context, realm, username, password string, console bool) (store.User, string, error) {
	u, err := s.store.GetUserByUsername(ctx, realm, username)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return store.User{}, "", err
	}
	known := err == nil
	hash := DummyPasswordHash
	if known {
		hash = u.PasswordHash
	}
	select {
	case s.slow <- struct{}{}:
	case <-ctx.Done():
		return store.User{}, "", ctx.Err()
	}
	good, _ := CheckPassword(hash, password)
	<-s.slow
	read, _ := ConsoleAccess(u.Roles)
	switch {
	case !known:
		return store.User{}, SignInUnknownUser, nil
	case !good:
		return u, SignInWrongPassword, nil
	case !u.Enabled:
		return u, SignInDisabled, nil
	case console && !read:
		return u, SignInNoRole, nil
	}
	return u, "", nil
}
