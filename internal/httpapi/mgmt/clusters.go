package mgmt

import (
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/gatehouse/gatehouse/internal/identity"
	"github.com/gatehouse/gatehouse/internal/store"
)

// Cluster is a managed Camunda release, the data of the Administration API. Its live
// health is not here: the cluster prober owns it.
type Cluster struct {
	ID         string      `json:"id"`
	Name       string      `json:"name"`
	Namespace  string      `json:"namespace"`
	Version    string      `json:"version"`
	Tags       []string    `json:"tags"`
	Components []Component `json:"components"`
	Source     string      `json:"source"`
	CreatedAt  time.Time   `json:"createdAt"`
	UpdatedAt  time.Time   `json:"updatedAt"`
}

// Component is one app of a cluster.
type Component struct {
	ID        string `json:"id"`
	Name      string `json:"name,omitempty"`
	Type      string `json:"type,omitempty"`
	Version   string `json:"version,omitempty"`
	URL       string `json:"url,omitempty"`
	Readiness string `json:"readiness,omitempty"`
	Metrics   string `json:"metrics,omitempty"`
}

type clusterRequest struct {
	Name       string      `json:"name"`
	Namespace  string      `json:"namespace"`
	Version    string      `json:"version"`
	Tags       []string    `json:"tags"`
	Components []Component `json:"components"`
}

type patchClusterRequest struct {
	Name       *string      `json:"name"`
	Namespace  *string      `json:"namespace"`
	Version    *string      `json:"version"`
	Tags       *[]string    `json:"tags"`
	Components *[]Component `json:"components"`
}

// appTypes are the Administration API's app types (camunda-apis.md §3.2).
var appTypes = []string{"zeebe-broker", "zeebe-gateway", "operate", "tasklist", "optimize", "modeler", "console", "identity", "unknown"}

// Cluster input limits.
const (
	maxTags       = 32
	maxComponents = 64
	maxURL        = 2048
)

func toCluster(c store.Cluster) Cluster {
	out := Cluster{ID: c.ID, Name: c.Name, Namespace: c.Namespace, Version: c.Version, Tags: append([]string{}, c.Tags...),
		Components: make([]Component, len(c.Components)), Source: c.Source, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
	for i, comp := range c.Components {
		out.Components[i] = Component(comp)
	}
	return out
}

func checkCluster(c store.Cluster) error {
	if err := identity.CheckName("name", c.Name); err != nil {
		return err
	}
	if c.Namespace != "" && !dnsLabel(c.Namespace) {
		return badRequest("Invalid namespace: must be a DNS label (1-63 of a-z, 0-9, '-', not starting or ending with '-').")
	}
	if c.Version != "" && !token(c.Version, 64) {
		return badRequest("Invalid version: must be 1-64 characters of A-Z, a-z, 0-9, '.', '_', '+', '-'.")
	}
	if len(c.Tags) > maxTags {
		return badRequest("Invalid tags: at most 32.")
	}
	for i, t := range c.Tags {
		if !token(t, 64) || slices.Contains(c.Tags[:i], t) {
			return badRequest("Invalid tags: distinct, each 1-64 characters of A-Z, a-z, 0-9, '.', '_', '+', '-'.")
		}
	}
	if len(c.Components) > maxComponents {
		return badRequest("Invalid components: at most 64.")
	}
	for i, comp := range c.Components {
		if !token(comp.ID, 64) || slices.ContainsFunc(c.Components[:i], func(o store.Component) bool { return o.ID == comp.ID }) {
			return badRequest("Invalid components: each needs a distinct id of 1-64 characters of A-Z, a-z, 0-9, '.', '_', '+', '-'.")
		}
		if comp.Name != "" && identity.CheckName("components.name", comp.Name) != nil {
			return badRequest("Invalid components.name: 1-255 characters without control characters.")
		}
		if comp.Type != "" && !slices.Contains(appTypes, comp.Type) {
			return badRequest("Invalid components.type: one of zeebe-broker, zeebe-gateway, operate, tasklist, optimize, modeler, console, identity, unknown.")
		}
		if comp.Version != "" && !token(comp.Version, 64) {
			return badRequest("Invalid components.version: 1-64 characters of A-Z, a-z, 0-9, '.', '_', '+', '-'.")
		}
		for _, u := range []string{comp.URL, comp.Readiness, comp.Metrics} {
			if u != "" && !httpURL(u) {
				return badRequest("Invalid component URL: url, readiness and metrics must be absolute http(s) URLs without credentials.")
			}
		}
	}
	return nil
}

func dnsLabel(s string) bool {
	if len(s) > 63 || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func token(s string, max int) bool {
	if s == "" || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '+' || c == '-') {
			return false
		}
	}
	return true
}

