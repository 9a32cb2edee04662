package storetest

import (
	"errors"
	"sync"
	"testing"

	"github.com/gatehouse/gatehouse/internal/store"
)

func session(realm, key, userID string) store.ConsoleSession {
	return store.ConsoleSession{Key: key, Realm: realm, UserID: userID, Username: "user-" + userID,
		CreatedAt: at(10), LastSeen: at(11)}
}

var sessionTests = []test{
	{"Session/RoundTripAndUpdate", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		seed(t, s)
		must(t, s.CreateUser(ctx, user("r1", "u1", "alice")))
		cs := session("r1", "k1", "u1")
		must(t, s.CreateSession(ctx, cs))
		wantErr(t, "same key", s.CreateSession(ctx, cs), store.ErrAlreadyExists)
		got, err := s.GetSession(ctx, "k1")
		must(t, err)
		diff(t, "GetSession", cs, got)
		_, err = s.GetSession(ctx, "missing")
		wantErr(t, "get missing", err, store.ErrNotFound)

		rev, err := s.Revision(ctx)
		must(t, err)
		sealed := []byte{0, 1, 2, 0xff}
		got, err = s.UpdateSession(ctx, "k1", func(c store.ConsoleSession) (store.ConsoleSession, error) {
			c.LastSeen, c.Flash, c.Reveal = at(20), "Saved.", sealed
			c.Key, c.UserID, c.CreatedAt = "other", "u9", at(99) // cannot change
			return c, nil
		})
		must(t, err)
		want := cs
		want.LastSeen, want.Flash, want.Reveal = at(20), "Saved.", sealed
		diff(t, "UpdateSession result", want, got)
		got, err = s.GetSession(ctx, "k1")
		must(t, err)
		diff(t, "after UpdateSession", want, got)
		if r, err := s.Revision(ctx); err != nil || r != rev {
			t.Errorf("session writes moved the revision %d → %d (%v)", rev, r, err)
		}

		boom := errors.New("boom")
		_, err = s.UpdateSession(ctx, "k1", func(c store.ConsoleSession) (store.ConsoleSession, error) {
			c.Flash = "lost"
			return c, boom
		})
		wantErr(t, "fn error", err, boom)
		got, err = s.GetSession(ctx, "k1")
		must(t, err)
		diff(t, "after failed update", want, got)
		_, err = s.UpdateSession(ctx, "missing", func(c store.ConsoleSession) (store.ConsoleSession, error) { return c, nil })
		wantErr(t, "update missing", err, store.ErrNotFound)

		got, err = s.UpdateSession(ctx, "k1", func(c store.ConsoleSession) (store.ConsoleSession, error) {
			c.Reveal, c.Flash = nil, ""
			return c, nil
		})
		must(t, err)
		if got.Reveal != nil || got.Flash != "" {
			t.Errorf("cleared reveal and flash: %+v", got)
		}
		must(t, s.DeleteSession(ctx, "k1"))
		wantErr(t, "delete again", s.DeleteSession(ctx, "k1"), store.ErrNotFound)
		_, err = s.GetSession(ctx, "k1")
		wantErr(t, "get deleted", err, store.ErrNotFound)
	}},
	{"Session/TakeOnce", func(t *testing.T, s store.Store) {
		// Concurrent requests that take a one-time value: exactly one gets it.
		ctx := t.Context()
		seed(t, s)
		must(t, s.CreateUser(ctx, user("r1", "u1", "alice")))
		cs := session("r1", "k1", "u1")
		cs.Reveal = []byte("sealed-secret")
		must(t, s.CreateSession(ctx, cs))
		var mu sync.Mutex
		taken := 0
		var wg sync.WaitGroup
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var got []byte
				_, err := s.UpdateSession(ctx, "k1", func(c store.ConsoleSession) (store.ConsoleSession, error) {
					got, c.Reveal = c.Reveal, nil
					return c, nil
				})
				if err != nil {
					t.Error(err)
					return
				}
				if got != nil {
					mu.Lock()
					taken++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if taken != 1 {
			t.Fatalf("the one-time value was taken %d times", taken)
		}
	}},
	{"Session/DeleteUserAndPurge", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		seed(t, s)
		must(t, s.CreateUser(ctx, user("r1", "u1", "alice")))
		must(t, s.CreateUser(ctx, user("r1", "u2", "bob")))
		must(t, s.CreateUser(ctx, user("r2", "u3", "carol")))
		old := session("r1", "old", "u2")
		old.CreatedAt, old.LastSeen = at(0), at(100)
		idle := session("r1", "idle", "u2")
		idle.CreatedAt, idle.LastSeen = at(50), at(50)
		live := session("r2", "c1", "u3")
		live.LastSeen = at(100)
		for _, cs := range []store.ConsoleSession{session("r1", "a1", "u1"), session("r1", "a2", "u1"), old, idle, live} {
			must(t, s.CreateSession(ctx, cs))
		}
		n, err := s.DeleteUserSessions(ctx, "r2", "u1") // another realm's user id: nothing
		must(t, err)
		if n != 0 {
			t.Errorf("DeleteUserSessions across realms removed %d", n)
		}
		n, err = s.DeleteUserSessionsExcept(ctx, "r1", "u1", "a1")
		must(t, err)
		if n != 1 {
			t.Errorf("DeleteUserSessionsExcept removed %d, want 1", n)
		}
		if _, err := s.GetSession(ctx, "a1"); err != nil {
			t.Errorf("the kept session: %v", err)
		}
		must(t, s.CreateSession(ctx, session("r1", "a2", "u1")))
		n, err = s.DeleteUserSessions(ctx, "r1", "u1")
		must(t, err)
		if n != 2 {
			t.Errorf("DeleteUserSessions removed %d, want 2", n)
		}
		// Purge: idle since before at(60), or created before at(5).
		n, err = s.PurgeSessions(ctx, at(60), at(5))
		must(t, err)
		if n != 2 {
			t.Errorf("PurgeSessions removed %d, want 2 (old, idle)", n)
		}
		for _, k := range []string{"a1", "a2", "old", "idle"} {
			_, err := s.GetSession(ctx, k)
			wantErr(t, "gone "+k, err, store.ErrNotFound)
		}
		_, err = s.GetSession(ctx, "c1")
		must(t, err)
		// Deleting the user deletes their sessions.
		must(t, s.DeleteUser(ctx, "r2", "u3"))
		_, err = s.GetSession(ctx, "c1")
		wantErr(t, "session of a deleted user", err, store.ErrNotFound)
		// A session needs an existing user.
		wantErr(t, "unknown user", s.CreateSession(ctx, session("r1", "x", "nobody")), store.ErrNotFound)
	}},
}
