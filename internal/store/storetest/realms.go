package storetest

import (
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
)

var realmTests = []test{
	{"Realm/RoundTrip", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		for _, n := range []string{"zeta", "alpha", "camunda-platform"} {
			must(t, s.CreateRealm(ctx, realm(n)))
		}
		got, err := s.GetRealm(ctx, "alpha")
		must(t, err)
		diff(t, "GetRealm", realm("alpha"), got)
		list, err := s.ListRealms(ctx)
		must(t, err)
		diff(t, "ListRealms", []store.Realm{realm("alpha"), realm("camunda-platform"), realm("zeta")}, list)
	}},
	{"Realm/Errors", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		must(t, s.CreateRealm(ctx, realm("r1")))
		wantErr(t, "duplicate", s.CreateRealm(ctx, realm("r1")), store.ErrAlreadyExists)
		_, err := s.GetRealm(ctx, "nope")
		wantErr(t, "get missing", err, store.ErrNotFound)
		_, err = s.UpdateRealm(ctx, "nope", func(r store.Realm) (store.Realm, error) { return r, nil })
		wantErr(t, "update missing", err, store.ErrNotFound)
	}},
	{"Realm/Update", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		must(t, s.CreateRealm(ctx, realm("r1")))
		want := realm("r1")
		want.SigningAlg, want.TokenLifetime, want.Organization = "EdDSA", 90*time.Second, "org-2"
		got, err := s.UpdateRealm(ctx, "r1", func(r store.Realm) (store.Realm, error) {
			diff(t, "fn argument", realm("r1"), r)
			r.SigningAlg, r.TokenLifetime, r.Organization = want.SigningAlg, want.TokenLifetime, want.Organization
			r.Name = "renamed" // ignored: the name is the key
			return r, nil
		})
		must(t, err)
		diff(t, "UpdateRealm result", want, got)
		stored, err := s.GetRealm(ctx, "r1")
		must(t, err)
		diff(t, "stored", want, stored)

		_, err = s.UpdateRealm(ctx, "r1", failing[store.Realm])
		wantErr(t, "failing fn", err, errBoom)
		stored, err = s.GetRealm(ctx, "r1")
		must(t, err)
		diff(t, "after failing fn", want, stored)
	}},
}
