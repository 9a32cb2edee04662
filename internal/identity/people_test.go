package identity_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/identity"
	"github.com/gatehouse/gatehouse/internal/store"
)

func TestAppTypeRules(t *testing.T) {
	s, _, _ := newService(t)
	ctx := context.Background()
	web := store.WebSettings{RootURL: "https://app.example", RedirectURIs: []string{"/cb"}}
	pub, secret, err := s.CreateApp(ctx, realm, identity.AppSpec{Name: "SPA", ClientID: "spa", Type: "PUBLIC", Web: web})
	must(t, err)
	if pub.Type != identity.AppPublic || len(pub.Secrets) != 0 || secret != "" {
		t.Errorf("public app = %+v, secret %q", pub, secret)
	}
	conf, secret, err := s.CreateApp(ctx, realm, identity.AppSpec{Name: "Web", ClientID: "web", Type: "confidential", Web: web})
	must(t, err)
	if conf.Type != identity.AppConfidential || len(conf.Secrets) != 1 || secret == "" {
		t.Errorf("confidential app = %+v", conf)
	}
	for name, spec := range map[string]identity.AppSpec{
		"public with secret":  {Name: "x", Type: "PUBLIC", Secret: "s", Web: web},
		"m2m with redirects":  {Name: "x", Type: "M2M", Web: web},
		"unknown type":        {Name: "x", Type: "SPA"},
		"relative, no root":   {Name: "x", Type: "PUBLIC", Web: store.WebSettings{RedirectURIs: []string{"/cb"}}},
		"fragment":            {Name: "x", Type: "PUBLIC", Web: store.WebSettings{RedirectURIs: []string{"https://a.example/#x"}}},
		"bad origin":          {Name: "x", Type: "PUBLIC", Web: store.WebSettings{WebOrigins: []string{"https://a.example/path"}}},
		"javascript redirect": {Name: "x", Type: "PUBLIC", Web: store.WebSettings{RedirectURIs: []string{"javascript:alert(1)"}}},
	} {
		_, _, err := s.CreateApp(ctx, realm, spec)
		wantIs(t, name, err, identity.ErrInvalid)
	}
	for _, tc := range []struct {
		typ, grant string
		want       bool
	}{
		{identity.AppM2M, identity.GrantClientCredentials, true},
		{identity.AppM2M, identity.GrantAuthorizationCode, false},
		{identity.AppConfidential, identity.GrantClientCredentials, true},
		{identity.AppConfidential, identity.GrantAuthorizationCode, true},
		{identity.AppPublic, identity.GrantClientCredentials, false},
		{identity.AppPublic, identity.GrantAuthorizationCode, true},
	} {
		if got := identity.AllowsGrant(tc.typ, tc.grant); got != tc.want {
			t.Errorf("AllowsGrant(%s, %s) = %v", tc.typ, tc.grant, got)
		}
	}
	if _, err := s.WebClient(ctx, realm, "spa"); err != nil {
		t.Errorf("WebClient(spa): %v", err)
	}
	// A public client cannot use client_credentials: it has no secret to present.
	if _, err := s.Authenticate(ctx, realm, "spa", ""); err == nil {
		t.Error("public client authenticated without a secret")
	}
	// Seeding a PUBLIC client without a secret is accepted, and idempotent.
	for range 2 {
		_, err := s.Seed(ctx, realm, []identity.ClientSpec{{ID: "console", Type: "PUBLIC", Web: web}})
		must(t, err)
	}
}

