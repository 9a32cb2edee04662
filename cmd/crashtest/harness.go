package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gatehouse/gatehouse/internal/identity"
	"github.com/gatehouse/gatehouse/internal/replica"
)

// Credentials of the run (never real ones).
const (
	masterKey   = "Y3Jhc2h0ZXN0LW1hc3Rlci1rZXktMzItYnl0ZXMhISE="
	adminID     = "crashtest-admin"
	adminSecret = "crashtest-admin-secret-0123456789"
	realm       = "camunda-platform"
)

// Options configure a run.
type Options struct {
	DB      string // sqlite or postgres
	Cycles  int
	DSN     string // PostgreSQL server to create the run's database on
	Binary  string
	Seed    int64
	Workers int
	MaxLoad time.Duration // longest load phase
	Dir     string        // kept working directory; "" = temporary
	Log     io.Writer     // per-cycle progress; nil = quiet
}

// Report is what a run found. A run succeeds when Lost, Anomalies, AuditMissing and
// DBErrors are empty.
type Report struct {
	DB                 string                      `json:"db"`
	Seed               int64                       `json:"seed"`
	Cycles             int                         `json:"cycles"`
	KilledStarting     int                         `json:"killedWhileStarting"`
	KilledUnderLoad    int                         `json:"killedUnderLoad"`
	Acked              map[string]int              `json:"acknowledged"`
	InFlight           map[string]int              `json:"inFlightAtKill"`
	Verified           int                         `json:"checksAfterRestart"`
	FinalChecks        int                         `json:"finalChecks"`
	Lost               []string                    `json:"lost"`
	Anomalies          []string                    `json:"anomalies"`
	AuditMissing       []string                    `json:"auditMissing"`
	DBChecks           int                         `json:"databaseChecks"`
	DBErrors           []string                    `json:"databaseErrors"`
	ReadyP50           time.Duration               `json:"readyP50"`
	ReadyP99           time.Duration               `json:"readyP99"`
	ReadyMax           time.Duration               `json:"readyMax"`
	TokenAuditAnswered int                         `json:"tokensAnswered"`
	TokenAuditStored   int                         `json:"tokenIssueEventsStored"`
	Latency            map[string][3]time.Duration `json:"latencyP50P99Max"` // of acknowledged requests, by kind
	Duration           time.Duration               `json:"duration"`
}

func (r Report) ok() bool {
	return len(r.Lost) == 0 && len(r.Anomalies) == 0 && len(r.AuditMissing) == 0 && len(r.DBErrors) == 0
}

func (r Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "crashtest %s: %d kill -9 cycles (%d while starting, %d under load) in %v, seed %d\n",
		r.DB, r.Cycles, r.KilledStarting, r.KilledUnderLoad, r.Duration.Round(time.Second), r.Seed)
	fmt.Fprintf(&b, "  acknowledged writes: %s (total %d)\n", counts(r.Acked), sum(r.Acked))
	fmt.Fprintf(&b, "  in flight at a kill (not acknowledged): %s\n", counts(r.InFlight))
	fmt.Fprintf(&b, "  checks after restarts: %d, final pass: %d, lost: %d\n", r.Verified, r.FinalChecks, len(r.Lost))
	fmt.Fprintf(&b, "  database checks: %d, failed: %d\n", r.DBChecks, len(r.DBErrors))
	fmt.Fprintf(&b, "  ready after start: p50 %v, p99 %v, max %v\n", r.ReadyP50.Round(time.Millisecond), r.ReadyP99.Round(time.Millisecond), r.ReadyMax.Round(time.Millisecond))
	var lat []string
	for _, k := range slices.Sorted(maps.Keys(r.Latency)) {
		l := r.Latency[k]
		lat = append(lat, fmt.Sprintf("%s %v/%v/%v", k, l[0].Round(time.Millisecond), l[1].Round(time.Millisecond), l[2].Round(time.Millisecond)))
	}
	fmt.Fprintf(&b, "  latency of acknowledged requests p50/p99/max: %s\n", strings.Join(lat, ", "))
	fmt.Fprintf(&b, "  management changes without audit event: %d; token.issue events stored %d of %d tokens answered\n",
		len(r.AuditMissing), r.TokenAuditStored, r.TokenAuditAnswered)
	for _, l := range [][]string{r.Lost, r.Anomalies, r.AuditMissing, r.DBErrors} {
		for i, s := range l {
			if i == 10 {
				fmt.Fprintf(&b, "  … %d more\n", len(l)-10)
				break
			}
			fmt.Fprintf(&b, "  ! %s\n", s)
		}
	}
	if r.ok() {
		b.WriteString("  result: every acknowledged write survived\n")
	} else {
		b.WriteString("  result: FAILED\n")
	}
	return b.String()
}

