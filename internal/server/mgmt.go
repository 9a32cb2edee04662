package server

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/gatehouse/gatehouse/internal/accesstoken"
	"github.com/gatehouse/gatehouse/internal/bearer"
	"github.com/gatehouse/gatehouse/internal/httpapi/mgmt"
	"github.com/gatehouse/gatehouse/internal/identity"
	"github.com/gatehouse/gatehouse/internal/oauth"
)

// mgmtLeeway is the clock skew the management API allows on exp, nbf and iat: tokens
// come from this realm's issuer, but possibly from another replica's clock.
const mgmtLeeway = 60 * time.Second

// denyRefresh is how often the in-process deny-lists follow the store (checklist §5.5:
// revocations and disabled applications reach in-process resource APIs within 5 s).
const denyRefresh = time.Second

// denyLists returns each realm's deny-list, building and loading them on first use.
func (s *Server) denyLists() map[string]*identity.DenyList {
	if s.deny != nil {
		return s.deny
	}
	s.deny = make(map[string]*identity.DenyList, len(s.realms))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for name := range s.realms {
		d := identity.NewDenyList(s.store, name, s.now)
		if err := d.Refresh(ctx); err != nil {
			// Not fatal: the refresh loop retries every second.
			s.log.Warn("deny-list: first load failed", "realm", name, "err", err)
		}
		s.deny[name] = d
	}
	return s.deny
}

// runDenyLists refreshes every deny-list until ctx ends.
func (s *Server) runDenyLists(ctx context.Context) {
	t := time.NewTicker(denyRefresh)
	defer t.Stop()
	for {
		for name, d := range s.denyLists() {
			if err := d.Refresh(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("deny-list: refresh failed; keeping the previous view", "realm", name, "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// mountIdentityAPIs mounts, on the identity listener, token introspection and
// revocation (Keycloak's paths) and the management API (/manage/v1/).
func (s *Server) mountIdentityAPIs(mux *http.ServeMux, tokens *oauth.Server) {
	deny := s.denyLists()
	ctl := &oauth.TokenControl{Server: tokens, KeySource: s.Keys.KeySource, Apps: s.Identity, Revocations: s.store,
		Trail: s.audit, Deny: make(map[string]oauth.DenyList, len(deny))}
	guards := make(map[string]mgmt.Guard, len(s.realms))
	for name, r := range s.realms {
		ctl.Deny[name] = deny[name]
		guards[name] = bearer.New(bearer.Config{
			Realm:     name,
			Audiences: []string{identity.AudienceIdentity},
			Verifier:  &accesstoken.Verifier{Issuer: r.Issuer, Keys: s.Keys.KeySource(name), Leeway: mgmtLeeway, Now: s.now},
			Deny:      deny[name],
		})
	}
	const oidc = "/auth/realms/{realm}/protocol/openid-connect"
	mux.HandleFunc(oidc+"/token/introspect", ctl.Introspect)
	mux.HandleFunc(oidc+"/revoke", ctl.Revoke)
	mux.Handle(mgmt.Prefix, mgmt.New(mgmt.Config{Identity: s.Identity, Keys: s.Keys, Store: s.store, Audit: s.audit,
		Realms: guards, Log: s.log, Now: s.now}))
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
