package identity

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/audit"
	"github.com/gatehouse/gatehouse/internal/store"
)

// The use cases of applications. Each one validates its input, makes its change in one
// store transaction, records exactly one audit event whatever the outcome, and on
// success runs the after-change hook. The management API, the console and the offline
// tools call these and nothing else to change an application, so the rules and the
// audit trail are the same whichever surface a change came through.

// ErrSelf refuses an application disabling or deleting itself: it would lock the
// realm's administrators out with no way back through the management API.
var ErrSelf error = &ConflictError{Reason: "an application cannot disable or delete itself", Prefix: "identity"}

// done records the change c made by a, ended with err. When the change succeeded and
// decides whether tokens already issued still count (an application enabled, disabled
// or deleted), it runs the after-change hook, so the deny lists follow at once rather
// than at their next periodic refresh. The client cache is dropped by the change itself.
func (s *Service) done(ctx context.Context, a audit.Actor, c audit.Change, err error, tokensChange bool) {
	s.Trail.Record(ctx, a, c, err)
	if err == nil && tokensChange && s.OnChange != nil {
		s.OnChange(context.WithoutCancel(ctx), c.Realm)
	}
}

// NewApplication creates an M2M application with a generated client id and secret
// (returned once) holding perms.
func (s *Service) NewApplication(ctx context.Context, a audit.Actor, realm, name string, perms []PermissionRef) (store.Application, string, error) {
	c := audit.Change{Realm: realm, Action: audit.ActionAppCreate,
		Detail: map[string]string{"name": name, "permissions": joinRefs(perms)}}
	app, secret, err := s.newApplication(ctx, realm, name, perms)
	if err == nil {
		c.Target, c.Detail["clientId"] = app.ID, app.ClientID
	}
	s.done(ctx, a, c, err, false)
	return app, secret, err
}

// UpdateApp renames, enables or disables an application. An application acting through
// the management API cannot disable itself (ErrSelf).
func (s *Service) UpdateApp(ctx context.Context, a audit.Actor, realm, id string, p AppPatch) (store.Application, error) {
	c := audit.Change{Realm: realm, Action: audit.ActionAppUpdate, Target: id, Detail: map[string]string{}}
	if p.Name != nil {
		c.Detail["name"] = *p.Name
	}
	if p.Enabled != nil {
		c.Detail["enabled"] = strconv.FormatBool(*p.Enabled)
	}
	if p.Type != nil {
		c.Detail["type"] = *p.Type
	}
	if p.Web != nil {
		c.Detail["web"] = "changed"
	}
	var app store.Application
	var err error
	if p.Enabled != nil && !*p.Enabled {
		err = s.notSelf(ctx, a, realm, id)
	}
	if err == nil {
		app, err = s.updateApp(ctx, realm, id, p)
	}
	describeApp(&c, app)
	s.done(ctx, a, c, err, p.Enabled != nil)
	return app, err
}

// DeleteApp removes an application with its secrets and grants and returns what it was.
// An application cannot delete itself (ErrSelf).
func (s *Service) DeleteApp(ctx context.Context, a audit.Actor, realm, id string) (store.Application, error) {
	c := audit.Change{Realm: realm, Action: audit.ActionAppDelete, Target: id, Detail: map[string]string{}}
	app, err := s.store.GetApp(ctx, realm, id)
	if err == nil {
		c.Detail["name"], c.Detail["clientId"] = app.Name, app.ClientID
		if a.Kind == audit.KindClient && app.ClientID == a.ID {
			err = ErrSelf
		} else {
			err = s.deleteApp(ctx, realm, id)
		}
	}
	s.done(ctx, a, c, err, true)
	return app, err
}

// RotateSecret gives an application a new generated secret (returned once); the one in
// use stays valid for grace.
func (s *Service) RotateSecret(ctx context.Context, a audit.Actor, realm, id string, grace time.Duration) (store.Application, string, error) {
	c := audit.Change{Realm: realm, Action: audit.ActionAppRotateSecret, Target: id,
		Detail: map[string]string{"grace": grace.String()}}
	app, secret, err := s.rotateSecret(ctx, realm, id, grace)
	describeApp(&c, app)
	s.done(ctx, a, c, err, false)
	return app, secret, err
}

// GrantPermissions gives an application permissions (idempotent) and returns what it
// then holds.
func (s *Service) GrantPermissions(ctx context.Context, a audit.Actor, realm, appID string, refs []PermissionRef) ([]PermissionRef, error) {
	c := audit.Change{Realm: realm, Action: audit.ActionAppPermissionsAdd, Target: appID,
		Detail: map[string]string{"permissions": joinRefs(refs)}}
	held, err := s.grantPermissions(ctx, realm, appID, refs)
	if app, gerr := s.store.GetApp(ctx, realm, appID); err == nil && gerr == nil {
		describeApp(&c, app)
	}
	s.done(ctx, a, c, err, false)
	return held, err
}

// TakePermissions takes permissions from an application and returns what it then holds.
func (s *Service) TakePermissions(ctx context.Context, a audit.Actor, realm, appID string, refs []PermissionRef) ([]PermissionRef, error) {
	c := audit.Change{Realm: realm, Action: audit.ActionAppPermissionsRemove, Target: appID,
		Detail: map[string]string{"permissions": joinRefs(refs)}}
	held, err := s.takePermissions(ctx, realm, appID, refs)
	if app, gerr := s.store.GetApp(ctx, realm, appID); err == nil && gerr == nil {
		describeApp(&c, app)
	}
	s.done(ctx, a, c, err, false)
	return held, err
}

// notSelf refuses (ErrSelf) when a is the application id itself.
func (s *Service) notSelf(ctx context.Context, a audit.Actor, realm, id string) error {
	if a.Kind != audit.KindClient {
		return nil
	}
	app, err := s.store.GetApp(ctx, realm, id)
	if err != nil {
		return err
	}
	if app.ClientID == a.ID {
		return ErrSelf
	}
	return nil
}

// joinRefs is the audit form of permission references: "audience:definition", space
// separated.
func joinRefs(refs []PermissionRef) string {
	s := make([]string, len(refs))
	for i, r := range refs {
		s[i] = r.String()
	}
	return strings.Join(s, " ")
}
