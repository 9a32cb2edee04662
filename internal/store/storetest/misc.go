package storetest

import (
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
)

func jti(r store.Revocation) string { return r.JTI }

var revocationTests = []test{
	{"Revocations/LiveAndPurge", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		seed(t, s)
		rev := func(jti, realm string, expires time.Time) store.Revocation {
			return store.Revocation{JTI: jti, Realm: realm, AppID: "a1", ExpiresAt: expires, CreatedAt: at(0)}
		}
		j1, j2, j3, j4 := rev("j1", "r1", at(10)), rev("j2", "r2", at(20)), rev("j3", "r1", at(30)), rev("j4", "r1", time.Time{})
		for _, r := range []store.Revocation{j3, j1, j2, j4} {
			must(t, s.AddRevocation(ctx, r))
		}
		// Idempotent: the first one stays.
		must(t, s.AddRevocation(ctx, rev("j1", "r1", at(99))))
		wantErr(t, "missing realm", s.AddRevocation(ctx, rev("j9", "nope", at(10))), store.ErrNotFound)

		for _, tc := range []struct {
			name   string
			liveAt time.Time
			want   []store.Revocation
		}{
			{"before all", at(0), []store.Revocation{j1, j2, j3, j4}},
			{"at expiry is expired", at(10), []store.Revocation{j2, j3, j4}},
			{"later", at(25), []store.Revocation{j3, j4}},
			{"zero time: all", time.Time{}, []store.Revocation{j1, j2, j3, j4}},
		} {
			got, err := s.ListRevocations(ctx, tc.liveAt)
			must(t, err)
			diff(t, tc.name, tc.want, got)
		}
		n, err := s.PurgeRevocations(ctx, at(20))
		must(t, err)
		if n != 1 {
			t.Errorf("purged %d, want 1 (only j1 expired before at(20))", n)
		}
		n, err = s.PurgeRevocations(ctx, at(20))
		must(t, err)
		if n != 0 {
			t.Errorf("purged %d again, want 0", n)
		}
		got, err := s.ListRevocations(ctx, time.Time{})
		must(t, err)
		diff(t, "after purge (never-expiring j4 stays)", []string{"j2", "j3", "j4"}, ids(got, jti))
	}},
}

var clusterTests = []test{
	{"Cluster/RoundTrip", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		seed(t, s)
		c1, c2 := cluster("r1", "c1", "prod"), cluster("r1", "c2", "dev")
		c2.Components, c2.Tags = nil, nil
		must(t, s.CreateCluster(ctx, c1))
		must(t, s.CreateCluster(ctx, c2))
		wantErr(t, "duplicate id", s.CreateCluster(ctx, cluster("r1", "c1", "x")), store.ErrAlreadyExists)
		wantErr(t, "missing realm", s.CreateCluster(ctx, cluster("nope", "c9", "x")), store.ErrNotFound)
		got, err := s.GetCluster(ctx, "r1", "c1")
		must(t, err)
		diff(t, "GetCluster", c1, got)
		list, err := s.ListClusters(ctx, "r1")
		must(t, err)
		diff(t, "ListClusters (by name)", []store.Cluster{c2, c1}, list)
		_, err = s.GetCluster(ctx, "r2", "c1")
		wantErr(t, "get other realm", err, store.ErrNotFound)

		want := c1
		want.Version, want.Tags = "8.9.0", []string{"prod"}
		want.Components = append([]store.Component(nil), c1.Components[1:]...)
		want.Components[0].Readiness = "http://operate:9600/ready"
		upd, err := s.UpdateCluster(ctx, "r1", "c1", func(c store.Cluster) (store.Cluster, error) {
			diff(t, "fn argument", c1, c)
			return want, nil
		})
		must(t, err)
		diff(t, "UpdateCluster result", want, upd)
		_, err = s.UpdateCluster(ctx, "r1", "c1", failing[store.Cluster])
		wantErr(t, "failing fn", err, errBoom)
		_, err = s.UpdateCluster(ctx, "r2", "c1", failing[store.Cluster])
		wantErr(t, "update other realm", err, store.ErrNotFound)
		got, err = s.GetCluster(ctx, "r1", "c1")
		must(t, err)
		diff(t, "stored", want, got)

		wantErr(t, "delete other realm", s.DeleteCluster(ctx, "r2", "c1"), store.ErrNotFound)
		must(t, s.DeleteCluster(ctx, "r1", "c1"))
		wantErr(t, "delete again", s.DeleteCluster(ctx, "r1", "c1"), store.ErrNotFound)
		list, err = s.ListClusters(ctx, "r1")
		must(t, err)
		diff(t, "after delete", []store.Cluster{c2}, list)
	}},
}

var metaTests = []test{
	{"Meta/PutIfAbsent", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		_, err := s.GetMeta(ctx, "master-key-check")
		wantErr(t, "missing", err, store.ErrNotFound)
		v, err := s.PutMetaIfAbsent(ctx, "master-key-check", "first")
		must(t, err)
		if v != "first" {
			t.Errorf("first put returned %q", v)
		}
		v, err = s.PutMetaIfAbsent(ctx, "master-key-check", "second")
		must(t, err)
		if v != "first" {
			t.Errorf("second put returned %q, want the stored %q", v, "first")
		}
		v, err = s.GetMeta(ctx, "master-key-check")
		must(t, err)
		if v != "first" {
			t.Errorf("GetMeta = %q", v)
		}
		v, err = s.PutMetaIfAbsent(ctx, "other", `'quoted' "value" ?`)
		must(t, err)
		if v != `'quoted' "value" ?` {
			t.Errorf("literal value = %q", v)
		}
		must(t, s.Ping(ctx))
	}},
}
