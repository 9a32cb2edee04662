// Package storetest is the conformance suite every store.Store backend runs:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Store { return openEmpty(t) })
//	}
//
// Each subtest gets a fresh, empty store from newStore and runs in parallel
// with the others, so newStore must be safe for concurrent use and must close
// what it opens in t.Cleanup. The suite fixes the behaviour the interface leaves
// open: times round-trip at millisecond precision; zero times stay zero; empty
// and nil lists compare equal; lists of a realm that does not exist are empty;
// creating an object in a realm that does not exist is ErrNotFound; update
// functions cannot change an object's ID or realm.
package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gatehouse/gatehouse/internal/store"
)

type test struct {
	name string
	run  func(t *testing.T, s store.Store)
}

// Run runs every conformance test against stores made by newStore.
func Run(t *testing.T, newStore func(t *testing.T) store.Store) {
	var all []test
	for _, group := range [][]test{
		realmTests, appTests, listTests, apiTests, grantTests, userTests, keyTests,
		revocationTests, auditTests, clusterTests, metaTests, revisionTests, concurrencyTests, sessionTests, peopleTests,
		modelerTests,
	} {
		all = append(all, group...)
	}
	for _, tc := range all {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newStore(t)
			tc.run(t, s)
		})
	}
}

// t0 has sub-millisecond digits on purpose: stores keep milliseconds.
var t0 = time.Date(2025, 3, 14, 15, 9, 26, 535_897_932, time.UTC)

func at(minutes int) time.Time { return t0.Add(time.Duration(minutes) * time.Minute) }

// opts compares records as stored: times at millisecond precision in any
// location, nil and empty lists alike.
var opts = cmp.Options{
	cmpopts.EquateEmpty(),
	cmp.Comparer(func(a, b time.Time) bool {
		return a.IsZero() == b.IsZero() && a.UnixMilli() == b.UnixMilli()
	}),
}

func diff(t *testing.T, what string, want, got any) {
	t.Helper()
	if d := cmp.Diff(want, got, opts); d != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", what, d)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// wantErr fails unless errors.Is(err, target); target nil wants no error.
func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	switch {
	case target == nil && err != nil:
		t.Errorf("%s: unexpected error %v", what, err)
	case target != nil && !errors.Is(err, target):
		t.Errorf("%s: error %v, want %v", what, err, target)
	}
}

// Fixtures. Realms "r1" and "r2" exist in every store made by seed.

func seed(t *testing.T, s store.Store) {
	t.Helper()
	for _, name := range []string{"r1", "r2"} {
		must(t, s.CreateRealm(t.Context(), realm(name)))
	}
}

func realm(name string) store.Realm {
	return store.Realm{
		Name: name, Organization: "org-" + name, SigningAlg: "ES256",
		TokenLifetime: 5 * time.Minute, CreatedAt: t0,
	}
}

func app(realm, id, clientID, name string) store.Application {
	return store.Application{
		ID: id, Realm: realm, ClientID: clientID, Name: name, Type: "m2m", Enabled: true, Source: "api",
		Secrets: []store.Secret{
			{ID: id + "-s1", Kind: store.SecretSHA256, Hash: []byte{0, 1, 2, 0xff, 0}, CreatedAt: at(1)},
		},
		CreatedAt: at(1), UpdatedAt: at(2),
	}
}

func api(realm, id, audience string, perms ...string) store.API {
	a := store.API{
		ID: id, Realm: realm, Name: "API " + id, Audience: audience, Aliases: []string{audience + "-alias"},
		CreatedAt: at(3), UpdatedAt: at(4),
	}
	for _, p := range perms {
		a.Permissions = append(a.Permissions, store.Permission{Definition: p, Description: "may " + p})
	}
	return a
}

func user(realm, id, username string) store.User {
	return store.User{
		ID: id, Realm: realm, Username: username, Email: username + "@example.com", FirstName: "First",
		LastName: "Last", PasswordHash: "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA", Enabled: true,
		Roles: []string{"admin", "viewer"}, CreatedAt: at(5), UpdatedAt: at(6),
	}
}

func key(realm, id string, state store.KeyState) store.SigningKey {
	return store.SigningKey{
		ID: id, Realm: realm, Alg: "ES256", State: state, PublicKey: []byte("pub-" + id),
		PrivateKey: []byte("sealed-" + id), CreatedAt: at(7),
	}
}

func cluster(realm, id, name string) store.Cluster {
	return store.Cluster{
		ID: id, Realm: realm, Name: name, Namespace: "camunda", Version: "8.8.0", Tags: []string{"dev", "eu"},
		Components: []store.Component{
			{ID: "zeebeGateway", Name: "Zeebe Gateway", Type: "zeebe-gateway", Version: "8.8.0",
				URL: "grpc://zeebe:26500", Readiness: "http://zeebe:9600/ready", Metrics: "http://zeebe:9600/metrics"},
			{ID: "operate", Name: "Operate", Type: "operate", Version: "8.8.0", URL: "http://operate:8080"},
		},
		Source: "config", CreatedAt: at(8), UpdatedAt: at(9),
	}
}

var errBoom = errors.New("boom")

// failing is an update function that must leave the record untouched.
func failing[T any](T) (T, error) {
	var zero T
	return zero, errBoom
}

func ids[T any](xs []T, id func(T) string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = id(x)
	}
	return out
}

func appID(a store.Application) string { return a.ID }
func userID(u store.User) string       { return u.ID }

func nth(prefix string, i int) string { return fmt.Sprintf("%s%03d", prefix, i) }