func counts(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

type harness struct {
	opt       Options
	rng       *rand.Rand
	dir       string
	dataDir   string
	dsn       string // "" on SQLite
	ports     ports
	serverLog *os.File
	http      *http.Client
	client    *replica.Client
	ledger    *ledger
	seq       atomic.Int64
	killed    atomic.Bool // set just before a SIGKILL: workers send nothing more

	setupDone    bool
	admin        string // token of the bootstrap administrator (survives restarts)
	modelerToken string
	project      string
	ready        []time.Duration
}

// Run runs the harness. The report is filled in as far as the run got.
func Run(ctx context.Context, o Options) (rep Report, err error) {
	start := time.Now()
	rep = Report{DB: o.DB, Seed: o.Seed}
	if o.Workers <= 0 {
		o.Workers = 4
	}
	if o.MaxLoad <= 0 {
		o.MaxLoad = 1500 * time.Millisecond
	}
	h := &harness{opt: o, rng: rand.New(rand.NewPCG(uint64(o.Seed), 0x6761746568)),
		ledger: &ledger{acked: map[string]int{}, lost: map[string]int{}, latency: map[string][]time.Duration{}},
		http:   &http.Client{Timeout: 30 * time.Second}}
	cleanup, err := h.prepare(ctx)
	if err != nil {
		return rep, err
	}
	defer func() {
		h.serverLog.Close()
		if err == nil && o.Dir == "" {
			cleanup()
		} else if o.Dir == "" {
			h.logf("kept %s for inspection", h.dir)
		}
	}()
	defer func() {
		rep.Duration = time.Since(start)
		rep.Acked, rep.InFlight, rep.Anomalies = h.ledger.acked, h.ledger.lost, h.ledger.odd
		rep.ReadyP50, rep.ReadyP99, rep.ReadyMax = quantiles(h.ready)
		rep.Latency = map[string][3]time.Duration{}
		for k, ds := range h.ledger.latency {
			p50, p99, mx := quantiles(ds)
			rep.Latency[k] = [3]time.Duration{p50, p99, mx}
		}
		if err == nil && !rep.ok() {
			err = errors.New("acknowledged writes were lost or the database was damaged (see the report)")
		}
	}()

	for cycle := 1; cycle <= o.Cycles; cycle++ {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		rep.Cycles = cycle
		p, err := h.startProcess()
		if err != nil {
			return rep, err
		}
		if h.rng.Float64() < 0.15 { // kill while starting (migrations, key generation, seeding)
			time.Sleep(time.Duration(h.rng.IntN(400)) * time.Millisecond)
			p.kill()
			rep.KilledStarting++
			h.logf("cycle %d: killed while starting", cycle)
			h.afterKill(ctx, &rep)
			continue
		}
		took, err := h.waitReady(ctx, p, 60*time.Second)
		if err != nil {
			p.kill()
			return rep, fmt.Errorf("cycle %d: %w", cycle, err)
		}
		h.ready = append(h.ready, took)
		if err := h.setup(ctx); err != nil {
			p.kill()
			return rep, fmt.Errorf("cycle %d: setup: %w", cycle, err)
		}
		rep.Verified += h.verifyPending(ctx, &rep)
		load := time.Duration(100+h.rng.IntN(int(o.MaxLoad/time.Millisecond)-100)) * time.Millisecond
		acked := sum(h.ledger.acked)
		h.runLoad(ctx, load, p)
		rep.KilledUnderLoad++
		h.logf("cycle %d: ready in %v, killed after %v of load (%d writes acknowledged)", cycle,
			took.Round(time.Millisecond), load, sum(h.ledger.acked)-acked)
		h.afterKill(ctx, &rep)
	}

	// A last start: what the last cycle acknowledged, then everything once more.
	p, err := h.startProcess()
	if err != nil {
		return rep, err
	}
	took, err := h.waitReady(ctx, p, 60*time.Second)
	if err != nil {
		p.kill()
		return rep, fmt.Errorf("final start: %w", err)
	}
	h.ready = append(h.ready, took)
	if err := h.setup(ctx); err != nil {
		p.kill()
		return rep, err
	}
	rep.Verified += h.verifyPending(ctx, &rep)
	h.ledger.mu.Lock()
	all := slices.Clone(h.ledger.all)
	h.ledger.mu.Unlock()
	rep.FinalChecks = len(all)
	rep.Lost = append(rep.Lost, h.verify(ctx, all)...)
	if err := p.stop(); err != nil {
		return rep, fmt.Errorf("graceful stop: %w", err)
	}
	h.afterKill(ctx, &rep)
	if err := h.auditCheck(ctx, &rep); err != nil {
		h.logf("%v", err)
	}
	return rep, nil
}

func (h *harness) logf(format string, args ...any) {
	if h.opt.Log != nil {
		fmt.Fprintf(h.opt.Log, format+"\n", args...)
	}
}

// prepare makes the working directory, the database and the clients.
func (h *harness) prepare(ctx context.Context) (func(), error) {
	var err error
	h.dir = h.opt.Dir
	if h.dir == "" {
		if h.dir, err = os.MkdirTemp("", "crashtest-"); err != nil {
			return nil, err
		}
	} else if err := os.MkdirAll(h.dir, 0o700); err != nil {
		return nil, err
	}
	cleanups := []func(){}
	cleanup := func() {
		for _, f := range slices.Backward(cleanups) {
			f()
		}
	}
	if h.opt.Dir == "" {
		cleanups = append(cleanups, func() { _ = os.RemoveAll(h.dir) })
	}
	h.dataDir = filepath.Join(h.dir, "data")
	switch h.opt.DB {
	case "sqlite":
	case "postgres":
		if h.opt.DSN == "" {
			return nil, errors.New("-db postgres needs -dsn or GATEHOUSE_TEST_POSTGRES")
		}
		dsn, drop, err := replica.NewDatabase(ctx, h.opt.DSN, "gh_crash_")
		if err != nil {
			return nil, err
		}
		h.dsn = dsn
		cleanups = append(cleanups, func() { _ = drop() })
	default:
		return nil, fmt.Errorf("-db %q: want sqlite or postgres", h.opt.DB)
	}
	if h.ports, err = freePorts(); err != nil {
		cleanup()
		return nil, err
	}
	if h.serverLog, err = os.OpenFile(filepath.Join(h.dir, "server.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600); err != nil {
		cleanup()
		return nil, err
	}
	base := func(p int) string { return fmt.Sprintf("http://127.0.0.1:%d", p) }
	h.client = &replica.Client{HTTP: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 32}},
		Identity: base(h.ports.identity), Console: base(h.ports.console), Modeler: base(h.ports.modeler),
		Health: base(h.ports.health), Realm: realm}
	return cleanup, nil
}

