package identity

import (
	"context"
	"strconv"

	"github.com/gatehouse/gatehouse/internal/audit"
	"github.com/gatehouse/gatehouse/internal/store"
)

// The use cases of APIs, audited like those of applications (changes.go). The
// Keycloak import and the presets call the unaudited forms: they are set-up, not changes
// someone made.

// CreateAPI defines a resource server with its audience, aliases and permissions.
func (s *Service) CreateAPI(ctx context.Context, a audit.Actor, realm string, spec APISpec) (store.API, error) {
	c := audit.Change{Realm: realm, Action: audit.ActionAPICreate,
		Detail: map[string]string{"name": spec.Name, "audience": spec.Audience}}
	x, err := s.createAPI(ctx, realm, spec)
	if err == nil {
		c.Target = x.ID
	}
	s.done(ctx, a, c, err, false)
	return x, err
}

// UpdateAPI renames an API or replaces its aliases or permission definitions.
func (s *Service) UpdateAPI(ctx context.Context, a audit.Actor, realm, id string, p APIPatch) (store.API, error) {
	c := audit.Change{Realm: realm, Action: audit.ActionAPIUpdate, Target: id, Detail: map[string]string{}}
	if p.Name != nil {
		c.Detail["name"] = *p.Name
	}
	if p.Permissions != nil {
		c.Detail["permissions"] = strconv.Itoa(len(*p.Permissions))
	}
	x, err := s.updateAPI(ctx, realm, id, p)
	describeAPI(&c, x)
	s.done(ctx, a, c, err, false)
	return x, err
}

// DeleteAPI removes an API; with cascade, the grants of its permissions go too, else an
// API still granted is a conflict (store.ErrConflict without a domain reason).
func (s *Service) DeleteAPI(ctx context.Context, a audit.Actor, realm, id string, cascade bool) error {
	c := audit.Change{Realm: realm, Action: audit.ActionAPIDelete, Target: id,
		Detail: map[string]string{"cascade": strconv.FormatBool(cascade)}}
	if x, gerr := s.store.GetAPI(ctx, realm, id); gerr == nil {
		describeAPI(&c, x)
	}
	err := s.deleteAPI(ctx, realm, id, cascade)
	s.done(ctx, a, c, err, false)
	return err
}
