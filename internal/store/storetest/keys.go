package storetest

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/gatehouse/gatehouse/internal/store"
)

func keyID(k store.SigningKey) string { return k.ID }

var keyTests = []test{
	{"Keys/RoundTrip", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		seed(t, s)
		ks, err := s.ListKeys(ctx, "r1")
		must(t, err)
		diff(t, "no keys yet", []store.SigningKey(nil), ks)

		active := key("r1", "k2", store.KeyActive)
		active.ActivatedAt = at(8)
		retired := key("r1", "k1", store.KeyRetired)
		retired.ActivatedAt, retired.RetiredAt, retired.PublishUntil = at(1), at(8), at(68)
		// Keys are stored under the realm argument, in the order fn returns them.
		other := key("r2", "k0", store.KeyNext)
		want := []store.SigningKey{active, retired, withRealm(other, "r1")}
		got, err := s.UpdateKeys(ctx, "r1", func(cur []store.SigningKey) ([]store.SigningKey, error) {
			if len(cur) != 0 {
				t.Errorf("fn got %d keys, want none", len(cur))
			}
			return []store.SigningKey{active, retired, other}, nil
		})
		must(t, err)
		diff(t, "UpdateKeys result", want, got)
		ks, err = s.ListKeys(ctx, "r1")
		must(t, err)
		diff(t, "ListKeys", want, ks)
		ks, err = s.ListKeys(ctx, "r2")
		must(t, err)
		diff(t, "other realm", []store.SigningKey(nil), ks)

		_, err = s.UpdateKeys(ctx, "r1", failing[[]store.SigningKey])
		wantErr(t, "failing fn", err, errBoom)
		_, err = s.UpdateKeys(ctx, "nope", func(k []store.SigningKey) ([]store.SigningKey, error) { return k, nil })
		wantErr(t, "missing realm", err, store.ErrNotFound)
		// Removing keys works too.
		got, err = s.UpdateKeys(ctx, "r1", func(cur []store.SigningKey) ([]store.SigningKey, error) {
			diff(t, "fn argument", want, cur)
			return cur[:1], nil
		})
		must(t, err)
		diff(t, "after removal", want[:1], got)
	}},
	{"Keys/Serialized", func(t *testing.T, s store.Store) {
		// Every UpdateKeys sees the previous one's keys: none is lost.
		ctx := t.Context()
		seed(t, s)
		const n = 20
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := range n {
			wg.Go(func() {
				_, err := s.UpdateKeys(ctx, "r1", func(cur []store.SigningKey) ([]store.SigningKey, error) {
					return append(cur, key("r1", fmt.Sprintf("k%02d", i), store.KeyNext)), nil
				})
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			must(t, err)
		}
		ks, err := s.ListKeys(ctx, "r1")
		must(t, err)
		got := ids(ks, keyID)
		slices.Sort(got)
		var want []string
		for i := range n {
			want = append(want, fmt.Sprintf("k%02d", i))
		}
		diff(t, "keys after concurrent appends", want, got)
	}},
}

func withRealm(k store.SigningKey, realm string) store.SigningKey {
	k.Realm = realm
	return k
}
