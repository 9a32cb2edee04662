package mgmt

import (
	"errors"
	"net/http"

	"github.com/gatehouse/gatehouse/internal/audit"
	"github.com/gatehouse/gatehouse/internal/identity"
	"github.com/gatehouse/gatehouse/internal/store"
)

func toAPI(a store.API) API {
	out := API{ID: a.ID, Name: a.Name, Audience: a.Audience, Aliases: append([]string{}, a.Aliases...),
		Permissions: make([]PermissionDef, len(a.Permissions)), Preset: a.Preset, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt}
	for i, p := range a.Permissions {
		out.Permissions[i] = PermissionDef(p)
	}
	return out
}

func toStorePerms(ps []PermissionDef) []store.Permission {
	out := make([]store.Permission, len(ps))
	for i, p := range ps {
		out[i] = store.Permission(p)
	}
	return out
}

func (a *Handler) listAPIs(w http.ResponseWriter, r *http.Request) {
	opt, err := page(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	apis, err := a.id.ListAPIs(r.Context(), r.PathValue("realm"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	all := make([]API, len(apis))
	for i, x := range apis {
		all[i] = toAPI(x)
	}
	writeJSON(w, http.StatusOK, window(all, opt, func(x API) string { return x.Name }))
}

func (a *Handler) getAPI(w http.ResponseWriter, r *http.Request) {
	x, err := a.id.GetAPI(r.Context(), r.PathValue("realm"), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toAPI(x))
}

func (a *Handler) createAPI(w http.ResponseWriter, r *http.Request) {
	var req createAPIRequest
	if err := decode(w, r, &req, false); err != nil {
		a.refused(w, r, audit.ActionAPICreate, "", err)
		return
	}
	x, err := a.id.CreateAPI(r.Context(), a.actor(r), r.PathValue("realm"), identity.APISpec{Name: req.Name,
		Audience: req.Audience, Aliases: req.Aliases, Permissions: toStorePerms(req.Permissions)})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Location", r.URL.Path+"/"+x.ID)
	writeJSON(w, http.StatusCreated, toAPI(x))
}

func (a *Handler) patchAPI(w http.ResponseWriter, r *http.Request) {
	var req patchAPIRequest
	if err := decode(w, r, &req, false); err != nil {
		a.refused(w, r, audit.ActionAPIUpdate, r.PathValue("id"), err)
		return
	}
	p := identity.APIPatch{Name: req.Name, Aliases: req.Aliases}
	if req.Permissions != nil {
		ps := toStorePerms(*req.Permissions)
		p.Permissions = &ps
	}
	x, err := a.id.UpdateAPI(r.Context(), a.actor(r), r.PathValue("realm"), r.PathValue("id"), p)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toAPI(x))
}

func (a *Handler) deleteAPI(w http.ResponseWriter, r *http.Request) {
	cascade := false
	switch v := r.URL.Query().Get("cascade"); v {
	case "", "false":
	case "true":
		cascade = true
	default:
		a.refused(w, r, audit.ActionAPIDelete, r.PathValue("id"), badRequest("cascade must be true or false."))
		return
	}
	err := a.id.DeleteAPI(r.Context(), a.actor(r), r.PathValue("realm"), r.PathValue("id"), cascade)
	var ce *identity.ConflictError
	if err != nil && !errors.As(err, &ce) && errors.Is(err, store.ErrConflict) {
		// The store's refusal, worded for this API (the console deletes with cascade).
		err = &httpError{http.StatusConflict, "Applications hold permissions of this API; remove them first or delete with ?cascade=true."}
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
}
