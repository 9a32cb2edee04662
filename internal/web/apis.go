package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/gatehouse/gatehouse/internal/audit"
	"github.com/gatehouse/gatehouse/internal/identity"
	"github.com/gatehouse/gatehouse/internal/store"
)

type apisListData struct{ APIs []store.API }

func (h *Handler) apisList(w http.ResponseWriter, r *http.Request, v *viewer) {
	apis, err := h.id.ListAPIs(r.Context(), h.o.Realm)
	if err != nil {
		h.fail(w, r, v, err)
		return
	}
	slices.SortFunc(apis, func(a, b store.API) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
	h.render(w, r, http.StatusOK, "apis", &page{Title: "APIs", Nav: "apis", User: v, Data: apisListData{apis}})
}

type apiFormData struct {
	Name, Audience, Aliases, Permissions string
}

func (h *Handler) apiNewPage(w http.ResponseWriter, r *http.Request, v *viewer) {
	h.render(w, r, http.StatusOK, "api_new", &page{Title: "New API", Nav: "apis", User: v,
		Data: apiFormData{Permissions: "read:* Read access\nwrite:* Write access"}})
}

// splitList reads a comma- or space-separated list.
func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t' })
}

// parsePermissionLines reads one permission a line: its definition, then optionally a
// description after white space.
func parsePermissionLines(s string) []store.Permission {
	var out []store.Permission
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		def, desc, _ := strings.Cut(line, " ")
		out = append(out, store.Permission{Definition: def, Description: strings.TrimSpace(desc)})
	}
	return out
}

func apiPath(id string) string { return "/apis/" + url.PathEscape(id) }

func (h *Handler) apiCreate(w http.ResponseWriter, r *http.Request, v *viewer) {
	var d apiFormData
	var a store.API
	err := parseForm(w, r)
	if err != nil {
		h.refused(r, v, audit.ActionAPICreate, "", nil, err)
	} else {
		d = apiFormData{Name: r.PostFormValue("name"), Audience: strings.TrimSpace(r.PostFormValue("audience")),
			Aliases: r.PostFormValue("aliases"), Permissions: r.PostFormValue("permissions")}
		a, err = h.id.CreateAPI(r.Context(), h.actor(r, v), h.o.Realm, identity.APISpec{Name: d.Name, Audience: d.Audience,
			Aliases: splitList(d.Aliases), Permissions: parsePermissionLines(d.Permissions)})
	}
	if err != nil {
		status, msg, _ := h.classify(err)
		if errors.Is(err, store.ErrAlreadyExists) {
			msg = "An API with this audience exists already; choose another audience."
		}
		h.render(w, r, status, "api_new", &page{Title: "New API", Nav: "apis", User: v, Error: msg, Data: d})
		return
	}
	h.redirect(w, r, v, apiPath(a.ID), "API created. Give applications its permissions on their pages.")
}

type apiDetailData struct {
	API     store.API
	Grants  int
	Preset  map[string]bool // preset definitions cannot be removed
	NewDef  string
	NewDesc string
}

func (h *Handler) apiDetail(w http.ResponseWriter, r *http.Request, v *viewer) {
	h.showAPI(w, r, v, http.StatusOK, "", apiDetailData{})
}

func (h *Handler) showAPI(w http.ResponseWriter, r *http.Request, v *viewer, status int, msg string, d apiDetailData) {
	a, err := h.id.GetAPI(r.Context(), h.o.Realm, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, v, err)
		return
	}
	d.API, d.Preset = a, map[string]bool{}
	if a.Preset {
		for _, p := range identity.PresetAPIs() {
			if p.Audience == a.Audience {
				for _, perm := range p.Permissions {
					d.Preset[perm.Definition] = true
				}
			}
		}
	}
	h.render(w, r, status, "api", &page{Title: a.Name, Nav: "apis", User: v, Error: msg, Data: d})
}

