package identity

import (
	"context"
	"errors"
	"fmt"

	"github.com/gatehouse/gatehouse/internal/store"
)

// ClientSpec is one application declared in configuration, in the shape of Camunda
// Identity's KEYCLOAK_CLIENTS_<n>_* variables.
type ClientSpec struct {
	Name        string
	ID          string // client id
	Secret      string
	Type        string // "M2M" (case-insensitive)
	Permissions []PermissionRef
}

// SeedResult says what seeding did with one client.
type SeedResult struct {
	ClientID string
	Action   string // "created", "updated", "unchanged"
}

// Seed makes the declared clients exist with their secrets and permissions. It is
// idempotent: an unchanged declaration changes nothing, a changed secret replaces the
// stored one, declared permissions are added (never removed: they may have been granted
// through the management API since).
func (s *Service) Seed(ctx context.Context, realm string, specs []ClientSpec) ([]SeedResult, error) {
	var out []SeedResult
	for _, c := range specs {
		if c.ID == "" || c.Secret == "" {
			return out, fmt.Errorf("identity: configured client %q needs an id and a secret", c.Name)
		}
		name := c.Name
		if name == "" {
			name = c.ID
		}
		app, err := s.store.GetAppByClientID(ctx, realm, c.ID)
		if errors.Is(err, store.ErrNotFound) {
			if _, _, err := s.CreateApp(ctx, realm, AppSpec{Name: name, ClientID: c.ID, Secret: c.Secret, Source: "config", Permissions: c.Permissions}); err != nil {
				return out, fmt.Errorf("identity: seed client %q: %w", c.ID, err)
			}
			out = append(out, SeedResult{ClientID: c.ID, Action: "created"})
			continue
		}
		if err != nil {
			return out, err
		}
		changed, err := s.reseed(ctx, realm, app, name, c)
		if err != nil {
			return out, fmt.Errorf("identity: seed client %q: %w", c.ID, err)
		}
		action := "unchanged"
		if changed {
			action = "updated"
		}
		out = append(out, SeedResult{ClientID: c.ID, Action: action})
	}
	return out, nil
}

func (s *Service) reseed(ctx context.Context, realm string, app store.Application, name string, c ClientSpec) (bool, error) {
	ok, err := s.checkSecret(ctx, app, c.Secret)
	if err != nil {
		return false, err
	}
	changed := !ok || app.Name != name
	if changed {
		now := s.now().UTC()
		var fresh store.Secret
		if !ok {
			fresh = chosenSecret(c.Secret, now)
		}
		_, err = s.store.UpdateApp(ctx, realm, app.ID, func(a store.Application) (store.Application, error) {
			a.Name, a.UpdatedAt = name, now
			if !ok {
				a.Secrets = []store.Secret{fresh}
			}
			return a, nil
		})
		if err != nil {
			return false, err
		}
		if !ok {
			s.remember(fresh.ID, c.Secret)
		}
	}
	grants, err := s.grantsFor(ctx, realm, app.ID, c.Permissions)
	if err != nil {
		return false, err
	}
	have, err := s.store.ListGrants(ctx, realm, store.GrantFilter{AppID: app.ID})
	if err != nil {
		return false, err
	}
	var missing []store.Grant
	for _, g := range grants {
		found := false
		for _, h := range have {
			if h.APIID == g.APIID && h.Permission == g.Permission {
				found = true
				break
			}
		}
		if !found {
			missing = append(missing, g)
		}
	}
	if len(missing) > 0 {
		if err := s.store.AddGrants(ctx, realm, missing); err != nil {
			return false, err
		}
		changed = true
	}
	if changed {
		s.Invalidate()
	}
	return changed, nil
}

// BootstrapName is the name and client id of the administrator application made on a
// first start. The id is fixed so that replicas starting together on an empty database
// make one administrator between them; its secret is generated.
const BootstrapName = "bootstrap-admin"

// AdminPermissions are what the administrator application holds: the management API.
var AdminPermissions = []PermissionRef{{AudienceIdentity, "read"}, {AudienceIdentity, "write"}}

// Bootstrap creates an administrator application with a generated secret when the realm
// has no application at all. created is false when the realm already had applications.
func (s *Service) Bootstrap(ctx context.Context, realm string) (app store.Application, plain string, created bool, err error) {
	_, total, err := s.store.ListApps(ctx, realm, store.ListOptions{Limit: 1})
	if err != nil || total > 0 {
		return store.Application{}, "", false, err
	}
	app, plain, err = s.CreateApp(ctx, realm, AppSpec{Name: BootstrapName, ClientID: BootstrapName, Source: "bootstrap", Permissions: AdminPermissions})
	if errors.Is(err, store.ErrAlreadyExists) { // another replica made it a moment ago
		return store.Application{}, "", false, nil
	}
	return app, plain, err == nil, err
}
