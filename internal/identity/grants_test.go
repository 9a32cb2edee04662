package identity_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse/gatehouse/internal/identity"
	"github.com/gatehouse/gatehouse/internal/store"
)

func TestGrantAndTake(t *testing.T) {
	s, _, _ := newService(t)
	ctx := context.Background()
	app, secret, err := s.NewApplication(ctx, op, realm, "job", nil)
	must(t, err)
	// Warm the cache: a grant must show in the next token at once.
	must(t, authErr(s, app.ClientID, secret))

	read := identity.PermissionRef{Audience: "console-api", Definition: "read:*"}
	write := identity.PermissionRef{Audience: "console-api", Definition: "write:*"}
	modeler := identity.PermissionRef{Audience: identity.AudienceModeler, Definition: "read:*"}
	got, err := s.GrantPermissions(ctx, op, realm, app.ID, []identity.PermissionRef{modeler, read, read})
	must(t, err)
	if d := cmp.Diff([]identity.PermissionRef{read, modeler}, got); d != "" {
		t.Errorf("after grant (-want +got):\n%s", d)
	}
	got, err = s.GrantPermissions(ctx, op, realm, app.ID, []identity.PermissionRef{read, write})
	must(t, err)
	if len(got) != 3 {
		t.Errorf("idempotent grant: %v", got)
	}
	c, err := s.Authenticate(ctx, realm, app.ClientID, secret)
	must(t, err)
	if !c.Holds("console-api", "write:*") {
		t.Error("token endpoint does not see the new grant")
	}

	got, err = s.TakePermissions(ctx, op, realm, app.ID, []identity.PermissionRef{write, read, {Audience: "operate-api", Definition: "read:*"}})
	must(t, err)
	if d := cmp.Diff([]identity.PermissionRef{modeler}, got); d != "" {
		t.Errorf("after take (-want +got):\n%s", d)
	}
	c, err = s.Authenticate(ctx, realm, app.ClientID, secret)
	must(t, err)
	if c.Holds("console-api", "read:*") {
		t.Error("token endpoint still sees a taken grant")
	}

	_, err = s.GrantPermissions(ctx, op, realm, app.ID, []identity.PermissionRef{{Audience: "nope", Definition: "read:*"}})
	wantIs(t, "unknown api", err, identity.ErrInvalid)
	_, err = s.GrantPermissions(ctx, op, "other", app.ID, []identity.PermissionRef{read})
	wantIs(t, "other realm", err, store.ErrNotFound)
	_, err = s.Permissions(ctx, "other", app.ID)
	wantIs(t, "list in other realm", err, store.ErrNotFound)
	_, err = s.TakePermissions(ctx, op, realm, "no-such-app", []identity.PermissionRef{read})
	wantIs(t, "unknown app", err, store.ErrNotFound)
	many := make([]identity.PermissionRef, identity.MaxListInput+1)
	_, err = s.GrantPermissions(ctx, op, realm, app.ID, many)
	wantIs(t, "too many", err, identity.ErrInvalid)
}
