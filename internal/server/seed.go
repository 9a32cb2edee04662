package server

import (
	"context"
	"fmt"
	"io"

	"github.com/gatehouse/gatehouse/internal/cluster"
	"github.com/gatehouse/gatehouse/internal/identity"
	"github.com/gatehouse/gatehouse/internal/store"
)

// seed creates declared clients (GATEHOUSE_BOOTSTRAP_CLIENT_ID/_SECRET declare the
// administrator of the default realm) and, in a realm where nothing is declared and no
// application exists, a bootstrap administrator whose secret is printed once to stdout
// (never to the log).
func (s *Server) seed(ctx context.Context, stdout io.Writer) error {
	byRealm := map[string][]identity.ClientSpec{}
	for _, c := range s.cfg.Clients {
		spec := identity.ClientSpec{Name: c.Name, ID: c.ID, Secret: c.Secret, Type: c.Type, Web: store.WebSettings{
			RootURL: c.RootURL, RedirectURIs: c.RedirectURIs, PostLogoutRedirectURIs: c.PostLogoutRedirectURIs, WebOrigins: c.WebOrigins}}
		for _, p := range c.Permissions {
			spec.Permissions = append(spec.Permissions, identity.PermissionRef{Audience: p.ResourceServerID, Definition: p.Definition})
		}
		byRealm[c.Realm] = append(byRealm[c.Realm], spec)
	}
	for _, rc := range s.cfg.Realms {
		specs := byRealm[rc.Name]
		if rc.Name == s.cfg.DefaultRealm && s.cfg.BootstrapClientID != "" {
			specs = append(specs, identity.ClientSpec{Name: identity.BootstrapName, ID: s.cfg.BootstrapClientID,
				Secret: s.cfg.BootstrapSecret, Permissions: identity.AdminPermissions})
		}
		res, err := s.Identity.Seed(ctx, rc.Name, specs)
		if err != nil {
			return err
		}
		for _, r := range res {
			if r.Action != "unchanged" {
				s.log.Info("configured client "+r.Action, "realm", rc.Name, "client_id", r.ClientID)
			}
		}
		if len(specs) > 0 {
			continue
		}
		app, plain, created, err := s.Identity.Bootstrap(ctx, rc.Name)
		if err != nil {
			return fmt.Errorf("realm %s bootstrap: %w", rc.Name, err)
		}
		if created {
			s.log.Info("created bootstrap administrator application", "realm", rc.Name, "client_id", app.ClientID)
			if stdout != nil {
				fmt.Fprintf(stdout, "\nGatehouse created the administrator application of realm %q.\n"+
					"Its secret is shown only this once; store it now:\n\n  GATEHOUSE_CLIENT_ID=%s\n  GATEHOUSE_CLIENT_SECRET=%s\n\n",
					rc.Name, app.ClientID, plain)
			}
		}
	}
	return nil
}

// seedUsers makes the users declared by KEYCLOAK_USERS_<n>_* exist in the default realm.
func (s *Server) seedUsers(ctx context.Context) error {
	if len(s.cfg.Users) == 0 {
		return nil
	}
	specs := make([]identity.UserSpec, len(s.cfg.Users))
	for i, u := range s.cfg.Users {
		specs[i] = identity.UserSpec{Username: u.Username, Password: u.Password, Email: u.Email, FirstName: u.FirstName,
			LastName: u.LastName, Roles: u.Roles}
	}
	res, err := s.Identity.SeedUsers(ctx, s.cfg.DefaultRealm, specs)
	if err != nil {
		return fmt.Errorf("configured users: %w", err)
	}
	for _, r := range res {
		if r.Action != "unchanged" {
			s.log.Info("configured user "+r.Action, "realm", s.cfg.DefaultRealm, "username", r.ClientID)
		}
	}
	return nil
}

// seedClusters applies the clusters of the configuration to the default realm.
func (s *Server) seedClusters(ctx context.Context) error {
	realm := s.cfg.DefaultRealm
	res, err := cluster.Seed(ctx, s.store, realm, s.cfg.Releases(), s.now())
	if err != nil {
		return fmt.Errorf("clusters: %w", err)
	}
	if res.Created+res.Updated+res.Deleted > 0 {
		s.log.Info("configured clusters applied", "realm", realm, "created", res.Created, "updated", res.Updated, "deleted", res.Deleted)
	}
	return nil
}
