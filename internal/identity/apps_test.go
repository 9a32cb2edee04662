package identity_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/gatehouse/gatehouse/internal/identity"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
)

const realm = "camunda-platform"

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// newService returns an identity service on a fresh SQLite store with realms
// "camunda-platform" and "other", both with the preset APIs.
func newService(t *testing.T) (*identity.Service, store.Store, *clock) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, sqlstore.SQLite, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clk := &clock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	s := identity.New(st, clk.Now, 2)
	for _, r := range []string{realm, "other"} {
		if _, err := s.EnsureRealm(ctx, store.Realm{Name: r, SigningAlg: "RS256", TokenLifetime: 5 * time.Minute}); err != nil {
			t.Fatal(err)
		}
		if err := s.EnsurePresets(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	return s, st, clk
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantIs(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("%s: err = %v, want %v", what, err, target)
	}
}

func ptr[T any](v T) *T { return &v }

func TestCheckName(t *testing.T) {
	long := make([]rune, 256)
	for i := range long {
		long[i] = 'é'
	}
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"billing-job", true}, {"Zahlungslauf für Kunden", true}, {string(long[:255]), true},
		{"", false}, {" padded", false}, {"padded ", false}, {"tab\tinside", false}, {"nul\x00", false},
		{"rtl\u202eoverride", false}, {"isolate\u2066x", false}, {string(long), false}, {"\xff\xfe", false},
	} {
		err := identity.CheckName("name", tc.name)
		if (err == nil) != tc.ok {
			t.Errorf("CheckName(%q) = %v, want ok=%v", tc.name, err, tc.ok)
		}
		if err != nil && !errors.Is(err, identity.ErrInvalid) {
			t.Errorf("CheckName(%q) error %v is not ErrInvalid", tc.name, err)
		}
	}
}

func TestNewApplication(t *testing.T) {
	s, _, _ := newService(t)
	ctx := context.Background()
	app, secret, err := s.NewApplication(ctx, op, realm, "billing-job", []identity.PermissionRef{
		{Audience: "console-api", Definition: "read:*"}, {Audience: "console-api", Definition: "read:*"},
		{Audience: identity.AudienceModeler, Definition: "read:*"}})
	must(t, err)
	if len(app.ClientID) != 32 || app.Source != "api" || !app.Enabled || len(app.Secrets) != 1 {
		t.Errorf("app = %+v", app)
	}
	if _, err := s.Authenticate(ctx, realm, app.ClientID, secret); err != nil {
		t.Errorf("new secret does not authenticate: %v", err)
	}
	perms, err := s.Permissions(ctx, realm, app.ID)
	must(t, err)
	if len(perms) != 2 || perms[0] != (identity.PermissionRef{Audience: "console-api", Definition: "read:*"}) {
		t.Errorf("permissions = %v", perms)
	}
	for name, refs := range map[string][]identity.PermissionRef{
		"unknown api":        {{Audience: "nope-api", Definition: "read:*"}},
		"unknown definition": {{Audience: "console-api", Definition: "delete:*"}},
		"bad audience":       {{Audience: "console api", Definition: "read:*"}},
		"bad definition":     {{Audience: "console-api", Definition: "read all"}},
	} {
		_, _, err := s.NewApplication(ctx, op, realm, "x", refs)
		wantIs(t, name, err, identity.ErrInvalid)
	}
	_, _, err = s.NewApplication(ctx, op, realm, "", nil)
	wantIs(t, "empty name", err, identity.ErrInvalid)
	_, total, err := s.ListApps(ctx, realm, store.ListOptions{})
	must(t, err)
	if total != 1 {
		t.Errorf("failed creations left applications behind: total = %d", total)
	}
}

