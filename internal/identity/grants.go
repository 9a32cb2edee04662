package identity

import (
	"context"
	"errors"
	"slices"

	"github.com/gatehouse/gatehouse/internal/store"
)

// checkRefs validates permission references and drops duplicates.
func checkRefs(refs []PermissionRef) ([]PermissionRef, error) {
	if len(refs) > MaxListInput {
		return nil, invalid("permissions", "must hold at most 256 items")
	}
	out := make([]PermissionRef, 0, len(refs))
	for _, r := range refs {
		if err := checkAudience("api", r.Audience); err != nil {
			return nil, err
		}
		if err := checkDefinition("permission", r.Definition); err != nil {
			return nil, err
		}
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out, nil
}

// Permissions lists what an application holds, as references sorted by audience and
// definition.
func (s *Service) Permissions(ctx context.Context, realm, appID string) ([]PermissionRef, error) {
	if _, err := s.store.GetApp(ctx, realm, appID); err != nil {
		return nil, err
	}
	held, err := s.Held(ctx, realm, appID)
	if err != nil {
		return nil, err
	}
	out := []PermissionRef{}
	for _, h := range held {
		for _, p := range h.Permissions {
			out = append(out, PermissionRef{Audience: h.Audience, Definition: p})
		}
	}
	return out, nil
}

// grantPermissions gives an application permissions (idempotent) and returns what it then holds.
// A reference to an API or definition the realm lacks is ErrInvalid.
func (s *Service) grantPermissions(ctx context.Context, realm, appID string, refs []PermissionRef) ([]PermissionRef, error) {
	grants, err := s.resolveRefs(ctx, realm, appID, refs)
	if err != nil {
		return nil, err
	}
	if len(grants) > 0 {
		err = s.store.AddGrants(ctx, realm, grants)
		s.Invalidate()
		if err != nil {
			return nil, err
		}
	}
	return s.Permissions(ctx, realm, appID)
}

// takePermissions takes permissions from an application (removing one it does not hold changes
// nothing) and returns what it then holds.
func (s *Service) takePermissions(ctx context.Context, realm, appID string, refs []PermissionRef) ([]PermissionRef, error) {
	grants, err := s.resolveRefs(ctx, realm, appID, refs)
	if err != nil {
		return nil, err
	}
	if len(grants) > 0 {
		err = s.store.RemoveGrants(ctx, realm, grants)
		s.Invalidate()
		if err != nil {
			return nil, err
		}
	}
	return s.Permissions(ctx, realm, appID)
}

// resolveRefs checks the application exists in realm (else store.ErrNotFound) and turns
// references into grants.
func (s *Service) resolveRefs(ctx context.Context, realm, appID string, refs []PermissionRef) ([]store.Grant, error) {
	refs, err := checkRefs(refs)
	if err != nil {
		return nil, err
	}
	if _, err := s.store.GetApp(ctx, realm, appID); err != nil {
		return nil, err
	}
	grants, err := s.grantsFor(ctx, realm, appID, refs)
	if errors.Is(err, store.ErrNotFound) {
		return nil, invalid("permissions", "every item must name an existing API audience and one of its permission definitions")
	}
	return grants, err
}
