package identity_test

import (
	"context"
	"slices"
	"testing"

	"github.com/gatehouse/gatehouse/internal/identity"
	"github.com/gatehouse/gatehouse/internal/store"
)

func billingSpec() identity.APISpec {
	return identity.APISpec{Name: "Billing API", Audience: "billing-api", Aliases: []string{"billing.example"},
		Permissions: []store.Permission{{Definition: "read:*", Description: "Read invoices"}, {Definition: "write:*"}}}
}

func TestCreateAPIValidation(t *testing.T) {
	s, _, _ := newService(t)
	ctx := context.Background()
	a, err := s.CreateAPI(ctx, op, realm, billingSpec())
	must(t, err)
	if a.ID == "" || a.Preset || len(a.Permissions) != 2 {
		t.Errorf("api = %+v", a)
	}
	_, err = s.CreateAPI(ctx, op, realm, billingSpec())
	wantIs(t, "same audience", err, store.ErrAlreadyExists)
	_, err = s.CreateAPI(ctx, op, "other", billingSpec())
	must(t, err)

	bad := map[string]func(*identity.APISpec){
		"empty name":          func(s *identity.APISpec) { s.Name = "" },
		"audience with colon": func(s *identity.APISpec) { s.Audience = "billing:api" },
		"audience with space": func(s *identity.APISpec) { s.Audience = "billing api" },
		"empty audience":      func(s *identity.APISpec) { s.Audience = "" },
		"alias = audience":    func(s *identity.APISpec) { s.Aliases = []string{s.Audience} },
		"duplicate alias":     func(s *identity.APISpec) { s.Aliases = []string{"a", "a"} },
		"bad definition":      func(s *identity.APISpec) { s.Permissions = []store.Permission{{Definition: "read all"}} },
		"empty definition":    func(s *identity.APISpec) { s.Permissions = []store.Permission{{Definition: ""}} },
		"duplicate definition": func(s *identity.APISpec) {
			s.Permissions = []store.Permission{{Definition: "read"}, {Definition: "read"}}
		},
		"control char in description": func(s *identity.APISpec) {
			s.Permissions = []store.Permission{{Definition: "read", Description: "a\nb"}}
		},
	}
	for name, mutate := range bad {
		spec := billingSpec()
		spec.Audience = "fresh-api"
		mutate(&spec)
		_, err := s.CreateAPI(ctx, op, realm, spec)
		wantIs(t, name, err, identity.ErrInvalid)
	}
	spec := billingSpec()
	spec.Audience, spec.Aliases = "fresh-api", []string{"console-api"}
	_, err = s.CreateAPI(ctx, op, realm, spec)
	wantIs(t, "alias is another API's audience", err, store.ErrConflict)
	spec.Audience, spec.Aliases = identity.AudienceSaaSAlias, nil
	_, err = s.CreateAPI(ctx, op, realm, spec)
	wantIs(t, "audience is another API's alias", err, store.ErrConflict)
}

func TestUpdateAPI(t *testing.T) {
	s, _, _ := newService(t)
	ctx := context.Background()
	a, err := s.CreateAPI(ctx, op, realm, billingSpec())
	must(t, err)
	app, secret, err := s.NewApplication(ctx, op, realm, "job", []identity.PermissionRef{{Audience: "billing-api", Definition: "write:*"}})
	must(t, err)

	got, err := s.UpdateAPI(ctx, op, realm, a.ID, identity.APIPatch{Name: ptr("Billing"), Aliases: &[]string{},
		Permissions: &[]store.Permission{{Definition: "read:*"}}})
	must(t, err)
	if got.Name != "Billing" || len(got.Aliases) != 0 || len(got.Permissions) != 1 || got.Audience != "billing-api" {
		t.Errorf("after update: %+v", got)
	}
	perms, err := s.Permissions(ctx, realm, app.ID)
	must(t, err)
	if len(perms) != 0 {
		t.Errorf("grant of a dropped definition survived: %v", perms)
	}
	c, err := s.Authenticate(ctx, realm, app.ClientID, secret)
	must(t, err)
	if c.Holds("billing-api", "write:*") {
		t.Error("the token endpoint still sees the dropped permission")
	}

	_, err = s.UpdateAPI(ctx, op, realm, a.ID, identity.APIPatch{})
	wantIs(t, "empty patch", err, identity.ErrInvalid)
	_, err = s.UpdateAPI(ctx, op, "other", a.ID, identity.APIPatch{Name: ptr("x")})
	wantIs(t, "other realm", err, store.ErrNotFound)
	_, err = s.UpdateAPI(ctx, op, realm, a.ID, identity.APIPatch{Aliases: &[]string{"console-api"}})
	wantIs(t, "alias is another audience", err, store.ErrConflict)

	apis, err := s.ListAPIs(ctx, realm)
	must(t, err)
	i := slices.IndexFunc(apis, func(x store.API) bool { return x.Audience == identity.AudienceIdentity })
	_, err = s.UpdateAPI(ctx, op, realm, apis[i].ID, identity.APIPatch{Permissions: &[]store.Permission{{Definition: "read"}}})
	wantIs(t, "drop preset permission", err, store.ErrConflict)
	_, err = s.UpdateAPI(ctx, op, realm, apis[i].ID, identity.APIPatch{Name: ptr("Identity")})
	must(t, err)
	wantIs(t, "delete preset", s.DeleteAPI(ctx, op, realm, apis[i].ID, true), store.ErrConflict)
}

func TestDeleteAPI(t *testing.T) {
	s, _, _ := newService(t)
	ctx := context.Background()
	a, err := s.CreateAPI(ctx, op, realm, billingSpec())
	must(t, err)
	app, _, err := s.NewApplication(ctx, op, realm, "job", []identity.PermissionRef{{Audience: "billing-api", Definition: "read:*"}})
	must(t, err)
	wantIs(t, "granted", s.DeleteAPI(ctx, op, realm, a.ID, false), store.ErrConflict)
	wantIs(t, "other realm", s.DeleteAPI(ctx, op, "other", a.ID, true), store.ErrNotFound)
	must(t, s.DeleteAPI(ctx, op, realm, a.ID, true))
	perms, err := s.Permissions(ctx, realm, app.ID)
	must(t, err)
	if len(perms) != 0 {
		t.Errorf("cascade left grants: %v", perms)
	}
	_, err = s.GetAPI(ctx, realm, a.ID)
	wantIs(t, "get deleted", err, store.ErrNotFound)
}
