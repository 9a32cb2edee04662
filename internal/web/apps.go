package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/identity"
	"github.com/gatehouse/gatehouse/internal/store"
)

// pageSize is how many rows a list page shows.
const pageSize = 50

type listNav struct {
	Total      int
	From, To   int
	Prev, Next string // links, "" when there is no such page
}

func pager(base string, q url.Values, offset, shown, total int) listNav {
	n := listNav{Total: total, From: offset + 1, To: offset + shown}
	if shown == 0 {
		n.From = 0
	}
	link := func(off int) string {
		v := url.Values{}
		for k, vs := range q {
			v[k] = vs
		}
		v.Set("offset", strconv.Itoa(off))
		return base + "?" + v.Encode()
	}
	if offset > 0 {
		n.Prev = link(max(0, offset-pageSize))
	}
	if offset+shown < total {
		n.Next = link(offset + shown)
	}
	return n
}

func offsetParam(r *http.Request) int {
	n, err := strconv.Atoi(r.URL.Query().Get("offset"))
	if err != nil || n < 0 || n > 1_000_000_000 {
		return 0
	}
	return n
}

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

func joinRefs(refs []identity.PermissionRef) string {
	s := make([]string, len(refs))
	for i, r := range refs {
		s[i] = r.String()
	}
	return strings.Join(s, " ")
}

type appFormData struct {
	Name string
	APIs []apiChoice
}

func (h *Handler) appNewPage(w http.ResponseWriter, r *http.Request, v *viewer) {
	apis, err := h.choices(r.Context(), nil)
	if err != nil {
		h.fail(w, r, v, err)
		return
	}
	h.render(w, r, http.StatusOK, "app_new", &page{Title: "New application", Nav: "apps", User: v, Data: appFormData{APIs: apis}})
}

// parseForm reads a urlencoded form of at most 1 MiB.
func parseForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	if err := r.ParseForm(); err != nil {
		return invalidForm("The form could not be read; reload the page and try again.")
	}
	return nil
}

func (h *Handler) appCreate(w http.ResponseWriter, r *http.Request, v *viewer) {
	ev := h.event(v, "app.create", "")
	var app store.Application
	var secret string
	name := ""
	var checked []string
	err := parseForm(w, r)
	if err == nil {
		name = r.PostFormValue("name")
		ev.Detail["name"] = name
		var refs []identity.PermissionRef
		refs, checked, err = formRefs(r)
		if err == nil {
			ev.Detail["permissions"] = joinRefs(refs)
			app, secret, err = h.id.NewApplication(r.Context(), h.o.Realm, name, refs)
		}
	}
	if err == nil {
		ev.Target, ev.Detail["clientId"] = app.ID, app.ClientID
	}
	h.finish(r, ev, err)
	if err != nil {
		status, msg, _ := h.classify(err)
		apis, cerr := h.choices(r.Context(), checked)
		if cerr != nil {
			h.fail(w, r, v, err)
			return
		}
		h.render(w, r, status, "app_new", &page{Title: "New application", Nav: "apps", User: v, Error: msg,
			Data: appFormData{Name: name, APIs: apis}})
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
	d := appDetailData{App: app, APIs: apis, Held: len(held), Config: app.Source == "config", Graces: graces, NameForm: app.Name}
	if nameInput != "" {
		d.NameForm = nameInput
	}
	now := h.now()
	for _, s := range app.Secrets {
		if s.ExpiresAt.IsZero() || now.Before(s.ExpiresAt) {
			d.Secrets = append(d.Secrets, secretRow{CreatedAt: s.CreatedAt, ExpiresAt: s.ExpiresAt})
		}
	}
	h.render(w, r, status, "app", &page{Title: app.Name, Nav: "apps", User: v, Error: msg, Data: d})
}

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
	ev := h.event(v, "app.update", id)
	name := ""
	err := parseForm(w, r)
	if err == nil {
		name = r.PostFormValue("name")
		ev.Detail["name"] = name
		_, err = h.id.UpdateApp(r.Context(), h.o.Realm, id, identity.AppPatch{Name: &name})
	}
	h.finish(r, ev, err)
	if err != nil {
		h.changeFailed(w, r, v, err, name)
		return
	}
	h.redirect(w, r, v, appPath(id), "Application renamed.")
}

