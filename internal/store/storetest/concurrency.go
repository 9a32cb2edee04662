package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/gatehouse/gatehouse/internal/store"
)

var concurrencyTests = []test{
	{"Concurrency/UpdateAndDeleteApp", func(t *testing.T, s store.Store) {
		// Updates racing deletes of one app end coherent: the app is gone with
		// every secret and grant, and later updates are ErrNotFound.
		ctx := t.Context()
		seed(t, s)
		must(t, s.CreateApp(ctx, app("r1", "a1", "c1", "One")))
		must(t, s.CreateAPI(ctx, api("r1", "api1", "aud1", "read")))
		must(t, s.AddGrants(ctx, "r1", []store.Grant{{AppID: "a1", APIID: "api1", Permission: "read"}}))
		const n = 20
		var wg sync.WaitGroup
		errs := make(chan error, n)
		deletes := make(chan error, n)
		for i := range n {
			wg.Go(func() {
				if i%4 == 3 {
					deletes <- s.DeleteApp(ctx, "r1", "a1")
					return
				}
				_, err := s.UpdateApp(ctx, "r1", "a1", func(a store.Application) (store.Application, error) {
					a.Name = fmt.Sprintf("update %d", i)
					a.Secrets = append(a.Secrets, store.Secret{ID: fmt.Sprintf("s%02d", i), Kind: store.SecretSHA256, Hash: []byte{byte(i)}})
					return a, nil
				})
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		close(deletes)
		for err := range errs {
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				t.Errorf("UpdateApp: unexpected error: %v", err)
			}
		}
		deleted := 0
		for err := range deletes {
			switch {
			case err == nil:
				deleted++
			case !errors.Is(err, store.ErrNotFound):
				t.Errorf("DeleteApp: unexpected error: %v", err)
			}
		}
		if deleted != 1 {
			t.Errorf("%d deletes succeeded, want exactly 1", deleted)
		}
		_, err := s.GetApp(ctx, "r1", "a1")
		wantErr(t, "get after the race", err, store.ErrNotFound)
		_, err = s.UpdateApp(ctx, "r1", "a1", func(a store.Application) (store.Application, error) { return a, nil })
		wantErr(t, "update after the race", err, store.ErrNotFound)
		fresh := app("r1", "a1", "c1", "Again")
		fresh.Secrets = nil
		must(t, s.CreateApp(ctx, fresh))
		got, err := s.GetApp(ctx, "r1", "a1")
		must(t, err)
		diff(t, "recreated app has no orphaned secrets", fresh, got)
		gs, err := s.ListGrants(ctx, "r1", store.GrantFilter{})
		must(t, err)
		diff(t, "no orphaned grants", []store.Grant(nil), gs)
	}},
}
