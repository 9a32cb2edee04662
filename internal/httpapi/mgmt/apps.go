package mgmt

import (
	"context"
	"net/http"
	"time"

	"github.com/gatehouse/gatehouse/internal/audit"
	"github.com/gatehouse/gatehouse/internal/identity"
	"github.com/gatehouse/gatehouse/internal/store"
)

// Items is the body of an unpaged list.
type Items[T any] struct {
	Items []T `json:"items"`
}

type rotateRequest struct {
	Grace string `json:"grace"`
}

func toApplication(a store.Application, now time.Time) Application {
	out := Application{ID: a.ID, ClientID: a.ClientID, Name: a.Name, Type: a.Type, Enabled: a.Enabled, Source: a.Source,
		Secrets: []SecretInfo{}, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt, RootURL: a.Web.RootURL,
		RedirectURIs: a.Web.RedirectURIs, PostLogoutRedirectURIs: a.Web.PostLogoutRedirectURIs, WebOrigins: a.Web.WebOrigins}
	for _, s := range identity.LiveSecrets(a.Secrets, now) {
		out.Secrets = append(out.Secrets, SecretInfo{ID: s.ID, CreatedAt: s.CreatedAt, ExpiresAt: s.ExpiresAt})
	}
	return out
}

func toRefs(ps []Permission) []identity.PermissionRef {
	out := make([]identity.PermissionRef, len(ps))
	for i, p := range ps {
		out[i] = identity.PermissionRef{Audience: p.API, Definition: p.Permission}
	}
	return out
}

func fromRefs(refs []identity.PermissionRef) []Permission {
	out := make([]Permission, len(refs))
	for i, r := range refs {
		out[i] = Permission{API: r.Audience, Permission: r.Definition}
	}
	return out
}

func (a *Handler) listApps(w http.ResponseWriter, r *http.Request) {
	opt, err := page(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	apps, total, err := a.id.ListApps(r.Context(), r.PathValue("realm"), opt)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	now := a.now()
	out := List[Application]{Items: make([]Application, len(apps)), Total: total, Offset: opt.Offset, Limit: opt.Limit}
	for i, app := range apps {
		out.Items[i] = toApplication(app, now)
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *Handler) getApp(w http.ResponseWriter, r *http.Request) {
	app, err := a.id.GetApp(r.Context(), r.PathValue("realm"), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toApplication(app, a.now()))
}

func (a *Handler) createApp(w http.ResponseWriter, r *http.Request) {
	var req createAppRequest
	if err := decode(w, r, &req, false); err != nil {
		a.refused(w, r, audit.ActionAppCreate, "", err)
		return
	}
	app, secret, err := a.id.NewWebApplication(r.Context(), a.actor(r), r.PathValue("realm"), req.Name, req.Type,
		store.WebSettings{RootURL: req.RootURL, RedirectURIs: req.RedirectURIs, PostLogoutRedirectURIs: req.PostLogoutRedirectURIs,
			WebOrigins: req.WebOrigins}, toRefs(req.Permissions))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Location", r.URL.Path+"/"+app.ID)
	writeJSON(w, http.StatusCreated, ApplicationWithSecret{Application: toApplication(app, a.now()), ClientSecret: secret})
}

func (a *Handler) patchApp(w http.ResponseWriter, r *http.Request) {
	var req patchAppRequest
	if err := decode(w, r, &req, false); err != nil {
		a.refused(w, r, audit.ActionAppUpdate, r.PathValue("id"), err)
		return
	}
	app, err := a.id.UpdateApp(r.Context(), a.actor(r), r.PathValue("realm"), r.PathValue("id"),
		identity.AppPatch{Name: req.Name, Enabled: req.Enabled, Type: req.Type, Web: webPatch(req)})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toApplication(app, a.now()))
}

func (a *Handler) deleteApp(w http.ResponseWriter, r *http.Request) {
	if _, err := a.id.DeleteApp(r.Context(), a.actor(r), r.PathValue("realm"), r.PathValue("id")); err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
}

func (a *Handler) rotateSecret(w http.ResponseWriter, r *http.Request) {
	var req rotateRequest
	err := decode(w, r, &req, true)
	var grace time.Duration
	if err == nil && req.Grace != "" {
		if grace, err = time.ParseDuration(req.Grace); err != nil {
			err = badRequest(`grace must be a duration such as "10m", "90s" or "0s".`)
		}
	}
	if err != nil {
		a.refused(w, r, audit.ActionAppRotateSecret, r.PathValue("id"), err)
		return
	}
	app, secret, err := a.id.RotateSecret(r.Context(), a.actor(r), r.PathValue("realm"), r.PathValue("id"), grace)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ApplicationWithSecret{Application: toApplication(app, a.now()), ClientSecret: secret})
}

func (a *Handler) listPermissions(w http.ResponseWriter, r *http.Request) {
	refs, err := a.id.Permissions(r.Context(), r.PathValue("realm"), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, Items[Permission]{fromRefs(refs)})
}

func (a *Handler) addPermissions(w http.ResponseWriter, r *http.Request) {
	a.changePermissions(w, r, audit.ActionAppPermissionsAdd, a.id.GrantPermissions)
}

func (a *Handler) removePermissions(w http.ResponseWriter, r *http.Request) {
	a.changePermissions(w, r, audit.ActionAppPermissionsRemove, a.id.TakePermissions)
}

type permissionOp func(ctx context.Context, a audit.Actor, realm, appID string, refs []identity.PermissionRef) ([]identity.PermissionRef, error)

func (a *Handler) changePermissions(w http.ResponseWriter, r *http.Request, action string, op permissionOp) {
	var req []Permission
	err := decode(w, r, &req, false)
	if err == nil && len(req) == 0 {
		err = badRequest("The body must list at least one permission.")
	}
	if err != nil {
		a.refused(w, r, action, r.PathValue("id"), err)
		return
	}
	refs, err := op(r.Context(), a.actor(r), r.PathValue("realm"), r.PathValue("id"), toRefs(req))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, Items[Permission]{fromRefs(refs)})
}

func webPatch(req patchAppRequest) *identity.WebPatch {
	if req.RootURL == nil && req.RedirectURIs == nil && req.PostLogoutRedirectURIs == nil && req.WebOrigins == nil {
		return nil
	}
	return &identity.WebPatch{RootURL: req.RootURL, RedirectURIs: req.RedirectURIs,
		PostLogoutRedirectURIs: req.PostLogoutRedirectURIs, WebOrigins: req.WebOrigins}
}
