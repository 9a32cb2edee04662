package web

import (
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/gatehouse/gatehouse/internal/audit"
	"github.com/gatehouse/gatehouse/internal/identity"
)

// The console's application changes: each parses its form, calls the one identity use
// case (which validates, audits and refreshes the deny lists) and renders the outcome.

// changeFailed re-shows the application page with what went wrong (or a full-page
// error when the application is gone).
func (h *Handler) changeFailed(w http.ResponseWriter, r *http.Request, v *viewer, err error, nameInput string) {
	status, msg, _ := h.classify(err)
	if status == http.StatusNotFound || status >= 500 {
		h.fail(w, r, v, err)
		return
	}
	h.showApp(w, r, v, status, msg, nameInput)
}

func appPath(id string) string { return "/applications/" + url.PathEscape(id) }

func (h *Handler) appRename(w http.ResponseWriter, r *http.Request, v *viewer) {
	id := r.PathValue("id")
	if err := parseForm(w, r); err != nil {
		h.refused(r, v, audit.ActionAppUpdate, id, nil, err)
		h.changeFailed(w, r, v, err, "")
		return
	}
	name := r.PostFormValue("name")
	if _, err := h.id.UpdateApp(r.Context(), h.actor(r, v), h.o.Realm, id, identity.AppPatch{Name: &name}); err != nil {
		h.changeFailed(w, r, v, err, name)
		return
	}
	h.redirect(w, r, v, appPath(id), "Application renamed.")
}

func (h *Handler) appEnabled(w http.ResponseWriter, r *http.Request, v *viewer) {
	id := r.PathValue("id")
	on, err := formBool(w, r, "enabled")
	if err != nil {
		h.refused(r, v, audit.ActionAppUpdate, id, nil, err)
	} else {
		_, err = h.id.UpdateApp(r.Context(), h.actor(r, v), h.o.Realm, id, identity.AppPatch{Enabled: &on})
	}
	if err != nil {
		h.changeFailed(w, r, v, err, "")
		return
	}
	msg := "Application disabled: its token requests fail and its tokens stop working within seconds."
	if on {
		msg = "Application enabled."
	}
	h.redirect(w, r, v, appPath(id), msg)
}

// appPermissions makes the application hold exactly the checked permissions: what was
// added is granted and what was unchecked is taken, each as its own audited change
// (the management API's app.permissions.add and app.permissions.remove).
func (h *Handler) appPermissions(w http.ResponseWriter, r *http.Request, v *viewer) {
	id := r.PathValue("id")
	ctx := r.Context()
	if err := parseForm(w, r); err != nil {
		h.changeFailed(w, r, v, err, "")
		return
	}
	want, _, err := formRefs(r)
	if err != nil {
		h.changeFailed(w, r, v, err, "")
		return
	}
	have, err := h.id.Permissions(ctx, h.o.Realm, id)
	if err != nil {
		h.fail(w, r, v, err)
		return
	}
	var add, take []identity.PermissionRef
	for _, p := range want {
		if !slices.Contains(have, p) && !slices.Contains(add, p) {
			add = append(add, p)
		}
	}
	for _, p := range have {
		if !slices.Contains(want, p) {
			take = append(take, p)
		}
	}
	a := h.actor(r, v)
	if len(add) > 0 {
		if _, err := h.id.GrantPermissions(ctx, a, h.o.Realm, id, add); err != nil {
			h.changeFailed(w, r, v, err, "")
			return
		}
	}
	if len(take) > 0 {
		if _, err := h.id.TakePermissions(ctx, a, h.o.Realm, id, take); err != nil {
			h.changeFailed(w, r, v, err, "")
			return
		}
	}
	msg := "Permissions unchanged."
	if len(add)+len(take) > 0 {
		msg = "Permissions saved: new tokens carry them; tokens issued before keep theirs until they expire."
	}
	h.redirect(w, r, v, appPath(id), msg)
}

func (h *Handler) appRotate(w http.ResponseWriter, r *http.Request, v *viewer) {
	id := r.PathValue("id")
	err := parseForm(w, r)
	var grace time.Duration
	if err == nil {
		if grace, err = time.ParseDuration(r.PostFormValue("grace")); err != nil {
			err = invalidForm("Choose a grace period from the list.")
		}
	}
	if err != nil {
		h.refused(r, v, audit.ActionAppRotateSecret, id, nil, err)
		h.changeFailed(w, r, v, err, "")
		return
	}
	app, secret, err := h.id.RotateSecret(r.Context(), h.actor(r, v), h.o.Realm, id, grace)
	if err != nil {
		h.changeFailed(w, r, v, err, "")
		return
	}
	h.showOnce(w, r, v, app, secret, true)
}

type confirmData struct {
	Kind   string // "application", "API", "user"
	Name   string
	Sub    string // a second identifier (client id, audience, email)
	Action string // the form's URL
	Back   string
	Notes  []string
}

func (h *Handler) appDeletePage(w http.ResponseWriter, r *http.Request, v *viewer) {
	app, err := h.id.GetApp(r.Context(), h.o.Realm, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, v, err)
		return
	}
	h.render(w, r, http.StatusOK, "confirm", &page{Title: "Delete " + app.Name, Nav: "apps", User: v, Data: confirmData{
		Kind: "application", Name: app.Name, Sub: "Client ID " + app.ClientID, Action: appPath(app.ID) + "/delete",
		Back: appPath(app.ID), Notes: []string{
			"Its client secret stops working at once: token requests fail with invalid_client.",
			"Tokens it already holds are refused by Gatehouse's own APIs within seconds.",
			"This cannot be undone; a new application gets a new client id."}}})
}

func (h *Handler) appDelete(w http.ResponseWriter, r *http.Request, v *viewer) {
	app, err := h.id.DeleteApp(r.Context(), h.actor(r, v), h.o.Realm, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, v, err)
		return
	}
	h.redirect(w, r, v, "/applications", "Application “"+app.Name+"” deleted.")
}
