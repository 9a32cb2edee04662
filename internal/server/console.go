package server

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/gatehouse/gatehouse/internal/accesstoken"
	"github.com/gatehouse/gatehouse/internal/bearer"
	"github.com/gatehouse/gatehouse/internal/cluster"
	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/httpapi/adminapi"
	"github.com/gatehouse/gatehouse/internal/identity"
	"github.com/gatehouse/gatehouse/internal/store"
)

// console holds what the console listener runs besides its handlers.
type console struct {
	clusters *cluster.Service
	deny     *identity.DenyList // nil with a remote issuer
	remote   *bearer.Remote     // nil with the local realm
	auth     *bearer.Authenticator
}

// consoleHandler builds the Administration API: clusters from configuration seeded into
// the default realm, the bearer authenticator of the console-api audience (local realm
// keys and deny-list, or a remote issuer with --issuer-url), and the handlers.
func (s *Server) consoleHandler() (http.Handler, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	realm := s.cfg.DefaultRealm
	res, err := cluster.Seed(ctx, s.store, realm, releases(s.cfg.Clusters), s.now())
	if err != nil {
		return nil, fmt.Errorf("clusters: %w", err)
	}
	if res.Created+res.Updated+res.Deleted > 0 {
		s.log.Info("configured clusters applied", "realm", realm, "created", res.Created, "updated", res.Updated, "deleted", res.Deleted)
	}
	c := &console{}
	c.clusters = cluster.NewService(s.store, realm,
		cluster.NewProber(cluster.ProberOptions{Timeout: s.cfg.ClusterProbeTimeout, Outbound: s.cfg.Outbound()}),
		&cluster.Metrics{Outbound: s.cfg.Outbound()}, s.log)
	if err := c.clusters.Reload(ctx); err != nil {
		return nil, fmt.Errorf("clusters: %w", err)
	}

	audiences, err := s.audiencesOf(ctx, realm, adminapi.Audience)
	if err != nil {
		return nil, err
	}
	cfg := bearer.Config{Realm: realm, Audiences: audiences, Disabled: s.cfg.ConsoleDisableAuth}
	if s.cfg.IssuerURL != "" {
		c.remote, err = bearer.NewRemote(s.cfg.IssuerURL, bearer.RemoteOptions{Now: s.now, Outbound: s.cfg.Outbound()})
		if err != nil {
			return nil, err
		}
		cfg.Verifier = &accesstoken.Verifier{Issuer: s.cfg.IssuerURL, Keys: c.remote, Leeway: s.cfg.ClockSkew, Now: s.now}
	} else {
		cfg.Verifier = &accesstoken.Verifier{Issuer: s.Issuer(realm), Keys: s.Keys.KeySource(realm), Leeway: s.cfg.ClockSkew, Now: s.now}
		// The realm's shared deny-list (mgmt.go), refreshed every second by runDenyLists.
		c.deny = s.denyLists()[realm]
		if c.deny == nil {
			return nil, fmt.Errorf("deny-list: realm %s has none", realm)
		}
		cfg.Deny = c.deny
	}
	c.auth = bearer.New(cfg)
	s.console = c
	s.resources = append(s.resources, resourceAPI{realm: realm, audience: adminapi.Audience, auth: c.auth})

	mux := http.NewServeMux()
	mux.Handle("/admin-api/", adminapi.New(adminapi.Options{Clusters: c.clusters, Auth: c.auth, Log: s.log}))
	ui, err := s.webHandler() // the web console (web.go)
	if err != nil {
		return nil, fmt.Errorf("web console: %w", err)
	}
	mux.Handle("/", ui)
	return mux, nil
}

// audiencesOf returns an API's audience followed by its aliases (the preset console-api
// has api.cloud.camunda.io).
func (s *Server) audiencesOf(ctx context.Context, realm, audience string) ([]string, error) {
	apis, err := s.store.ListAPIs(ctx, realm)
	if err != nil {
		return nil, fmt.Errorf("list APIs: %w", err)
	}
	return audiencesIn(apis, audience), nil
}

