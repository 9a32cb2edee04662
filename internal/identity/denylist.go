package identity

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gatehouse/gatehouse/internal/accesstoken"
	"github.com/gatehouse/gatehouse/internal/store"
)

// DenyList tells in-process resource APIs which verified tokens must no longer work
// (checklist C20, §5.5): tokens whose jti was revoked, tokens of applications that
// were disabled or deleted after issuance, and tokens issued before their application's
// not-before (set when it was disabled or its secret revoked), so that re-enabling an
// application does not bring its old tokens back. It serves one realm (a token's "sub" is the
// application id of that realm). The view is rebuilt from the store when its revision
// moves; Denied reads it without locks.
type DenyList struct {
	store store.Store
	realm string
	now   func() time.Time

	view atomic.Pointer[denyView]

	mu  sync.Mutex // serializes Refresh
	rev int64

	// recent holds token ids this replica revoked since the view was loaded (Deny),
	// with when they were added: a reload that starts later has read them from the
	// store, and drops them from here.
	recent sync.Map // jti → time.Time
}

// denyView is an immutable snapshot.
type denyView struct {
	revoked map[string]struct{}       // jti
	apps    map[string]store.AppState // app id → state; the store's map, read-only
	// asOf: every application that existed at this instant is in apps
	// (unix seconds, rounded down). A token of an unknown application issued at or after
	// it may belong to an application created since; one issued before it does not.
	asOf int64
	took time.Duration // how long the last full load took (Stats)
}

// NewDenyList returns the deny-list of realm. Call Refresh before use, then keep calling
// it (Run does) so that changes reach resource APIs within a second or two.
func NewDenyList(s store.Store, realm string, now func() time.Time) *DenyList {
	if now == nil {
		now = time.Now
	}
	return &DenyList{store: s, realm: realm, now: now, rev: -1}
}

// Deny refuses a token id at once on this replica, without waiting for the reload
// that reads it from the store (where the caller has committed it): a revocation
// answer does not wait for a reload of the whole realm. Other replicas learn it at
// their next refresh.
func (d *DenyList) Deny(jti string) {
	d.recent.Store(jti, d.now())
}

// Denied reports whether c must be refused. Before the first successful Refresh it
// denies nothing.
func (d *DenyList) Denied(c *accesstoken.Claims) bool {
	v := d.view.Load()
	if v == nil {
		return false
	}
	if _, ok := v.revoked[c.ID]; ok {
		return true
	}
	if _, ok := d.recent.Load(c.ID); ok {
		return true
	}
	if c.Person() {
		// A person's token names a user, not an application: only its jti can be
		// denied here (a replayed code's tokens); sessions end at the issuer.
		return false
	}
	if st, ok := v.apps[c.Subject]; ok {
		if !st.Enabled {
			return true
		}
		return !st.NotBefore.IsZero() && issuedBefore(c, st.NotBefore.UnixMilli())
	}
	// Unknown application: deleted, unless it is newer than the snapshot.
	return int64(c.IssuedAt) < v.asOf
}

// issuedBefore reports whether c was issued before nb (unix milliseconds; 0: never).
// "iat" has whole seconds, so a token of nb's own second counts as before it: identity
// sets not-before times on a second boundary and makes a token request wait for it.
func issuedBefore(c *accesstoken.Claims, nb int64) bool {
	return nb != 0 && int64(c.IssuedAt)*1000 < nb
}

// Refresh rebuilds the view when the store's revision changed since the last refresh,
// and otherwise only moves the snapshot's time forward. On a store error the previous
// view stays in force.
func (d *DenyList) Refresh(ctx context.Context) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	start := d.now().Unix() // taken before the revision: changes after it are caught next time
	rev, err := d.store.Revision(ctx)
	if err != nil {
		return err
	}
	if old := d.view.Load(); old != nil && rev == d.rev {
		nv := *old
		nv.asOf = start
		d.view.Store(&nv)
		return nil
	}
	begun := d.now()
	v, err := d.load(ctx)
	if err != nil {
		return err
	}
	v.asOf, v.took = start, d.now().Sub(begun)
	d.view.Store(v)
	d.rev = rev
	// Ids denied before this load began were committed before it read the store.
	d.recent.Range(func(k, at any) bool {
		if at.(time.Time).Before(begun) {
			d.recent.Delete(k)
		}
		return true
	})
	return nil
}

func (d *DenyList) load(ctx context.Context) (*denyView, error) {
	v := &denyView{revoked: map[string]struct{}{}}
	revs, err := d.store.ListRevocations(ctx, d.now())
	if err != nil {
		return nil, err
	}
	for _, r := range revs {
		if r.Realm == d.realm {
			v.revoked[r.JTI] = struct{}{}
		}
	}
	// Kept as it is, not copied: 50,000 applications cost a copy per identity write.
	if v.apps, err = d.store.AppStates(ctx, d.realm); err != nil {
		return nil, err
	}
	return v, nil
}

// Run refreshes every interval (at most 1 s is advised: resource APIs must refuse within
// 5 s) until ctx ends. Errors keep the previous view.
func (d *DenyList) Run(ctx context.Context, every time.Duration, onErr func(error)) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := d.Refresh(ctx); err != nil && ctx.Err() == nil && onErr != nil {
			onErr(err)
		}
	}
}