// httpURL accepts an absolute http(s) URL with a host and no user info: the prober
// calls these URLs, and credentials in them would be secrets in the store.
func httpURL(s string) bool {
	if len(s) > maxURL {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.User == nil && u.Fragment == ""
}

func toStoreComponents(cs []Component) []store.Component {
	out := make([]store.Component, len(cs))
	for i, c := range cs {
		out[i] = store.Component(c)
	}
	return out
}

func (a *Handler) listClusters(w http.ResponseWriter, r *http.Request) {
	opt, err := page(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	cs, err := a.store.ListClusters(r.Context(), r.PathValue("realm"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	all := make([]Cluster, len(cs))
	for i, c := range cs {
		all[i] = toCluster(c)
	}
	writeJSON(w, http.StatusOK, window(all, opt, func(c Cluster) string { return c.Name }))
}

func (a *Handler) getCluster(w http.ResponseWriter, r *http.Request) {
	c, err := a.store.GetCluster(r.Context(), r.PathValue("realm"), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toCluster(c))
}

func (a *Handler) createCluster(w http.ResponseWriter, r *http.Request) {
	a.change(w, r, "cluster.create", "", func(ev *event) (int, any, error) {
		var req clusterRequest
		if err := decode(w, r, &req, false); err != nil {
			return 0, nil, err
		}
		ev.Detail["name"] = req.Name
		now := a.now().UTC()
		c := store.Cluster{ID: identity.NewID(), Realm: ev.Realm, Name: req.Name, Namespace: req.Namespace, Version: req.Version,
			Tags: nonNil(req.Tags), Components: toStoreComponents(req.Components), Source: "api", CreatedAt: now, UpdatedAt: now}
		if err := checkCluster(c); err != nil {
			return 0, nil, err
		}
		if err := a.store.CreateCluster(r.Context(), c); err != nil {
			return 0, nil, err
		}
		ev.Target = c.ID
		w.Header().Set("Location", r.URL.Path+"/"+c.ID)
		return http.StatusCreated, toCluster(c), nil
	})
}

func (a *Handler) patchCluster(w http.ResponseWriter, r *http.Request) {
	a.change(w, r, "cluster.update", r.PathValue("id"), func(ev *event) (int, any, error) {
		var req patchClusterRequest
		if err := decode(w, r, &req, false); err != nil {
			return 0, nil, err
		}
		if req.Name == nil && req.Namespace == nil && req.Version == nil && req.Tags == nil && req.Components == nil {
			return 0, nil, badRequest("Invalid body: must change at least one of name, namespace, version, tags, components.")
		}
		now := a.now().UTC()
		c, err := a.store.UpdateCluster(r.Context(), ev.Realm, ev.Target, func(c store.Cluster) (store.Cluster, error) {
			if c.Source == "config" {
				return c, errConfigCluster
			}
			setIf(&c.Name, req.Name)
			setIf(&c.Namespace, req.Namespace)
			setIf(&c.Version, req.Version)
			if req.Tags != nil {
				c.Tags = nonNil(*req.Tags)
			}
			if req.Components != nil {
				c.Components = toStoreComponents(*req.Components)
			}
			c.UpdatedAt = now
			return c, checkCluster(c)
		})
		if err != nil {
			return 0, nil, err
		}
		ev.Detail["name"] = c.Name
		return http.StatusOK, toCluster(c), nil
	})
}

func setIf[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

func (a *Handler) deleteCluster(w http.ResponseWriter, r *http.Request) {
	a.change(w, r, "cluster.delete", r.PathValue("id"), func(ev *event) (int, any, error) {
		c, err := a.store.GetCluster(r.Context(), ev.Realm, ev.Target)
		if err != nil {
			return 0, nil, err
		}
		if c.Source == "config" {
			return 0, nil, errConfigCluster
		}
		return http.StatusNoContent, nil, a.store.DeleteCluster(r.Context(), ev.Realm, ev.Target)
	})
}

// errConfigCluster refuses changes to clusters declared in configuration: the next
// start would undo them.
var errConfigCluster = &httpError{http.StatusConflict, "The cluster is declared in configuration; change it there."}
