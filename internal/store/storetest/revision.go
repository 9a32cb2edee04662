package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
)

var revisionTests = []test{
	{"Revision/IncreasesOnEveryKindOfWrite", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		setName := func(name string) func(store.Application) (store.Application, error) {
			return func(a store.Application) (store.Application, error) { a.Name = name; return a, nil }
		}
		grant := []store.Grant{{AppID: "a1", APIID: "api1", Permission: "read"}}
		steps := []struct {
			name string
			do   func(ctx context.Context) error
		}{
			{"CreateRealm", func(ctx context.Context) error { return s.CreateRealm(ctx, realm("r1")) }},
			{"UpdateRealm", func(ctx context.Context) error {
				_, err := s.UpdateRealm(ctx, "r1", func(r store.Realm) (store.Realm, error) { r.SigningAlg = "RS256"; return r, nil })
				return err
			}},
			{"CreateApp", func(ctx context.Context) error { return s.CreateApp(ctx, app("r1", "a1", "c1", "One")) }},
			{"UpdateApp", func(ctx context.Context) error { _, err := s.UpdateApp(ctx, "r1", "a1", setName("Uno")); return err }},
			{"UpdateApp secrets", func(ctx context.Context) error {
				_, err := s.UpdateApp(ctx, "r1", "a1", func(a store.Application) (store.Application, error) {
					a.Secrets = append(a.Secrets, store.Secret{ID: "s2", Kind: store.SecretSHA256, Hash: []byte("h")})
					return a, nil
				})
				return err
			}},
			{"CreateAPI", func(ctx context.Context) error { return s.CreateAPI(ctx, api("r1", "api1", "aud1", "read")) }},
			{"UpdateAPI", func(ctx context.Context) error {
				_, err := s.UpdateAPI(ctx, "r1", "api1", func(a store.API) (store.API, error) { a.Name = "n"; return a, nil })
				return err
			}},
			{"AddGrants", func(ctx context.Context) error { return s.AddGrants(ctx, "r1", grant) }},
			{"RemoveGrants", func(ctx context.Context) error { return s.RemoveGrants(ctx, "r1", grant) }},
			{"CreateUser", func(ctx context.Context) error { return s.CreateUser(ctx, user("r1", "u1", "demo")) }},
			{"UpdateUser", func(ctx context.Context) error {
				_, err := s.UpdateUser(ctx, "r1", "u1", func(u store.User) (store.User, error) { u.Email = "x"; return u, nil })
				return err
			}},
			{"DeleteUser", func(ctx context.Context) error { return s.DeleteUser(ctx, "r1", "u1") }},
			{"UpdateKeys", func(ctx context.Context) error {
				_, err := s.UpdateKeys(ctx, "r1", func(ks []store.SigningKey) ([]store.SigningKey, error) {
					return append(ks, key("r1", "k1", store.KeyActive)), nil
				})
				return err
			}},
			{"AddRevocation", func(ctx context.Context) error {
				return s.AddRevocation(ctx, store.Revocation{JTI: "j1", Realm: "r1", AppID: "a1", ExpiresAt: at(1)})
			}},
			{"PurgeRevocations", func(ctx context.Context) error { _, err := s.PurgeRevocations(ctx, at(2)); return err }},
			{"CreateCluster", func(ctx context.Context) error { return s.CreateCluster(ctx, cluster("r1", "c1", "prod")) }},
			{"UpdateCluster", func(ctx context.Context) error {
				_, err := s.UpdateCluster(ctx, "r1", "c1", func(c store.Cluster) (store.Cluster, error) { c.Version = "9"; return c, nil })
				return err
			}},
			{"DeleteCluster", func(ctx context.Context) error { return s.DeleteCluster(ctx, "r1", "c1") }},
			{"DeleteAPI", func(ctx context.Context) error { return s.DeleteAPI(ctx, "r1", "api1", true) }},
			{"DeleteApp", func(ctx context.Context) error { return s.DeleteApp(ctx, "r1", "a1") }},
		}
		rev, err := s.Revision(ctx)
		must(t, err)
		for _, st := range steps {
			must(t, st.do(ctx))
			next, err := s.Revision(ctx)
			must(t, err)
			if next <= rev {
				t.Errorf("%s: revision %d did not increase from %d", st.name, next, rev)
			}
			rev = next
		}
	}},
	{"Revision/UnchangedByAuditReadsAndFailures", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		seed(t, s)
		must(t, s.CreateApp(ctx, app("r1", "a1", "c1", "One")))
		rev, err := s.Revision(ctx)
		must(t, err)
		steps := []struct {
			name string
			do   func() error
		}{
			{"AppendAudit", func() error {
				return s.AppendAudit(ctx, store.AuditEvent{Realm: "r1", Time: time.Now(), Actor: "a", Action: "token.issue"})
			}},
			{"reads", func() error {
				_, err := s.GetApp(ctx, "r1", "a1")
				if err == nil {
					_, _, err = s.ListApps(ctx, "r1", store.ListOptions{})
				}
				if err == nil {
					_, err = s.ListAudit(ctx, store.AuditQuery{})
				}
				return err
			}},
			{"failing update", func() error {
				if _, err := s.UpdateApp(ctx, "r1", "a1", failing[store.Application]); err != errBoom {
					t.Errorf("failing update returned %v, want errBoom itself", err)
				}
				return nil
			}},
			{"rejected create", func() error {
				if err := s.CreateApp(ctx, app("r1", "a1", "c1", "One")); err == nil {
					t.Error("duplicate create succeeded")
				}
				return nil
			}},
		}
		for _, st := range steps {
			must(t, st.do())
			got, err := s.Revision(ctx)
			must(t, err)
			if got != rev {
				t.Errorf("%s changed the revision from %d to %d", st.name, rev, got)
			}
		}
	}},
}
