package oidc

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"

	"github.com/gatehouse/gatehouse/internal/accesstoken"
	"github.com/gatehouse/gatehouse/internal/identity"
	"github.com/gatehouse/gatehouse/internal/store"
)

func isNoSession(err error) bool { return errors.Is(err, identity.ErrNoSession) }

// Logout serves …/protocol/openid-connect/logout (OpenID Connect RP-Initiated Logout
// 1.0). With a valid id_token_hint the session ends at once; without one the person
// confirms on a page first, so that a link on another site cannot sign them out. A
// post_logout_redirect_uri must be registered for the client, else nothing redirects
// (no open redirect); without one a signed-out page is shown.
func (p *Provider) Logout(w http.ResponseWriter, r *http.Request) {
	rc, ok := p.realm(r)
	if !ok {
		http.NotFound(w, r)
		return
	}
	params := r.URL.Query()
	confirmed := false
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, maxForm)
		if err := r.ParseForm(); err != nil {
			p.errorPage(w, r, rc, http.StatusBadRequest, "The request could not be read.", "")
			return
		}
		params = r.PostForm
		if params.Get("confirm") != "" {
			c := cookieValue(r, p.csrfCookie())
			if len(c) != 43 || subtle.ConstantTimeCompare([]byte(c), []byte(params.Get("csrf"))) != 1 ||
				r.Header.Get("Sec-Fetch-Site") == "cross-site" {
				p.errorPage(w, r, rc, http.StatusForbidden, "This sign-out form has expired.", "")
				return
			}
			confirmed = true
		}
	} else if r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET, POST")
		p.errorPage(w, r, rc, http.StatusMethodNotAllowed, "GET or POST only.", "")
		return
	}
	for _, k := range []string{"id_token_hint", "client_id", "post_logout_redirect_uri", "state"} {
		if len(params[k]) > 1 || len(params.Get(k)) > maxParam || !clean(params.Get(k)) {
			p.errorPage(w, r, rc, http.StatusBadRequest, "Invalid logout request.", "")
			return
		}
	}
	clientID, redirect, state := params.Get("client_id"), params.Get("post_logout_redirect_uri"), params.Get("state")
	var hint *IDClaims
	if h := params.Get("id_token_hint"); h != "" {
		c, err := p.idTokenHint(rc, h)
		if err != nil || (clientID != "" && clientID != c.Audience) {
			p.errorPage(w, r, rc, http.StatusBadRequest, "Invalid id_token_hint.", "")
			return
		}
		hint, clientID = c, c.Audience
	}
	if redirect != "" {
		app, err := p.c.Identity.WebClient(r.Context(), rc.Name, clientID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			p.unavailable(w, r, rc, "read client", err)
			return
		}
		if err != nil || !identity.MatchAppLogoutRedirect(app, redirect) {
			p.errorPage(w, r, rc, http.StatusBadRequest, "Invalid post_logout_redirect_uri.",
				"The application sent an address it has not registered for after sign-out.")
			return
		}
	}
	if hint == nil && !confirmed {
		fields := map[string]string{}
		for _, k := range []string{"client_id", "post_logout_redirect_uri", "state"} {
			if v := params.Get(k); v != "" {
				fields[k] = v
			}
		}
		if clientID != "" {
			fields["client_id"] = clientID
		}
		p.logoutPage(w, r, rc, fields)
		return
	}
	actor := p.actor(r, "")
	if cookie := cookieValue(r, p.sessionCookie(rc.Name)); cookie != "" {
		if err := p.c.Identity.EndSession(r.Context(), actor, rc.Name, identity.Digest(cookie)); err != nil {
			p.unavailable(w, r, rc, "end session", err)
			return
		}
	}
	if hint != nil && hint.SessionID != "" {
		if err := p.c.Identity.EndSession(r.Context(), actor, rc.Name, hint.SessionID); err != nil {
			p.unavailable(w, r, rc, "end session", err)
			return
		}
	}
	p.setCookie(w, p.sessionCookie(rc.Name), "", -1)
	if redirect != "" {
		u, _ := url.Parse(redirect)
		if state != "" {
			q := u.Query()
			q.Set("state", state)
			u.RawQuery = q.Encode()
		}
		w.Header().Set("Cache-Control", "no-store")
		http.Redirect(w, r, u.String(), http.StatusSeeOther)
		return
	}
	p.render(w, http.StatusOK, "message", &page{Title: "Signed out", Realm: display(rc), Heading: "You are signed out",
		Detail: "You can close this window."})
}

func (p *Provider) logoutPage(w http.ResponseWriter, r *http.Request, rc Realm, fields map[string]string) {
	token := cookieValue(r, p.csrfCookie())
	if len(token) != 43 {
		token = newToken()
		p.setCookie(w, p.csrfCookie(), token, 3600)
	}
	p.render(w, http.StatusOK, "logout", &page{Title: "Sign out", Realm: display(rc), Data: struct {
		Action string
		CSRF   string
		Fields map[string]string
	}{"/auth/realms/" + rc.Name + "/protocol/openid-connect/logout", token, fields}})
}

// idTokenHint verifies an ID token this realm issued; it may have expired (OIDC
// RP-Initiated Logout §2).
func (p *Provider) idTokenHint(rc Realm, token string) (*IDClaims, error) {
	v := accesstoken.Verifier{Issuer: rc.Issuer, Keys: p.c.Keys.KeySource(rc.Name)}
	payload, err := v.VerifySignature(token)
	if err != nil {
		return nil, err
	}
	var c IDClaims
	dec := json.NewDecoder(bytes.NewReader(payload))
	if err := dec.Decode(&c); err != nil {
		return nil, err
	}
	if c.Issuer != rc.Issuer || c.Type != "ID" || c.Audience == "" {
		return nil, errors.New("oidc: not an ID token of this realm")
	}
	return &c, nil
}
