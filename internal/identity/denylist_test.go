package identity

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/accesstoken"
	"github.com/gatehouse/gatehouse/internal/store"
)

// denyStore is the part of store.Store the deny-list reads, in memory.
type denyStore struct {
	store.Store // nil: any other method panics
	mu          sync.Mutex
	rev         int64
	apps        []store.Application
	revs        []store.Revocation
	fail        bool
	lists       int
}

func (s *denyStore) Revision(context.Context) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail {
		return 0, store.ErrUnavailable
	}
	return s.rev, nil
}

func (s *denyStore) ListRevocations(_ context.Context, at time.Time) ([]store.Revocation, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []store.Revocation
	for _, r := range s.revs {
		if r.ExpiresAt.After(at) {
			out = append(out, r)
		}
	}
	return out, nil
}

func (s *denyStore) AppStates(_ context.Context, realm string) (map[string]store.AppState, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lists++
	out := map[string]store.AppState{}
	for _, a := range s.apps {
		if a.Realm == realm {
			out[a.ID] = store.AppState{Enabled: a.Enabled, NotBefore: a.NotBefore}
		}
	}
	return out, nil
}

func (s *denyStore) change(fn func(*denyStore)) {
	s.mu.Lock()
	fn(s)
	s.rev++
	s.mu.Unlock()
}

func TestDenyList(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	st := &denyStore{apps: []store.Application{
		{ID: "a1", Realm: "r", Enabled: true},
		{ID: "a2", Realm: "r", Enabled: true},
		{ID: "other-realm", Realm: "q", Enabled: false},
	}}
	d := NewDenyList(st, "r", clock)
	tok := func(sub, jti string, iat time.Time) *accesstoken.Claims {
		return &accesstoken.Claims{Subject: sub, ID: jti, IssuedAt: accesstoken.NumericDate(iat.Unix())}
	}
	if d.Denied(tok("gone", "j", now.Add(-time.Hour))) {
		t.Fatal("denied before the first refresh")
	}
	if err := d.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		c    *accesstoken.Claims
		want bool
	}{
		{"enabled app", tok("a1", "j1", now), false},
		{"unknown app, older token", tok("gone", "j1", now.Add(-time.Second)), true},
		{"unknown app, token issued since the snapshot", tok("new", "j1", now), false},
		{"app of another realm", tok("other-realm", "j1", now.Add(-time.Minute)), true},
	}
	for _, c := range cases {
		if got := d.Denied(c.c); got != c.want {
			t.Errorf("%s: Denied = %v, want %v", c.name, got, c.want)
		}
	}

	// Disable a1, delete a2, revoke a jti (another realm's revocation must not count).
	st.change(func(s *denyStore) {
		s.apps[0].Enabled = false
		s.apps = append(s.apps[:1], s.apps[2:]...)
		s.revs = append(s.revs, store.Revocation{JTI: "revoked", Realm: "r", ExpiresAt: now.Add(time.Minute)},
			store.Revocation{JTI: "foreign", Realm: "q", ExpiresAt: now.Add(time.Minute)})
	})
	issued := now.Add(-10 * time.Second)
	now = now.Add(time.Second) // the next refresh, one interval later
	if err := d.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		c    *accesstoken.Claims
		want bool
	}{
		{"disabled app", tok("a1", "x", issued), true},
		{"deleted app", tok("a2", "x", issued), true},
		{"revoked jti", &accesstoken.Claims{Subject: "new", ID: "revoked", IssuedAt: accesstoken.NumericDate(now.Unix())}, true},
		{"another realm's revocation", &accesstoken.Claims{Subject: "new", ID: "foreign", IssuedAt: accesstoken.NumericDate(now.Unix())}, false},
	} {
		if got := d.Denied(c.c); got != c.want {
			t.Errorf("%s: Denied = %v, want %v", c.name, got, c.want)
		}
	}

	// Re-enabled with a not-before: its tokens from before stay refused, those of the
	// not-before's second too (iat has whole seconds), later ones work.
	nb := now.Truncate(time.Second).Add(time.Second)
	st.change(func(s *denyStore) { s.apps[0].Enabled, s.apps[0].NotBefore = true, nb })
	if err := d.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		c    *accesstoken.Claims
		want bool
	}{
		{"re-enabled app, token from before the disabling", tok("a1", "x", issued), true},
		{"re-enabled app, token of the second before the not-before", tok("a1", "x", nb.Add(-time.Millisecond)), true},
		{"re-enabled app, token at the not-before", tok("a1", "x", nb), false},
	} {
		if got := d.Denied(c.c); got != c.want {
			t.Errorf("%s: Denied = %v, want %v", c.name, got, c.want)
		}
	}

	// An unchanged revision costs no listing.
	lists := st.lists
	now = now.Add(time.Second)
	if err := d.Refresh(ctx); err != nil || st.lists != lists {
		t.Fatalf("refresh without change listed apps again (err %v)", err)
	}
	// A store failure keeps the previous view.
	st.mu.Lock()
	st.fail = true
	st.mu.Unlock()
	if err := d.Refresh(ctx); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("refresh error %v", err)
	}
	if !d.Denied(tok("a1", "x", issued)) {
		t.Fatal("view lost on store failure")
	}
}

