package server

import (
	"context"
	"errors"
	"fmt"
	"github.com/gatehouse/gatehouse/internal/clientip"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/gatehouse/gatehouse/internal/audit"
	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/identity"
	"github.com/gatehouse/gatehouse/internal/keys"
	"github.com/gatehouse/gatehouse/internal/oauth"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/throttle"
)

// Options are the parts of the environment the server does not take from Config.
type Options struct {
	Log    *slog.Logger
	Stdout io.Writer        // where bootstrap credentials are printed (never the log)
	Now    func() time.Time // nil: time.Now
}

// Server is a running Gatehouse.
type Server struct {
	cfg   config.Config
	log   *slog.Logger
	now   func() time.Time
	store store.Store

	Identity *identity.Service
	Keys     *keys.Manager
	kek      *keys.KEK // the master key: signing keys, and secrets waiting in console sessions
	audit    *audit.Recorder
	realms   map[string]oauth.Realm
	deny     map[string]*identity.DenyList // per realm (mgmt.go)
	registry *prometheus.Registry

	listeners map[string]net.Listener
	servers   map[string]*http.Server
	ready     func(context.Context) error
	console   *console      // Administration API (console.go)
	resources []resourceAPI // resource APIs whose accepted audiences follow their API record (console.go)
	health    health        // what the revision poll learned about the database (fault.go)

	wg sync.WaitGroup
}

// Listener names.
const (
	IdentityListener   = "identity"
	ConsoleListener    = "console"
	ModelerListener    = "modeler"
	ManagementListener = "management"
)

