package storetest

import (
	"errors"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/store"
)

var appTests = []test{
	{"App/States", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		seed(t, s)
		got, err := s.AppStates(ctx, "r1")
		must(t, err)
		diff(t, "AppStates of an empty realm", map[string]store.AppState{}, got)
		off := app("r1", "a2", "client-2", "Off")
		off.Enabled = false
		for _, a := range []store.Application{app("r1", "a1", "client-1", "On"), off,
			app("r1", "a3", "client-3", "Deleted"), app("r1", "a4", "client-4", "Turned off"), app("r2", "b1", "client-1", "Other")} {
			must(t, s.CreateApp(ctx, a))
		}
		must(t, s.DeleteApp(ctx, "r1", "a3"))
		_, err = s.UpdateApp(ctx, "r1", "a4", func(a store.Application) (store.Application, error) {
			a.Enabled, a.NotBefore = false, at(30)
			return a, nil
		})
		must(t, err)
		got, err = s.AppStates(ctx, "r1")
		must(t, err)
		diff(t, "AppStates(r1)", map[string]store.AppState{"a1": {Enabled: true}, "a2": {}, "a4": {NotBefore: at(30)}}, got)
		// Re-enabled, the not-before stays.
		back, err := s.UpdateApp(ctx, "r1", "a4", func(a store.Application) (store.Application, error) {
			a.Enabled = true
			return a, nil
		})
		must(t, err)
		diff(t, "NotBefore answered by UpdateApp", at(30), back.NotBefore)
		got, err = s.AppStates(ctx, "r1")
		must(t, err)
		diff(t, "AppStates(r1) after re-enabling", store.AppState{Enabled: true, NotBefore: at(30)}, got["a4"])
		got, err = s.AppStates(ctx, "missing")
		must(t, err)
		diff(t, "AppStates of an unknown realm", map[string]store.AppState{}, got)
	}},
	{"App/CreateApps", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		seed(t, s)
		must(t, s.CreateAPI(ctx, api("r1", "p1", "orders", "read")))
		a1, a2 := app("r1", "a1", "client-1", "One"), app("r1", "a2", "client-2", "Two")
		g := store.Grant{Realm: "r1", AppID: "a2", APIID: "p1", Permission: "read", CreatedAt: at(5)}
		rev, err := s.Revision(ctx)
		must(t, err)
		must(t, s.CreateApps(ctx, []store.Application{a1, a2}, []store.Grant{g}))
		for _, want := range []store.Application{a1, a2} {
			got, err := s.GetApp(ctx, "r1", want.ID)
			must(t, err)
			diff(t, "CreateApps then GetApp", want, got)
		}
		gs, err := s.ListGrants(ctx, "r1", store.GrantFilter{AppID: "a2"})
		must(t, err)
		if len(gs) != 1 || gs[0].Permission != "read" {
			t.Errorf("grants after CreateApps: %+v", gs)
		}
		if now, _ := s.Revision(ctx); now == rev {
			t.Error("CreateApps did not move the revision")
		}
		// All or nothing: a taken client id fails the whole call.
		err = s.CreateApps(ctx, []store.Application{app("r1", "a3", "client-3", "Three"), app("r1", "a4", "client-1", "Taken")}, nil)
		wantErr(t, "taken client id", err, store.ErrAlreadyExists)
		if _, err := s.GetApp(ctx, "r1", "a3"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a failed CreateApps left an application: %v", err)
		}
		// A grant of an unknown API fails it too.
		err = s.CreateApps(ctx, []store.Application{app("r1", "a5", "client-5", "Five")},
			[]store.Grant{{Realm: "r1", AppID: "a5", APIID: "nope", Permission: "read"}})
		if err == nil {
			t.Error("CreateApps accepted a grant of an unknown API")
		}
	}},
	{"App/StatesFollowEveryChange", func(t *testing.T, s store.Store) {
		// AppStates after every change, as a replica's deny list reads it: each answer is
		// the realm's states as of then, and an answer already returned never changes.
		ctx := t.Context()
		seed(t, s)
		raw := func() map[string]store.AppState {
			t.Helper()
			got, err := s.AppStates(ctx, "r1")
			must(t, err)
			return got
		}
		enabled := func(m map[string]store.AppState) map[string]bool {
			out := make(map[string]bool, len(m))
			for id, st := range m {
				out[id] = st.Enabled
			}
			return out
		}
		states := func() map[string]bool { t.Helper(); return enabled(raw()) }
		setEnabled := func(id string, on bool) {
			t.Helper()
			_, err := s.UpdateApp(ctx, "r1", id, func(a store.Application) (store.Application, error) {
				a.Enabled = on
				return a, nil
			})
			must(t, err)
		}
		first := raw()
		must(t, s.CreateApp(ctx, app("r1", "a1", "client-1", "One")))
		must(t, s.CreateApp(ctx, app("r2", "b1", "client-1", "Other realm")))
		afterCreate := raw()
		diff(t, "after create", map[string]bool{"a1": true}, enabled(afterCreate))
		setEnabled("a1", false)
		diff(t, "after disable", map[string]bool{"a1": false}, states())
		must(t, s.CreateApp(ctx, app("r1", "a2", "client-2", "Two")))
		setEnabled("a1", true)
		_, err := s.UpdateApp(ctx, "r1", "a2", func(a store.Application) (store.Application, error) {
			a.Name = "Renamed"
			return a, nil
		})
		must(t, err)
		diff(t, "after several changes", map[string]bool{"a1": true, "a2": true}, states())
		must(t, s.DeleteApp(ctx, "r1", "a1"))
		diff(t, "after delete", map[string]bool{"a2": true}, states())
		off := app("r1", "a1", "client-1", "Again")
		off.Enabled = false
		must(t, s.CreateApp(ctx, off))
		diff(t, "after re-create", map[string]bool{"a1": false, "a2": true}, states())
		// A not-before set by a change reaches the states like the enabled flag.
		_, err = s.UpdateApp(ctx, "r1", "a2", func(a store.Application) (store.Application, error) {
			a.NotBefore = at(42)
			return a, nil
		})
		must(t, err)
		diff(t, "after a not-before", store.AppState{Enabled: true, NotBefore: at(42)}, raw()["a2"])
		diff(t, "an earlier answer", map[string]bool{}, enabled(first))
		diff(t, "an earlier answer", map[string]bool{"a1": true}, enabled(afterCreate))
		got, err := s.AppStates(ctx, "r2")
		must(t, err)
		diff(t, "AppStates(r2)", map[string]store.AppState{"b1": {Enabled: true}}, got)
	}},
	{"App/RoundTrip", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		seed(t, s)
		a := app("r1", "a1", "client-1", "First App")
		a.NotBefore = at(5)
		a.Secrets = append(a.Secrets, store.Secret{ID: "a1-s0", Kind: store.SecretArgon2id,
			Hash: []byte("$argon2id$v=19$..."), CreatedAt: at(0), ExpiresAt: at(60)})
		must(t, s.CreateApp(ctx, a))
		got, err := s.GetApp(ctx, "r1", "a1")
		must(t, err)
		diff(t, "GetApp", a, got)
		got, err = s.GetAppByClientID(ctx, "r1", "client-1")
		must(t, err)
		diff(t, "GetAppByClientID", a, got)

		bare := app("r1", "a2", "client-2", "Bare")
		bare.Secrets, bare.Enabled = nil, false
		must(t, s.CreateApp(ctx, bare))
		got, err = s.GetApp(ctx, "r1", "a2")
		must(t, err)
		diff(t, "app without secrets", bare, got)
	}},
	{"App/Errors", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		seed(t, s)
		must(t, s.CreateApp(ctx, app("r1", "a1", "client-1", "One")))
		for _, tc := range []struct {
			name string
			app  store.Application
			want error
		}{
			{"same id", app("r1", "a1", "client-x", "X"), store.ErrAlreadyExists},
			{"same id other realm", app("r2", "a1", "client-x", "X"), store.ErrAlreadyExists},
			{"same client id", app("r1", "a2", "client-1", "X"), store.ErrAlreadyExists},
			{"same client id other realm", app("r2", "a3", "client-1", "X"), nil},
			{"missing realm", app("nope", "a4", "client-4", "X"), store.ErrNotFound},
		} {
			wantErr(t, tc.name, s.CreateApp(ctx, tc.app), tc.want)
		}
		// Duplicate secret ids in one app are rejected; no error text carries a secret.
		dup := app("r1", "a5", "client-5", "X")
		dup.Secrets = append(dup.Secrets, dup.Secrets[0])
		dup.Secrets[1].Hash = []byte("TOP-SECRET-HASH")
		err := s.CreateApp(ctx, dup)
		wantErr(t, "duplicate secret id", err, store.ErrAlreadyExists)
		if err != nil && strings.Contains(err.Error(), "TOP-SECRET-HASH") {
			t.Errorf("error text carries the secret: %v", err)
		}
		got, err := s.GetApp(ctx, "r1", "a1")
		must(t, err)
		diff(t, "after failed creates", app("r1", "a1", "client-1", "One"), got)
		_, err = s.GetApp(ctx, "r1", "a5")
		wantErr(t, "app of rejected create", err, store.ErrNotFound)

		// Another realm's id or client id is not found, for every operation.
		_, err = s.GetApp(ctx, "r2", "a1")
		wantErr(t, "get other realm", err, store.ErrNotFound)
		_, err = s.GetApp(ctx, "r1", "missing")
		wantErr(t, "get missing", err, store.ErrNotFound)
		_, err = s.GetAppByClientID(ctx, "r1", "missing")
		wantErr(t, "get by missing client id", err, store.ErrNotFound)
		got, err = s.GetAppByClientID(ctx, "r2", "client-1")
		must(t, err)
		if got.ID != "a3" {
			t.Errorf("GetAppByClientID(r2) = %s, want a3", got.ID)
		}
		_, err = s.UpdateApp(ctx, "r2", "a1", func(a store.Application) (store.Application, error) { return a, nil })
		wantErr(t, "update other realm", err, store.ErrNotFound)
		wantErr(t, "delete other realm", s.DeleteApp(ctx, "r2", "a1"), store.ErrNotFound)
		wantErr(t, "delete missing", s.DeleteApp(ctx, "r1", "missing"), store.ErrNotFound)
		if _, err := s.GetApp(ctx, "r1", "a1"); err != nil {
			t.Errorf("a1 after other-realm delete: %v", err)
		}
	}},
	{"App/Update", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		seed(t, s)
		must(t, s.CreateApp(ctx, app("r1", "a1", "client-1", "One")))
		must(t, s.CreateApp(ctx, app("r1", "a2", "client-2", "Two")))

		want := app("r1", "a1", "client-1b", "One renamed")
		want.Enabled, want.UpdatedAt = false, at(30)
		want.Secrets = []store.Secret{
			{ID: "new", Kind: store.SecretSHA256, Hash: []byte("new-hash"), CreatedAt: at(30)},
			{ID: "a1-s1", Kind: store.SecretSHA256, Hash: []byte{0, 1, 2, 0xff, 0}, CreatedAt: at(1), ExpiresAt: at(90)},
		}
		got, err := s.UpdateApp(ctx, "r1", "a1", func(a store.Application) (store.Application, error) {
			diff(t, "fn argument", app("r1", "a1", "client-1", "One"), a)
			w := want
			w.ID, w.Realm = "changed", "r2" // ignored
			return w, nil
		})
		must(t, err)
		diff(t, "UpdateApp result", want, got)
		stored, err := s.GetAppByClientID(ctx, "r1", "client-1b")
		must(t, err)
		diff(t, "stored", want, stored)
		if _, err := s.GetAppByClientID(ctx, "r1", "client-1"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("old client id still resolves: %v", err)
		}

		_, err = s.UpdateApp(ctx, "r1", "a1", failing[store.Application])
		wantErr(t, "failing fn", err, errBoom)
		_, err = s.UpdateApp(ctx, "r1", "a1", func(a store.Application) (store.Application, error) {
			a.ClientID = "client-2"
			a.Secrets = nil
			return a, nil
		})
		wantErr(t, "client id taken", err, store.ErrAlreadyExists)
		stored, err = s.GetApp(ctx, "r1", "a1")
		must(t, err)
		diff(t, "after failed updates", want, stored)
	}},
	{"App/DeleteCascades", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		seed(t, s)
		must(t, s.CreateApp(ctx, app("r1", "a1", "client-1", "One")))
		must(t, s.CreateApp(ctx, app("r1", "a2", "client-2", "Two")))
		must(t, s.CreateAPI(ctx, api("r1", "api1", "aud1", "read", "write")))
		must(t, s.AddGrants(ctx, "r1", []store.Grant{
			{AppID: "a1", APIID: "api1", Permission: "read"},
			{AppID: "a1", APIID: "api1", Permission: "write"},
			{AppID: "a2", APIID: "api1", Permission: "read"},
		}))
		must(t, s.DeleteApp(ctx, "r1", "a1"))
		_, err := s.GetApp(ctx, "r1", "a1")
		wantErr(t, "get deleted", err, store.ErrNotFound)
		gs, err := s.ListGrants(ctx, "r1", store.GrantFilter{})
		must(t, err)
		diff(t, "grants after delete", []string{"a2"}, ids(gs, func(g store.Grant) string { return g.AppID }))

		// Nothing of the old app survives: a new app with the same id starts empty.
		fresh := app("r1", "a1", "client-1", "Again")
		fresh.Secrets = nil
		must(t, s.CreateApp(ctx, fresh))
		got, err := s.GetApp(ctx, "r1", "a1")
		must(t, err)
		diff(t, "recreated app", fresh, got)
		gs, err = s.ListGrants(ctx, "r1", store.GrantFilter{AppID: "a1"})
		must(t, err)
		diff(t, "grants of recreated app", []store.Grant(nil), gs)
	}},
	{"App/LiteralValues", func(t *testing.T, s store.Store) {
		// SQL and placeholder metacharacters are data, never syntax.
		ctx := t.Context()
		seed(t, s)
		for i, v := range []string{
			`'; DROP TABLE apps; --`, `"quoted" \ back\slash`, `? $1 :name @p1 %s`, `100% _under_`,
			"unicode ✓ Ünïcödé 日本", "line\nbreak\ttab",
		} {
			a := app("r1", v, "client-"+v, v)
			a.Secrets[0].ID = "s-" + v
			must(t, s.CreateApp(ctx, a))
			got, err := s.GetApp(ctx, "r1", v)
			must(t, err)
			diff(t, "app "+nth("#", i), a, got)
			got, err = s.GetAppByClientID(ctx, "r1", "client-"+v)
			must(t, err)
			diff(t, "app by client id "+nth("#", i), a, got)
		}
		_, total, err := s.ListApps(ctx, "r1", store.ListOptions{})
		must(t, err)
		if total != 6 {
			t.Errorf("total = %d, want 6", total)
		}
	}},
}