// TestDenyListMany: every application of a large realm is known, enabled or not.
func TestDenyListMany(t *testing.T) {
	st := &denyStore{}
	for i := range 1234 {
		st.apps = append(st.apps, store.Application{ID: fmt.Sprint("app-", i), Realm: "r", Enabled: i%2 == 0})
	}
	now := time.Now()
	d := NewDenyList(st, "r", func() time.Time { return now })
	if err := d.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	old := accesstoken.NumericDate(now.Add(-time.Hour).Unix())
	for _, c := range []struct {
		sub  string
		want bool
	}{{"app-1232", false}, {"app-1233", true}, {"app-0", false}, {"app-1234", true}} {
		if got := d.Denied(&accesstoken.Claims{Subject: c.sub, IssuedAt: old}); got != c.want {
			t.Errorf("%s: Denied = %v, want %v", c.sub, got, c.want)
		}
	}
}

func BenchmarkDenied(b *testing.B) {
	st := &denyStore{apps: []store.Application{{ID: "a1", Realm: "r", Enabled: true}}}
	d := NewDenyList(st, "r", nil)
	d.Refresh(context.Background())
	c := &accesstoken.Claims{Subject: "a1", ID: "j"}
	for b.Loop() {
		d.Denied(c)
	}
}

// TestDenyListDeny: a token id denied on this replica is refused at once, before any
// reload; the first reload that began after it reads it from the store and takes over.
func TestDenyListDeny(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	st := &denyStore{apps: []store.Application{{ID: "a1", Realm: "r", Enabled: true}}}
	d := NewDenyList(st, "r", clock)
	if err := d.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	tok := &accesstoken.Claims{Subject: "a1", ID: "j1", IssuedAt: accesstoken.NumericDate(now.Unix())}
	if d.Denied(tok) {
		t.Fatal("denied before Deny")
	}
	lists := st.lists
	d.Deny("j1")
	if !d.Denied(tok) || st.lists != lists {
		t.Fatalf("Deny: denied %v, store listed %d times", d.Denied(tok), st.lists-lists)
	}
	// A reload that began at the same instant may not have read it: it stays.
	st.change(func(*denyStore) {})
	if err := d.Refresh(ctx); err != nil || !d.Denied(tok) {
		t.Fatalf("after a reload at the same instant: denied %v (%v)", d.Denied(tok), err)
	}
	// A later reload read the store (where the caller committed it); here the store
	// does not have it, which shows the entry was handed over to the view.
	now = now.Add(time.Second)
	st.change(func(*denyStore) {})
	if err := d.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if d.Denied(tok) {
		t.Fatal("the entry outlived a reload that began after it")
	}
	st.change(func(s *denyStore) {
		s.revs = append(s.revs, store.Revocation{JTI: "j1", Realm: "r", ExpiresAt: now.Add(time.Hour)})
	})
	d.Deny("j1")
	now = now.Add(time.Second)
	if err := d.Refresh(ctx); err != nil || !d.Denied(tok) {
		t.Fatalf("stored revocation after the reload: denied %v (%v)", d.Denied(tok), err)
	}
}
