package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/audit"
	"github.com/gatehouse/gatehouse/internal/identity"
	"github.com/gatehouse/gatehouse/internal/store"
)

// Access says what roles allow in the console (the rule is identity's).
func Access(roles []string) (read, write bool) { return identity.ConsoleAccess(roles) }

// viewer is the signed-in user of a request, as the store has them now.
type viewer struct {
	ID       string
	Username string
	Roles    []string
	CanWrite bool
	session  string // session id
	flash    bool   // a notice waits in the session
}

// auth runs fn for a signed-in user whose roles allow reading (and, with write,
// changing). The user is read from the store on every request, so a disabled or
// deleted account, or a role taken away, takes effect at once.
func (h *Handler) auth(write bool, fn func(http.ResponseWriter, *http.Request, *viewer)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, ok, err := h.viewer(w, r)
		if err != nil {
			w.Header().Set("Retry-After", "5")
			h.renderError(w, r, nil, http.StatusServiceUnavailable, "The console cannot reach its database right now.",
				"Reload the page in a few seconds.")
			return
		}
		if !ok {
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				http.Redirect(w, r, "/signin?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			http.Redirect(w, r, "/signin", http.StatusSeeOther)
			return
		}
		if write && !v.CanWrite {
			h.renderError(w, r, v, http.StatusForbidden, "Your roles allow reading only.",
				"Ask an administrator to give you the admin or Identity role if you need to make changes.")
			return
		}
		fn(w, r, v)
	})
}

// viewer returns the request's user, ending the session when it expired or the account
// can no longer use the console.
func (h *Handler) viewer(w http.ResponseWriter, r *http.Request) (*viewer, bool, error) {
	id := h.sessionID(r)
	s, ok, err := h.sess.get(r.Context(), id)
	if err != nil {
		// The session stays: the database may be back in a moment.
		h.log.Warn("console: read session", "err", err)
		return nil, false, err
	}
	if !ok {
		if id != "" {
			h.clearSessionCookie(w, r)
		}
		return nil, false, nil
	}
	u, err := h.id.GetUser(r.Context(), h.o.Realm, s.userID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		// The session stays: the database may be back in a moment.
		h.log.Warn("console: read signed-in user", "err", err)
		return nil, false, err
	}
	read, write := Access(u.Roles)
	if err != nil || !u.Enabled || !read {
		if err := h.sess.destroy(r.Context(), id); err != nil {
			h.log.Warn("console: end session", "err", err)
		}
		h.clearSessionCookie(w, r)
		return nil, false, nil
	}
	return &viewer{ID: u.ID, Username: u.Username, Roles: u.Roles, CanWrite: write, session: id, flash: s.flash}, true, nil
}

// optionalViewer is the signed-in user if there is one (for error pages).
func (h *Handler) optionalViewer(r *http.Request) *viewer {
	s, ok, err := h.sess.get(r.Context(), h.sessionID(r))
	if err != nil || !ok {
		return nil
	}
	u, err := h.id.GetUser(r.Context(), h.o.Realm, s.userID)
	if err != nil || !u.Enabled {
		return nil
	}
	read, write := Access(u.Roles)
	if !read {
		return nil
	}
	return &viewer{ID: u.ID, Username: u.Username, Roles: u.Roles, CanWrite: write, session: h.sessionID(r), flash: s.flash}
}

type signInData struct {
	Username string
	Next     string
}

func (h *Handler) signInPage(w http.ResponseWriter, r *http.Request) {
	if _, ok, _ := h.sess.get(r.Context(), h.sessionID(r)); ok {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	h.render(w, r, http.StatusOK, "signin", &page{Title: "Sign in", Data: signInData{Next: safeNext(r.URL.Query().Get("next"))}})
}

// safeNext keeps a post-sign-in destination on this site: a path, never "//host" or
// "/\host" (open redirect).
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") ||
		strings.ContainsAny(next, "\r\n\t") || len(next) > 2048 {
		return "/applications"
	}
	return next
}

