package identity_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gatehouse/gatehouse/internal/audit"
	"github.com/gatehouse/gatehouse/internal/identity"
	"github.com/gatehouse/gatehouse/internal/store"
)

// op is the actor of tests that do not look at the audit trail.
var op = audit.Actor{Kind: audit.KindSystem, ID: "test", Source: audit.SourceCLI}

func second[T any](_ T, err error) error { return err }

// events collects written audit events.
type events []store.AuditEvent

func (e *events) Write(_ context.Context, ev store.AuditEvent) error {
	*e = append(*e, ev)
	return nil
}

// TestChangesAudit checks that each application use case writes exactly one event, with
// the action, outcome, target and detail of the surface it came through, and runs the
// after-change hook only on success.
func TestChangesAudit(t *testing.T) {
	t.Parallel()
	admin := audit.Actor{Kind: audit.KindClient, ID: "admin-client", Source: audit.SourceAPI}
	person := audit.Actor{Kind: audit.KindUser, ID: "admin", Source: audit.SourceConsole}
	for _, tc := range []struct {
		name  string
		actor audit.Actor
		do    func(ctx context.Context, s *identity.Service, appID string) error
		want  store.AuditEvent // Target "app" stands for the application's id
		hooks int
	}{
		{"create", admin, func(ctx context.Context, s *identity.Service, _ string) error {
			return second2(s.NewApplication(ctx, admin, realm, "job", nil))
		}, store.AuditEvent{Action: "app.create", Outcome: "success", Actor: "admin-client",
			Detail: map[string]string{"name": "job", "permissions": ""}}, 0},
		{"create invalid", person, func(ctx context.Context, s *identity.Service, _ string) error {
			return second2(s.NewApplication(ctx, person, realm, "", nil))
		}, store.AuditEvent{Action: "app.create", Outcome: "failure", Actor: "admin",
			Detail: map[string]string{"name": "", "permissions": "", "via": "console", "reason": "invalid"}}, 0},
		{"rename", person, func(ctx context.Context, s *identity.Service, id string) error {
			return second(s.UpdateApp(ctx, person, realm, id, identity.AppPatch{Name: ptr("job 2")}))
		}, store.AuditEvent{Action: "app.update", Outcome: "success", Actor: "admin", Target: "app",
			Detail: map[string]string{"name": "job 2", "clientId": "client", "via": "console"}}, 0},
		{"disable", admin, func(ctx context.Context, s *identity.Service, id string) error {
			return second(s.UpdateApp(ctx, admin, realm, id, identity.AppPatch{Enabled: ptr(false)}))
		}, store.AuditEvent{Action: "app.update", Outcome: "success", Actor: "admin-client", Target: "app",
			Detail: map[string]string{"enabled": "false", "name": "job", "clientId": "client"}}, 1},
		{"disable missing", admin, func(ctx context.Context, s *identity.Service, _ string) error {
			return second(s.UpdateApp(ctx, admin, realm, "nope", identity.AppPatch{Enabled: ptr(false)}))
		}, store.AuditEvent{Action: "app.update", Outcome: "failure", Actor: "admin-client", Target: "nope",
			Detail: map[string]string{"enabled": "false", "reason": "not_found"}}, 0},
		{"rotate", admin, func(ctx context.Context, s *identity.Service, id string) error {
			return second2(s.RotateSecret(ctx, admin, realm, id, time.Hour))
		}, store.AuditEvent{Action: "app.rotate-secret", Outcome: "success", Actor: "admin-client", Target: "app",
			Detail: map[string]string{"grace": "1h0m0s", "name": "job", "clientId": "client"}}, 0},
		{"rotate too long", admin, func(ctx context.Context, s *identity.Service, id string) error {
			return second2(s.RotateSecret(ctx, admin, realm, id, 10000*time.Hour))
		}, store.AuditEvent{Action: "app.rotate-secret", Outcome: "failure", Actor: "admin-client", Target: "app",
			Detail: map[string]string{"grace": "10000h0m0s", "reason": "invalid"}}, 0},
		{"grant unknown", admin, func(ctx context.Context, s *identity.Service, id string) error {
			return second(s.GrantPermissions(ctx, admin, realm, id, []identity.PermissionRef{{Audience: "nope-api", Definition: "read:*"}}))
		}, store.AuditEvent{Action: "app.permissions.add", Outcome: "failure", Actor: "admin-client", Target: "app",
			Detail: map[string]string{"permissions": "nope-api:read:*", "reason": "invalid"}}, 0},
		{"delete", person, func(ctx context.Context, s *identity.Service, id string) error {
			return second(s.DeleteApp(ctx, person, realm, id))
		}, store.AuditEvent{Action: "app.delete", Outcome: "success", Actor: "admin", Target: "app",
			Detail: map[string]string{"name": "job", "clientId": "client", "via": "console"}}, 1},
		{"grant names the application", admin, func(ctx context.Context, s *identity.Service, id string) error {
			return second(s.GrantPermissions(ctx, admin, realm, id, nil))
		}, store.AuditEvent{Action: "app.permissions.add", Outcome: "success", Actor: "admin-client", Target: "app",
			Detail: map[string]string{"permissions": "", "name": "job", "clientId": "client"}}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			s, _, _ := newService(t)
			app, _, err := s.NewApplication(ctx, op, realm, "job", nil)
			if err != nil {
				t.Fatal(err)
			}
			var evs events
			hooks := 0
			s.Trail = audit.NewTrail(&evs, nil, nil)
			s.OnChange = func(_ context.Context, r string) {
				if r == realm {
					hooks++
				}
			}
			tc.do(ctx, s, app.ID)
			if len(evs) != 1 {
				t.Fatalf("%d events, want exactly 1: %+v", len(evs), evs)
			}
			got := evs[0]
			if got.Target == app.ID {
				got.Target = "app"
			}
			if got.Detail["clientId"] == app.ClientID {
				got.Detail["clientId"] = "client"
			}
			if tc.name == "create" {
				got.Target = ""
				delete(got.Detail, "clientId")
			}
			want := tc.want
			want.Realm = realm
			if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(store.AuditEvent{}, "Time", "ID")); diff != "" {
				t.Errorf("event (-want +got):\n%s", diff)
			}
			if hooks != tc.hooks {
				t.Errorf("hook ran %d times, want %d", hooks, tc.hooks)
			}
		})
	}
}