func (h *harness) sqlitePath() string { return filepath.Join(h.dataDir, "gatehouse.db") }

// setup makes, once, what the load needs: the administrator's token, an application
// for the Web Modeler API and a project. Tokens issued before a kill are reused after
// it (checklist F10: they must still verify).
func (h *harness) setup(ctx context.Context) error {
	if h.setupDone {
		return nil
	}
	var r replica.Response
	if h.admin, r = h.client.Token(ctx, adminID, adminSecret, identity.AudienceIdentity); h.admin == "" {
		return fmt.Errorf("administrator token: %v", r)
	}
	app, r := h.client.CreateApp(ctx, h.admin, "crashtest-modeler",
		replica.Permission{API: "web-modeler-public-api", Permission: "create:*"}, replica.Permission{API: "web-modeler-public-api", Permission: "read:*"})
	if !r.OK() {
		return fmt.Errorf("modeler application: %v", r)
	}
	if h.modelerToken, r = h.client.Token(ctx, app.ClientID, app.ClientSecret, "web-modeler-public-api"); h.modelerToken == "" {
		return fmt.Errorf("modeler token: %v", r)
	}
	if h.project, r = h.client.CreateProject(ctx, h.modelerToken, "crashtest"); !r.OK() {
		return fmt.Errorf("project: %v", r)
	}
	h.setupDone = true
	return nil
}

// runLoad writes with every worker for d, then kills the process under that load.
func (h *harness) runLoad(ctx context.Context, d time.Duration, p *proc) {
	lctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for w := range h.opt.Workers {
		rng := rand.New(rand.NewPCG(h.rng.Uint64(), uint64(w)))
		wg.Go(func() { h.worker(lctx, w, rng) })
	}
	time.Sleep(d)
	h.killed.Store(true)
	p.kill() // SIGKILL first: whatever was answered before this instant is acknowledged
	cancel()
	wg.Wait()
	h.killed.Store(false)
}

// verifyPending checks what was acknowledged before the last kill and returns how many
// checks it ran.
func (h *harness) verifyPending(ctx context.Context, rep *Report) int {
	h.ledger.mu.Lock()
	pending := h.ledger.pending
	h.ledger.pending = nil
	h.ledger.all = append(h.ledger.all, pending...)
	h.ledger.mu.Unlock()
	rep.Lost = append(rep.Lost, h.verify(ctx, pending)...)
	return len(pending)
}

func (h *harness) afterKill(ctx context.Context, rep *Report) {
	rep.DBChecks++
	if err := h.dbCheck(ctx); err != nil {
		rep.DBErrors = append(rep.DBErrors, fmt.Sprintf("after cycle %d: %v", rep.Cycles, err))
	}
}

func quantiles(ds []time.Duration) (p50, p99, maxD time.Duration) {
	if len(ds) == 0 {
		return 0, 0, 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2], s[min(len(s)-1, len(s)*99/100)], s[len(s)-1]
}
