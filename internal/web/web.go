package web

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/gatehouse/gatehouse/internal/clientip"

	"github.com/gatehouse/gatehouse/internal/audit"
	"github.com/gatehouse/gatehouse/internal/cluster"
	"github.com/gatehouse/gatehouse/internal/identity"
	"github.com/gatehouse/gatehouse/internal/keys"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/throttle"
)

// Store is the part of the store the console uses directly: users by name (sign-in),
// the audit trail and the sessions.
type Store interface {
	GetUserByUsername(ctx context.Context, realm, username string) (store.User, error)
	ListAudit(ctx context.Context, q store.AuditQuery) ([]store.AuditEvent, error)
	SessionStore
}

// AuditWriter stores one event synchronously (*audit.Recorder).
type AuditWriter = audit.Writer

// Keys lists and rotates signing keys (*keys.Manager).
type Keys interface {
	List(ctx context.Context, realm string) ([]keys.Info, error)
	Rotate(ctx context.Context, realm string) error
}

// Clusters is the live cluster view (*cluster.Service).
type Clusters interface {
	View() *cluster.View
	Usage(ctx context.Context, id string, start, end time.Time) (cluster.Usage, error)
}

// Options wire the console.
type Options struct {
	Realm    string // the realm the console manages (the default realm)
	Identity *identity.Service
	Store    Store
	Audit    AuditWriter
	Keys     Keys
	Clusters Clusters // nil: the clusters pages say none are configured
	// Sealer encrypts a new client secret while it waits in the session store for the
	// page that shows it once (*keys.KEK).
	Sealer Sealer

	// SaaSTokenURL is the server's /oauth/token URL; RealmTokenURL the realm's
	// Keycloak-style token endpoint. Both appear in the credentials shown after create.
	SaaSTokenURL  string
	RealmTokenURL string

	// ClientIP finds the address sign-in throttling keys on (zero: the TCP peer).
	ClientIP clientip.Resolver

	IdleTimeout   time.Duration // a session unused this long ends; default 30 min
	MaxAge        time.Duration // a session ends this long after sign-in; default 12 h
	SecureCookies bool          // always mark the cookie Secure (else only behind TLS)

	// SignIn throttles failed sign-ins per (username, source IP) and IP per source IP;
	// nil: the defaults (SignInPolicy, IPPolicy).
	SignIn *throttle.Limiter
	IP     *throttle.Limiter

	HealthRefresh time.Duration // how often the clusters page refreshes health; default 5 s
	Log           *slog.Logger
	Now           func() time.Time
}

// Sign-in throttling defaults: 5 failures a minute per (username, IP), 50 per IP, then
// a backoff from 30 s doubling to 15 min. Never a permanent lockout (checklist §5.2).
var (
	SignInPolicy = throttle.Policy{Threshold: 5, Window: time.Minute, Backoff: 30 * time.Second,
		MaxBackoff: 15 * time.Minute, Forget: 12 * time.Hour, MaxKeys: 100_000, MaxWait: 2 * time.Second}
	IPPolicy = throttle.Policy{Threshold: 50, Window: time.Minute, Backoff: 30 * time.Second,
		MaxBackoff: 15 * time.Minute, Forget: 12 * time.Hour, MaxKeys: 100_000, MaxWait: 2 * time.Second}
)

// Session timeouts by default.
const (
	DefaultIdleTimeout = 30 * time.Minute
	DefaultMaxAge      = 12 * time.Hour
)

// Handler serves the console. Mount it at "/" of the console listener.
type Handler struct {
	o        Options
	id       *identity.Service
	trail    *audit.Trail // changes whose rules are still here, and forms refused before the domain
	sess     *sessions
	pages    map[string]*pageTemplate
	now      func() time.Time
	log      *slog.Logger
	root     http.Handler
	assetTag string
}

