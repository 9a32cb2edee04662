package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/gatehouse/gatehouse/internal/audit"
	"github.com/gatehouse/gatehouse/internal/identity"
	"github.com/gatehouse/gatehouse/internal/store"
)

type usersListData struct {
	Query string
	Users []userRow
	Nav   listNav
}

type userRow struct {
	store.User
	Access string // "Change", "Read" or "None"
}

func accessLabel(roles []string) string {
	switch read, write := Access(roles); {
	case write:
		return "Read and change"
	case read:
		return "Read only"
	}
	return "No console access"
}

func (h *Handler) usersList(w http.ResponseWriter, r *http.Request, v *viewer) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if len(q) > identity.MaxNameLen {
		q = q[:identity.MaxNameLen]
	}
	off := offsetParam(r)
	users, total, err := h.id.ListUsers(r.Context(), h.o.Realm, store.ListOptions{Offset: off, Limit: pageSize, Query: q})
	if err != nil {
		h.fail(w, r, v, err)
		return
	}
	rows := make([]userRow, len(users))
	for i, u := range users {
		rows[i] = userRow{u, accessLabel(u.Roles)}
	}
	qv := url.Values{}
	if q != "" {
		qv.Set("q", q)
	}
	h.render(w, r, http.StatusOK, "users", &page{Title: "Users", Nav: "users", User: v,
		Data: usersListData{Query: q, Users: rows, Nav: pager("/users", qv, off, len(users), total)}})
}

type userFormData struct {
	Username, Email, FirstName, LastName, Roles string
}

func (h *Handler) userNewPage(w http.ResponseWriter, r *http.Request, v *viewer) {
	h.render(w, r, http.StatusOK, "user_new", &page{Title: "New user", Nav: "users", User: v, Data: userFormData{Roles: "read"}})
}

func userPath(id string) string { return "/users/" + url.PathEscape(id) }

func (h *Handler) userCreate(w http.ResponseWriter, r *http.Request, v *viewer) {
	var d userFormData
	var u store.User
	err := parseForm(w, r)
	if err != nil {
		h.refused(r, v, audit.ActionUserCreate, "", nil, err)
	} else {
		d = userFormData{Username: strings.TrimSpace(r.PostFormValue("username")), Email: strings.TrimSpace(r.PostFormValue("email")),
			FirstName: r.PostFormValue("firstName"), LastName: r.PostFormValue("lastName"), Roles: r.PostFormValue("roles")}
		u, err = h.id.CreateUser(r.Context(), h.actor(r, v), h.o.Realm, identity.UserSpec{Username: d.Username, Password: r.PostFormValue("password"),
			Email: d.Email, FirstName: d.FirstName, LastName: d.LastName, Roles: splitList(d.Roles)})
	}
	if err != nil {
		status, msg, _ := h.classify(err)
		if errors.Is(err, store.ErrAlreadyExists) {
			msg = "A user with this username exists already; choose another username."
		}
		h.render(w, r, status, "user_new", &page{Title: "New user", Nav: "users", User: v, Error: msg, Data: d})
		return
	}
	h.redirect(w, r, v, userPath(u.ID), "User created.")
}

type userDetailData struct {
	Target store.User
	Access string
	Self   bool
	Roles  string
}

func (h *Handler) userDetail(w http.ResponseWriter, r *http.Request, v *viewer) {
	h.showUser(w, r, v, http.StatusOK, "", "")
}

func (h *Handler) showUser(w http.ResponseWriter, r *http.Request, v *viewer, status int, msg, rolesInput string) {
	u, err := h.id.GetUser(r.Context(), h.o.Realm, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, v, err)
		return
	}
	d := userDetailData{Target: u, Access: accessLabel(u.Roles), Self: u.ID == v.ID, Roles: strings.Join(u.Roles, ", ")}
	if rolesInput != "" {
		d.Roles = rolesInput
	}
	h.render(w, r, status, "user", &page{Title: u.Username, Nav: "users", User: v, Error: msg, Data: d})
}

func (h *Handler) userFailed(w http.ResponseWriter, r *http.Request, v *viewer, err error, rolesInput string) {
	status, msg, _ := h.classify(err)
	if status == http.StatusNotFound || status >= 500 {
		h.fail(w, r, v, err)
		return
	}
	h.showUser(w, r, v, status, msg, rolesInput)
}

// errSelf refuses changes that would lock the signed-in user out (the management API
// refuses an application disabling or deleting itself likewise).
var errSelf = invalidForm("You cannot disable or delete your own account; ask another administrator.")

