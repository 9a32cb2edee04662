package mgmt

import (
	"errors"
	"net/http"
	"strconv"

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
	a.change(w, r, "api.create", "", func(ev *event) (int, any, error) {
		var req createAPIRequest
		if err := decode(w, r, &req, false); err != nil {
			return 0, nil, err
		}
		ev.Detail["name"], ev.Detail["audience"] = req.Name, req.Audience
		x, err := a.id.CreateAPI(r.Context(), ev.Realm, identity.APISpec{Name: req.Name, Audience: req.Audience,
			Aliases: req.Aliases, Permissions: toStorePerms(req.Permissions)})
		if err != nil {
			return 0, nil, err
		}
		ev.Target = x.ID
		w.Header().Set("Location", r.URL.Path+"/"+x.ID)
		return http.StatusCreated, toAPI(x), nil
	})
}

func (a *Handler) patchAPI(w http.ResponseWriter, r *http.Request) {
	a.change(w, r, "api.update", r.PathValue("id"), func(ev *event) (int, any, error) {
		var req patchAPIRequest
		if err := decode(w, r, &req, false); err != nil {
			return 0, nil, err
		}
		p := identity.APIPatch{Name: req.Name, Aliases: req.Aliases}
		if req.Name != nil {
			ev.Detail["name"] = *req.Name
		}
		if req.Permissions != nil {
			ps := toStorePerms(*req.Permissions)
			p.Permissions = &ps
			ev.Detail["permissions"] = strconv.Itoa(len(ps))
		}
		x, err := a.id.UpdateAPI(r.Context(), ev.Realm, ev.Target, p)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, toAPI(x), nil
	})
}

func (a *Handler) deleteAPI(w http.ResponseWriter, r *http.Request) {
	a.change(w, r, "api.delete", r.PathValue("id"), func(ev *event) (int, any, error) {
		cascade := false
		switch v := r.URL.Query().Get("cascade"); v {
		case "", "false":
		case "true":
			cascade = true
		default:
			return 0, nil, badRequest("cascade must be true or false.")
		}
		ev.Detail["cascade"] = strconv.FormatBool(cascade)
		err := a.id.DeleteAPI(r.Context(), ev.Realm, ev.Target, cascade)
		var ce *identity.ConflictError
		if err != nil && !errors.As(err, &ce) && errors.Is(err, store.ErrConflict) {
			return 0, nil, &httpError{http.StatusConflict, "Applications hold permissions of this API; remove them first or delete with ?cascade=true."}
		}
		return http.StatusNoContent, nil, err
	})
}
