package storetest

import (
	"testing"

	"github.com/gatehouse/gatehouse/internal/store"
)

var userTests = []test{
	{"User/RoundTrip", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		seed(t, s)
		u := user("r1", "u1", "demo")
		bare := store.User{ID: "u2", Realm: "r1", Username: "bare"}
		must(t, s.CreateUser(ctx, u))
		must(t, s.CreateUser(ctx, bare))
		got, err := s.GetUser(ctx, "r1", "u1")
		must(t, err)
		diff(t, "GetUser", u, got)
		got, err = s.GetUserByUsername(ctx, "r1", "demo")
		must(t, err)
		diff(t, "GetUserByUsername", u, got)
		got, err = s.GetUser(ctx, "r1", "u2")
		must(t, err)
		diff(t, "zero-valued user", bare, got)
	}},
	{"User/Errors", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		seed(t, s)
		must(t, s.CreateUser(ctx, user("r1", "u1", "demo")))
		for _, tc := range []struct {
			name string
			user store.User
			want error
		}{
			{"same id", user("r1", "u1", "other"), store.ErrAlreadyExists},
			{"same username", user("r1", "u2", "demo"), store.ErrAlreadyExists},
			{"same username other realm", user("r2", "u3", "demo"), nil},
			{"missing realm", user("nope", "u4", "x"), store.ErrNotFound},
		} {
			wantErr(t, tc.name, s.CreateUser(ctx, tc.user), tc.want)
		}
		_, err := s.GetUser(ctx, "r2", "u1")
		wantErr(t, "get other realm", err, store.ErrNotFound)
		_, err = s.GetUserByUsername(ctx, "r1", "nobody")
		wantErr(t, "get missing username", err, store.ErrNotFound)
		_, err = s.UpdateUser(ctx, "r2", "u1", func(u store.User) (store.User, error) { return u, nil })
		wantErr(t, "update other realm", err, store.ErrNotFound)
		wantErr(t, "delete other realm", s.DeleteUser(ctx, "r2", "u1"), store.ErrNotFound)
		must(t, s.DeleteUser(ctx, "r1", "u1"))
		_, err = s.GetUser(ctx, "r1", "u1")
		wantErr(t, "get deleted", err, store.ErrNotFound)
		wantErr(t, "delete again", s.DeleteUser(ctx, "r1", "u1"), store.ErrNotFound)
		must(t, s.CreateUser(ctx, user("r1", "u5", "demo"))) // username free again
	}},
	{"User/Update", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		seed(t, s)
		must(t, s.CreateUser(ctx, user("r1", "u1", "demo")))
		must(t, s.CreateUser(ctx, user("r1", "u2", "taken")))
		want := user("r1", "u1", "demo2")
		want.Enabled, want.Roles, want.Email, want.UpdatedAt = false, nil, "new@example.com", at(50)
		got, err := s.UpdateUser(ctx, "r1", "u1", func(u store.User) (store.User, error) {
			diff(t, "fn argument", user("r1", "u1", "demo"), u)
			w := want
			w.ID, w.Realm = "x", "r2"
			return w, nil
		})
		must(t, err)
		diff(t, "UpdateUser result", want, got)
		stored, err := s.GetUserByUsername(ctx, "r1", "demo2")
		must(t, err)
		diff(t, "stored", want, stored)
		_, err = s.UpdateUser(ctx, "r1", "u1", failing[store.User])
		wantErr(t, "failing fn", err, errBoom)
		_, err = s.UpdateUser(ctx, "r1", "u1", func(u store.User) (store.User, error) {
			u.Username = "taken"
			return u, nil
		})
		wantErr(t, "username taken", err, store.ErrAlreadyExists)
		stored, err = s.GetUser(ctx, "r1", "u1")
		must(t, err)
		diff(t, "after failed updates", want, stored)
	}},
}
