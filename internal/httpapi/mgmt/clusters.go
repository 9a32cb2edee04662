package mgmt

import (
	"net/http"

	"github.com/gatehouse/gatehouse/internal/audit"
	"github.com/gatehouse/gatehouse/internal/cluster"
	"github.com/gatehouse/gatehouse/internal/store"
)

func toCluster(c store.Cluster) Cluster {
	out := Cluster{ID: c.ID, Name: c.Name, Namespace: c.Namespace, Version: c.Version, Tags: append([]string{}, c.Tags...),
		Components: make([]Component, len(c.Components)), Source: c.Source, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
	for i, comp := range c.Components {
		out.Components[i] = Component(comp)
	}
	return out
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
	var req clusterRequest
	if err := decode(w, r, &req, false); err != nil {
		a.refused(w, r, audit.ActionClusterCreate, "", err)
		return
	}
	c, err := a.clusters.Create(r.Context(), a.actor(r), r.PathValue("realm"), store.Cluster{Name: req.Name,
		Namespace: req.Namespace, Version: req.Version, Tags: req.Tags, Components: toStoreComponents(req.Components)})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Location", r.URL.Path+"/"+c.ID)
	writeJSON(w, http.StatusCreated, toCluster(c))
}

func (a *Handler) patchCluster(w http.ResponseWriter, r *http.Request) {
	var req patchClusterRequest
	if err := decode(w, r, &req, false); err != nil {
		a.refused(w, r, audit.ActionClusterUpdate, r.PathValue("id"), err)
		return
	}
	p := cluster.Patch{Name: req.Name, Namespace: req.Namespace, Version: req.Version, Tags: req.Tags}
	if req.Components != nil {
		comps := toStoreComponents(*req.Components)
		p.Components = &comps
	}
	c, err := a.clusters.Update(r.Context(), a.actor(r), r.PathValue("realm"), r.PathValue("id"), p)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toCluster(c))
}

func (a *Handler) deleteCluster(w http.ResponseWriter, r *http.Request) {
	if err := a.clusters.Delete(r.Context(), a.actor(r), r.PathValue("realm"), r.PathValue("id")); err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
}
