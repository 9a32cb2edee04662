// Package poll measures what one replica spends following the database at 50,000
// applications: the deny-list refresh that runs after every identity write (2 writes a
// second here), and the management API's application search (?q=).
//
//	GATEHOUSE_BENCH_POLL=1 go test ./bench/poll -run TestPoll -v -count=1
//	GATEHOUSE_BENCH_POLL=1 GATEHOUSE_BENCH_POSTGRES=postgres://…/db go test ./bench/poll -run TestPoll -v -count=1
package poll

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"

	"github.com/gatehouse/gatehouse/internal/identity"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
)

const apps = 50000

func cpu() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func TestPoll(t *testing.T) {
	if os.Getenv("GATEHOUSE_BENCH_POLL") == "" || testing.Short() {
		t.Skip("set GATEHOUSE_BENCH_POLL=1")
	}
	ctx := context.Background()
	d, src, fill := sqlstore.SQLite, filepath.Join(t.TempDir(), "poll.db"),
		`INSERT INTO apps (id, realm, client_id, name, name_fold, type, enabled, source, created_at, updated_at)
		 WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < %d)
		 SELECT 'app-' || n, 'r', 'client-' || n, 'Application ' || n, 'application ' || n, 'M2M', 1, 'api', 0, 0 FROM g`
	if pg := os.Getenv("GATEHOUSE_BENCH_POSTGRES"); pg != "" {
		d, src, fill = sqlstore.Postgres, pg,
			`INSERT INTO apps (id, realm, client_id, name, name_fold, type, enabled, source, created_at, updated_at)
			 SELECT 'app-' || n, 'r', 'client-' || n, 'Application ' || n, 'application ' || n, 'M2M', true, 'api', 0, 0
			 FROM generate_series(1, %d) AS n`
	}
	st, err := sqlstore.Open(ctx, d, src)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.CreateRealm(ctx, store.Realm{Name: "r"}); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open(d.DriverName(), src)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.ExecContext(ctx, fmt.Sprintf(fill, apps)); err != nil {
		t.Fatal(err)
	}
	// The statistics autovacuum (PostgreSQL) or an operator (SQLite) would gather after
	// a bulk load.
	for _, q := range []string{"UPDATE revision SET value = value + 1 WHERE id = 1", "ANALYZE"} {
		if _, err := raw.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}

	dl := identity.NewDenyList(st, "r", time.Now)
	if err := dl.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	// One identity write, then the refresh every replica runs after it; 40 rounds.
	const rounds = 40
	var spent, wall time.Duration
	for i := range rounds {
		id := fmt.Sprintf("app-%d", 1+i*997%apps)
		if _, err := st.UpdateApp(ctx, "r", id, func(a store.Application) (store.Application, error) {
			a.Enabled = !a.Enabled
			return a, nil
		}); err != nil {
			t.Fatal(err)
		}
		c0, w0 := cpu(), time.Now()
		if err := dl.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		spent += cpu() - c0
		wall += time.Since(w0)
	}
	per := spent / rounds
	t.Logf("%s, %d applications: deny-list refresh after a write: %v CPU (%v wall) each; at 2 writes/s: %.1f %% of a core",
		d, apps, per.Round(10*time.Microsecond), (wall / rounds).Round(10*time.Microsecond), 2*per.Seconds()*100)

	// What the search index costs the writes that change it.
	for _, op := range []struct {
		name string
		run  func(i int) error
	}{
		{"create", func(i int) error {
			id := fmt.Sprintf("extra-%d", i)
			return st.CreateApp(ctx, store.Application{ID: id, Realm: "r", ClientID: id, Name: "Extra " + id, Type: "M2M", Enabled: true})
		}},
		{"rename", func(i int) error {
			_, err := st.UpdateApp(ctx, "r", fmt.Sprintf("extra-%d", i), func(a store.Application) (store.Application, error) {
				a.Name += " renamed"
				return a, nil
			})
			return err
		}},
		{"delete", func(i int) error { return st.DeleteApp(ctx, "r", fmt.Sprintf("extra-%d", i)) }},
	} {
		var lat []time.Duration
		for i := range 10 {
			s := time.Now()
			if err := op.run(i); err != nil {
				t.Fatal(err)
			}
			lat = append(lat, time.Since(s))
		}
		slices.Sort(lat)
		t.Logf("%s: %s an application: median %v", d, op.name, lat[len(lat)/2].Round(10*time.Microsecond))
	}

	for _, q := range []string{"", "application 4711", "cation 4711", "zzz"} {
		var lat []time.Duration
		var total int
		for range 15 {
			s := time.Now()
			_, n, err := st.ListApps(ctx, "r", store.ListOptions{Query: q, Limit: 50})
			if err != nil {
				t.Fatal(err)
			}
			lat, total = append(lat, time.Since(s)), n
		}
		slices.Sort(lat)
		t.Logf("%s: ListApps q=%q (%d matches): median %v, max %v", d, q, total, lat[len(lat)/2].Round(10*time.Microsecond),
			lat[len(lat)-1].Round(10*time.Microsecond))
	}
}
