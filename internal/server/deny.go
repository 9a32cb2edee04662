package server

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/internal/identity"
	"github.com/gatehouse/gatehouse/internal/oauth"
	"github.com/gatehouse/gatehouse/internal/store"
)

// denyRefresh is how often the in-process deny-lists follow the store (checklist §5.5:
// revocations and disabled applications reach in-process resource APIs within 5 s).
const denyRefresh = time.Second

// denyLists are the realms' deny lists and the one place that refreshes them: run every
// second, and changed at once after this replica changed an application (the
// management API and the web console call it), so that its own change does not wait
// for the next tick.
type denyLists struct {
	byRealm map[string]*identity.DenyList
	log     *slog.Logger
}

// loadDenyLists builds and loads every realm's deny list. A failed first load is not
// fatal: run retries every second, and until then the list denies nothing.
func loadDenyLists(ctx context.Context, st store.Store, realms map[string]oauth.Realm, now func() time.Time, log *slog.Logger) denyLists {
	d := denyLists{byRealm: make(map[string]*identity.DenyList, len(realms)), log: log}
	for name := range realms {
		l := identity.NewDenyList(st, name, now)
		if err := l.Refresh(ctx); err != nil {
			log.Warn("deny-list: first load failed", "realm", name, "err", err)
		}
		d.byRealm[name] = l
	}
	return d
}

// realm returns a realm's deny list (nil for an unknown realm).
func (d denyLists) realm(name string) *identity.DenyList { return d.byRealm[name] }

// oauth is the realms' deny lists as the token endpoint and introspection take them
// (a realm without one is absent, never a nil pointer in an interface).
func (d denyLists) oauth() map[string]oauth.DenyList {
	out := make(map[string]oauth.DenyList, len(d.byRealm))
	for name, l := range d.byRealm {
		if l != nil {
			out[name] = l
		}
	}
	return out
}

// changed refreshes a realm's deny list now.
func (d denyLists) changed(ctx context.Context, realm string) {
	if err := d.refresh(ctx, realm); err != nil {
		d.log.Warn("deny-list: refresh after a change failed; the periodic refresh will catch up", "realm", realm, "err", err)
	}
}

func (d denyLists) refresh(ctx context.Context, realm string) error {
	if l := d.byRealm[realm]; l != nil {
		return l.Refresh(ctx)
	}
	return nil
}

// run refreshes every realm's deny list every denyRefresh until ctx ends.
func (d denyLists) run(ctx context.Context) error {
	var wg sync.WaitGroup
	for name, l := range d.byRealm {
		wg.Go(func() {
			l.Run(ctx, denyRefresh, func(err error) {
				d.log.Warn("deny-list: refresh failed; keeping the previous view", "realm", name, "err", err)
			})
		})
	}
	wg.Wait()
	return nil
}

// RefreshDenyList applies store changes (disabled or deleted apps, revoked tokens) to
// the default realm's resource APIs now instead of at the next one-second tick. Tests
// use it.
func (s *Server) RefreshDenyList(ctx context.Context) error {
	if s.remote != nil {
		return nil // the resource APIs use the remote issuer's tokens, without a deny list
	}
	return s.deny.refresh(ctx, s.cfg.DefaultRealm)
}
