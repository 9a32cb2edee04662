package web

import (
	"net/http"
	"strings"

	"github.com/gatehouse/gatehouse/internal/audit"
	"github.com/gatehouse/gatehouse/internal/identity"
	"github.com/gatehouse/gatehouse/internal/store"
)

// An application's type and sign-in settings (redirect URIs and the rest) on the
// new-application form and the application page. Lists are one item per line.

type typeOption struct {
	Value, Label string
	Selected     bool
}

type webForm struct {
	Types                                         []typeOption
	Existing                                      bool
	RootURL, RedirectURIs, PostLogout, WebOrigins string
}

func newWebForm(typ string, w store.WebSettings, existing bool) webForm {
	f := webForm{Existing: existing, RootURL: w.RootURL, RedirectURIs: strings.Join(w.RedirectURIs, "\n"),
		PostLogout: strings.Join(w.PostLogoutRedirectURIs, "\n"), WebOrigins: strings.Join(w.WebOrigins, "\n")}
	for _, o := range []typeOption{{identity.AppM2M, "M2M", false}, {identity.AppConfidential, "Confidential", false},
		{identity.AppPublic, "Public", false}} {
		if existing && (o.Value == identity.AppPublic) != (typ == identity.AppPublic) {
			continue // to or from PUBLIC is never offered
		}
		o.Selected = o.Value == typ
		f.Types = append(f.Types, o)
	}
	return f
}

// formWeb re-shows what was posted.
func formWeb(r *http.Request, existing bool) webForm {
	typ, w := webFromForm(r)
	t, err := identity.ParseAppType(typ)
	if err != nil {
		t = identity.AppM2M
	}
	return newWebForm(t, w, existing)
}

func webFromForm(r *http.Request) (string, store.WebSettings) {
	return r.PostFormValue("type"), store.WebSettings{RootURL: strings.TrimSpace(r.PostFormValue("rootUrl")),
		RedirectURIs: lines(r.PostFormValue("redirectUris")), PostLogoutRedirectURIs: lines(r.PostFormValue("postLogoutRedirectUris")),
		WebOrigins: lines(r.PostFormValue("webOrigins"))}
}

func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// appWeb changes an application's type and sign-in settings.
func (h *Handler) appWeb(w http.ResponseWriter, r *http.Request, v *viewer) {
	id := r.PathValue("id")
	if err := parseForm(w, r); err != nil {
		h.refused(r, v, audit.ActionAppUpdate, id, nil, err)
		h.changeFailed(w, r, v, err, "")
		return
	}
	typ, web := webFromForm(r)
	p := identity.AppPatch{Web: &identity.WebPatch{RootURL: &web.RootURL, RedirectURIs: &web.RedirectURIs,
		PostLogoutRedirectURIs: &web.PostLogoutRedirectURIs, WebOrigins: &web.WebOrigins}}
	if typ != "" {
		p.Type = &typ
	}
	if _, err := h.id.UpdateApp(r.Context(), h.actor(r, v), h.o.Realm, id, p); err != nil {
		h.changeFailed(w, r, v, err, "")
		return
	}
	h.redirect(w, r, v, appPath(id), "Sign-in settings saved.")
}
