package server

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gatehouse/gatehouse/internal/audit"
	"github.com/gatehouse/gatehouse/internal/bearer"
	"github.com/gatehouse/gatehouse/internal/clientip"
	"github.com/gatehouse/gatehouse/internal/cluster"
	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/identity"
	"github.com/gatehouse/gatehouse/internal/keys"
	"github.com/gatehouse/gatehouse/internal/oauth"
	"github.com/gatehouse/gatehouse/internal/observe"
	"github.com/gatehouse/gatehouse/internal/store"
)

// Options are the parts of the environment the server does not take from Config.
type Options struct {
	Log    *slog.Logger
	Stdout io.Writer        // where bootstrap credentials are printed (never the log)
	Now    func() time.Time // nil: time.Now
	// AccessLog receives the access log's JSON lines with --access-log (nil: stderr).
	AccessLog io.Writer
}

// Server is a running Gatehouse.
type Server struct {
	cfg   config.Config
	log   *slog.Logger
	now   func() time.Time
	store store.Store

	Identity  *identity.Service
	Keys      *keys.Manager
	kek       *keys.KEK // the master key: signing keys, and secrets waiting in console sessions
	audit     *audit.Recorder
	realms    map[string]oauth.Realm
	deny      denyLists        // per realm (deny.go)
	clusters  *cluster.Service // the default realm's clusters (Administration API, web console)
	remote    *bearer.Remote   // the remote issuer's key set with --issuer-url, else nil
	resources []resourceAPI    // resource APIs whose accepted audiences follow their API record (resource.go)
	registry  *prometheus.Registry
	http      *observe.HTTP // request metrics and the access log of every listener
	draining  atomic.Bool   // set on shutdown: /readyz answers 503 during the drain delay (run.go)

	listeners map[string]net.Listener
	servers   map[string]*http.Server
	runners   []runner // background loops Run starts and stops (run.go)
	health    health   // what the revision poll learned about the database (fault.go)
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
	s.http = observe.NewHTTP(s.registry)
	if cfg.AccessLog {
		w := opt.AccessLog
		if w == nil {
			w = os.Stderr
		}
		s.http.Log = slog.New(slog.NewJSONHandler(w, nil))
		s.http.ClientIP = s.clientIP().IP
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
	st, kek, err := openCore(ctx, cfg, s.log)
	if err != nil {
		return nil, err
	}
	s.store = st
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
		s.listeners[l.name] = limitListen(ln, s.cfg.MaxConnections)
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

// clientIP is how throttling and audit find a request's client address (validated by
// config.Validate, so Parse cannot fail here).
func (s *Server) clientIP() clientip.Resolver {
	r, _ := clientip.Parse(s.cfg.TrustedProxies)
	return r
}

// httpServer serves one listener. Connections are not authenticated, requests are: so
// every connection that is not busy with a request — one that has not sent its first
// request's headers yet, or waits between keep-alive requests — is closed after
// --idle-timeout (default 30 s), which bounds what clients that never send anything
// (or never authenticate) can hold. Headers must arrive within 10 s, or the idle
// timeout when it is shorter.
func (s *Server) httpServer(name string, h http.Handler) *http.Server {
	idle := s.cfg.IdleTimeout
	if idle <= 0 {
		idle = config.DefaultIdleTimeout
	}
	header := min(10*time.Second, idle)
	return &http.Server{
		Handler:           secure(recoverer(s.log, s.bounded(s.http.Wrap(name, h)))),
		ReadHeaderTimeout: header,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       idle,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler().WithAttrs([]slog.Attr{slog.String("listener", name)}), slog.LevelWarn),
	}
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
