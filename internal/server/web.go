package server

import (
	"context"
	"net/http"

	"github.com/gatehouse/gatehouse/internal/web"
)

// webHandler builds the web console of the default realm (internal/web), mounted at
// "/" of the console listener beside the Administration API. It acts through the same
// identity service, key manager, cluster view and audit writer as the management API.
// Call it after the console's cluster service exists (consoleHandler).
func (s *Server) webHandler() (http.Handler, error) {
	realm := s.cfg.DefaultRealm
	o := web.Options{
		Realm:         realm,
		Identity:      s.Identity,
		Store:         s.store,
		Audit:         s.audit,
		Keys:          s.Keys,
		Sealer:        s.kek,
		SaaSTokenURL:  s.PublicURL() + "/oauth/token",
		RealmTokenURL: s.Issuer(realm) + "/protocol/openid-connect/token",
		IdleTimeout:   s.cfg.ConsoleSessionIdle,
		MaxAge:        s.cfg.ConsoleSessionMaxAge,
		Log:           s.log.With("component", "console"),
		Now:           s.now,
		ClientIP:      s.clientIP(),
	}
	if s.console != nil && s.console.clusters != nil {
		o.Clusters = s.console.clusters
	}
	return web.New(o)
}

// webAppsChanged applies a disabled, enabled or deleted application to this replica's
// deny-lists at once (the management API does the same), instead of at the next tick.
func (s *Server) webAppsChanged(ctx context.Context, realm string) {
	if d := s.denyLists()[realm]; d != nil {
		if err := d.Refresh(ctx); err != nil {
			s.log.Warn("deny-list: refresh after a console change failed; the periodic refresh will catch up", "realm", realm, "err", err)
		}
	}
	if err := s.RefreshDenyList(ctx); err != nil {
		s.log.Warn("deny-list: refresh after a console change failed; the periodic refresh will catch up", "realm", realm, "err", err)
	}
}
