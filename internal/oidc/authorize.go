package oidc

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/gatehouse/gatehouse/internal/identity"
	"github.com/gatehouse/gatehouse/internal/store"
)

// maxForm caps an authorization or login form body.
const maxForm = 64 << 10

// Authorize serves GET and POST /auth/realms/{realm}/protocol/openid-connect/auth.
func (p *Provider) Authorize(w http.ResponseWriter, r *http.Request) {
	rc, ok := p.realm(r)
	if !ok {
		p.errorPage(w, r, Realm{Name: "Gatehouse"}, http.StatusNotFound, "This realm does not exist.", "")
		return
	}
	params := r.URL.Query()
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, maxForm)
		if err := r.ParseForm(); err != nil {
			p.errorPage(w, r, rc, http.StatusBadRequest, "The request could not be read.", "")
			return
		}
		params = r.PostForm
	}
	req, app, ok := p.checkRequest(w, r, rc, params)
	if !ok {
		return
	}
	ss, u, err := p.c.Identity.Session(r.Context(), rc.Name, cookieValue(r, p.sessionCookie(rc.Name)))
	switch {
	case err == nil && req.Prompt != "login" && (req.MaxAge < 0 || p.now().Sub(ss.AuthTime).Seconds() <= float64(req.MaxAge)):
		p.finish(w, r, rc, app, req, ss, u)
		return
	case err != nil && !errors.Is(err, identity.ErrNoSession):
		p.unavailable(w, r, rc, "read session", err)
		return
	case req.Prompt == "none":
		// OIDC Core §3.1.2.6: the person would have to sign in.
		p.redirectError(w, r, rc, req, &AuthError{Code: "login_required", Description: "The user is not signed in"})
		return
	}
	p.loginPage(w, r, rc, req, req.LoginHint, http.StatusOK, "")
}

// checkRequest parses the request and checks it against the client's registration:
// unknown clients and unregistered redirect URIs get an error page (never a redirect,
// RFC 6749 §4.1.2.1); every other refusal goes back to the client.
func (p *Provider) checkRequest(w http.ResponseWriter, r *http.Request, rc Realm, params url.Values) (AuthRequest, store.Application, bool) {
	req, perr := ParseAuthorize(params)
	if perr != nil && perr.Page {
		p.errorPage(w, r, rc, http.StatusBadRequest, perr.Description+".", "Go back to the application and try again.")
		return req, store.Application{}, false
	}
	app, err := p.c.Identity.WebClient(r.Context(), rc.Name, req.ClientID)
	if errors.Is(err, store.ErrNotFound) {
		p.errorPage(w, r, rc, http.StatusBadRequest, "Unknown application.", "The application is not registered for sign-in here.")
		return req, app, false
	}
	if err != nil {
		p.unavailable(w, r, rc, "read client", err)
		return req, app, false
	}
	if !identity.MatchAppRedirect(app, req.RedirectURI) {
		p.errorPage(w, r, rc, http.StatusBadRequest, "Invalid redirect URI.", "The application sent a redirect_uri it has not registered.")
		return req, app, false
	}
	if perr != nil {
		p.redirectError(w, r, rc, req, perr)
		return req, app, false
	}
	// PKCE is required of public clients (OAuth 2.1 §4.1.1, RFC 9700 §2.1.1).
	if app.Type == identity.AppPublic && req.CodeChallenge == "" {
		p.redirectError(w, r, rc, req, &AuthError{Code: "invalid_request", Description: "PKCE (code_challenge with S256) is required"})
		return req, app, false
	}
	if _, err := identity.ResolvePerson(store.User{}, nil, req.Scope); err != nil {
		p.redirectError(w, r, rc, req, &AuthError{Code: "invalid_scope", Description: "Unsupported scope"})
		return req, app, false
	}
	return req, app, true
}

// finish issues a code for a signed-in person and sends the browser back.
func (p *Provider) finish(w http.ResponseWriter, r *http.Request, rc Realm, app store.Application, req AuthRequest, ss store.SSOSession, u store.User) {
	g, err := identity.ResolvePerson(u, req.Audiences, req.Scope)
	if err != nil {
		code := "invalid_scope"
		if errors.Is(err, identity.ErrInvalidTarget) {
			code = "invalid_target"
		}
		p.redirectError(w, r, rc, req, &AuthError{Code: code, Description: "The requested audience or scope is not available"})
		return
	}
	code, err := p.c.Identity.IssueCode(r.Context(), identity.CodeSpec{Realm: rc.Name, AppID: app.ID, Session: ss,
		RedirectURI: req.RedirectURI, Challenge: req.CodeChallenge, Nonce: req.Nonce, Scope: g.Scope, Audiences: g.Audience})
	if err != nil {
		p.unavailable(w, r, rc, "issue code", err)
		return
	}
	p.respond(w, rc, req, url.Values{"code": {code}})
}

// redirectError sends an error back to the client (RFC 6749 §4.1.2.1) with state and
// iss (RFC 9207).
func (p *Provider) redirectError(w http.ResponseWriter, _ *http.Request, rc Realm, req AuthRequest, e *AuthError) {
	p.respond(w, rc, req, url.Values{"error": {e.Code}, "error_description": {e.Description}})
}

// respond delivers an authorization response in the request's response mode. state is
// echoed exactly as received; iss names this realm (RFC 9207).
func (p *Provider) respond(w http.ResponseWriter, rc Realm, req AuthRequest, v url.Values) {
	if req.State != "" {
		v.Set("state", req.State)
	}
	v.Set("iss", rc.Issuer)
	w.Header().Set("Cache-Control", "no-store")
	switch req.ResponseMode {
	case ModeFormPost:
		fields := map[string]string{}
		for k := range v {
			fields[k] = v.Get(k)
		}
		p.render(w, http.StatusOK, "formpost", &page{Title: "Signing in", Realm: display(rc), Script: true,
			Data: struct {
				Action string
				Fields map[string]string
			}{req.RedirectURI, fields}})
	case ModeFragment:
		u := strings.SplitN(req.RedirectURI, "#", 2)[0]
		w.Header().Set("Location", u+"#"+v.Encode())
		w.WriteHeader(http.StatusSeeOther)
	default:
		u, _ := url.Parse(req.RedirectURI)
		q := u.Query()
		for k := range v {
			q.Set(k, v.Get(k))
		}
		u.RawQuery = q.Encode()
		w.Header().Set("Location", u.String())
		w.WriteHeader(http.StatusSeeOther)
	}
}
