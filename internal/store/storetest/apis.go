package storetest

import (
	"testing"

	"github.com/gatehouse/gatehouse/internal/store"
)

func apiID(a store.API) string { return a.ID }

var apiTests = []test{
	{"API/RoundTrip", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		seed(t, s)
		a := api("r1", "api1", "zeebe-api", "read:*", "write:*")
		a.Preset = true
		a.Aliases = []string{"zeebe", "zeebe-api-alias"}
		b := api("r1", "api2", "operate-api")
		b.Aliases, b.Name = nil, "A first API"
		must(t, s.CreateAPI(ctx, a))
		must(t, s.CreateAPI(ctx, b))
		got, err := s.GetAPI(ctx, "r1", "api1")
		must(t, err)
		diff(t, "GetAPI", a, got)
		list, err := s.ListAPIs(ctx, "r1")
		must(t, err)
		diff(t, "ListAPIs (by name)", []store.API{b, a}, list)
		list, err = s.ListAPIs(ctx, "r2")
		must(t, err)
		diff(t, "ListAPIs other realm", []store.API(nil), list)
	}},
	{"API/Errors", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		seed(t, s)
		must(t, s.CreateAPI(ctx, api("r1", "api1", "aud1", "read")))
		for _, tc := range []struct {
			name string
			api  store.API
			want error
		}{
			{"same id", api("r1", "api1", "aud-x"), store.ErrAlreadyExists},
			{"same audience", api("r1", "api2", "aud1"), store.ErrAlreadyExists},
			{"same audience other realm", api("r2", "api3", "aud1"), nil},
			{"missing realm", api("nope", "api4", "aud4"), store.ErrNotFound},
		} {
			wantErr(t, tc.name, s.CreateAPI(ctx, tc.api), tc.want)
		}
		_, err := s.GetAPI(ctx, "r2", "api1")
		wantErr(t, "get other realm", err, store.ErrNotFound)
		_, err = s.UpdateAPI(ctx, "r2", "api1", func(a store.API) (store.API, error) { return a, nil })
		wantErr(t, "update other realm", err, store.ErrNotFound)
		wantErr(t, "delete other realm", s.DeleteAPI(ctx, "r2", "api1", true), store.ErrNotFound)
		wantErr(t, "delete missing", s.DeleteAPI(ctx, "r1", "missing", false), store.ErrNotFound)
		_, err = s.UpdateAPI(ctx, "r1", "api1", func(a store.API) (store.API, error) {
			a.Audience = "aud-new"
			return a, nil
		})
		must(t, err)
		must(t, s.CreateAPI(ctx, api("r1", "api5", "aud1"))) // the old audience is free again
		_, err = s.UpdateAPI(ctx, "r1", "api1", func(a store.API) (store.API, error) {
			a.Audience = "aud1"
			return a, nil
		})
		wantErr(t, "update to taken audience", err, store.ErrAlreadyExists)
	}},
	{"API/UpdateDropsGrants", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		seed(t, s)
		must(t, s.CreateApp(ctx, app("r1", "a1", "c1", "One")))
		must(t, s.CreateApp(ctx, app("r1", "a2", "c2", "Two")))
		must(t, s.CreateAPI(ctx, api("r1", "api1", "aud1", "read", "write", "admin")))
		must(t, s.CreateAPI(ctx, api("r1", "api2", "aud2", "read")))
		must(t, s.AddGrants(ctx, "r1", []store.Grant{
			{AppID: "a1", APIID: "api1", Permission: "read"},
			{AppID: "a1", APIID: "api1", Permission: "write"},
			{AppID: "a2", APIID: "api1", Permission: "admin"},
			{AppID: "a2", APIID: "api2", Permission: "read"},
		}))

		_, err := s.UpdateAPI(ctx, "r1", "api1", failing[store.API])
		wantErr(t, "failing fn", err, errBoom)
		want := api("r1", "api1", "aud1", "read", "audit")
		want.Name, want.UpdatedAt = "Renamed", at(40)
		got, err := s.UpdateAPI(ctx, "r1", "api1", func(a store.API) (store.API, error) {
			diff(t, "fn argument", api("r1", "api1", "aud1", "read", "write", "admin"), a)
			w := want
			w.ID, w.Realm = "other", "r2" // ignored
			return w, nil
		})
		must(t, err)
		diff(t, "UpdateAPI result", want, got)
		stored, err := s.GetAPI(ctx, "r1", "api1")
		must(t, err)
		diff(t, "stored", want, stored)
		gs, err := s.ListGrants(ctx, "r1", store.GrantFilter{})
		must(t, err)
		diff(t, "grants after dropping write and admin", []string{"a1/api1/read", "a2/api2/read"}, ids(gs, grantKey))

		// Dropping every permission drops every grant of the API.
		_, err = s.UpdateAPI(ctx, "r1", "api1", func(a store.API) (store.API, error) {
			a.Permissions = nil
			return a, nil
		})
		must(t, err)
		gs, err = s.ListGrants(ctx, "r1", store.GrantFilter{APIID: "api1"})
		must(t, err)
		diff(t, "grants after dropping all", []string(nil), ids(gs, grantKey))
	}},
	{"API/DeleteConflictAndCascade", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		seed(t, s)
		must(t, s.CreateApp(ctx, app("r1", "a1", "c1", "One")))
		must(t, s.CreateAPI(ctx, api("r1", "api1", "aud1", "read")))
		must(t, s.CreateAPI(ctx, api("r1", "api2", "aud2", "read")))
		must(t, s.CreateAPI(ctx, api("r1", "api3", "aud3", "read")))
		must(t, s.AddGrants(ctx, "r1", []store.Grant{
			{AppID: "a1", APIID: "api1", Permission: "read"},
			{AppID: "a1", APIID: "api2", Permission: "read"},
		}))
		wantErr(t, "delete granted", s.DeleteAPI(ctx, "r1", "api1", false), store.ErrConflict)
		if _, err := s.GetAPI(ctx, "r1", "api1"); err != nil {
			t.Errorf("api1 after refused delete: %v", err)
		}
		must(t, s.DeleteAPI(ctx, "r1", "api1", true))
		must(t, s.DeleteAPI(ctx, "r1", "api3", false)) // not granted
		list, err := s.ListAPIs(ctx, "r1")
		must(t, err)
		diff(t, "APIs left", []string{"api2"}, ids(list, apiID))
		gs, err := s.ListGrants(ctx, "r1", store.GrantFilter{})
		must(t, err)
		diff(t, "grants left", []string{"a1/api2/read"}, ids(gs, grantKey))
		// A new API with the old id has no grants.
		must(t, s.CreateAPI(ctx, api("r1", "api1", "aud1", "read")))
		gs, err = s.ListGrants(ctx, "r1", store.GrantFilter{APIID: "api1"})
		must(t, err)
		diff(t, "grants of recreated API", []string(nil), ids(gs, grantKey))
	}},
}

func grantKey(g store.Grant) string { return g.AppID + "/" + g.APIID + "/" + g.Permission }
