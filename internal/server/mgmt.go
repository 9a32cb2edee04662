package server

import (
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

// mountIdentityAPIs mounts, on the identity listener, token introspection and
// revocation (Keycloak's paths) and the management API (/manage/v1/).
func (s *Server) mountIdentityAPIs(mux *http.ServeMux, tokens *oauth.Server) {
	ctl := &oauth.TokenControl{Server: tokens, KeySource: s.Keys.KeySource, Apps: s.Identity, Revocations: s.store,
		Trail: s.audit, Deny: s.deny.oauth()}
	guards := make(map[string]mgmt.Guard, len(s.realms))
	for name, r := range s.realms {
		guards[name] = bearer.New(bearer.Config{
			Realm:     name,
			Audiences: []string{identity.AudienceIdentity},
			Verifier:  &accesstoken.Verifier{Issuer: r.Issuer, Keys: s.Keys.KeySource(name), Leeway: mgmtLeeway, Now: s.now},
			Deny:      s.deny.realm(name),
		})
	}
	const oidc = "/auth/realms/{realm}/protocol/openid-connect"
	mux.HandleFunc(oidc+"/token/introspect", ctl.Introspect)
	mux.HandleFunc(oidc+"/revoke", ctl.Revoke)
	mux.Handle(mgmt.Prefix, mgmt.New(mgmt.Config{Identity: s.Identity, Keys: s.Keys, Store: s.store, Audit: s.audit,
		Realms: guards, Log: s.log, Now: s.now}))
}
