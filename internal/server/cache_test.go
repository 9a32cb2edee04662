package server_test

import (
	"context"
	"crypto/sha256"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/identity"
	"github.com/gatehouse/gatehouse/internal/server/servertest"
	"github.com/gatehouse/gatehouse/internal/store"
)

// TestCacheFollowsOtherReplicas: a change written by another replica (straight into
// the store, so this replica's cache is not told) is seen by the very next token
// request: a rotated secret works at once and a new grant's audience is granted,
// instead of a 401 or invalid_target until the next revision poll.
func TestCacheFollowsOtherReplicas(t *testing.T) {
	in := servertest.Start(t, servertest.Options{Config: seeded})
	ctx := context.Background()
	in.Token(t, realm, "billing-job", "billing-secret-123", "") // now cached
	app, err := in.Store().GetAppByClientID(ctx, realm, "billing-job")
	if err != nil {
		t.Fatal(err)
	}
	// Another replica rotates the secret (a generated one, as the management API does).
	fresh := identity.GenerateSecret()
	sum := sha256.Sum256(append([]byte("gatehouse client secret v1\x00"), fresh...))
	if _, err := in.Store().UpdateApp(ctx, realm, app.ID, func(a store.Application) (store.Application, error) {
		a.Secrets = []store.Secret{{ID: identity.NewID(), Kind: store.SecretSHA256, Hash: sum[:], CreatedAt: time.Now()}}
		return a, nil
	}); err != nil {
		t.Fatal(err)
	}
	in.Token(t, realm, "billing-job", fresh, "")
	// Another replica grants a permission on zeebe-api.
	apis, _ := in.Store().ListAPIs(ctx, realm)
	var zeebe string
	for _, a := range apis {
		if a.Audience == "zeebe-api" {
			zeebe = a.ID
		}
	}
	if err := in.Store().AddGrants(ctx, realm, []store.Grant{{AppID: app.ID, APIID: zeebe, Permission: "write:*"}}); err != nil {
		t.Fatal(err)
	}
	claims := decodeClaims(t, in.Token(t, realm, "billing-job", fresh, "zeebe-api"))
	if claims["aud"] != "zeebe-api" {
		t.Fatalf("aud %v", claims["aud"])
	}
}
