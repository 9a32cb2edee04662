package mgmt

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/gatehouse/gatehouse/internal/audit"
	"github.com/gatehouse/gatehouse/internal/cluster"
	"github.com/gatehouse/gatehouse/internal/identity"
	"github.com/gatehouse/gatehouse/internal/keys"
	"github.com/gatehouse/gatehouse/internal/store"
)

// Prefix is the path prefix of the management API.
const Prefix = "/manage/v1/"

// Guard authenticates the requests of one realm (*bearer.Authenticator): Middleware
// verifies the token and puts its claims in the context, Require checks a permission.
type Guard interface {
	Middleware(next http.Handler) http.Handler
	Require(api string, anyOf ...string) func(http.Handler) http.Handler
}

// Keys manages signing keys (*keys.Manager).
type Keys interface {
	List(ctx context.Context, realm string) ([]keys.Info, error)
	Rotate(ctx context.Context, realm string) error
	Revoke(ctx context.Context, realm, kid string) error
}

// Store is the part of the store the API reads and writes directly: clusters (their
// probing belongs to internal/cluster) and the audit trail.
type Store interface {
	CreateCluster(ctx context.Context, c store.Cluster) error
	GetCluster(ctx context.Context, realm, id string) (store.Cluster, error)
	ListClusters(ctx context.Context, realm string) ([]store.Cluster, error)
	UpdateCluster(ctx context.Context, realm, id string, fn func(store.Cluster) (store.Cluster, error)) (store.Cluster, error)
	DeleteCluster(ctx context.Context, realm, id string) error
	ListAudit(ctx context.Context, q store.AuditQuery) ([]store.AuditEvent, error)
}

// AuditWriter stores one event synchronously (*audit.Recorder).
type AuditWriter = audit.Writer

// Config wires the API.
type Config struct {
	Identity *identity.Service
	Keys     Keys
	Store    Store
	Audit    AuditWriter
	Realms   map[string]Guard // realm name → its guard; other realms answer 404
	Log      *slog.Logger     // nil: discard
	Now      func() time.Time // nil: time.Now
}

// Handler serves the management API.
type Handler struct {
	id       *identity.Service
	keys     Keys
	store    Store
	audit    AuditWriter
	realms   map[string]Guard
	trail    *audit.Trail // for changes refused before the domain; the domain records the rest
	clusters *cluster.Registry
	log      *slog.Logger
	now      func() time.Time
	mux      *http.ServeMux
}

// Permissions on the Camunda Identity API.
const (
	permRead      = "read"
	permReadUsers = "read:users"
	permWrite     = "write"
)

// New returns the API; mount it at Prefix.
func New(cfg Config) *Handler {
	a := &Handler{id: cfg.Identity, keys: cfg.Keys, store: cfg.Store, audit: cfg.Audit, realms: cfg.Realms,
		log: cfg.Log, now: cfg.Now, mux: http.NewServeMux()}
	if a.log == nil {
		a.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if a.now == nil {
		a.now = time.Now
	}
	a.trail = audit.NewTrail(a.audit, a.log, a.now)
	a.clusters = cluster.NewRegistry(cfg.Store, a.trail, a.now)
	a.mux.HandleFunc("GET /manage/v1/openapi.json", serveOpenAPI)
	a.routes()
	return a
}

// ServeHTTP routes a request; anything unmatched gets a problem (404 or 405 with Allow).
func (a *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h, pattern := a.mux.Handler(r)
	if pattern == "" {
		rec := &statusOnly{header: http.Header{}}
		h.ServeHTTP(rec, r)
		if allow := rec.header.Get("Allow"); allow != "" {
			w.Header().Set("Allow", allow)
		}
		status := rec.status
		if status != http.StatusMethodNotAllowed {
			status = http.StatusNotFound
		}
		writeProblem(w, r, status, notFoundText(status))
		return
	}
	a.mux.ServeHTTP(w, r)
}

func notFoundText(status int) string {
	if status == http.StatusMethodNotAllowed {
		return "This resource does not support the request method."
	}
	return "No such resource."
}

// statusOnly captures what the mux's own 404/405 handler would answer.
type statusOnly struct {
	header http.Header
	status int
}

func (s *statusOnly) Header() http.Header         { return s.header }
func (s *statusOnly) Write(b []byte) (int, error) { return len(b), nil }
func (s *statusOnly) WriteHeader(code int)        { s.status = code }

const realmBase = "/manage/v1/realms/{realm}"

func (a *Handler) routes() {
	r, rw := []string{permRead}, []string{permWrite}
	ru := []string{permRead, permReadUsers}

	a.handle("GET", "/applications", r, a.listApps)
	a.handle("POST", "/applications", rw, a.createApp)
	a.handle("GET", "/applications/{id}", r, a.getApp)
	a.handle("PATCH", "/applications/{id}", rw, a.patchApp)
	a.handle("DELETE", "/applications/{id}", rw, a.deleteApp)
	a.handle("POST", "/applications/{id}/rotate-secret", rw, a.rotateSecret)
	a.handle("GET", "/applications/{id}/permissions", r, a.listPermissions)
	a.handle("PUT", "/applications/{id}/permissions", rw, a.addPermissions)
	a.handle("DELETE", "/applications/{id}/permissions", rw, a.removePermissions)

	a.handle("GET", "/apis", r, a.listAPIs)
	a.handle("POST", "/apis", rw, a.createAPI)
	a.handle("GET", "/apis/{id}", r, a.getAPI)
	a.handle("PATCH", "/apis/{id}", rw, a.patchAPI)
	a.handle("DELETE", "/apis/{id}", rw, a.deleteAPI)

	a.handle("GET", "/users", ru, a.listUsers)
	a.handle("POST", "/users", rw, a.createUser)
	a.handle("GET", "/users/{id}", ru, a.getUser)
	a.handle("PATCH", "/users/{id}", rw, a.patchUser)
	a.handle("DELETE", "/users/{id}", rw, a.deleteUser)
	a.handle("GET", "/users/{id}/roles", ru, a.listRoles)
	a.handle("PUT", "/users/{id}/roles", rw, a.addRoles)
	a.handle("DELETE", "/users/{id}/roles", rw, a.removeRoles)

	a.handle("GET", "/clusters", r, a.listClusters)
	a.handle("POST", "/clusters", rw, a.createCluster)
	a.handle("GET", "/clusters/{id}", r, a.getCluster)
	a.handle("PATCH", "/clusters/{id}", rw, a.patchCluster)
	a.handle("DELETE", "/clusters/{id}", rw, a.deleteCluster)

	a.handle("GET", "/keys", r, a.listKeys)
	a.handle("POST", "/keys/rotate", rw, a.rotateKey)
	a.handle("POST", "/keys/{kid}/revoke", rw, a.revokeKey)

	a.handle("GET", "/audit", r, a.listAudit)
}

// handle mounts h for every realm behind that realm's guard: the token must verify
// against the realm's issuer and keys and hold one of perms on the Identity API.
func (a *Handler) handle(method, path string, perms []string, h http.HandlerFunc) {
	chains := make(map[string]http.Handler, len(a.realms))
	for name, g := range a.realms {
		chains[name] = g.Middleware(g.Require(identity.AudienceIdentity, perms...)(h))
	}
	a.mux.Handle(method+" "+realmBase+path, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		chain, ok := chains[r.PathValue("realm")]
		if !ok {
			writeProblem(w, r, http.StatusNotFound, "No such realm.")
			return
		}
		chain.ServeHTTP(w, r)
	}))
}
