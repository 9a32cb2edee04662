// Package outage measures what requests see while the PostgreSQL server of a replica
// hangs (every process of it stopped with SIGSTOP) and while it is stopped (pg_ctl
// stop), under load: token requests, management writes and /readyz. It runs a private
// PostgreSQL cluster on a free port (replica.NewCluster), never the machine's shared
// server.
//
//	GATEHOUSE_BENCH_OUTAGE=1 go test ./bench/outage -run TestOutage -v -count=1
package outage

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/replica"
	"github.com/gatehouse/gatehouse/internal/server"
	"github.com/gatehouse/gatehouse/internal/server/servertest"
)

type result struct {
	kind       string
	start, end time.Time
	status     int // 0: no answer
}

// postgresPIDs returns the pid of the postmaster listening on port and of its children.
func postgresPIDs(t *testing.T, port int) []int {
	out, err := exec.Command("ss", "-Hltnp", "sport = :"+strconv.Itoa(port)).Output()
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(out), "pid=")
	if !ok {
		t.Fatalf("no process listens on %d: %s", port, out)
	}
	pid, err := strconv.Atoi(rest[:strings.IndexAny(rest, ",)")])
	if err != nil {
		t.Fatal(err)
	}
	pids := []int{pid}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		n, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
		if len(f) > 1 && f[1] == strconv.Itoa(pid) {
			pids = append(pids, n)
		}
	}
	return pids
}

func signal(t *testing.T, pids []int, sig syscall.Signal) {
	for _, p := range pids {
		if err := syscall.Kill(p, sig); err != nil {
			t.Logf("kill %d: %v", p, err)
		}
	}
}

func TestOutage(t *testing.T) {
	if os.Getenv("GATEHOUSE_BENCH_OUTAGE") == "" || testing.Short() {
		t.Skip("set GATEHOUSE_BENCH_OUTAGE=1 (needs PostgreSQL binaries; runs about a minute)")
	}
	ctx := context.Background()
	cl, err := replica.NewCluster(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	in := servertest.Start(t, servertest.Options{Config: func(c *config.Config) {
		c.DatabaseURL = cl.DSN("postgres")
		c.LogLevel = "warn"
	}})
	c := &replica.Client{
		HTTP:     &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}},
		Identity: in.URL(server.IdentityListener), Console: in.URL(server.ConsoleListener),
		Modeler: in.URL(server.ModelerListener), Health: in.URL(server.ManagementListener), Realm: config.DefaultRealm,
	}
	admin, r := c.Token(ctx, servertest.AdminID, servertest.AdminSecret, "")
	if admin == "" {
		t.Fatal(r)
	}
	app, r := c.CreateApp(ctx, admin, "load")
	if r.Status != http.StatusCreated {
		t.Fatal(r)
	}

	var mu sync.Mutex
	var results []result
	record := func(kind string, start time.Time, resp replica.Response) {
		mu.Lock()
		results = append(results, result{kind, start, time.Now(), resp.Status})
		mu.Unlock()
	}
	loadCtx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for loadCtx.Err() == nil {
				s := time.Now()
				_, resp := c.Token(ctx, app.ClientID, app.ClientSecret, "")
				record("token", s, resp)
				time.Sleep(20 * time.Millisecond)
			}
		})
	}
	wg.Go(func() {
		for i := 0; loadCtx.Err() == nil; i++ {
			s := time.Now()
			_, resp := c.CreateApp(ctx, admin, fmt.Sprintf("w-%d", i))
			record("management write", s, resp)
			time.Sleep(100 * time.Millisecond)
		}
	})
	wg.Go(func() {
		for loadCtx.Err() == nil {
			s := time.Now()
			record("/readyz", s, c.Ready(ctx))
			time.Sleep(250 * time.Millisecond)
		}
	})

	type phase struct {
		name       string
		start, end time.Time
	}
	var phases []phase
	mark := func(name string, d time.Duration, before, after func()) {
		if before != nil {
			before()
		}
		s := time.Now()
		time.Sleep(d)
		phases = append(phases, phase{name, s, time.Now()})
		if after != nil {
			after()
		}
	}
	mark("normal", 2*time.Second, nil, nil)
	var pids []int
	mark("SIGSTOP (8 s)", 8*time.Second, func() {
		pids = postgresPIDs(t, cl.Port())
		signal(t, pids, syscall.SIGSTOP)
	}, func() { signal(t, pids, syscall.SIGCONT) })
	mark("after SIGCONT", 6*time.Second, nil, nil)
	mark("stopped (8 s)", 8*time.Second, func() {
		if err := cl.Stop(ctx, "fast"); err != nil {
			t.Error(err)
		}
	}, func() {
		if err := cl.Start(ctx); err != nil {
			t.Error(err)
		}
	})
	mark("after start", 6*time.Second, nil, nil)
	stop()
	wg.Wait()

	for _, p := range phases {
		t.Logf("== %s", p.name)
		for _, kind := range []string{"token", "management write", "/readyz"} {
			statuses := map[int]int{}
			var lat []time.Duration
			var firstOK time.Duration = -1
			for _, r := range results {
				if r.kind != kind || r.start.Before(p.start) || !r.start.Before(p.end) {
					continue
				}
				statuses[r.status]++
				lat = append(lat, r.end.Sub(r.start))
				if firstOK < 0 && r.status/100 == 2 {
					firstOK = r.end.Sub(p.start)
				}
			}
			if len(lat) == 0 {
				t.Logf("  %-17s none started", kind)
				continue
			}
			slices.Sort(lat)
			q := func(f float64) time.Duration { return lat[int(f*float64(len(lat)-1))].Round(time.Millisecond) }
			t.Logf("  %-17s n=%d statuses=%v p50=%v p99=%v max=%v first 2xx after %v", kind, len(lat), statuses,
				q(0.5), q(0.99), lat[len(lat)-1].Round(time.Millisecond), firstOK.Round(time.Millisecond))
		}
	}
}
