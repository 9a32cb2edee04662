package oidc

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/identity"
)

type loginData struct {
	Action   string
	CSRF     string
	Request  string
	Username string
}

// loginPage shows the sign-in form. The authorization request travels in a hidden
// field and is checked again when the form comes back; a CSRF token in a cookie and in
// the form must match (double submit), on top of cross-origin protection.
func (p *Provider) loginPage(w http.ResponseWriter, r *http.Request, rc Realm, req AuthRequest, username string, status int, msg string) {
	token := cookieValue(r, p.csrfCookie())
	if len(token) != 43 {
		token = newToken()
		p.setCookie(w, p.csrfCookie(), token, 3600)
	}
	p.render(w, status, "login", &page{Title: "Sign in", Realm: display(rc), Error: msg, Data: loginData{
		Action: "/auth/realms/" + rc.Name + loginAction, CSRF: token, Request: req.Encode(), Username: username}})
}

// Login serves POST /auth/realms/{realm}/login-actions/authenticate: the login form.
// Failures are throttled per (username, source) and per source exactly as console
// sign-in, and the answer never says whether the username exists.
func (p *Provider) Login(w http.ResponseWriter, r *http.Request) {
	rc, ok := p.realm(r)
	if !ok {
		p.errorPage(w, r, Realm{Name: "Gatehouse"}, http.StatusNotFound, "This realm does not exist.", "")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		p.errorPage(w, r, rc, http.StatusBadRequest, "The form could not be read.", "")
		return
	}
	cookie, sent := cookieValue(r, p.csrfCookie()), r.PostFormValue("csrf")
	if len(cookie) != 43 || subtle.ConstantTimeCompare([]byte(cookie), []byte(sent)) != 1 {
		p.errorPage(w, r, rc, http.StatusForbidden, "This sign-in form has expired.", "Go back to the application and start again.")
		return
	}
	params, err := url.ParseQuery(r.PostFormValue("req"))
	if err != nil {
		p.errorPage(w, r, rc, http.StatusBadRequest, "The sign-in request is malformed.", "")
		return
	}
	req, app, ok := p.checkRequest(w, r, rc, params)
	if !ok {
		return
	}
	username := identity.NormalizeUsername(strings.TrimSpace(r.PostFormValue("username")))
	password := r.PostFormValue("password")
	if len(username) > identity.MaxNameLen {
		username = username[:identity.MaxNameLen]
	}
	if username == "" || password == "" {
		p.loginPage(w, r, rc, req, username, http.StatusBadRequest, "Enter your username and password.")
		return
	}
	src := p.c.ClientIP.Key(r)
	ipKey, userKey := "ip:"+src, "user:"+rc.Name+"\x00"+username+"\x00"+src
	ok, wait := p.c.IP.Begin(r.Context(), ipKey)
	if ok {
		if ok, wait = p.c.SignIn.Begin(r.Context(), userKey); !ok {
			p.c.IP.Release(ipKey)
		}
	}
	if !ok {
		secs := max(int(wait.Round(time.Second)/time.Second), 1)
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		p.loginPage(w, r, rc, req, username, http.StatusTooManyRequests,
			"Too many failed sign-ins. Wait "+strconv.Itoa(secs)+" seconds and try again.")
		return
	}
	u, reason, err := p.c.Identity.CheckPersonSignIn(r.Context(), rc.Name, username, password)
	if err != nil {
		p.c.SignIn.Release(userKey)
		p.c.IP.Release(ipKey)
		p.unavailable(w, r, rc, "check sign-in", err)
		return
	}
	if reason != "" {
		p.c.SignIn.Fail(userKey)
		p.c.IP.Fail(ipKey)
		p.c.Identity.Trail.Record(r.Context(), p.actor(r, username), loginFailure(rc.Name, u.ID, reason), errLogin)
		p.loginPage(w, r, rc, req, username, http.StatusUnauthorized, "Invalid username or password.")
		return
	}
	p.c.SignIn.Succeed(userKey)
	p.c.IP.Succeed(ipKey)
	// A new session at every sign-in; the one the browser brought ends (no fixation).
	if old := cookieValue(r, p.sessionCookie(rc.Name)); old != "" {
		if err := p.c.Identity.EndSession(r.Context(), p.actor(r, username), rc.Name, identity.Digest(old)); err != nil {
			p.c.Log.Warn("oidc: end the session the browser brought", "err", err)
		}
	}
	value, ss, err := p.c.Identity.StartSession(r.Context(), p.actor(r, u.Username), rc.Name, u)
	if err != nil {
		p.unavailable(w, r, rc, "start session", err)
		return
	}
	p.setCookie(w, p.sessionCookie(rc.Name), value, 0)
	p.finish(w, r, rc, app, req, ss, u)
}

// newToken is 256 random bits, base64url (43 characters).
func newToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
