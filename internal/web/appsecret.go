package web

import (
	"net/http"

	"github.com/gatehouse/gatehouse/internal/identity"
	"github.com/gatehouse/gatehouse/internal/store"
)

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
