package identity_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/identity"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
)

// BenchmarkDenyListReload measures what a revocation costs the deny-list: a full
// reload of a realm with 3,500 applications (each with a secret) and 200 live
// revocations, from SQLite. (docs/reliability.md, "Known gaps".)
func BenchmarkDenyListReload(b *testing.B) {
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, sqlstore.SQLite, filepath.Join(b.TempDir(), "t.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	now := time.Now()
	if err := st.CreateRealm(ctx, store.Realm{Name: "r", Organization: "org", SigningAlg: "ES256", TokenLifetime: 5 * time.Minute, CreatedAt: now}); err != nil {
		b.Fatal(err)
	}
	for i := range 3500 {
		id := fmt.Sprintf("app-%04d", i)
		a := store.Application{ID: id, Realm: "r", ClientID: "client-" + id, Name: "App " + id, Type: "m2m", Enabled: i%10 != 0,
			Source: "api", CreatedAt: now, UpdatedAt: now,
			Secrets: []store.Secret{{ID: id + "-s", Kind: store.SecretSHA256, Hash: make([]byte, 32), CreatedAt: now}}}
		if err := st.CreateApp(ctx, a); err != nil {
			b.Fatal(err)
		}
	}
	for i := range 200 {
		if err := st.AddRevocation(ctx, store.Revocation{JTI: fmt.Sprint("jti-", i), Realm: "r", AppID: "app-0001",
			ExpiresAt: now.Add(time.Hour), CreatedAt: now}); err != nil {
			b.Fatal(err)
		}
	}
	d := identity.NewDenyList(st, "r", nil)
	i := 0
	for b.Loop() {
		// A revocation moves the revision, so every Refresh reloads.
		b.StopTimer()
		i++
		if err := st.AddRevocation(ctx, store.Revocation{JTI: fmt.Sprint("bench-", i), Realm: "r", AppID: "app-0001",
			ExpiresAt: now.Add(time.Hour), CreatedAt: now}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if err := d.Refresh(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