// userRoles makes the user hold exactly the listed roles: additions and removals are
// audited as user.roles.add and user.roles.remove.
func (h *Handler) userRoles(w http.ResponseWriter, r *http.Request, v *viewer) {
	id := r.PathValue("id")
	if err := parseForm(w, r); err != nil {
		h.userFailed(w, r, v, err, "")
		return
	}
	input := r.PostFormValue("roles")
	want := splitList(input)
	u, err := h.id.GetUser(r.Context(), h.o.Realm, id)
	if err != nil {
		h.fail(w, r, v, err)
		return
	}
	var add, take []string
	for _, role := range want {
		if !slices.Contains(u.Roles, role) && !slices.Contains(add, role) {
			add = append(add, role)
		}
	}
	for _, role := range u.Roles {
		if !slices.Contains(want, role) {
			take = append(take, role)
		}
	}
	if id == v.ID {
		if _, write := Access(want); !write {
			h.userFailed(w, r, v, invalidForm("You cannot take your own admin or Identity role; ask another administrator."), input)
			return
		}
	}
	a := h.actor(r, v)
	for _, op := range []struct {
		roles []string
		do    func(ctx context.Context, a audit.Actor, realm, id string, roles []string) (store.User, error)
	}{{add, h.id.AddRoles}, {take, h.id.RemoveRoles}} {
		if len(op.roles) == 0 {
			continue
		}
		if _, err := op.do(r.Context(), a, h.o.Realm, id, op.roles); err != nil {
			h.userFailed(w, r, v, err, input)
			return
		}
	}
	h.redirect(w, r, v, userPath(id), "Roles saved.")
}

func (h *Handler) userEnabled(w http.ResponseWriter, r *http.Request, v *viewer) {
	id := r.PathValue("id")
	on, err := formBool(w, r, "enabled")
	switch {
	case err != nil:
		h.refused(r, v, audit.ActionUserUpdate, id, nil, err)
	case !on && id == v.ID:
		err = errSelf
		h.refused(r, v, audit.ActionUserUpdate, id, map[string]string{"enabled": "false"}, err)
	default:
		_, err = h.id.UpdateUser(r.Context(), h.actor(r, v), h.o.Realm, id, identity.UserPatch{Enabled: &on})
	}
	if err != nil {
		h.userFailed(w, r, v, err, "")
		return
	}
	msg := "User enabled."
	if !on {
		if err := h.sess.destroyUser(r.Context(), id); err != nil {
			// The account is disabled: its sessions end at their next request anyway.
			h.log.Warn("console: end the sessions of a disabled user", "err", err)
		}
		msg = "User disabled and signed out."
	}
	h.redirect(w, r, v, userPath(id), msg)
}

func (h *Handler) userPassword(w http.ResponseWriter, r *http.Request, v *viewer) {
	id := r.PathValue("id")
	err := parseForm(w, r)
	if err == nil && r.PostFormValue("password") != r.PostFormValue("confirm") {
		err = invalidForm("The two passwords differ; type the same password twice.")
	}
	if err != nil {
		h.refused(r, v, audit.ActionUserUpdate, id, map[string]string{"fields": "password"}, err)
	} else {
		pw := r.PostFormValue("password")
		_, err = h.id.UpdateUser(r.Context(), h.actor(r, v), h.o.Realm, id, identity.UserPatch{Password: &pw,
			KeepSession: key(v.session)}) // kept only when v changes their own password
	}
	if err != nil {
		h.userFailed(w, r, v, err, "")
		return
	}
	h.redirect(w, r, v, userPath(id), "Password changed.")
}

func (h *Handler) userDeletePage(w http.ResponseWriter, r *http.Request, v *viewer) {
	u, err := h.id.GetUser(r.Context(), h.o.Realm, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, v, err)
		return
	}
	if u.ID == v.ID {
		h.renderError(w, r, v, http.StatusConflict, "You cannot delete your own account.", "Ask another administrator to do it.")
		return
	}
	h.render(w, r, http.StatusOK, "confirm", &page{Title: "Delete " + u.Username, Nav: "users", User: v, Data: confirmData{
		Kind: "user", Name: u.Username, Sub: u.Email, Action: userPath(u.ID) + "/delete", Back: userPath(u.ID),
		Notes: []string{"The user is signed out and can no longer sign in."}}})
}

func (h *Handler) userDelete(w http.ResponseWriter, r *http.Request, v *viewer) {
	id := r.PathValue("id")
	var u store.User
	var err error
	if id == v.ID {
		err = errSelf
		h.refused(r, v, audit.ActionUserDelete, id, nil, err)
	} else {
		u, err = h.id.DeleteUser(r.Context(), h.actor(r, v), h.o.Realm, id)
	}
	if err != nil {
		h.userFailed(w, r, v, err, "")
		return
	}
	if err := h.sess.destroyUser(r.Context(), id); err != nil {
		h.log.Warn("console: end the sessions of a deleted user", "err", err) // the store deletes them with the user too
	}
	h.redirect(w, r, v, "/users", "User “"+u.Username+"” deleted.")
}
