package storetest

import (
	"testing"

	"github.com/gatehouse/gatehouse/internal/store"
)

var grantTests = []test{
	{"Grant/AddListRemove", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		seed(t, s)
		must(t, s.CreateApp(ctx, app("r1", "a1", "c1", "One")))
		must(t, s.CreateApp(ctx, app("r1", "a2", "c2", "Two")))
		must(t, s.CreateAPI(ctx, api("r1", "api1", "aud1", "read", "write")))
		must(t, s.CreateAPI(ctx, api("r1", "api2", "aud2", "read")))
		g := func(app, api, perm string, minute int) store.Grant {
			return store.Grant{Realm: "r1", AppID: app, APIID: api, Permission: perm, CreatedAt: at(minute)}
		}
		first := []store.Grant{g("a2", "api1", "read", 10), g("a1", "api1", "write", 10), g("a1", "api2", "read", 10)}
		must(t, s.AddGrants(ctx, "r1", first))
		// Idempotent: adding again (alone or with new ones) keeps the first CreatedAt.
		must(t, s.AddGrants(ctx, "r1", []store.Grant{g("a1", "api1", "write", 20), g("a1", "api1", "read", 20)}))
		must(t, s.AddGrants(ctx, "r1", first))
		must(t, s.AddGrants(ctx, "r1", nil))

		all := []store.Grant{g("a1", "api1", "read", 20), g("a1", "api1", "write", 10), g("a1", "api2", "read", 10), g("a2", "api1", "read", 10)}
		for _, tc := range []struct {
			name string
			f    store.GrantFilter
			want []store.Grant
		}{
			{"all", store.GrantFilter{}, all},
			{"by app", store.GrantFilter{AppID: "a1"}, all[:3]},
			{"by api", store.GrantFilter{APIID: "api1"}, []store.Grant{all[0], all[1], all[3]}},
			{"by both", store.GrantFilter{AppID: "a2", APIID: "api1"}, all[3:]},
			{"unknown app", store.GrantFilter{AppID: "zz"}, nil},
		} {
			got, err := s.ListGrants(ctx, "r1", tc.f)
			must(t, err)
			diff(t, tc.name, tc.want, got)
		}
		got, err := s.ListGrants(ctx, "r2", store.GrantFilter{})
		must(t, err)
		diff(t, "other realm", []store.Grant(nil), got)

		wantErr(t, "remove in other realm", s.RemoveGrants(ctx, "r2", all[:1]), nil)
		got, err = s.ListGrants(ctx, "r1", store.GrantFilter{})
		must(t, err)
		diff(t, "after other realm's remove", all, got)
		must(t, s.RemoveGrants(ctx, "r1", []store.Grant{all[0], all[3], g("a2", "api2", "read", 0)}))
		got, err = s.ListGrants(ctx, "r1", store.GrantFilter{})
		must(t, err)
		diff(t, "after remove", all[1:3], got)
	}},
	{"Grant/Validation", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		seed(t, s)
		must(t, s.CreateApp(ctx, app("r1", "a1", "c1", "One")))
		must(t, s.CreateApp(ctx, app("r2", "b1", "c1", "Other realm")))
		must(t, s.CreateAPI(ctx, api("r1", "api1", "aud1", "read")))
		must(t, s.CreateAPI(ctx, api("r2", "bpi1", "aud1", "read")))
		ok := store.Grant{AppID: "a1", APIID: "api1", Permission: "read"}
		for _, tc := range []struct {
			name string
			bad  store.Grant
		}{
			{"unknown app", store.Grant{AppID: "zz", APIID: "api1", Permission: "read"}},
			{"app of other realm", store.Grant{AppID: "b1", APIID: "api1", Permission: "read"}},
			{"unknown api", store.Grant{AppID: "a1", APIID: "zz", Permission: "read"}},
			{"api of other realm", store.Grant{AppID: "a1", APIID: "bpi1", Permission: "read"}},
			{"undefined permission", store.Grant{AppID: "a1", APIID: "api1", Permission: "write"}},
		} {
			// The valid grant in the same call must not be stored either.
			wantErr(t, tc.name, s.AddGrants(ctx, "r1", []store.Grant{ok, tc.bad}), store.ErrNotFound)
		}
		got, err := s.ListGrants(ctx, "r1", store.GrantFilter{})
		must(t, err)
		diff(t, "after rejected adds", []store.Grant(nil), got)
	}},
}