// New binds the listeners, opens the store and builds every component. It does not
// serve yet: call Run. On error everything opened so far is closed.
func New(ctx context.Context, cfg config.Config, opt Options) (*Server, error) {
	s := &Server{cfg: cfg, log: opt.Log, now: opt.Now, listeners: map[string]net.Listener{}, registry: prometheus.NewRegistry()}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	built := false
	defer func() {
		if !built {
			s.closeAll()
		}
	}()
	if err := s.listen(); err != nil {
		return nil, err
	}
	if cfg.DatabaseURL == "" {
		if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
			return nil, fmt.Errorf("create data directory: %w", err)
		}
	}
	if cfg.DatabaseURL != "" && cfg.MasterKey == "" {
		if _, err := os.Stat(filepath.Join(cfg.DataDir, keys.MasterKeyFile)); err != nil {
			// Replicas sharing a database must share the master key: a file generated on
			// one host would make every other replica refuse to start later.
			return nil, fmt.Errorf("with --database-url, set GATEHOUSE_MASTER_KEY (the same 32-byte key on every replica, e.g. `openssl rand -base64 32`)")
		}
	}
	st, err := OpenStore(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	s.store = st
	kek, created, err := keys.LoadKEK(cfg.MasterKey, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	if created {
		s.log.Warn("generated a new master key file; back it up with the database, and set GATEHOUSE_MASTER_KEY when running several replicas",
			"file", cfg.DataDir+"/"+keys.MasterKeyFile)
	}
	if err := kek.Check(ctx, st); err != nil {
		return nil, err
	}
	if err := s.build(ctx, kek, opt.Stdout); err != nil {
		return nil, err
	}
	built = true
	return s, nil
}

func (s *Server) listen() error {
	for _, l := range []struct{ name, addr string }{{IdentityListener, s.cfg.IdentityAddr}, {ConsoleListener, s.cfg.ConsoleAddr},
		{ModelerListener, s.cfg.ModelerAddr}, {ManagementListener, s.cfg.ManagementAddr}} {
		if l.addr == "" {
			continue
		}
		ln, err := net.Listen("tcp", l.addr)
		if err != nil {
			return fmt.Errorf("%s listener: %w", l.name, err)
		}
		s.listeners[l.name] = ln
	}
	return nil
}

// Addr returns the bound address of a listener ("" if it is off).
func (s *Server) Addr(name string) string {
	if ln, ok := s.listeners[name]; ok {
		return ln.Addr().String()
	}
	return ""
}

// PublicURL is the identity listener's public base URL.
func (s *Server) PublicURL() string {
	if s.cfg.IdentityPublicURL != "" {
		return s.cfg.IdentityPublicURL
	}
	_, port, _ := net.SplitHostPort(s.Addr(IdentityListener))
	return "http://localhost:" + port
}

// Issuer returns the issuer of a realm.
func (s *Server) Issuer(realm string) string { return config.Issuer(s.PublicURL(), realm) }

// Store exposes the store (for tests and the CLI).
func (s *Server) Store() store.Store { return s.store }

func (s *Server) build(ctx context.Context, kek *keys.KEK, stdout io.Writer) error {
	s.Identity = identity.New(s.store, s.now, runtime.GOMAXPROCS(0))
	var kr []keys.Realm
	s.realms = map[string]oauth.Realm{}
	for _, rc := range s.cfg.Realms {
		lifetime := time.Duration(rc.TokenLifetime)
		if _, err := s.Identity.EnsureRealm(ctx, store.Realm{Name: rc.Name, Organization: rc.Organization,
			SigningAlg: rc.SigningAlg, TokenLifetime: lifetime}); err != nil {
			return fmt.Errorf("realm %s: %w", rc.Name, err)
		}
		if err := s.Identity.EnsurePresets(ctx, rc.Name); err != nil {
			return fmt.Errorf("realm %s presets: %w", rc.Name, err)
		}
		reuse := 0.0
		if rc.TokenReuse != nil { // set by config.Validate
			reuse = *rc.TokenReuse
		}
		s.realms[rc.Name] = oauth.Realm{Name: rc.Name, Issuer: s.Issuer(rc.Name), Lifetime: lifetime, HeaderType: rc.HeaderType, Reuse: reuse}
		kr = append(kr, keys.Realm{Name: rc.Name, Issuer: s.Issuer(rc.Name), Alg: rc.SigningAlg, MaxLifetime: lifetime})
	}
	s.Keys = keys.NewManager(s.store, kek, s.now, kr...)
	s.kek = kek
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
	s.audit = audit.New(s.store, s.log)
	s.registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return s.mount()
}

// seed creates declared clients (GATEHOUSE_BOOTSTRAP_CLIENT_ID/_SECRET declare the
// administrator of the default realm) and, in a realm where nothing is declared and no
// application exists, a bootstrap administrator whose secret is printed once to stdout
// (never to the log).
func (s *Server) seed(ctx context.Context, stdout io.Writer) error {
	byRealm := map[string][]identity.ClientSpec{}
	for _, c := range s.cfg.Clients {
		spec := identity.ClientSpec{Name: c.Name, ID: c.ID, Secret: c.Secret, Type: c.Type}
		for _, p := range c.Permissions {
			spec.Permissions = append(spec.Permissions, identity.PermissionRef{Audience: p.ResourceServerID, Definition: p.Definition})
		}
		byRealm[c.Realm] = append(byRealm[c.Realm], spec)
	}
	for _, rc := range s.cfg.Realms {
		specs := byRealm[rc.Name]
		if rc.Name == s.cfg.DefaultRealm && s.cfg.BootstrapClientID != "" {
			specs = append(specs, identity.ClientSpec{Name: identity.BootstrapName, ID: s.cfg.BootstrapClientID,
				Secret: s.cfg.BootstrapSecret, Permissions: identity.AdminPermissions})
		}
		res, err := s.Identity.Seed(ctx, rc.Name, specs)
		if err != nil {
			return err
		}
		for _, r := range res {
			if r.Action != "unchanged" {
				s.log.Info("configured client "+r.Action, "realm", rc.Name, "client_id", r.ClientID)
			}
		}
		if len(specs) > 0 {
			continue
		}
		app, plain, created, err := s.Identity.Bootstrap(ctx, rc.Name)
		if err != nil {
			return fmt.Errorf("realm %s bootstrap: %w", rc.Name, err)
		}
		if created {
			s.log.Info("created bootstrap administrator application", "realm", rc.Name, "client_id", app.ClientID)
			if stdout != nil {
				fmt.Fprintf(stdout, "\nGatehouse created the administrator application of realm %q.\n"+
					"Its secret is shown only this once; store it now:\n\n  GATEHOUSE_CLIENT_ID=%s\n  GATEHOUSE_CLIENT_SECRET=%s\n\n",
					rc.Name, app.ClientID, plain)
			}
		}
	}
	return nil
}

func (s *Server) mount() error {
	om := oauth.NewMetrics(s.registry)
	tokens := &oauth.Server{Realms: s.realms, Default: s.cfg.DefaultRealm, Clients: s.Identity, Keys: s.Keys,
		Audit: s.audit, ClientRL: throttle.New(throttle.DefaultClientPolicy, s.now),
		IPRL: throttle.New(throttle.DefaultIPPolicy, s.now), Metrics: om, Log: s.log, Now: s.now, ClientIP: s.clientIP()}
	tokens.Deny = map[string]oauth.DenyList{} // token reuse consults it
	for name, d := range s.denyLists() {
		tokens.Deny[name] = d
	}
	idMux, err := s.identityMux(tokens)
	if err != nil {
		return err
	}
	modelerMux, err := s.modelerHandler(context.Background())
	if err != nil {
		return err
	}
	consoleMux, err := s.consoleHandler()
	if err != nil {
		return err
	}
	handlers := map[string]http.Handler{
		IdentityListener:   idMux,
		ConsoleListener:    consoleMux,
		ModelerListener:    modelerMux,
		ManagementListener: s.managementMux(),
	}
	s.servers = make(map[string]*http.Server, len(s.listeners))
	for name := range s.listeners {
		s.servers[name] = s.httpServer(name, handlers[name])
	}
	s.ready = func(ctx context.Context) error {
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
	return nil
}

// clientIP is how throttling and audit find a request's client address (validated by
// config.Validate, so Parse cannot fail here).
func (s *Server) clientIP() clientip.Resolver {
	r, _ := clientip.Parse(s.cfg.TrustedProxies)
	return r
}

func (s *Server) httpServer(name string, h http.Handler) *http.Server {
	return &http.Server{
		Handler:           secure(recoverer(s.log, s.bounded(h))),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler().WithAttrs([]slog.Attr{slog.String("listener", name)}), slog.LevelWarn),
	}
}

// Run serves every listener and the background loops until ctx ends, then shuts down
// gracefully (in-flight requests get up to 10 s).
func (s *Server) Run(ctx context.Context) error {
	bg, stopBG := context.WithCancel(context.WithoutCancel(ctx))
	s.wg.Add(1)
	go func() { defer s.wg.Done(); s.audit.Run(bg) }()
	s.wg.Add(1)
	go func() { defer s.wg.Done(); s.maintain(bg) }()
	s.wg.Add(1)
	go func() { defer s.wg.Done(); s.runConsole(bg) }()
	s.wg.Add(1)
	go func() { defer s.wg.Done(); s.runDenyLists(bg) }()

	errc := make(chan error, len(s.servers))
	for name, ln := range s.listeners {
		srv := s.servers[name]
		s.log.Info("listening", "listener", name, "addr", ln.Addr().String())
		go func() {
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errc <- fmt.Errorf("%s listener: %w", name, err)
			}
		}()
	}
	// Start-up leaves transient garbage (migrations, key generation, an argon2id hash
	// of a configured secret allocates 19 MiB): return it to the OS once, so an idle
	// server stays small.
	debug.FreeOSMemory()
	var runErr error
	select {
	case <-ctx.Done():
	case runErr = <-errc:
	}
	s.log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	for _, srv := range s.servers {
		if err := srv.Shutdown(sctx); err != nil {
			s.log.Warn("shutdown", "err", err)
		}
	}
	stopBG()
	s.wg.Wait()
	s.closeAll()
	return runErr
}

