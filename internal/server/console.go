package server

import (
	"context"
	"fmt"
	"net/http"

	"github.com/gatehouse/gatehouse/internal/httpapi/adminapi"
	"github.com/gatehouse/gatehouse/internal/web"
)

// consoleHandler builds what the console listener serves: the Administration API
// (/admin-api/, the default realm's clusters behind admin's authenticator) and the web
// console at "/".
func (s *Server) consoleHandler(admin resourceAPI) (http.Handler, error) {
	mux := http.NewServeMux()
	mux.Handle("/admin-api/", adminapi.New(adminapi.Options{Clusters: s.clusters, Auth: admin.auth, Log: s.log}))
	ui, err := s.webHandler()
	if err != nil {
		return nil, fmt.Errorf("web console: %w", err)
	}
	mux.Handle("/", ui)
	return mux, nil
}

// webHandler builds the web console of the default realm (internal/web). It acts
// through the same identity service, key manager, cluster view, audit writer and
// deny-list refresh as the management API.
func (s *Server) webHandler() (http.Handler, error) {
	realm := s.cfg.DefaultRealm
	return web.New(web.Options{
		Realm:         realm,
		Identity:      s.Identity,
		Store:         s.store,
		Audit:         s.audit,
		Keys:          s.Keys,
		Sealer:        s.kek,
		Clusters:      s.clusters,
		SaaSTokenURL:  s.PublicURL() + "/oauth/token",
		RealmTokenURL: s.Issuer(realm) + "/protocol/openid-connect/token",
		IdleTimeout:   s.cfg.ConsoleSessionIdle,
		MaxAge:        s.cfg.ConsoleSessionMaxAge,
		SecureCookies: s.cfg.SecureCookies,
		Log:           s.log.With("component", "console"),
		Now:           s.now,
		ClientIP:      s.clientIP(),
	})
}

// ProbeClusters reloads the clusters and runs one probe round now. Tests use it.
func (s *Server) ProbeClusters(ctx context.Context) error {
	if err := s.clusters.Reload(ctx); err != nil {
		return err
	}
	s.clusters.Probe(ctx)
	return nil
}