// signIn checks a username and password. Failures are throttled per (username, IP)
// and per IP, and audited; the answer never says whether the username exists.
func (h *Handler) signIn(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	username := identity.NormalizeUsername(strings.TrimSpace(r.PostFormValue("username")))
	password := r.PostFormValue("password")
	next := safeNext(r.PostFormValue("next"))
	data := signInData{Username: username, Next: next}
	if len(username) > identity.MaxNameLen {
		username = username[:identity.MaxNameLen]
	}
	if username == "" || password == "" {
		h.render(w, r, http.StatusBadRequest, "signin", &page{Title: "Sign in", Data: data,
			Error: "Enter your username and password."})
		return
	}
	if identity.HasBidiControl(username) {
		// No username has one (usernames are [a-z0-9._@+-]); refused before the throttle
		// and the audit trail, where "\u202enimda" would read as "admin".
		h.render(w, r, http.StatusBadRequest, "signin", &page{Title: "Sign in", Data: signInData{Next: next},
			Error: "The username or password is wrong."})
		return
	}
	src := h.o.ClientIP.Key(r) // IPv6 sources by /64, as the token endpoint's throttle
	ipKey, userKey := "ip:"+src, "user:"+username+"\x00"+src
	ok, wait := h.o.IP.Begin(r.Context(), ipKey)
	if ok {
		if ok, wait = h.o.SignIn.Begin(r.Context(), userKey); !ok {
			h.o.IP.Release(ipKey)
		}
	}
	if !ok {
		h.auditSignIn(r, username, "", "failure", "throttled")
		secs := int(wait.Round(time.Second) / time.Second)
		secs = max(secs, 1)
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		h.render(w, r, http.StatusTooManyRequests, "signin", &page{Title: "Sign in", Data: data,
			Error: "Too many failed sign-ins. Wait " + plural(secs, "second") + " and try again."})
		return
	}
	u, reason, err := h.id.CheckSignIn(r.Context(), h.o.Realm, username, password)
	if err != nil {
		h.o.SignIn.Release(userKey)
		h.o.IP.Release(ipKey)
		h.log.Warn("console: sign-in could not be checked", "err", err)
		h.render(w, r, http.StatusServiceUnavailable, "signin", &page{Title: "Sign in", Data: data,
			Error: "Sign-in is unavailable right now; try again in a few seconds."})
		return
	}
	if reason != "" {
		h.o.SignIn.Fail(userKey)
		h.o.IP.Fail(ipKey)
		h.auditSignIn(r, username, u.ID, "failure", reason)
		msg := "The username or password is wrong."
		status := http.StatusUnauthorized
		if reason == identity.SignInNoRole {
			msg = "Your account has no console role. Ask an administrator for the admin, Identity or read role."
			status = http.StatusForbidden
		}
		h.render(w, r, status, "signin", &page{Title: "Sign in", Data: data, Error: msg})
		return
	}
	// Success starts only this username's count afresh; the address keeps its failures,
	// or one valid sign-in every few dozen guesses would let a spray go on unthrottled.
	h.o.SignIn.Succeed(userKey)
	h.o.IP.Release(ipKey)
	// A fresh session id at every sign-in, and whatever session the browser brought
	// ends: a planted id is never promoted (checklist D10, session fixation).
	if old := h.sessionID(r); old != "" {
		if err := h.sess.destroy(r.Context(), old); err != nil {
			h.log.Warn("console: end the session the browser brought", "err", err)
		}
	}
	id, err := h.sess.create(r.Context(), u.ID, u.Username)
	if err != nil {
		h.log.Warn("console: start session", "err", err)
		w.Header().Set("Retry-After", "5")
		h.render(w, r, http.StatusServiceUnavailable, "signin", &page{Title: "Sign in", Data: data,
			Error: "Sign-in is unavailable right now; try again in a few seconds."})
		return
	}
	h.setSessionCookie(w, r, id)
	h.auditSignIn(r, u.Username, u.ID, "success", "")
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (h *Handler) auditSignIn(r *http.Request, username, userID, outcome, reason string) {
	d := map[string]string{"via": "console", "ip": h.o.ClientIP.IP(r)}
	if reason != "" {
		d["reason"] = reason
	}
	h.writeAudit(r.Context(), store.AuditEvent{Realm: h.o.Realm, Time: h.now().UTC(), Actor: username,
		Action: audit.ActionConsoleSignIn, Target: userID, Outcome: outcome, Detail: d})
}

// signOut ends the session on the server, so the cookie is worthless even if kept.
func (h *Handler) signOut(w http.ResponseWriter, r *http.Request) {
	id := h.sessionID(r)
	if s, ok, _ := h.sess.get(r.Context(), id); ok {
		h.writeAudit(r.Context(), store.AuditEvent{Realm: h.o.Realm, Time: h.now().UTC(), Actor: s.username,
			Action: audit.ActionConsoleSignOut, Target: s.userID, Outcome: "success", Detail: map[string]string{"via": "console"}})
	}
	if id != "" {
		if err := h.sess.destroy(r.Context(), id); err != nil {
			// The cookie goes anyway; the session row dies at its idle timeout.
			h.log.Warn("console: end session at sign-out", "err", err)
		}
	}
	h.clearSessionCookie(w, r)
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}
