package identity_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse/gatehouse/internal/audit"
	"github.com/gatehouse/gatehouse/internal/identity"
	"github.com/gatehouse/gatehouse/internal/store"
)

func TestUsers(t *testing.T) {
	s, st, _ := newService(t)
	ctx := context.Background()
	u, err := s.CreateUser(ctx, op, realm, identity.UserSpec{Username: "Demo", Password: "correct horse", Email: "demo@acme.com",
		FirstName: "Demo", LastName: "User", Roles: []string{"Operate", "Web Modeler Admin"}})
	must(t, err)
	if u.Username != "demo" || !u.Enabled || !strings.HasPrefix(u.PasswordHash, "$argon2id$") {
		t.Errorf("user = %+v", u)
	}
	if ok, _ := identity.CheckPassword(u.PasswordHash, "correct horse"); !ok {
		t.Error("stored hash does not verify the password")
	}
	_, err = s.CreateUser(ctx, op, realm, identity.UserSpec{Username: "demo", Password: "another one"})
	wantIs(t, "taken username", err, store.ErrAlreadyExists)

	for name, spec := range map[string]identity.UserSpec{
		"short password": {Username: "a", Password: "short"},
		"bad username":   {Username: "a b", Password: "long enough"},
		"bad email":      {Username: "b", Password: "long enough", Email: "no-at-sign"},
		"two at signs":   {Username: "b", Password: "long enough", Email: "a@b@c"},
		"bad role":       {Username: "b", Password: "long enough", Roles: []string{""}},
		"duplicate role": {Username: "b", Password: "long enough", Roles: []string{"x", "x"}},
		"bad first name": {Username: "b", Password: "long enough", FirstName: "a\u202eb"},
	} {
		_, err := s.CreateUser(ctx, op, realm, spec)
		wantIs(t, name, err, identity.ErrInvalid)
	}

	got, err := s.UpdateUser(ctx, op, realm, u.ID, identity.UserPatch{Enabled: ptr(false), Password: ptr("new password!")})
	must(t, err)
	if got.Enabled {
		t.Error("still enabled")
	}
	if ok, _ := identity.CheckPassword(got.PasswordHash, "new password!"); !ok {
		t.Error("password not changed")
	}
	_, err = s.UpdateUser(ctx, op, realm, u.ID, identity.UserPatch{})
	wantIs(t, "empty patch", err, identity.ErrInvalid)
	_, err = s.UpdateUser(ctx, op, "other", u.ID, identity.UserPatch{Enabled: ptr(true)})
	wantIs(t, "other realm", err, store.ErrNotFound)

	got, err = s.AddRoles(ctx, op, realm, u.ID, []string{"Zeebe", "Operate"})
	must(t, err)
	if d := cmp.Diff([]string{"Operate", "Web Modeler Admin", "Zeebe"}, got.Roles); d != "" {
		t.Errorf("roles after add (-want +got):\n%s", d)
	}
	got, err = s.RemoveRoles(ctx, op, realm, u.ID, []string{"Operate", "Tasklist"})
	must(t, err)
	if d := cmp.Diff([]string{"Web Modeler Admin", "Zeebe"}, got.Roles); d != "" {
		t.Errorf("roles after remove (-want +got):\n%s", d)
	}
	list, total, err := s.ListUsers(ctx, realm, store.ListOptions{})
	must(t, err)
	if total != 1 || len(list) != 1 {
		t.Errorf("list = %d/%d", len(list), total)
	}
	wantIs(t, "delete in other realm", second(s.DeleteUser(ctx, op, "other", u.ID)), store.ErrNotFound)
	must(t, second(s.DeleteUser(ctx, op, realm, u.ID)))
	_, err = st.GetUser(ctx, realm, u.ID)
	wantIs(t, "deleted", err, store.ErrNotFound)
}