// updatePermissions replaces an API's permission definitions (api.update, as the
// management API's PATCH records it).
func (h *Handler) updatePermissions(w http.ResponseWriter, r *http.Request, v *viewer, edit func([]store.Permission) ([]store.Permission, error), d apiDetailData, notice string) {
	id := r.PathValue("id")
	a, err := h.id.GetAPI(r.Context(), h.o.Realm, id)
	var ps []store.Permission
	if err == nil {
		ps, err = edit(slices.Clone(a.Permissions))
	}
	if err != nil {
		h.refused(r, v, audit.ActionAPIUpdate, id, nil, err)
	} else {
		_, err = h.id.UpdateAPI(r.Context(), h.actor(r, v), h.o.Realm, id, identity.APIPatch{Permissions: &ps})
	}
	if err != nil {
		status, msg, _ := h.classify(err)
		if status == http.StatusNotFound || status >= 500 {
			h.fail(w, r, v, err)
			return
		}
		h.showAPI(w, r, v, status, msg, d)
		return
	}
	h.redirect(w, r, v, apiPath(id), notice)
}

func (h *Handler) apiAddPermission(w http.ResponseWriter, r *http.Request, v *viewer) {
	if err := parseForm(w, r); err != nil {
		h.showAPI(w, r, v, http.StatusBadRequest, err.Error(), apiDetailData{})
		return
	}
	def := strings.TrimSpace(r.PostFormValue("definition"))
	desc := strings.TrimSpace(r.PostFormValue("description"))
	h.updatePermissions(w, r, v, func(ps []store.Permission) ([]store.Permission, error) {
		if slices.ContainsFunc(ps, func(p store.Permission) bool { return p.Definition == def }) {
			return nil, invalidForm("The API already defines this permission.")
		}
		return append(ps, store.Permission{Definition: def, Description: desc}), nil
	}, apiDetailData{NewDef: def, NewDesc: desc}, "Permission added.")
}

func (h *Handler) apiRemovePermission(w http.ResponseWriter, r *http.Request, v *viewer) {
	if err := parseForm(w, r); err != nil {
		h.showAPI(w, r, v, http.StatusBadRequest, err.Error(), apiDetailData{})
		return
	}
	def := r.PostFormValue("definition")
	h.updatePermissions(w, r, v, func(ps []store.Permission) ([]store.Permission, error) {
		i := slices.IndexFunc(ps, func(p store.Permission) bool { return p.Definition == def })
		if i < 0 {
			return nil, invalidForm("The API no longer defines this permission.")
		}
		return slices.Delete(ps, i, i+1), nil
	}, apiDetailData{}, "Permission removed, and taken from every application that held it.")
}

func (h *Handler) apiDeletePage(w http.ResponseWriter, r *http.Request, v *viewer) {
	a, err := h.id.GetAPI(r.Context(), h.o.Realm, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, v, err)
		return
	}
	if a.Preset {
		h.renderError(w, r, v, http.StatusConflict, "Preset APIs cannot be deleted.",
			"Gatehouse recreates them at every start. Take their permissions from applications instead.")
		return
	}
	h.render(w, r, http.StatusOK, "confirm", &page{Title: "Delete " + a.Name, Nav: "apis", User: v, Data: confirmData{
		Kind: "API", Name: a.Name, Sub: "Audience " + a.Audience, Action: apiPath(a.ID) + "/delete", Back: apiPath(a.ID),
		Notes: []string{"Applications lose every permission they hold on it.",
			"Tokens for its audience can no longer be requested."}}})
}

func (h *Handler) apiDelete(w http.ResponseWriter, r *http.Request, v *viewer) {
	id := r.PathValue("id")
	// The confirmation page says grants go too: this is the management API's cascade.
	a, err := h.id.GetAPI(r.Context(), h.o.Realm, id)
	if err != nil {
		h.refused(r, v, audit.ActionAPIDelete, id, map[string]string{"cascade": "true"}, err)
	} else {
		err = h.id.DeleteAPI(r.Context(), h.actor(r, v), h.o.Realm, id, true)
	}
	if err != nil {
		h.fail(w, r, v, err)
		return
	}
	h.redirect(w, r, v, "/apis", "API “"+a.Name+"” deleted.")
}
