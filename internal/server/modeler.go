package server

import (
	"context"
	"net/http"

	"github.com/gatehouse/gatehouse/internal/accesstoken"
	"github.com/gatehouse/gatehouse/internal/httpapi/modelerapi"
	"github.com/gatehouse/gatehouse/internal/identity"
	"github.com/gatehouse/gatehouse/internal/modeler"
)

// modelerHandler builds the Web Modeler API of the default realm behind api's
// authenticator (resource.go), data scoped to the realm's organization.
// /api/v1/openapi.json needs no token.
func (s *Server) modelerHandler(api resourceAPI) http.Handler {
	h := modelerapi.New(modelerapi.Config{
		Service: modeler.New(s.store, s.now),
		Org: func(ctx context.Context, _ *accesstoken.Claims) (string, error) {
			r, err := s.store.GetRealm(ctx, api.realm)
			return r.Organization, err
		},
		Audience:  identity.AudienceModeler,
		MaxBody:   s.cfg.ModelerMaxBody,
		PublicURL: api.publicURL,
		Forbid:    api.auth.Forbid,
		Log:       s.log,
	})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/openapi.json", modelerapi.ServeOpenAPI)
	mux.Handle("/", api.auth.Middleware(h))
	return mux
}
