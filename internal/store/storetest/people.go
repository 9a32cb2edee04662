package storetest

import (
	"errors"
	"sync"
	"testing"

	"github.com/gatehouse/gatehouse/internal/store"
)

func ssoSession(id string) store.SSOSession {
	return store.SSOSession{ID: id, Realm: "r1", UserID: "u1", AuthTime: at(1), LastSeen: at(2), ExpiresAt: at(600)}
}

func authCode(digest string) store.AuthCode {
	return store.AuthCode{Digest: digest, Realm: "r1", AppID: "a1", UserID: "u1", SessionID: "s1",
		RedirectURI: "https://app.example/cb", Challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
		Nonce: "n-0S6_WzA2Mj", Scope: "openid profile", Audiences: []string{"api-a", "api-b"},
		AuthTime: at(1), CreatedAt: at(2), ExpiresAt: at(3)}
}

func seedPeople(t *testing.T, s store.Store) {
	t.Helper()
	seed(t, s)
	a := app("r1", "a1", "c1", "Web")
	a.Type = "public"
	a.Web = store.WebSettings{RootURL: "https://app.example", RedirectURIs: []string{"/cb", "https://app.example/x/*"},
		PostLogoutRedirectURIs: []string{"https://app.example/bye"}, WebOrigins: []string{"https://app.example"}}
	must(t, s.CreateApp(t.Context(), a))
	must(t, s.CreateUser(t.Context(), user("r1", "u1", "alice")))
}