func (h *Handler) appEnabled(w http.ResponseWriter, r *http.Request, v *viewer) {
	id := r.PathValue("id")
	ev := h.event(v, "app.update", id)
	on, err := formBool(w, r, "enabled")
	if err == nil {
		ev.Detail["enabled"] = strconv.FormatBool(on)
		_, err = h.id.UpdateApp(r.Context(), h.o.Realm, id, identity.AppPatch{Enabled: &on})
	}
	h.finish(r, ev, err)
	if err != nil {
		h.changeFailed(w, r, v, err, "")
		return
	}
	h.appsChanged(r)
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
	for _, op := range []struct {
		action string
		refs   []identity.PermissionRef
		do     func(context.Context, string, string, []identity.PermissionRef) ([]identity.PermissionRef, error)
	}{{"app.permissions.add", add, h.id.GrantPermissions}, {"app.permissions.remove", take, h.id.TakePermissions}} {
		if len(op.refs) == 0 {
			continue
		}
		ev := h.event(v, op.action, id)
		ev.Detail["permissions"] = joinRefs(op.refs)
		_, err := op.do(ctx, h.o.Realm, id, op.refs)
		h.finish(r, ev, err)
		if err != nil {
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
	ev := h.event(v, "app.rotate-secret", id)
	err := parseForm(w, r)
	var grace time.Duration
	if err == nil {
		grace, err = time.ParseDuration(r.PostFormValue("grace"))
		if err != nil {
			err = invalidForm("Choose a grace period from the list.")
		}
	}
	var secret string
	var app store.Application
	if err == nil {
		ev.Detail["grace"] = grace.String()
		app, secret, err = h.id.RotateSecret(r.Context(), h.o.Realm, id, grace)
	}
	h.finish(r, ev, err)
	if err != nil {
		h.changeFailed(w, r, v, err, "")
		return
	}
	h.showOnce(w, r, v, app, secret, true)
}

// showOnce sends the browser to the page that shows a new secret once (POST, redirect,
// GET: a reload never repeats the change). When the secret cannot wait in the session
// (the database failed just after the change), this answer is that page: the secret
// must not be lost.
func (h *Handler) showOnce(w http.ResponseWriter, r *http.Request, v *viewer, app store.Application, secret string, rotated bool) {
	if err := h.sess.setReveal(r.Context(), v.session, reveal{AppID: app.ID, Secret: secret, Rotated: rotated}); err != nil {
		h.log.Warn("console: the new secret could not wait in the session; it is shown in this answer", "err", err)
		h.renderCredentials(w, r, v, app, secret, rotated)
		return
	}
	http.Redirect(w, r, appPath(app.ID)+"/credentials", http.StatusSeeOther)
}

type credentialsData struct {
	App     store.Application
	Secret  string // "" when already shown
	Rotated bool
	EnvSaaS string
	EnvSM   string
	CurlSaa string
	CurlSM  string
}

// SaaSAudience is the audience SaaS clients ask for (CAMUNDA_CONSOLE_OAUTH_AUDIENCE).
const SaaSAudience = identity.AudienceSaaSAlias

// appCredentials shows a new secret exactly once. The secret waited, sealed, in the
// session for this page; taking it forgets it, so a reload, the back button, another
// tab or another replica finds nothing (the page is not cached either).
func (h *Handler) appCredentials(w http.ResponseWriter, r *http.Request, v *viewer) {
	app, err := h.id.GetApp(r.Context(), h.o.Realm, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, v, err)
		return
	}
	rv, _, err := h.sess.takeReveal(r.Context(), v.session, app.ID)
	if err != nil {
		h.fail(w, r, v, err)
		return
	}
	h.renderCredentials(w, r, v, app, rv.Secret, rv.Rotated)
}

// renderCredentials writes the credentials page; secret "" says it was already shown.
func (h *Handler) renderCredentials(w http.ResponseWriter, r *http.Request, v *viewer, app store.Application, secret string, rotated bool) {
	d := credentialsData{App: app}
	if secret != "" {
		d.Secret, d.Rotated = secret, rotated
		d.EnvSaaS, d.EnvSM, d.CurlSaa, d.CurlSM = h.snippets(app.ClientID, secret)
	}
	h.render(w, r, http.StatusOK, "credentials", &page{Title: "Credentials of " + app.Name, Nav: "apps", User: v, Data: d})
}

// snippets are the environment variables and curl commands of the two seeds, filled in.
func (h *Handler) snippets(clientID, secret string) (envSaaS, envSM, curlSaaS, curlSM string) {
	envSaaS = "CAMUNDA_CONSOLE_CLIENT_ID=" + clientID + "\n" +
		"CAMUNDA_CONSOLE_CLIENT_SECRET=" + secret + "\n" +
		"CAMUNDA_OAUTH_URL=" + h.o.SaaSTokenURL + "\n" +
		"CAMUNDA_CONSOLE_OAUTH_AUDIENCE=" + SaaSAudience
	envSM = "ZEEBE_CLIENT_ID=" + clientID + "\n" +
		"ZEEBE_CLIENT_SECRET=" + secret + "\n" +
		"ZEEBE_AUTHORIZATION_SERVER_URL=" + h.o.RealmTokenURL + "\n" +
		"CAMUNDA_OAUTH_URL=" + h.o.RealmTokenURL
	curlSaaS = "curl --request POST " + h.o.SaaSTokenURL + " \\\n" +
		"    --header 'Content-Type: application/x-www-form-urlencoded' \\\n" +
		"    --data-urlencode 'grant_type=client_credentials' \\\n" +
		"    --data-urlencode 'audience=" + SaaSAudience + "' \\\n" +
		"    --data-urlencode 'client_id=" + clientID + "' \\\n" +
		"    --data-urlencode 'client_secret=" + secret + "'"
	curlSM = "curl --location --request POST '" + h.o.RealmTokenURL + "' \\\n" +
		"    --header 'Content-Type: application/x-www-form-urlencoded' \\\n" +
		"    --data-urlencode 'client_id=" + clientID + "' \\\n" +
		"    --data-urlencode 'client_secret=" + secret + "' \\\n" +
		"    --data-urlencode 'grant_type=client_credentials'"
	return
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
	id := r.PathValue("id")
	ev := h.event(v, "app.delete", id)
	app, err := h.id.GetApp(r.Context(), h.o.Realm, id)
	if err == nil {
		ev.Detail["name"], ev.Detail["clientId"] = app.Name, app.ClientID
		err = h.id.DeleteApp(r.Context(), h.o.Realm, id)
	}
	h.finish(r, ev, err)
	if err != nil {
		h.fail(w, r, v, err)
		return
	}
	h.appsChanged(r)
	h.redirect(w, r, v, "/applications", "Application “"+app.Name+"” deleted.")
}

func (h *Handler) appsChanged(r *http.Request) {
	if h.o.AppsChanged != nil {
		h.o.AppsChanged(context.WithoutCancel(r.Context()), h.o.Realm)
	}
}

// formBool parses the POST form and reads one boolean field of it.
func formBool(w http.ResponseWriter, r *http.Request, name string) (bool, error) {
	if err := parseForm(w, r); err != nil {
		return false, err
	}
	on, err := strconv.ParseBool(r.PostFormValue(name))
	if err != nil {
		return false, invalidForm("The form could not be read; reload the page and try again.")
	}
	return on, nil
}
