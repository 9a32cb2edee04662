package mgmt

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/identity"
	"github.com/gatehouse/gatehouse/internal/store"
)

// Application is an M2M application as the API shows it: never its secret or a hash.
type Application struct {
	ID        string       `json:"id"`
	ClientID  string       `json:"clientId"`
	Name      string       `json:"name"`
	Type      string       `json:"type"`
	Enabled   bool         `json:"enabled"`
	Source    string       `json:"source"`
	Secrets   []SecretInfo `json:"secrets"`
	CreatedAt time.Time    `json:"createdAt"`
	UpdatedAt time.Time    `json:"updatedAt"`
}

// SecretInfo describes one valid secret of an application (not the secret).
type SecretInfo struct {
	ID        string    `json:"id"`
	CreatedAt time.Time `json:"createdAt"`
	ExpiresAt time.Time `json:"expiresAt,omitzero"`
}

// ApplicationWithSecret is the answer of create and rotate-secret: the only answers
// that carry a client secret.
type ApplicationWithSecret struct {
	Application
	ClientSecret string `json:"clientSecret"`
}

// Permission names a permission definition on an API by the API's audience.
type Permission struct {
	API        string `json:"api"`
	Permission string `json:"permission"`
}

// Items is the body of an unpaged list.
type Items[T any] struct {
	Items []T `json:"items"`
}

type createAppRequest struct {
	Name        string       `json:"name"`
	Permissions []Permission `json:"permissions"`
}

type patchAppRequest struct {
	Name    *string `json:"name"`
	Enabled *bool   `json:"enabled"`
}

type rotateRequest struct {
	Grace string `json:"grace"`
}

func toApplication(a store.Application, now time.Time) Application {
	out := Application{ID: a.ID, ClientID: a.ClientID, Name: a.Name, Type: a.Type, Enabled: a.Enabled, Source: a.Source,
		Secrets: []SecretInfo{}, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt}
	for _, s := range a.Secrets {
		if s.ExpiresAt.IsZero() || now.Before(s.ExpiresAt) {
			out.Secrets = append(out.Secrets, SecretInfo{ID: s.ID, CreatedAt: s.CreatedAt, ExpiresAt: s.ExpiresAt})
		}
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

func joinRefs(ps []Permission) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.API + ":" + p.Permission
	}
	return strings.Join(s, " ")
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
	a.change(w, r, "app.create", "", func(ev *event) (int, any, error) {
		var req createAppRequest
		if err := decode(w, r, &req, false); err != nil {
			return 0, nil, err
		}
		ev.Detail["name"], ev.Detail["permissions"] = req.Name, joinRefs(req.Permissions)
		app, secret, err := a.id.NewApplication(r.Context(), ev.Realm, req.Name, toRefs(req.Permissions))
		if err != nil {
			return 0, nil, err
		}
		ev.Target, ev.Detail["clientId"] = app.ID, app.ClientID
		w.Header().Set("Location", r.URL.Path+"/"+app.ID)
		return http.StatusCreated, ApplicationWithSecret{toApplication(app, a.now()), secret}, nil
	})
}

func (a *Handler) patchApp(w http.ResponseWriter, r *http.Request) {
	a.change(w, r, "app.update", r.PathValue("id"), func(ev *event) (int, any, error) {
		var req patchAppRequest
		if err := decode(w, r, &req, false); err != nil {
			return 0, nil, err
		}
		if req.Name != nil {
			ev.Detail["name"] = *req.Name
		}
		if req.Enabled != nil {
			ev.Detail["enabled"] = strconv.FormatBool(*req.Enabled)
			if !*req.Enabled {
				if err := a.notSelf(r, ev.Target); err != nil {
					return 0, nil, err
				}
			}
		}
		app, err := a.id.UpdateApp(r.Context(), ev.Realm, ev.Target, identity.AppPatch{Name: req.Name, Enabled: req.Enabled})
		if err != nil {
			return 0, nil, err
		}
		if req.Enabled != nil {
			a.appsChanged(r, ev.Realm)
		}
		return http.StatusOK, toApplication(app, a.now()), nil
	})
}

// notSelf refuses to let the calling application disable or delete itself: it would
// lock the realm's administrators out with no way back through this API.
func (a *Handler) notSelf(r *http.Request, id string) error {
	app, err := a.id.GetApp(r.Context(), r.PathValue("realm"), id)
	if err != nil {
		return err
	}
	if app.ClientID == actor(r) {
		return &httpError{http.StatusConflict, "An application cannot disable or delete itself."}
	}
	return nil
}

func (a *Handler) deleteApp(w http.ResponseWriter, r *http.Request) {
	a.change(w, r, "app.delete", r.PathValue("id"), func(ev *event) (int, any, error) {
		if err := a.notSelf(r, ev.Target); err != nil {
			return 0, nil, err
		}
		if err := a.id.DeleteApp(r.Context(), ev.Realm, ev.Target); err != nil {
			return 0, nil, err
		}
		a.appsChanged(r, ev.Realm)
		return http.StatusNoContent, nil, nil
	})
}

func (a *Handler) appsChanged(r *http.Request, realm string) {
	if a.onApps != nil {
		a.onApps(r.Context(), realm)
	}
}

func (a *Handler) rotateSecret(w http.ResponseWriter, r *http.Request) {
	a.change(w, r, "app.rotate-secret", r.PathValue("id"), func(ev *event) (int, any, error) {
		var req rotateRequest
		if err := decode(w, r, &req, true); err != nil {
			return 0, nil, err
		}
		var grace time.Duration
		if req.Grace != "" {
			d, err := time.ParseDuration(req.Grace)
			if err != nil {
				return 0, nil, badRequest(`grace must be a duration such as "10m", "90s" or "0s".`)
			}
			grace = d
		}
		ev.Detail["grace"] = grace.String()
		app, secret, err := a.id.RotateSecret(r.Context(), ev.Realm, ev.Target, grace)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, ApplicationWithSecret{toApplication(app, a.now()), secret}, nil
	})
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
	a.changePermissions(w, r, "app.permissions.add", a.id.GrantPermissions)
}

func (a *Handler) removePermissions(w http.ResponseWriter, r *http.Request) {
	a.changePermissions(w, r, "app.permissions.remove", a.id.TakePermissions)
}

type permissionOp func(ctx context.Context, realm, appID string, refs []identity.PermissionRef) ([]identity.PermissionRef, error)

func (a *Handler) changePermissions(w http.ResponseWriter, r *http.Request, action string, op permissionOp) {
	a.change(w, r, action, r.PathValue("id"), func(ev *event) (int, any, error) {
		var req []Permission
		if err := decode(w, r, &req, false); err != nil {
			return 0, nil, err
		}
		if len(req) == 0 {
			return 0, nil, badRequest("The body must list at least one permission.")
		}
		ev.Detail["permissions"] = joinRefs(req)
		refs, err := op(r.Context(), ev.Realm, ev.Target, toRefs(req))
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, Items[Permission]{fromRefs(refs)}, nil
	})
}