// New builds the console.
func New(o Options) (*Handler, error) {
	if o.Identity == nil || o.Store == nil || o.Audit == nil || o.Keys == nil || o.Sealer == nil || o.Realm == "" {
		return nil, errors.New("web: Realm, Identity, Store, Audit, Keys and Sealer are required")
	}
	if o.IdleTimeout == 0 {
		o.IdleTimeout = DefaultIdleTimeout
	}
	if o.MaxAge == 0 {
		o.MaxAge = DefaultMaxAge
	}
	if o.IdleTimeout < 0 || o.MaxAge < 0 {
		return nil, errors.New("web: session timeouts must be positive")
	}
	if o.HealthRefresh <= 0 {
		o.HealthRefresh = 5 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if o.SignIn == nil {
		o.SignIn = throttle.New(SignInPolicy, o.Now)
	}
	if o.IP == nil {
		o.IP = throttle.New(IPPolicy, o.Now)
	}
	pages, tag, err := loadTemplates()
	if err != nil {
		return nil, err
	}
	h := &Handler{o: o, id: o.Identity, sess: newSessions(o.Store, o.Sealer, o.Realm, o.IdleTimeout, o.MaxAge, o.Now), pages: pages, now: o.Now,
		log: o.Log, assetTag: tag}
	h.trail = audit.NewTrail(o.Audit, o.Log, o.Now)
	h.root = h.routes()
	return h, nil
}

// ServeHTTP serves a console request.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.root.ServeHTTP(w, r) }

// csp allows only this origin's script, style, images and forms; nothing may frame the
// console (checklist D2, D9).
const csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
	"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// headers sets what every console answer carries.
func headers(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", csp)
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "same-origin")
		hd.Set("Cross-Origin-Opener-Policy", "same-origin")
		hd.Set("Cross-Origin-Resource-Policy", "same-origin")
		hd.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
		next.ServeHTTP(w, r)
	})
}

func (h *Handler) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /static/", http.HandlerFunc(h.static))
	mux.HandleFunc("GET /signin", h.signInPage)
	mux.HandleFunc("POST /signin", h.signIn)
	mux.HandleFunc("POST /signout", h.signOut)

	read := func(pattern string, fn func(http.ResponseWriter, *http.Request, *viewer)) {
		mux.Handle(pattern, h.auth(false, fn))
	}
	write := func(pattern string, fn func(http.ResponseWriter, *http.Request, *viewer)) {
		mux.Handle(pattern, h.auth(true, fn))
	}
	read("GET /{$}", func(w http.ResponseWriter, r *http.Request, _ *viewer) {
		http.Redirect(w, r, "/applications", http.StatusSeeOther)
	})

	read("GET /applications", h.appsList)
	write("GET /applications/new", h.appNewPage)
	write("POST /applications", h.appCreate)
	read("GET /applications/{id}", h.appDetail)
	read("GET /applications/{id}/credentials", h.appCredentials)
	write("POST /applications/{id}/name", h.appRename)
	write("POST /applications/{id}/permissions", h.appPermissions)
	write("POST /applications/{id}/rotate", h.appRotate)
	write("POST /applications/{id}/enabled", h.appEnabled)
	write("POST /applications/{id}/web", h.appWeb)
	write("GET /applications/{id}/delete", h.appDeletePage)
	write("POST /applications/{id}/delete", h.appDelete)

	read("GET /apis", h.apisList)
	write("GET /apis/new", h.apiNewPage)
	write("POST /apis", h.apiCreate)
	read("GET /apis/{id}", h.apiDetail)
	write("POST /apis/{id}/permissions", h.apiAddPermission)
	write("POST /apis/{id}/permissions/remove", h.apiRemovePermission)
	write("GET /apis/{id}/delete", h.apiDeletePage)
	write("POST /apis/{id}/delete", h.apiDelete)

	read("GET /users", h.usersList)
	write("GET /users/new", h.userNewPage)
	write("POST /users", h.userCreate)
	read("GET /users/{id}", h.userDetail)
	write("POST /users/{id}/roles", h.userRoles)
	write("POST /users/{id}/enabled", h.userEnabled)
	write("POST /users/{id}/password", h.userPassword)
	write("GET /users/{id}/delete", h.userDeletePage)
	write("POST /users/{id}/delete", h.userDelete)

	read("GET /clusters", h.clustersList)
	read("GET /clusters/health", h.clustersHealth)
	read("GET /clusters/{id}", h.clusterDetail)

	read("GET /audit", h.auditList)

	read("GET /keys", h.keysList)
	write("POST /keys/rotate", h.keysRotate)

	mux.HandleFunc("/", h.notFound)
	// Cross-origin POSTs are refused before any handler runs (checklist D1). No bypass
	// patterns, no trusted origins.
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(h.crossOrigin))
	return headers(cop.Handler(mux))
}

func (h *Handler) crossOrigin(w http.ResponseWriter, r *http.Request) {
	h.renderError(w, r, nil, http.StatusForbidden, "This request came from another site and was refused.",
		"Open the console directly and submit the form from there.")
}

func (h *Handler) notFound(w http.ResponseWriter, r *http.Request) {
	h.renderError(w, r, h.optionalViewer(r), http.StatusNotFound, "There is no such page.",
		"Use the navigation to find what you are looking for.")
}
