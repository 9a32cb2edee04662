package mgmt

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"

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
	a.change(w, r, "user.create", "", func(ev *event) (int, any, error) {
		var req createUserRequest
		if err := decode(w, r, &req, false); err != nil {
			return 0, nil, err
		}
		ev.Detail["username"] = identity.NormalizeUsername(req.Username)
		u, err := a.id.CreateUser(r.Context(), ev.Realm, identity.UserSpec{Username: req.Username, Password: req.Password,
			Email: req.Email, FirstName: req.FirstName, LastName: req.LastName, Roles: req.Roles})
		if err != nil {
			return 0, nil, err
		}
		ev.Target = u.ID
		w.Header().Set("Location", r.URL.Path+"/"+u.ID)
		return http.StatusCreated, toUser(u), nil
	})
}

func (a *Handler) patchUser(w http.ResponseWriter, r *http.Request) {
	a.change(w, r, "user.update", r.PathValue("id"), func(ev *event) (int, any, error) {
		var req patchUserRequest
		if err := decode(w, r, &req, false); err != nil {
			return 0, nil, err
		}
		// Which fields changed, never their values: a password must not reach the trail.
		var fields []string
		for name, set := range map[string]bool{"email": req.Email != nil, "firstName": req.FirstName != nil,
			"lastName": req.LastName != nil, "password": req.Password != nil} {
			if set {
				fields = append(fields, name)
			}
		}
		if len(fields) > 0 {
			slices.Sort(fields)
			ev.Detail["fields"] = strings.Join(fields, " ")
		}
		if req.Enabled != nil {
			ev.Detail["enabled"] = strconv.FormatBool(*req.Enabled)
		}
		u, err := a.id.UpdateUser(r.Context(), ev.Realm, ev.Target, identity.UserPatch{Email: req.Email,
			FirstName: req.FirstName, LastName: req.LastName, Password: req.Password, Enabled: req.Enabled})
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, toUser(u), nil
	})
}

func (a *Handler) deleteUser(w http.ResponseWriter, r *http.Request) {
	a.change(w, r, "user.delete", r.PathValue("id"), func(ev *event) (int, any, error) {
		return http.StatusNoContent, nil, a.id.DeleteUser(r.Context(), ev.Realm, ev.Target)
	})
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
	a.changeRoles(w, r, "user.roles.add", a.id.AddRoles)
}

func (a *Handler) removeRoles(w http.ResponseWriter, r *http.Request) {
	a.changeRoles(w, r, "user.roles.remove", a.id.RemoveRoles)
}

type roleOp func(ctx context.Context, realm, id string, roles []string) (store.User, error)

func (a *Handler) changeRoles(w http.ResponseWriter, r *http.Request, action string, op roleOp) {
	a.change(w, r, action, r.PathValue("id"), func(ev *event) (int, any, error) {
		var roles []string
		if err := decode(w, r, &roles, false); err != nil {
			return 0, nil, err
		}
		if len(roles) == 0 {
			return 0, nil, badRequest("The body must list at least one role.")
		}
		ev.Detail["roles"] = strings.Join(roles, ",")
		u, err := op(r.Context(), ev.Realm, ev.Target, roles)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, Items[string]{append([]string{}, u.Roles...)}, nil
	})
}