func audiencesIn(apis []store.API, audience string) []string {
	out := []string{audience}
	for _, a := range apis {
		if a.Audience == audience {
			for _, al := range a.Aliases {
				if !slices.Contains(out, al) {
					out = append(out, al)
				}
			}
		}
	}
	return out
}

// resourceAPI is a resource API of this process: its authenticator accepts the API's
// audience and the aliases stored on the API record.
type resourceAPI struct {
	realm, audience string
	auth            *bearer.Authenticator
}

// refreshAudiences gives every resource API the aliases its API record holds now. The
// revision poll calls it after any change, so an alias added or removed through the
// management API (on any replica) takes effect within about a second.
func (s *Server) refreshAudiences(ctx context.Context) error {
	byRealm := map[string][]store.API{}
	for _, r := range s.resources {
		apis, ok := byRealm[r.realm]
		if !ok {
			var err error
			if apis, err = s.store.ListAPIs(ctx, r.realm); err != nil {
				return fmt.Errorf("list APIs: %w", err)
			}
			byRealm[r.realm] = apis
		}
		r.auth.SetAudiences(audiencesIn(apis, r.audience))
	}
	return nil
}

func releases(cs []config.Cluster) []cluster.Release {
	out := make([]cluster.Release, 0, len(cs))
	for _, c := range cs {
		r := cluster.Release{Name: c.Name, Namespace: c.Namespace, Version: c.Version, Tags: c.Tags}
		for _, comp := range c.Components {
			r.Components = append(r.Components, cluster.Component{ID: comp.ID, Name: comp.Name, Version: comp.Version,
				URL: comp.PublicURL(), Readiness: comp.Readiness, Metrics: comp.Metrics})
		}
		out = append(out, r)
	}
	return out
}

// runConsole runs the console's background loops until ctx ends: the cluster view and
// prober, and the remote key set's refresh. (The deny-list is the realm's shared one,
// refreshed by runDenyLists.)
func (s *Server) runConsole(ctx context.Context) {
	c := s.console
	if c == nil || s.Addr(ConsoleListener) == "" {
		return
	}
	if s.cfg.ConsoleDisableAuth {
		s.log.Warn("AUTHENTICATION IS DISABLED on the Administration API (--console-disable-auth / CAMUNDA_CONSOLE_DISABLE_AUTH=true): "+
			"anyone who reaches the console listener reads every cluster and its usage metrics; use this only on a trusted machine",
			"listener", ConsoleListener, "addr", s.Addr(ConsoleListener))
	}
	done := make(chan struct{})
	n := 1
	go func() { defer func() { done <- struct{}{} }(); c.clusters.Run(ctx, s.cfg.ClusterProbeInterval) }()
	if c.remote != nil {
		n++
		go func() { defer func() { done <- struct{}{} }(); c.remote.Run(ctx) }()
	}
	for range n {
		<-done
	}
}

// Clusters is the cluster service of the default realm (nil before the server is built).
func (s *Server) Clusters() *cluster.Service {
	if s.console == nil {
		return nil
	}
	return s.console.clusters
}

// RefreshDenyList applies store changes (disabled or deleted apps, revoked tokens) to
// the resource APIs now instead of at the next one-second tick. Tests use it.
func (s *Server) RefreshDenyList(ctx context.Context) error {
	if s.console == nil || s.console.deny == nil {
		return nil
	}
	return s.console.deny.Refresh(ctx)
}

// ProbeClusters reloads the clusters and runs one probe round now. Tests use it.
func (s *Server) ProbeClusters(ctx context.Context) error {
	if s.console == nil {
		return nil
	}
	if err := s.console.clusters.Reload(ctx); err != nil {
		return err
	}
	s.console.clusters.Probe(ctx)
	return nil
}
