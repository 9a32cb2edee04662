package adminapi

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/gatehouse/gatehouse/internal/bearer"
	"github.com/gatehouse/gatehouse/internal/cluster"
	"github.com/gatehouse/gatehouse/internal/problem"
	"github.com/gatehouse/gatehouse/internal/store"
)

// Audience is the Administration API's own audience (Identity's "Console API").
const Audience = "console-api"

// Permissions: either grants every operation of the API.
var Permissions = []string{"read:*", "write:*"}

// OpenAPI is the API's OpenAPI 3 document, served at DocsPath.
//
//go:embed openapi.yaml
var OpenAPI []byte

// Paths.
const (
	ClustersPath = "/admin-api/clusters"
	UsagePath    = "/admin-api/usage-metrics"
	DocsPath     = "/admin-api/openapi/docs"
)

// Clusters is what the API reads: cluster.Service.
type Clusters interface {
	View() *cluster.View
	Usage(ctx context.Context, id string, start, end time.Time) (cluster.Usage, error)
}

// Options configure the handler.
type Options struct {
	Clusters Clusters
	Auth     *bearer.Authenticator
	Log      *slog.Logger
}

type api struct {
	clusters Clusters
	log      *slog.Logger
	body     atomic.Pointer[encoded] // the clusters answer of the current view
}

type encoded struct {
	view *cluster.View
	body []byte
}

// New returns the handler of every /admin-api path.
func New(o Options) http.Handler {
	a := &api{clusters: o.Clusters, log: o.Log}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	protect := func(h http.HandlerFunc) http.Handler {
		return o.Auth.Middleware(o.Auth.Require(Audience, Permissions...)(h))
	}
	mux := http.NewServeMux()
	mux.Handle("GET "+ClustersPath, protect(a.getClusters))
	mux.Handle("GET "+UsagePath, protect(a.getUsage))
	mux.HandleFunc("GET "+DocsPath, serveDocs)
	mux.HandleFunc("/admin-api/", func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case ClustersPath, UsagePath, DocsPath:
			w.Header().Set("Allow", "GET, HEAD")
			problem.Write(w, r, http.StatusMethodNotAllowed, "Only GET is allowed here.")
			return
		}
		problem.Write(w, r, http.StatusNotFound, "No such Administration API resource.")
	})
	return mux
}

func serveDocs(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/yaml")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Write(OpenAPI)
}

// getClusters answers the current view, encoded once per view.
func (a *api) getClusters(w http.ResponseWriter, r *http.Request) {
	v := a.clusters.View()
	e := a.body.Load()
	if e == nil || e.view != v {
		b, err := json.Marshal(clustersJSON(v))
		if err != nil {
			a.log.Error("encode clusters", "err", err)
			problem.Write(w, r, http.StatusInternalServerError, "Unexpected error while processing the request.")
			return
		}
		e = &encoded{view: v, body: b}
		a.body.Store(e)
	}
	writeJSON(w, e.body)
}

func (a *api) getUsage(w http.ResponseWriter, r *http.Request) {
	q, detail := parseUsageQuery(r.URL.RawQuery)
	if detail != "" {
		problem.Write(w, r, http.StatusBadRequest, detail)
		return
	}
	u, err := a.clusters.Usage(r.Context(), q.id, q.start, q.end)
	var se *cluster.SourceError
	switch {
	case err == nil:
	case errors.Is(err, store.ErrNotFound):
		problem.Write(w, r, http.StatusNotFound, "No cluster has this id.")
		return
	case errors.As(err, &se):
		a.log.Warn("usage metrics source unavailable", "cluster", q.id, "err", err)
		problem.Write(w, r, http.StatusBadGateway, "The usage metrics source "+se.Component+" of this cluster is unavailable; retry later.")
		return
	default:
		a.log.Error("usage metrics", "cluster", q.id, "err", err)
		problem.Write(w, r, http.StatusInternalServerError, "Unexpected error while processing the request.")
		return
	}
	b, err := json.Marshal(usageJSON(u))
	if err != nil {
		problem.Write(w, r, http.StatusInternalServerError, "Unexpected error while processing the request.")
		return
	}
	writeJSON(w, b)
}

func writeJSON(w http.ResponseWriter, b []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	w.Write(b)
}
