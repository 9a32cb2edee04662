package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/audit"
	"github.com/gatehouse/gatehouse/internal/identity"
	"github.com/gatehouse/gatehouse/internal/store"
)

type appsListData struct {
	Query string
	Apps  []store.Application
	Nav   listNav
}

func (h *Handler) appsList(w http.ResponseWriter, r *http.Request, v *viewer) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if len(q) > identity.MaxNameLen {
		q = q[:identity.MaxNameLen]
	}
	off := offsetParam(r)
	apps, total, err := h.id.ListApps(r.Context(), h.o.Realm, store.ListOptions{Offset: off, Limit: pageSize, Query: q})
	if err != nil {
		h.fail(w, r, v, err)
		return
	}
	qv := url.Values{}
	if q != "" {
		qv.Set("q", q)
	}
	h.render(w, r, http.StatusOK, "apps", &page{Title: "Applications", Nav: "apps", User: v,
		Data: appsListData{Query: q, Apps: apps, Nav: pager("/applications", qv, off, len(apps), total)}})
}

// apiChoice is one API with its permissions as checkboxes.
type apiChoice struct {
	Name     string
	Audience string
	Perms    []permChoice
}

type permChoice struct {
	Ref         string // "<audience>:<definition>", the checkbox value
	Definition  string
	Description string
	Checked     bool
	ID          string // element id
}

// choices lists the realm's APIs with the permissions in held checked.
func (h *Handler) choices(ctx context.Context, held []string) ([]apiChoice, error) {
	apis, err := h.id.ListAPIs(ctx, h.o.Realm)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(apis, func(a, b store.API) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
	out := make([]apiChoice, 0, len(apis))
	n := 0
	for _, a := range apis {
		c := apiChoice{Name: a.Name, Audience: a.Audience}
		for _, p := range a.Permissions {
			ref := identity.PermissionRef{Audience: a.Audience, Definition: p.Definition}.String()
			n++
			c.Perms = append(c.Perms, permChoice{Ref: ref, Definition: p.Definition, Description: p.Description,
				Checked: slices.Contains(held, ref), ID: "perm-" + strconv.Itoa(n)})
		}
		out = append(out, c)
	}
	return out, nil
}

// formRefs reads the checked permissions of a form.
func formRefs(r *http.Request) ([]identity.PermissionRef, []string, error) {
	vals := r.PostForm["perm"]
	if len(vals) > identity.MaxListInput {
		return nil, nil, invalidForm("Choose at most 256 permissions at once.")
	}
	refs := make([]identity.PermissionRef, 0, len(vals))
	for _, s := range vals {
		p, err := identity.ParsePermissionRef(s)
		if err != nil {
			return nil, nil, invalidForm("A chosen permission is not valid; reload the page and choose again.")
		}
		refs = append(refs, p)
	}
	return refs, vals, nil
}

type appFormData struct {
	Name string
	APIs []apiChoice
	Web  webForm
}

func (h *Handler) appNewPage(w http.ResponseWriter, r *http.Request, v *viewer) {
	apis, err := h.choices(r.Context(), nil)
	if err != nil {
		h.fail(w, r, v, err)
		return
	}
	h.render(w, r, http.StatusOK, "app_new", &page{Title: "New application", Nav: "apps", User: v, Data: appFormData{APIs: apis, Web: newWebForm(identity.AppM2M, store.WebSettings{}, false)}})
}

func (h *Handler) appCreate(w http.ResponseWriter, r *http.Request, v *viewer) {
	var app store.Application
	var secret, name string
	var checked []string
	err := parseForm(w, r)
	if err != nil {
		h.refused(r, v, audit.ActionAppCreate, "", nil, err)
	} else {
		name = r.PostFormValue("name")
		var refs []identity.PermissionRef
		if refs, checked, err = formRefs(r); err != nil {
			h.refused(r, v, audit.ActionAppCreate, "", map[string]string{"name": name}, err)
		} else {
			typ, web := webFromForm(r)
			app, secret, err = h.id.NewWebApplication(r.Context(), h.actor(r, v), h.o.Realm, name, typ, web, refs)
		}
	}
	if err != nil {
		status, msg, _ := h.classify(err)
		apis, cerr := h.choices(r.Context(), checked)
		if cerr != nil {
			h.fail(w, r, v, err)
			return
		}
		h.render(w, r, status, "app_new", &page{Title: "New application", Nav: "apps", User: v, Error: msg,
			Data: appFormData{Name: name, APIs: apis, Web: formWeb(r, false)}})
		return
	}
	if secret == "" { // a PUBLIC application has no secret to show
		h.redirect(w, r, v, appPath(app.ID), "Application created.")
		return
	}
	h.showOnce(w, r, v, app, secret, false)
}

type secretRow struct {
	CreatedAt time.Time
	ExpiresAt time.Time
}

type appDetailData struct {
	App      store.Application
	Secrets  []secretRow
	APIs     []apiChoice
	Held     int
	Config   bool // declared in configuration: no rename, no rotation
	Graces   []graceOption
	NameForm string
	Web      webForm
}

type graceOption struct {
	Value, Label string
	Selected     bool
}

// graces are the offered rotation grace periods.
var graces = []graceOption{
	{"0s", "None: the current secret stops working now", false},
	{"10m", "10 minutes", false},
	{"1h", "1 hour", true},
	{"24h", "1 day", false},
	{"168h", "7 days", false},
	{"720h", "30 days", false},
}

func (h *Handler) appDetail(w http.ResponseWriter, r *http.Request, v *viewer) {
	h.showApp(w, r, v, http.StatusOK, "", "")
}

// showApp renders an application's page, with an error from a failed change if any.
func (h *Handler) showApp(w http.ResponseWriter, r *http.Request, v *viewer, status int, msg, nameInput string) {
	ctx := r.Context()
	app, err := h.id.GetApp(ctx, h.o.Realm, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, v, err)
		return
	}
	refs, err := h.id.Permissions(ctx, h.o.Realm, app.ID)
	if err != nil {
		h.fail(w, r, v, err)
		return
	}
	held := make([]string, len(refs))
	for i, p := range refs {
		held[i] = p.String()
	}
	apis, err := h.choices(ctx, held)
	if err != nil {
		h.fail(w, r, v, err)
		return
	}
	d := appDetailData{App: app, APIs: apis, Held: len(held), Config: app.Source == "config", Graces: graces, NameForm: app.Name,
		Web: newWebForm(app.Type, app.Web, true)}
	if nameInput != "" {
		d.NameForm = nameInput
	}
	for _, s := range identity.LiveSecrets(app.Secrets, h.now()) {
		d.Secrets = append(d.Secrets, secretRow{CreatedAt: s.CreatedAt, ExpiresAt: s.ExpiresAt})
	}
	h.render(w, r, status, "app", &page{Title: app.Name, Nav: "apps", User: v, Error: msg, Data: d})
}