var peopleTests = []test{
	{"People/AppWebSettingsRoundTrip", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		seedPeople(t, s)
		got, err := s.GetAppByClientID(ctx, "r1", "c1")
		must(t, err)
		if got.Type != "public" || got.Web.RootURL != "https://app.example" || len(got.Web.RedirectURIs) != 2 ||
			got.Web.PostLogoutRedirectURIs[0] != "https://app.example/bye" || got.Web.WebOrigins[0] != "https://app.example" {
			t.Errorf("GetAppByClientID = %+v", got)
		}
		got, err = s.UpdateApp(ctx, "r1", "a1", func(a store.Application) (store.Application, error) {
			a.Web.RedirectURIs = []string{"https://other.example/cb"}
			a.Web.WebOrigins = nil
			return a, nil
		})
		must(t, err)
		diff(t, "updated web", store.WebSettings{RootURL: "https://app.example", RedirectURIs: []string{"https://other.example/cb"},
			PostLogoutRedirectURIs: []string{"https://app.example/bye"}}, got.Web)
		apps, _, err := s.ListApps(ctx, "r1", store.ListOptions{})
		must(t, err)
		diff(t, "listed web", got.Web, apps[0].Web)
	}},
	{"People/SSOSessionLifecycle", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		seedPeople(t, s)
		rev, err := s.Revision(ctx)
		must(t, err)
		ss := ssoSession("s1")
		must(t, s.CreateSSOSession(ctx, ss))
		wantErr(t, "same id", s.CreateSSOSession(ctx, ss), store.ErrAlreadyExists)
		got, err := s.GetSSOSession(ctx, "s1")
		must(t, err)
		diff(t, "GetSSOSession", ss, got)
		_, err = s.GetSSOSession(ctx, "nope")
		wantErr(t, "missing", err, store.ErrNotFound)
		got, err = s.UpdateSSOSession(ctx, "s1", func(x store.SSOSession) (store.SSOSession, error) {
			x.LastSeen, x.UserID, x.AuthTime = at(5), "u9", at(50) // user and auth time cannot change
			return x, nil
		})
		must(t, err)
		want := ss
		want.LastSeen = at(5)
		diff(t, "updated", want, got)
		boom := errors.New("boom")
		_, err = s.UpdateSSOSession(ctx, "s1", func(x store.SSOSession) (store.SSOSession, error) { return x, boom })
		wantErr(t, "fn error", err, boom)
		_, err = s.UpdateSSOSession(ctx, "nope", func(x store.SSOSession) (store.SSOSession, error) { return x, nil })
		wantErr(t, "update missing", err, store.ErrNotFound)

		must(t, s.CreateSSOSession(ctx, ssoSession("s2")))
		n, err := s.EndUserSSOSessions(ctx, "r1", "u1", at(7))
		must(t, err)
		if n != 2 {
			t.Errorf("EndUserSSOSessions ended %d, want 2", n)
		}
		if n, _ := s.EndUserSSOSessions(ctx, "r1", "u1", at(8)); n != 0 {
			t.Errorf("ending again ended %d, want 0", n)
		}
		got, err = s.GetSSOSession(ctx, "s2")
		must(t, err)
		if got.EndedAt.UnixMilli() != at(7).UnixMilli() {
			t.Errorf("EndedAt = %v, want %v", got.EndedAt, at(7))
		}
		if r, err := s.Revision(ctx); err != nil || r != rev {
			t.Errorf("sso session writes moved the revision %d → %d (%v)", rev, r, err)
		}
		n, err = s.PurgeSSOSessions(ctx, at(9))
		must(t, err)
		if n != 2 {
			t.Errorf("PurgeSSOSessions = %d, want 2", n)
		}
		must(t, s.CreateSSOSession(ctx, ssoSession("s3")))
		must(t, s.DeleteUser(ctx, "r1", "u1"))
		_, err = s.GetSSOSession(ctx, "s3")
		wantErr(t, "after user delete", err, store.ErrNotFound)
	}},
	{"People/AuthCodeRedeemOnce", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		seedPeople(t, s)
		c := authCode("d1")
		must(t, s.CreateAuthCode(ctx, c))
		wantErr(t, "same digest", s.CreateAuthCode(ctx, c), store.ErrAlreadyExists)
		_, err := s.RedeemAuthCode(ctx, "nope", at(2))
		wantErr(t, "missing", err, store.ErrNotFound)
		got, err := s.RedeemAuthCode(ctx, "d1", at(2))
		must(t, err)
		want := c
		want.UsedAt = at(2)
		diff(t, "redeemed", want, got)
		got, err = s.AddAuthCodeTokens(ctx, "d1", []string{"jti-1"})
		must(t, err)
		if got.Replayed || len(got.TokenIDs) != 1 {
			t.Errorf("AddAuthCodeTokens = %+v", got)
		}
		got, err = s.RedeemAuthCode(ctx, "d1", at(3))
		wantErr(t, "replay", err, store.ErrConflict)
		want.Replayed, want.TokenIDs = true, []string{"jti-1"}
		diff(t, "replayed", want, got)
		got, err = s.AddAuthCodeTokens(ctx, "d1", []string{"jti-2"})
		must(t, err)
		if !got.Replayed || len(got.TokenIDs) != 2 {
			t.Errorf("AddAuthCodeTokens after replay = %+v", got)
		}
		_, err = s.AddAuthCodeTokens(ctx, "nope", nil)
		wantErr(t, "tokens of missing", err, store.ErrNotFound)
		n, err := s.PurgeAuthCodes(ctx, at(4))
		must(t, err)
		if n != 1 {
			t.Errorf("PurgeAuthCodes = %d, want 1", n)
		}
	}},
	{"People/AuthCodeConcurrentRedeem", func(t *testing.T, s store.Store) {
		// RFC 6749 §4.1.2: a code is used once. Of many concurrent redeems exactly
		// one wins; the others see the replay.
		ctx := t.Context()
		seedPeople(t, s)
		must(t, s.CreateAuthCode(ctx, authCode("d1")))
		const n = 16
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins, replays := 0, 0
		for range n {
			wg.Go(func() {
				_, err := s.RedeemAuthCode(ctx, "d1", at(2))
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					wins++
				case errors.Is(err, store.ErrConflict):
					replays++
				default:
					t.Errorf("redeem: %v", err)
				}
			})
		}
		wg.Wait()
		if wins != 1 || replays != n-1 {
			t.Errorf("wins %d, replays %d; want 1 and %d", wins, replays, n-1)
		}
	}},
}