func TestUpdateAndDeleteApp(t *testing.T) {
	s, _, clk := newService(t)
	ctx := context.Background()
	app, secret, err := s.NewApplication(ctx, op, realm, "job", nil)
	must(t, err)
	// Warm the client cache, then disable: authentication must fail at once.
	if _, err := s.Authenticate(ctx, realm, app.ClientID, secret); err != nil {
		t.Fatal(err)
	}
	got, err := s.UpdateApp(ctx, op, realm, app.ID, identity.AppPatch{Enabled: ptr(false), Name: ptr("job 2")})
	must(t, err)
	if got.Enabled || got.Name != "job 2" {
		t.Errorf("after patch: %+v", got)
	}
	wantIs(t, "disabled app authenticates", authErr(s, app.ClientID, secret), identity.ErrInvalidClient)
	issued := clk.Now() // a token issued before the disabling
	if ok, err := s.ClientActive(ctx, realm, app.ClientID, app.ID, issued); ok || err != nil {
		t.Errorf("ClientActive of a disabled app = %v, %v", ok, err)
	}
	clk.Advance(2 * time.Second)
	_, err = s.UpdateApp(ctx, op, realm, app.ID, identity.AppPatch{Enabled: ptr(true)})
	must(t, err)
	if ok, err := s.ClientActive(ctx, realm, app.ClientID, app.ID, issued); ok || err != nil {
		t.Errorf("ClientActive of a re-enabled app's token from before the disabling = %v, %v", ok, err)
	}
	if ok, err := s.ClientActive(ctx, realm, app.ClientID, app.ID, clk.Now()); !ok || err != nil {
		t.Errorf("ClientActive of a re-enabled app's new token = %v, %v", ok, err)
	}
	if _, err := s.Authenticate(ctx, realm, app.ClientID, secret); err != nil {
		t.Errorf("re-enabled app authenticates: %v", err)
	}
	if ok, _ := s.ClientActive(ctx, realm, app.ClientID, "another-subject", clk.Now()); ok {
		t.Error("ClientActive accepted a token whose subject is another application")
	}
	_, err = s.UpdateApp(ctx, op, realm, app.ID, identity.AppPatch{})
	wantIs(t, "empty patch", err, identity.ErrInvalid)
	_, err = s.UpdateApp(ctx, op, realm, app.ID, identity.AppPatch{Name: ptr("")})
	wantIs(t, "empty name", err, identity.ErrInvalid)
	_, err = s.UpdateApp(ctx, op, "other", app.ID, identity.AppPatch{Enabled: ptr(false)})
	wantIs(t, "other realm", err, store.ErrNotFound)
	wantIs(t, "delete from other realm", second(s.DeleteApp(ctx, op, "other", app.ID)), store.ErrNotFound)
	must(t, second(s.DeleteApp(ctx, op, realm, app.ID)))
	wantIs(t, "deleted app authenticates", authErr(s, app.ClientID, secret), identity.ErrInvalidClient)
	if ok, err := s.ClientActive(ctx, realm, app.ClientID, app.ID, clk.Now()); ok || err != nil {
		t.Errorf("ClientActive of a deleted app = %v, %v", ok, err)
	}
	wantIs(t, "delete twice", second(s.DeleteApp(ctx, op, realm, app.ID)), store.ErrNotFound)
}

func authErr(s *identity.Service, clientID, secret string) error {
	_, err := s.Authenticate(context.Background(), realm, clientID, secret)
	return err
}