func TestSessionsAndCodes(t *testing.T) {
	s, st, clk := newService(t)
	ctx := context.Background()
	s.Sessions = func(string) identity.SessionPolicy {
		return identity.SessionPolicy{Idle: 10 * time.Minute, Max: time.Hour}
	}
	app, _, err := s.CreateApp(ctx, realm, identity.AppSpec{Name: "SPA", ClientID: "spa", Type: "PUBLIC",
		Web: store.WebSettings{RedirectURIs: []string{"https://app.example/cb"}}})
	must(t, err)
	u, err := s.CreateUser(ctx, op, realm, identity.UserSpec{Username: "demo", Password: "correct horse"})
	must(t, err)
	if got, reason, err := s.CheckPersonSignIn(ctx, realm, "demo", "correct horse"); err != nil || reason != "" || got.ID != u.ID {
		t.Fatalf("CheckPersonSignIn = %v %q %v (a user without console roles may sign in to applications)", got.ID, reason, err)
	}

	cookie, ss, err := s.StartSession(ctx, op, realm, u)
	must(t, err)
	if _, _, err := s.Session(ctx, realm, cookie); err != nil {
		t.Fatalf("Session: %v", err)
	}
	if _, _, err := s.Session(ctx, "other", cookie); !errors.Is(err, identity.ErrNoSession) {
		t.Errorf("session of another realm: %v", err)
	}
	clk.Advance(9 * time.Minute)
	_, _, err = s.Session(ctx, realm, cookie) // touched: idle restarts
	must(t, err)
	clk.Advance(9 * time.Minute)
	_, _, err = s.Session(ctx, realm, cookie)
	must(t, err)
	clk.Advance(11 * time.Minute)
	if _, _, err := s.Session(ctx, realm, cookie); !errors.Is(err, identity.ErrNoSession) {
		t.Errorf("idle session: %v", err)
	}

	// Maximum lifetime, however busy the session.
	cookie, ss, err = s.StartSession(ctx, op, realm, u)
	must(t, err)
	for range 6 {
		clk.Advance(9 * time.Minute)
		_, _, err = s.Session(ctx, realm, cookie)
		must(t, err)
	}
	clk.Advance(9 * time.Minute)
	if _, _, err := s.Session(ctx, realm, cookie); !errors.Is(err, identity.ErrNoSession) {
		t.Errorf("session past its maximum: %v", err)
	}

	// Codes: single use; a replay revokes the tokens issued from the code.
	cookie, ss, err = s.StartSession(ctx, op, realm, u)
	must(t, err)
	code, err := s.IssueCode(ctx, identity.CodeSpec{Realm: realm, AppID: app.ID, Session: ss,
		RedirectURI: "https://app.example/cb", Challenge: "c", Nonce: "n", Scope: "openid"})
	must(t, err)
	if _, err := s.RedeemCode(ctx, op, realm, "other-app", code); !errors.Is(err, identity.ErrBadCode) {
		t.Errorf("code redeemed by another client: %v", err)
	}
	// That attempt used the code: a code is bound to one client and used once.
	code, err = s.IssueCode(ctx, identity.CodeSpec{Realm: realm, AppID: app.ID, Session: ss, RedirectURI: "https://app.example/cb"})
	must(t, err)
	c, err := s.RedeemCode(ctx, op, realm, app.ID, code)
	must(t, err)
	must(t, s.CodeTokens(ctx, c, "jti-1"))
	if _, err := s.RedeemCode(ctx, op, realm, app.ID, code); !errors.Is(err, identity.ErrCodeReplayed) {
		t.Errorf("replay: %v", err)
	}
	revs, err := st.ListRevocations(ctx, time.Time{})
	must(t, err)
	if len(revs) != 1 || revs[0].JTI != "jti-1" {
		t.Errorf("revocations after replay = %+v", revs)
	}
	code, err = s.IssueCode(ctx, identity.CodeSpec{Realm: realm, AppID: app.ID, Session: ss})
	must(t, err)
	clk.Advance(61 * time.Second)
	if _, err := s.RedeemCode(ctx, op, realm, app.ID, code); !errors.Is(err, identity.ErrBadCode) {
		t.Errorf("expired code: %v", err)
	}

	// A password reset ends the user's sessions; codes of an ended session are dead.
	code, err = s.IssueCode(ctx, identity.CodeSpec{Realm: realm, AppID: app.ID, Session: ss})
	must(t, err)
	_, err = s.UpdateUser(ctx, op, realm, u.ID, identity.UserPatch{Password: ptr("another horse")})
	must(t, err)
	if _, _, err := s.Session(ctx, realm, cookie); !errors.Is(err, identity.ErrNoSession) {
		t.Errorf("session after password reset: %v", err)
	}
	if _, err := s.RedeemCode(ctx, op, realm, app.ID, code); !errors.Is(err, identity.ErrBadCode) {
		t.Errorf("code of an ended session: %v", err)
	}
	// Disabling ends them too; logout ends one.
	cookie, ss, err = s.StartSession(ctx, op, realm, u)
	must(t, err)
	must(t, s.EndSession(ctx, op, realm, ss.ID))
	if _, _, err := s.Session(ctx, realm, cookie); !errors.Is(err, identity.ErrNoSession) {
		t.Errorf("session after logout: %v", err)
	}
	cookie, _, err = s.StartSession(ctx, op, realm, u)
	must(t, err)
	_, err = s.UpdateUser(ctx, op, realm, u.ID, identity.UserPatch{Enabled: ptr(false)})
	must(t, err)
	if _, _, err := s.Session(ctx, realm, cookie); !errors.Is(err, identity.ErrNoSession) {
		t.Errorf("session after disable: %v", err)
	}
	if _, reason, _ := s.CheckPersonSignIn(ctx, realm, "demo", "another horse"); reason != identity.SignInDisabled {
		t.Errorf("disabled user signs in: reason %q", reason)
	}
}
