package identity

import (
	"context"
	"slices"

	"github.com/gatehouse/gatehouse/internal/store"
)

// MaxAudienceLen bounds an audience or alias.
const MaxAudienceLen = 255

// checkAudience accepts an audience or alias: 1-255 of [A-Za-z0-9._-]. No ':' so that
// "<audience>:<definition>" permission references stay unambiguous, no '/' or spaces so
// that it is usable as a scope prefix and a path segment.
func checkAudience(field, a string) error {
	if a == "" || len(a) > MaxAudienceLen {
		return invalid(field, "must be 1-255 characters of A-Z, a-z, 0-9, '.', '_', '-'")
	}
	for i := 0; i < len(a); i++ {
		c := a[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return invalid(field, "must be 1-255 characters of A-Z, a-z, 0-9, '.', '_', '-'")
		}
	}
	return nil
}

// checkDefinition accepts a permission definition such as "read", "read:users" or
// "write:*": 1-128 of [A-Za-z0-9._:*-]; it is also a valid OAuth scope token.
func checkDefinition(field, d string) error {
	if d == "" || len(d) > maxTokenChars {
		return invalid(field, "must be 1-128 characters of A-Z, a-z, 0-9, '.', '_', ':', '*', '-'")
	}
	for i := 0; i < len(d); i++ {
		c := d[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == ':' || c == '*' || c == '-') {
			return invalid(field, "must be 1-128 characters of A-Z, a-z, 0-9, '.', '_', ':', '*', '-'")
		}
	}
	return nil
}

// APISpec describes an API to create.
type APISpec struct {
	Name        string
	Audience    string
	Aliases     []string
	Permissions []store.Permission
}

// APIPatch changes an API; nil fields stay. Lists replace the stored ones. The audience
// never changes: tokens and grants refer to it.
type APIPatch struct {
	Name        *string
	Aliases     *[]string
	Permissions *[]store.Permission
}

func checkAliases(audience string, aliases []string) error {
	if len(aliases) > MaxListInput {
		return invalid("aliases", "must hold at most 256 items")
	}
	for i, al := range aliases {
		if err := checkAudience("aliases", al); err != nil {
			return err
		}
		if al == audience || slices.Contains(aliases[:i], al) {
			return invalid("aliases", "must be distinct and differ from the audience")
		}
	}
	return nil
}

func checkPermissions(ps []store.Permission) error {
	if len(ps) > MaxListInput {
		return invalid("permissions", "must hold at most 256 items")
	}
	for i, p := range ps {
		if err := checkDefinition("permissions.definition", p.Definition); err != nil {
			return err
		}
		if p.Description != "" {
			if err := checkText("permissions.description", p.Description, MaxDescLen); err != nil {
				return err
			}
		}
		if slices.ContainsFunc(ps[:i], func(q store.Permission) bool { return q.Definition == p.Definition }) {
			return invalid("permissions", "definitions must be distinct")
		}
	}
	return nil
}

// checkNames refuses an audience or alias that would make "aud" ambiguous: an alias may
// not be another API's audience, and an audience may not be another API's alias. (Two
// APIs may share an alias, as the SaaS audience is shared by presets.)
func (s *Service) checkNames(ctx context.Context, realm, selfID, audience string, aliases []string) error {
	apis, err := s.store.ListAPIs(ctx, realm)
	if err != nil {
		return err
	}
	for _, a := range apis {
		if a.ID == selfID {
			continue
		}
		if slices.Contains(aliases, a.Audience) {
			return conflict("an alias is the audience of another API")
		}
		if audience != "" && slices.Contains(a.Aliases, audience) {
			return conflict("the audience is an alias of another API")
		}
	}
	return nil
}