func TestSeedUsers(t *testing.T) {
	s, st, _ := newService(t)
	ctx := context.Background()
	demo := identity.UserSpec{Username: "demo", Password: "demo", Email: "demo@acme.com", Roles: []string{"Identity"}}
	res, err := s.SeedUsers(ctx, realm, []identity.UserSpec{demo})
	must(t, err)
	if res[0].Action != "created" {
		t.Errorf("first seed: %+v", res)
	}
	res, err = s.SeedUsers(ctx, realm, []identity.UserSpec{demo})
	must(t, err)
	if res[0].Action != "unchanged" {
		t.Errorf("second seed: %+v", res)
	}
	u, err := st.GetUserByUsername(ctx, realm, "demo")
	must(t, err)
	_, err = s.AddRoles(ctx, op, realm, u.ID, []string{"Operate"})
	must(t, err)
	demo.Password, demo.Roles = "changed", []string{"Zeebe"}
	res, err = s.SeedUsers(ctx, realm, []identity.UserSpec{demo})
	must(t, err)
	if res[0].Action != "updated" {
		t.Errorf("changed seed: %+v", res)
	}
	u, err = st.GetUserByUsername(ctx, realm, "demo")
	must(t, err)
	if ok, _ := identity.CheckPassword(u.PasswordHash, "changed"); !ok {
		t.Error("seeded password not replaced")
	}
	if d := cmp.Diff([]string{"Identity", "Operate", "Zeebe"}, u.Roles); d != "" {
		t.Errorf("roles (-want +got):\n%s", d)
	}
	_, err = s.SeedUsers(ctx, realm, []identity.UserSpec{{Username: "x y", Password: "p"}})
	wantIs(t, "bad seed", err, identity.ErrInvalid)
}

// TestPasswordChangeEndsSessions: a password change or reset ends every console session
// of the user, except the one a user changed their own password from.
func TestPasswordChangeEndsSessions(t *testing.T) {
	s, st, _ := newService(t)
	ctx := t.Context()
	u, err := s.CreateUser(ctx, op, realm, identity.UserSpec{Username: "demo", Password: "correct horse"})
	must(t, err)
	other, err := s.CreateUser(ctx, op, realm, identity.UserSpec{Username: "other", Password: "correct horse"})
	must(t, err)
	open := func(keys ...string) {
		for _, k := range keys {
			must(t, st.CreateSession(ctx, store.ConsoleSession{Key: k, Realm: realm, UserID: u.ID, Username: u.Username,
				CreatedAt: u.CreatedAt, LastSeen: u.CreatedAt}))
		}
	}
	alive := func(k string) bool {
		_, err := st.GetSession(ctx, k)
		return err == nil
	}
	open("a", "b", "c")
	must(t, st.CreateSession(ctx, store.ConsoleSession{Key: "o", Realm: realm, UserID: other.ID, Username: other.Username,
		CreatedAt: u.CreatedAt, LastSeen: u.CreatedAt}))

	// Another user's change without a password: nothing ends.
	_, err = s.UpdateUser(ctx, op, realm, u.ID, identity.UserPatch{Email: ptr("demo@acme.com")})
	must(t, err)
	if !alive("a") || !alive("b") || !alive("c") {
		t.Fatal("a profile change ended sessions")
	}
	// A reset by someone else ends all of them, whatever session it names.
	_, err = s.UpdateUser(ctx, op, realm, u.ID, identity.UserPatch{Password: ptr("new password 1"), KeepSession: "a"})
	must(t, err)
	if alive("a") || alive("b") || alive("c") {
		t.Error("a reset by an administrator left sessions")
	}
	// A self-service change keeps the session it came from.
	open("a", "b")
	self := audit.Actor{Kind: audit.KindUser, ID: "demo", Source: audit.SourceConsole}
	_, err = s.UpdateUser(ctx, self, realm, u.ID, identity.UserPatch{Password: ptr("new password 2"), KeepSession: "a"})
	must(t, err)
	if !alive("a") || alive("b") {
		t.Errorf("self-service change: current alive %v, other alive %v", alive("a"), alive("b"))
	}
	if !alive("o") {
		t.Error("another user's session ended")
	}
}
