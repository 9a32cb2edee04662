package mgmt

import (
	"context"
	"net/http"

	"github.com/gatehouse/gatehouse/internal/audit"
	"github.com/gatehouse/gatehouse/internal/identity"
	"github.com/gatehouse/gatehouse/internal/store"
)

func toUser(u store.User) User {
	return User{ID: u.ID, Username: u.Username, Email: u.Email, FirstName: u.FirstName, LastName: u.LastName,
		Enabled: u.Enabled, Roles: append([]string{}, u.Roles...), CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt}
}

func (a *Handler) listUsers(w http.ResponseWriter, r *http.Request) {
	opt, err := page(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	users, total, err := a.id.ListUsers(r.Context(), r.PathValue("realm"), opt)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := List[User]{Items: make([]User, len(users)), Total: total, Offset: opt.Offset, Limit: opt.Limit}
	for i, u := range users {
		out.Items[i] = toUser(u)
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *Handler) getUser(w http.ResponseWriter, r *http.Request) {
	u, err := a.id.GetUser(r.Context(), r.PathValue("realm"), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toUser(u))
}

func (a *Handler) createUser(w http.ResponseWriter, r *http.Request) {
	var req createUserRequest
	if err := decode(w, r, &req, false); err != nil {
		a.refused(w, r, audit.ActionUserCreate, "", err)
		return
	}
	u, err := a.id.CreateUser(r.Context(), a.actor(r), r.PathValue("realm"), identity.UserSpec{Username: req.Username,
		Password: req.Password, Email: req.Email, FirstName: req.FirstName, LastName: req.LastName, Roles: req.Roles})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Location", r.URL.Path+"/"+u.ID)
	writeJSON(w, http.StatusCreated, toUser(u))
}

func (a *Handler) patchUser(w http.ResponseWriter, r *http.Request) {
	var req patchUserRequest
	if err := decode(w, r, &req, false); err != nil {
		a.refused(w, r, audit.ActionUserUpdate, r.PathValue("id"), err)
		return
	}
	u, err := a.id.UpdateUser(r.Context(), a.actor(r), r.PathValue("realm"), r.PathValue("id"), identity.UserPatch{
		Email: req.Email, FirstName: req.FirstName, LastName: req.LastName, Password: req.Password, Enabled: req.Enabled})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toUser(u))
}

func (a *Handler) deleteUser(w http.ResponseWriter, r *http.Request) {
	if _, err := a.id.DeleteUser(r.Context(), a.actor(r), r.PathValue("realm"), r.PathValue("id")); err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
}

func (a *Handler) listRoles(w http.ResponseWriter, r *http.Request) {
	u, err := a.id.GetUser(r.Context(), r.PathValue("realm"), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, Items[string]{append([]string{}, u.Roles...)})
}

func (a *Handler) addRoles(w http.ResponseWriter, r *http.Request) {
	a.changeRoles(w, r, audit.ActionUserRolesAdd, a.id.AddRoles)
}

func (a *Handler) removeRoles(w http.ResponseWriter, r *http.Request) {
	a.changeRoles(w, r, audit.ActionUserRolesRemove, a.id.RemoveRoles)
}

type roleOp func(ctx context.Context, a audit.Actor, realm, id string, roles []string) (store.User, error)

func (a *Handler) changeRoles(w http.ResponseWriter, r *http.Request, action string, op roleOp) {
	var roles []string
	err := decode(w, r, &roles, false)
	if err == nil && len(roles) == 0 {
		err = badRequest("The body must list at least one role.")
	}
	if err != nil {
		a.refused(w, r, action, r.PathValue("id"), err)
		return
	}
	u, err := op(r.Context(), a.actor(r), r.PathValue("realm"), r.PathValue("id"), roles)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, Items[string]{append([]string{}, u.Roles...)})
}