// createAPI creates an API (a resource server: audience, aliases, permission
// definitions). A taken audience is store.ErrAlreadyExists.
func (s *Service) createAPI(ctx context.Context, realm string, spec APISpec) (store.API, error) {
	if err := CheckName("name", spec.Name); err != nil {
		return store.API{}, err
	}
	if err := checkAudience("audience", spec.Audience); err != nil {
		return store.API{}, err
	}
	if err := checkAliases(spec.Audience, spec.Aliases); err != nil {
		return store.API{}, err
	}
	if err := checkPermissions(spec.Permissions); err != nil {
		return store.API{}, err
	}
	if err := s.checkNames(ctx, realm, "", spec.Audience, spec.Aliases); err != nil {
		return store.API{}, err
	}
	now := s.now().UTC()
	a := store.API{ID: NewID(), Realm: realm, Name: spec.Name, Audience: spec.Audience, Aliases: nonNil(spec.Aliases),
		Permissions: spec.Permissions, CreatedAt: now, UpdatedAt: now}
	if a.Permissions == nil {
		a.Permissions = []store.Permission{}
	}
	if err := s.store.CreateAPI(ctx, a); err != nil {
		return store.API{}, err
	}
	s.Invalidate()
	return a, nil
}

// GetAPI returns an API of realm.
func (s *Service) GetAPI(ctx context.Context, realm, id string) (store.API, error) {
	return s.store.GetAPI(ctx, realm, id)
}

// ListAPIs returns the realm's APIs.
func (s *Service) ListAPIs(ctx context.Context, realm string) ([]store.API, error) {
	return s.store.ListAPIs(ctx, realm)
}

// updateAPI renames an API or replaces its aliases or permission definitions. Grants of
// dropped definitions go with them. A preset API keeps its preset definitions (they
// would come back at the next start, without their grants).
func (s *Service) updateAPI(ctx context.Context, realm, id string, p APIPatch) (store.API, error) {
	if p.Name == nil && p.Aliases == nil && p.Permissions == nil {
		return store.API{}, invalid("body", "must change at least one of name, aliases, permissions")
	}
	if p.Name != nil {
		if err := CheckName("name", *p.Name); err != nil {
			return store.API{}, err
		}
	}
	if p.Permissions != nil {
		if err := checkPermissions(*p.Permissions); err != nil {
			return store.API{}, err
		}
	}
	if p.Aliases != nil {
		cur, err := s.store.GetAPI(ctx, realm, id)
		if err != nil {
			return store.API{}, err
		}
		if err := checkAliases(cur.Audience, *p.Aliases); err != nil {
			return store.API{}, err
		}
		if err := s.checkNames(ctx, realm, id, "", *p.Aliases); err != nil {
			return store.API{}, err
		}
	}
	now := s.now().UTC()
	a, err := s.store.UpdateAPI(ctx, realm, id, func(a store.API) (store.API, error) {
		if p.Name != nil {
			a.Name = *p.Name
		}
		if p.Aliases != nil {
			a.Aliases = nonNil(*p.Aliases)
		}
		if p.Permissions != nil {
			if missing := droppedPreset(a, *p.Permissions); missing != "" {
				return a, conflict("preset permission " + missing + " cannot be removed")
			}
			a.Permissions = slices.Clone(*p.Permissions)
		}
		a.UpdatedAt = now
		return a, nil
	})
	s.Invalidate()
	return a, err
}

// droppedPreset names a preset definition of a that ps lacks, or "".
func droppedPreset(a store.API, ps []store.Permission) string {
	if !a.Preset {
		return ""
	}
	for _, p := range PresetAPIs() {
		if p.Audience != a.Audience {
			continue
		}
		for _, want := range p.Permissions {
			if !slices.ContainsFunc(ps, func(x store.Permission) bool { return x.Definition == want.Definition }) {
				return want.Definition
			}
		}
	}
	return ""
}

// deleteAPI removes an API. While applications hold its permissions it fails with
// store.ErrConflict unless cascade, which removes those grants too. Preset APIs are
// not deleted (they would come back at the next start).
func (s *Service) deleteAPI(ctx context.Context, realm, id string, cascade bool) error {
	a, err := s.store.GetAPI(ctx, realm, id)
	if err != nil {
		return err
	}
	if a.Preset {
		return conflict("preset APIs cannot be deleted")
	}
	err = s.store.DeleteAPI(ctx, realm, id, cascade)
	s.Invalidate()
	return err
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
