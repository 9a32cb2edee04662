package server

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"time"

	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/gatehouse/gatehouse/internal/audit"
	"github.com/gatehouse/gatehouse/internal/bearer"
	"github.com/gatehouse/gatehouse/internal/cluster"
	"github.com/gatehouse/gatehouse/internal/identity"
	"github.com/gatehouse/gatehouse/internal/keys"
	"github.com/gatehouse/gatehouse/internal/oauth"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/throttle"
)

// build makes every component from the open store and master key, in this order, each
// step using only what the steps before it made:
//
//  1. the identity service and the configured realms' rows and presets;
//  2. the key manager, with an active key in every realm;
//  3. the configured data: clients (and the bootstrap administrator), users, clusters;
//     the first console administrator comes right after the audit writer (step 4), so
//     its creation is audited;
//  4. the audit writer, the realms' deny lists, the cluster view, the remote issuer's
//     key set (--issuer-url);
//  5. the resource APIs' authenticators (one function for both, resource.go);
//  6. the handlers of every listener and their HTTP servers;
//  7. the background loops Run starts (run.go).
//
// Nothing is built lazily and no handler constructor sets fields of s.
func (s *Server) build(ctx context.Context, kek *keys.KEK, stdout io.Writer) error {
	s.Identity = identity.New(s.store, s.now, runtime.GOMAXPROCS(0))
	s.Identity.Sessions = s.sessionPolicy()
	kr, err := s.ensureRealms(ctx)
	if err != nil {
		return err
	}

	s.kek = kek
	s.Identity.DeclaredKey = kek.Derive("declared client secrets v1") // restarts skip argon2id for unchanged ones
	s.Keys = keys.NewManager(s.store, kek, s.now, kr...)
	for _, r := range kr {
		if err := s.Keys.Ensure(ctx, r.Name); err != nil {
			return fmt.Errorf("realm %s keys: %w", r.Name, err)
		}
	}

	// Replicas starting together race to seed the same rows (fault.go).
	if err := retryRace(func() error { return s.seed(ctx, stdout) }); err != nil {
		return err
	}
	if err := retryRace(func() error { return s.seedUsers(ctx) }); err != nil {
		return err
	}
	if err := s.seedClusters(ctx); err != nil {
		return err
	}

	s.audit = audit.New(s.store, s.log)
	s.Identity.Trail = audit.NewTrail(s.audit, s.log, s.now)
	if err := retryRace(func() error { return s.firstAdmin(ctx, stdout) }); err != nil {
		return err
	}
	s.deny = loadDenyLists(ctx, s.store, s.realms, s.now, s.log)
	s.Identity.OnChange = s.deny.changed
	prober := cluster.NewProber(cluster.ProberOptions{Timeout: s.cfg.ClusterProbeTimeout, Outbound: s.cfg.Outbound()})
	s.clusters = cluster.NewService(s.store, s.cfg.DefaultRealm, prober, &cluster.Metrics{Outbound: s.cfg.Outbound()}, s.log)
	if err := s.clusters.Reload(ctx); err != nil {
		return fmt.Errorf("clusters: %w", err)
	}
	if s.cfg.IssuerURL != "" {
		if s.remote, err = bearer.NewRemote(s.cfg.IssuerURL, bearer.RemoteOptions{Now: s.now, Outbound: s.cfg.Outbound()}); err != nil {
			return err
		}
	}

	admin, err := s.resourceAPI(ctx, adminOptions(s.cfg))
	if err != nil {
		return err
	}
	modeler, err := s.resourceAPI(ctx, modelerOptions(s.cfg))
	if err != nil {
		return err
	}
	s.resources = []resourceAPI{admin, modeler}

	if err := s.mount(admin, modeler); err != nil {
		return err
	}
	s.runners = s.background()
	s.registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	s.registerMetrics(prober)
	return nil
}

// ensureRealms makes the configured realms and their presets exist, fills s.realms
// (what the token endpoint needs) and returns what the key manager needs.
func (s *Server) ensureRealms(ctx context.Context) ([]keys.Realm, error) {
	var kr []keys.Realm
	s.realms = map[string]oauth.Realm{}
	for _, rc := range s.cfg.Realms {
		lifetime := time.Duration(rc.TokenLifetime)
		if _, err := s.Identity.EnsureRealm(ctx, store.Realm{Name: rc.Name, Organization: rc.Organization,
			SigningAlg: rc.SigningAlg, TokenLifetime: lifetime}); err != nil {
			return nil, fmt.Errorf("realm %s: %w", rc.Name, err)
		}
		if err := s.Identity.EnsurePresets(ctx, rc.Name); err != nil {
			return nil, fmt.Errorf("realm %s presets: %w", rc.Name, err)
		}
		reuse := 0.0
		if rc.TokenReuse != nil { // set by config.Validate
			reuse = *rc.TokenReuse
		}
		s.realms[rc.Name] = oauth.Realm{Name: rc.Name, Issuer: s.Issuer(rc.Name), Lifetime: lifetime, HeaderType: rc.HeaderType, Reuse: reuse}
		kr = append(kr, keys.Realm{Name: rc.Name, Issuer: s.Issuer(rc.Name), Alg: rc.SigningAlg, MaxLifetime: lifetime})
	}
	return kr, nil
}

// mount builds the handlers of every listener and an HTTP server for each bound one.
func (s *Server) mount(admin, modeler resourceAPI) error {
	names := make([]string, 0, len(s.realms))
	for name := range s.realms {
		names = append(names, name)
	}
	om := oauth.NewMetrics(s.registry, names...)
	tokens := &oauth.Server{Realms: s.realms, Default: s.cfg.DefaultRealm, Clients: s.Identity, Keys: s.Keys,
		Audit: s.audit, ClientRL: throttle.New(throttle.DefaultClientPolicy, s.now),
		IPRL: throttle.New(throttle.DefaultIPPolicy, s.now), Metrics: om, Log: s.log, Now: s.now,
		ClientIP: s.clientIP(), Deny: s.deny.oauth()} // token reuse consults the deny lists
	people, err := s.people()
	if err != nil {
		return err
	}
	tokens.Code = people
	idMux, err := s.identityMux(tokens, people)
	if err != nil {
		return err
	}
	consoleMux, err := s.consoleHandler(admin)
	if err != nil {
		return err
	}
	handlers := map[string]http.Handler{
		IdentityListener:   idMux,
		ConsoleListener:    consoleMux,
		ModelerListener:    s.modelerHandler(modeler),
		ManagementListener: s.managementMux(),
	}
	s.servers = make(map[string]*http.Server, len(s.listeners))
	for name := range s.listeners {
		s.servers[name] = s.httpServer(name, handlers[name])
	}
	return nil
}

// ready reports whether this replica can serve: the database answers and every realm
// has an active key.
func (s *Server) ready(ctx context.Context) error {
	if err := s.store.Ping(ctx); err != nil {
		return fmt.Errorf("database: %w", err)
	}
	for name := range s.realms {
		if _, err := s.Keys.Signer(name); err != nil {
			return fmt.Errorf("realm %s: %w", name, err)
		}
	}
	return nil
}
