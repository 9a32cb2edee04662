package main

import (
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/replica"
)

var (
	buildOnce sync.Once
	binary    string
	buildErr  error
)

// gatehouse builds the binary once for the package's tests.
func gatehouse(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		var cleanup func()
		binary, cleanup, buildErr = Build(t.Context())
		if buildErr == nil {
			tmpCleanups = append(tmpCleanups, cleanup)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binary
}

var tmpCleanups []func()

func TestMain(m *testing.M) {
	code := m.Run()
	for _, f := range tmpCleanups {
		f()
	}
	os.Exit(code)
}

// EnvSeed replays a failed run: its report (and the test log) gives the seed.
const EnvSeed = "GATEHOUSE_CRASHTEST_SEED"

// The CI versions of the durability runs (issue 6: ≥ 20 cycles on SQLite, ≥ 10 on
// PostgreSQL); scripts/durability runs the long ones. They take minutes, so -short
// skips them; scripts/test runs them.
func TestCrashSQLite(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: kill -9 cycles of the built binary")
	}
	short(t, Options{DB: "sqlite", Cycles: 20})
}

func TestCrashPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: kill -9 cycles of the built binary")
	}
	dsn := os.Getenv(replica.EnvPostgres)
	if dsn == "" {
		t.Skip(replica.EnvPostgres + " is not set (scripts/test sets it)")
	}
	short(t, Options{DB: "postgres", Cycles: 10, DSN: dsn})
}

func short(t *testing.T, o Options) {
	o.Binary = gatehouse(t)
	o.Seed = time.Now().UnixNano()
	if v := os.Getenv(EnvSeed); v != "" {
		seed, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			t.Fatalf("%s=%q: %v", EnvSeed, v, err)
		}
		o.Seed = seed
	}
	// Logged first, so that even a run that hangs or panics can be replayed.
	t.Logf("seed %d (replay: %s=%d go test -run '^%s$' ./cmd/crashtest)", o.Seed, EnvSeed, o.Seed, t.Name())
	o.MaxLoad = time.Second
	if testing.Verbose() {
		o.Log = t.Output()
	}
	rep, err := Run(t.Context(), o)
	t.Log("\n" + rep.String())
	if err != nil {
		t.Fatal(err)
	}
	if rep.KilledUnderLoad == 0 || sum(rep.Acked) == 0 {
		t.Fatalf("the run killed nothing under load or acknowledged nothing: %+v", rep)
	}
}

// The seed is printed before anything can fail, so that every run can be replayed.
func TestSeedPrintedFirst(t *testing.T) {
	var stdout, stderr strings.Builder
	err := run(t.Context(), []string{"-seed", "42", "-bin", "unused", "-dir", t.TempDir(), "-db", "postgres", "-dsn", ""}, &stdout, &stderr)
	if err == nil {
		t.Fatal("a PostgreSQL run without a DSN started")
	}
	if want := "crashtest: seed 42 (replay with -seed 42)\n"; !strings.HasPrefix(stderr.String(), want) {
		t.Fatalf("stderr %q, want it to start with %q", stderr.String(), want)
	}
}