func TestRotateSecretGrace(t *testing.T) {
	s, _, clk := newService(t)
	ctx := context.Background()
	app, first, err := s.NewApplication(ctx, op, realm, "job", nil)
	must(t, err)

	_, second, err := s.RotateSecret(ctx, op, realm, app.ID, 10*time.Minute)
	must(t, err)
	if second == first {
		t.Fatal("rotation returned the old secret")
	}
	for _, sec := range []string{first, second} {
		if err := authErr(s, app.ClientID, sec); err != nil {
			t.Errorf("inside the grace period: %v", err)
		}
	}
	clk.Advance(10*time.Minute - time.Second)
	must(t, authErr(s, app.ClientID, first))
	clk.Advance(time.Second)
	wantIs(t, "old secret after the grace period", authErr(s, app.ClientID, first), identity.ErrInvalidClient)
	must(t, authErr(s, app.ClientID, second))

	// Grace 0: the old secret dies now. A rotation also ends an earlier grace period.
	issued := clk.Now()
	_, third, err := s.RotateSecret(ctx, op, realm, app.ID, time.Hour)
	must(t, err)
	if ok, err := s.ClientActive(ctx, realm, app.ClientID, app.ID, issued); !ok || err != nil {
		t.Errorf("a token from before a rotation with grace: active %v, %v", ok, err)
	}
	got, fourth, err := s.RotateSecret(ctx, op, realm, app.ID, 0)
	must(t, err)
	// Grace 0 revokes the secret in use and the tokens it got.
	if ok, err := s.ClientActive(ctx, realm, app.ClientID, app.ID, issued); ok || err != nil {
		t.Errorf("a token from before a rotation without grace: active %v, %v", ok, err)
	}
	clk.Advance(time.Second) // past the not-before's second, or a token request waits for it
	if len(got.Secrets) != 1 {
		t.Errorf("secrets after a rotation without grace: %d", len(got.Secrets))
	}
	for _, sec := range []string{second, third} {
		wantIs(t, "old secret after grace 0", authErr(s, app.ClientID, sec), identity.ErrInvalidClient)
	}
	must(t, authErr(s, app.ClientID, fourth))

	// At most two secrets are valid, however often one rotates.
	for range 3 {
		_, _, err = s.RotateSecret(ctx, op, realm, app.ID, time.Hour)
		must(t, err)
	}
	got, err = s.GetApp(ctx, realm, app.ID)
	must(t, err)
	if len(got.Secrets) != 2 {
		t.Errorf("secrets after repeated rotation: %d, want 2", len(got.Secrets))
	}

	for _, g := range []time.Duration{-time.Second, identity.MaxGrace + time.Second} {
		_, _, err = s.RotateSecret(ctx, op, realm, app.ID, g)
		wantIs(t, "grace "+g.String(), err, identity.ErrInvalid)
	}
	_, _, err = s.RotateSecret(ctx, op, "other", app.ID, 0)
	wantIs(t, "other realm", err, store.ErrNotFound)
}

func TestConfiguredAppsKeepNameAndSecret(t *testing.T) {
	s, st, _ := newService(t)
	ctx := context.Background()
	_, err := s.Seed(ctx, realm, []identity.ClientSpec{{Name: "zeebe", ID: "zeebe", Secret: "zeebe-secret"}})
	must(t, err)
	app, err := st.GetAppByClientID(ctx, realm, "zeebe")
	must(t, err)
	_, _, err = s.RotateSecret(ctx, op, realm, app.ID, 0)
	wantIs(t, "rotate", err, store.ErrConflict)
	_, err = s.UpdateApp(ctx, op, realm, app.ID, identity.AppPatch{Name: ptr("renamed")})
	wantIs(t, "rename", err, store.ErrConflict)
	var ce *identity.ConflictError
	if !errors.As(err, &ce) || ce.Reason == "" {
		t.Errorf("conflict carries no reason: %v", err)
	}
	_, err = s.UpdateApp(ctx, op, realm, app.ID, identity.AppPatch{Enabled: ptr(false)})
	must(t, err)
}

// TestConcurrentRotateAndDelete: one coherent end state (checklist D12).
func TestConcurrentRotateAndDelete(t *testing.T) {
	s, st, _ := newService(t)
	ctx := context.Background()
	app, _, err := s.NewApplication(ctx, op, realm, "job", nil)
	must(t, err)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var secrets []string
	for i := range 20 {
		wg.Go(func() {
			if i%5 == 4 {
				if _, err := s.DeleteApp(ctx, op, realm, app.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
					t.Errorf("delete: %v", err)
				}
				return
			}
			_, sec, err := s.RotateSecret(ctx, op, realm, app.ID, time.Minute)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				t.Errorf("rotate: %v", err)
			}
			if err == nil {
				mu.Lock()
				secrets = append(secrets, sec)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	_, err = st.GetApp(ctx, realm, app.ID)
	wantIs(t, "app after delete", err, store.ErrNotFound)
	for _, sec := range secrets {
		wantIs(t, "secret of a deleted app", authErr(s, app.ClientID, sec), identity.ErrInvalidClient)
	}
}
