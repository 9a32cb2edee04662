package server_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/server/servertest"
)

// TestPeopleSignIn is the whole people flow with standard relying-party libraries:
// discovery, authorization code with S256 PKCE and nonce through the login page, ID
// token verification, userinfo, single sign-on into a second (public) application,
// RP-initiated logout, and prompt=none afterwards.
func TestPeopleSignIn(t *testing.T) {
	in := servertest.Start(t, servertest.Options{Config: people})
	ctx := context.Background()
	provider, err := oidc.NewProvider(ctx, in.Issuer(realm))
	if err != nil {
		t.Fatal(err)
	}
	var meta struct {
		ResponseTypes []string `json:"response_types_supported"`
		PKCE          []string `json:"code_challenge_methods_supported"`
		ISS           bool     `json:"authorization_response_iss_parameter_supported"`
		EndSession    string   `json:"end_session_endpoint"`
	}
	if err := provider.Claims(&meta); err != nil || len(meta.ResponseTypes) != 1 || meta.ResponseTypes[0] != "code" ||
		len(meta.PKCE) != 1 || meta.PKCE[0] != "S256" || !meta.ISS || meta.EndSession == "" {
		t.Fatalf("discovery = %+v (%v)", meta, err)
	}

	web := oauth2.Config{ClientID: webID, ClientSecret: webSecret, Endpoint: provider.Endpoint(), RedirectURL: webCB,
		Scopes: []string{oidc.ScopeOpenID, "profile", "email"}}
	b := newBrowser(t)
	verifier := oauth2.GenerateVerifier()
	state, nonce := `st"<ate>&1`, "n-0S6_WzA2Mj"
	cb := b.signIn(in, web.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier), oidc.Nonce(nonce)), personName, personPass)
	q := cb.Query()
	if got := cb.Scheme + "://" + cb.Host + cb.Path; got != webCB || q.Get("state") != state || q.Get("iss") != in.Issuer(realm) || q.Get("code") == "" {
		t.Fatalf("callback = %s", cb)
	}
	tok, err := web.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	rawID, _ := tok.Extra("id_token").(string)
	idt, err := provider.Verifier(&oidc.Config{ClientID: webID}).Verify(ctx, rawID)
	if err != nil {
		t.Fatalf("verify ID token: %v", err)
	}
	if idt.Nonce != nonce {
		t.Errorf("nonce = %q", idt.Nonce)
	}
	if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
		t.Errorf("at_hash: %v", err)
	}
	var idc struct {
		AuthTime int64  `json:"auth_time"`
		SID      string `json:"sid"`
		AZP      string `json:"azp"`
		Username string `json:"preferred_username"`
		Email    string `json:"email"`
		Name     string `json:"name"`
	}
	must(t, idt.Claims(&idc))
	if idc.AuthTime == 0 || idc.SID == "" || idc.AZP != webID || idc.Username != personName || idc.Email != "demo@example.com" || idc.Name != "Demo User" {
		t.Errorf("ID token claims = %+v", idc)
	}
	ui, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil {
		t.Fatalf("userinfo: %v", err)
	}
	if ui.Subject != idt.Subject || ui.Email != "demo@example.com" {
		t.Errorf("userinfo = %+v", ui)
	}
	var at map[string]any
	must(t, json.Unmarshal(payload(t, tok.AccessToken), &at))
	if at["sub"] != idt.Subject || at["preferred_username"] != personName || at["azp"] != webID || at["sid"] != idc.SID || at["typ"] != "Bearer" {
		t.Errorf("access token claims = %v", at)
	}

	// Single sign-on: the public SPA signs in without a password.
	spa := oauth2.Config{ClientID: spaID, Endpoint: provider.Endpoint(), RedirectURL: spaCB, Scopes: []string{oidc.ScopeOpenID}}
	spa.Endpoint.AuthStyle = oauth2.AuthStyleInParams
	v2 := oauth2.GenerateVerifier()
	resp, body := b.get(spa.AuthCodeURL("s2", oauth2.S256ChallengeOption(v2)))
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("SSO authorize: %d\n%s", resp.StatusCode, body)
	}
	loc, _ := url.Parse(resp.Header.Get("Location"))
	spaTok, err := spa.Exchange(ctx, loc.Query().Get("code"), oauth2.VerifierOption(v2))
	if err != nil {
		t.Fatalf("SPA exchange: %v", err)
	}
	spaID2, _ := spaTok.Extra("id_token").(string)
	sidt, err := provider.Verifier(&oidc.Config{ClientID: spaID}).Verify(ctx, spaID2)
	if err != nil || sidt.Subject != idt.Subject {
		t.Fatalf("SPA ID token: %v", err)
	}

	// CORS for the SPA's origin at the token endpoint, none for others.
	for origin, want := range map[string]string{spaOrigin: spaOrigin, "https://evil.example": ""} {
		req, _ := http.NewRequest(http.MethodOptions, provider.Endpoint().TokenURL, nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		resp, _ := b.do(req)
		if got := resp.Header.Get("Access-Control-Allow-Origin"); got != want {
			t.Errorf("preflight from %s: allow-origin %q, want %q", origin, got, want)
		}
	}

	// Logout with id_token_hint ends the session for every application.
	lo := meta.EndSession + "?" + url.Values{"id_token_hint": {rawID}, "post_logout_redirect_uri": {"https://app.example/bye"}, "state": {"bye"}}.Encode()
	resp, _ = b.get(lo)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "https://app.example/bye?state=bye" {
		t.Fatalf("logout: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, _ = b.get(spa.AuthCodeURL("s3", oauth2.S256ChallengeOption(v2), oauth2.SetAuthURLParam("prompt", "none")))
	loc, _ = url.Parse(resp.Header.Get("Location"))
	if loc == nil || loc.Query().Get("error") != "login_required" || loc.Query().Get("state") != "s3" {
		t.Errorf("prompt=none after logout: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(tok)); err == nil {
		t.Error("userinfo answered for a token of an ended session")
	}
}

// payload decodes a JWT's claims without verifying (the test verified elsewhere).
func payload(t *testing.T, jwt string) []byte {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", jwt)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	must(t, err)
	return b
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestPeopleSessionExpires: an idle single sign-on session ends (injected clock).
func TestPeopleSessionExpires(t *testing.T) {
	clk := &clock{t: time.Now()}
	in := servertest.Start(t, servertest.Options{Config: people, Now: clk.now})
	b := newBrowser(t)
	auth := func() string {
		return authBase(in) + "/auth?" + url.Values{"client_id": {webID}, "redirect_uri": {webCB}, "response_type": {"code"},
			"scope": {"openid"}, "state": {"x"}}.Encode()
	}
	b.signIn(in, auth(), personName, personPass)
	resp, _ := b.get(auth())
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("with a live session: %d", resp.StatusCode)
	}
	clk.add(31 * time.Minute)
	resp, body := b.get(auth())
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `id="kc-login"`) {
		t.Fatalf("after 31 idle minutes: %d, want the login page", resp.StatusCode)
	}
}

var _ = config.DefaultRealm