// TestNoSelfLockout: an application cannot disable or delete itself; a person can.
func TestNoSelfLockout(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, _, _ := newService(t)
	app, _, err := s.NewApplication(ctx, op, realm, "admin app", nil)
	if err != nil {
		t.Fatal(err)
	}
	self := audit.Actor{Kind: audit.KindClient, ID: app.ClientID, Source: audit.SourceAPI}
	if _, err := s.UpdateApp(ctx, self, realm, app.ID, identity.AppPatch{Enabled: ptr(false)}); !errors.Is(err, identity.ErrSelf) || !errors.Is(err, store.ErrConflict) {
		t.Errorf("disable self: %v, want ErrSelf (a conflict)", err)
	}
	if _, err := s.DeleteApp(ctx, self, realm, app.ID); !errors.Is(err, identity.ErrSelf) {
		t.Errorf("delete self: %v, want ErrSelf", err)
	}
	if _, err := s.UpdateApp(ctx, self, realm, app.ID, identity.AppPatch{Name: ptr("renamed")}); err != nil {
		t.Errorf("rename self: %v", err)
	}
	person := audit.Actor{Kind: audit.KindUser, ID: app.ClientID, Source: audit.SourceConsole}
	if _, err := s.DeleteApp(ctx, person, realm, app.ID); err != nil {
		t.Errorf("a person whose name is the client id: %v", err)
	}
}

func second2[A, B any](_ A, _ B, err error) error { return err }
