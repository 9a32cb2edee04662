package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"

	"github.com/gatehouse/gatehouse/internal/audit"
	"github.com/gatehouse/gatehouse/internal/identity"
	"github.com/gatehouse/gatehouse/internal/store"
)

// firstAdminRole is the console role the first administrator gets: it may read and
// change everything (identity.ConsoleWriteRoles).
const firstAdminRole = "admin"

// firstAdmin creates the console administrator (--admin-username) when the default
// realm has no console user, and prints its one-time password and the console URL to
// stdout (never the log). Users declared with KEYCLOAK_USERS_* are seeded before, so a
// declared realm gets none. A replica that loses the race to another one starting on
// the same database prints nothing.
func (s *Server) firstAdmin(ctx context.Context, stdout io.Writer) error {
	realm := s.cfg.DefaultRealm
	_, total, err := s.Identity.ListUsers(ctx, realm, store.ListOptions{Limit: 1})
	if err != nil {
		return fmt.Errorf("console users: %w", err)
	}
	if total > 0 {
		return nil
	}
	password := identity.NewClientID() // 32 random characters from [a-zA-Z0-9]
	actor := audit.Actor{Kind: audit.KindSystem, ID: "system", Source: audit.SourceConfig}
	u, err := s.Identity.CreateUser(ctx, actor, realm, identity.UserSpec{Username: s.cfg.AdminUsername, Password: password,
		Roles: []string{firstAdminRole}})
	if errors.Is(err, store.ErrAlreadyExists) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("console administrator: %w", err)
	}
	s.log.Info("created console administrator", "realm", realm, "username", u.Username)
	if stdout == nil {
		return nil
	}
	fmt.Fprintf(stdout, "Gatehouse created the web console administrator of realm %q.\n"+
		"Its password is shown only this once; sign in and store it now:\n\n  username: %s\n  password: %s\n",
		realm, u.Username, password)
	if url := s.consoleURL(); url != "" {
		fmt.Fprintf(stdout, "  console:  %s\n", url)
	}
	fmt.Fprintln(stdout)
	return nil
}

// consoleURL is where the web console answers on this machine ("" when the console
// listener is off).
func (s *Server) consoleURL() string {
	addr := s.Addr(ConsoleListener)
	if addr == "" {
		return ""
	}
	_, port, _ := net.SplitHostPort(addr)
	return "http://localhost:" + port + "/"
}
