package server

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/gatehouse/gatehouse/internal/accesstoken"
	"github.com/gatehouse/gatehouse/internal/bearer"
	"github.com/gatehouse/gatehouse/internal/httpapi/modelerapi"
	"github.com/gatehouse/gatehouse/internal/identity"
	"github.com/gatehouse/gatehouse/internal/modeler"
	"github.com/gatehouse/gatehouse/internal/problem"
)

// modelerHandler builds the Web Modeler API of the default realm: tokens of that
// realm whose audience is the Web Modeler API's (or an alias, as its API record holds
// now: refreshAudiences), data scoped to the realm's organization. /api/v1/openapi.json needs no
// token.
func (s *Server) modelerHandler(ctx context.Context) (http.Handler, error) {
	realm := s.cfg.DefaultRealm
	audiences, err := s.audiencesOf(ctx, realm, identity.AudienceModeler)
	if err != nil {
		return nil, fmt.Errorf("modeler api: %w", err)
	}
	authn := bearer.New(bearer.Config{
		Realm:     realm,
		Audiences: audiences,
		Verifier:  &accesstoken.Verifier{Issuer: s.Issuer(realm), Keys: s.Keys.KeySource(realm), Leeway: 60 * time.Second, Now: s.now},
		Deny:      s.denyLists()[realm], // refreshed by runDenyLists
		OnError: func(w http.ResponseWriter, r *http.Request, status int, code, desc string) {
			detail := desc
			if status == http.StatusForbidden {
				detail = "Operation not allowed."
			}
			problem.Write(w, r, status, detail)
		},
	})
	s.resources = append(s.resources, resourceAPI{realm: realm, audience: identity.AudienceModeler, auth: authn})
	publicURL := "http://localhost:8070"
	if _, port, err := net.SplitHostPort(s.Addr(ModelerListener)); err == nil {
		publicURL = "http://localhost:" + port
	}
	api := modelerapi.New(modelerapi.Config{
		Service: modeler.New(s.store, s.now),
		Org: func(ctx context.Context, _ *accesstoken.Claims) (string, error) {
			r, err := s.store.GetRealm(ctx, realm)
			return r.Organization, err
		},
		Audience:  identity.AudienceModeler,
		MaxBody:   s.cfg.ModelerMaxBody,
		PublicURL: publicURL,
		Forbid:    authn.Forbid,
		Log:       s.log,
	})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/openapi.json", modelerapi.ServeOpenAPI)
	mux.Handle("/", authn.Middleware(api))
	return mux, nil
}