func (s *Server) closeAll() {
	for _, ln := range s.listeners {
		ln.Close()
	}
	if s.store != nil {
		s.store.Close()
	}
}

// Close releases everything without serving (for a server that never ran).
func (s *Server) Close() { s.closeAll() }

// maintain runs the background loops: every second it compares the store's revision
// and, when another writer changed identity data, drops cached clients and reloads key
// sets; every minute it rotates keys that are due, pre-generates next keys and drops
// expired retired keys from the JWKS.
func (s *Server) maintain(ctx context.Context) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	var last int64 = -1
	// Key maintenance first runs a few seconds after start: the next key (slow to make
	// for RS256) is not needed to serve the first tokens.
	lastKeys := s.now().Add(5*time.Second - time.Minute)
	for {
		last = s.pollRevision(ctx, last) // fault.go: also drops the client cache while the database is down
		if s.now().Sub(lastKeys) >= time.Minute {
			lastKeys = s.now()
			kctx, cancel := context.WithTimeout(ctx, keyMaintenanceTimeout) // fault.go
			s.keyMaintenance(kctx)
			cancel()
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

func (s *Server) keyMaintenance(ctx context.Context) {
	for name := range s.realms {
		rotated, err := s.Keys.RotateIfDue(ctx, name, s.cfg.KeyRotationInterval)
		if err != nil && ctx.Err() == nil {
			s.log.Warn("scheduled key rotation", "realm", name, "err", err)
			continue
		}
		if rotated {
			s.log.Info("rotated signing key on schedule", "realm", name)
			s.audit.Record(store.AuditEvent{Realm: name, Time: s.now().UTC(), Actor: "system", Action: "key.rotate", Outcome: "success",
				Detail: map[string]string{"trigger": "schedule"}})
		}
		if err := s.Keys.EnsureNext(ctx, name); err != nil && ctx.Err() == nil {
			s.log.Warn("prepare next signing key", "realm", name, "err", err)
		}
		if s.Keys.Stale(name) {
			s.Keys.Reload(ctx, name)
		}
	}
}
