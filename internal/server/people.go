package server

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/identity"
	"github.com/gatehouse/gatehouse/internal/oidc"
	"github.com/gatehouse/gatehouse/internal/throttle"
	"github.com/gatehouse/gatehouse/internal/web"
)

// people builds the OpenID Provider for people (package oidc) from what the steps
// before made: the identity service, the key manager, the realms and their deny
// lists. Sign-in failures are throttled like console sign-in, in their own limiters.
func (s *Server) people() (*oidc.Provider, error) {
	realms := make(map[string]oidc.Realm, len(s.realms))
	deny := make(map[string]oidc.DenyList, len(s.realms))
	for name, r := range s.realms {
		realms[name] = oidc.Realm{Name: name, Issuer: r.Issuer, Lifetime: r.Lifetime, HeaderType: r.HeaderType}
		deny[name] = s.deny.realm(name)
	}
	for _, rc := range s.cfg.Realms {
		if r, ok := realms[rc.Name]; ok {
			r.DisplayName = rc.DisplayName
			realms[rc.Name] = r
		}
	}
	return oidc.New(oidc.Config{
		Identity: s.Identity, Keys: s.Keys, Realms: realms, Deny: deny,
		SecureCookies: strings.HasPrefix(s.PublicURL(), "https://"),
		SignIn:        throttle.New(web.SignInPolicy, s.now), IP: throttle.New(web.IPPolicy, s.now),
		ClientIP: s.clientIP(), Log: s.log, Now: s.now,
	})
}

// sessionPolicy gives each configured realm's single sign-on lifetimes to identity.
func (s *Server) sessionPolicy() func(realm string) identity.SessionPolicy {
	m := make(map[string]identity.SessionPolicy, len(s.cfg.Realms))
	for _, rc := range s.cfg.Realms {
		m[rc.Name] = identity.SessionPolicy{Idle: time.Duration(rc.SSOSessionIdle), Max: time.Duration(rc.SSOSessionMax)}
	}
	return func(realm string) identity.SessionPolicy { return m[realm] }
}

// mountPeople mounts the provider's endpoints; the realm token endpoint gets CORS for
// public clients' web origins.
func mountPeople(mux *http.ServeMux, p *oidc.Provider, token http.HandlerFunc) {
	p.Mount(mux)
	mux.Handle("/auth/realms/{realm}/protocol/openid-connect/token", p.CORS(token))
}

// purgePeople deletes single sign-on sessions that ended or expired and codes past
// their lifetime, every ten minutes: neither is read after that, and both accumulate
// with every sign-in.
func (s *Server) purgePeople(ctx context.Context) error {
	t := time.NewTicker(10 * time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		now := s.now()
		if _, err := s.store.PurgeSSOSessions(ctx, now); err != nil && ctx.Err() == nil {
			s.log.Warn("purge sso sessions", "err", err)
		}
		if _, err := s.store.PurgeAuthCodes(ctx, now.Add(-time.Hour)); err != nil && ctx.Err() == nil {
			s.log.Warn("purge authorization codes", "err", err)
		}
	}
}
