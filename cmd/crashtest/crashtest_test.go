package main

import (
	"os"
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

// The CI versions of the durability runs (issue 6: ≥ 20 cycles on SQLite, ≥ 10 on
// PostgreSQL); scripts/durability runs the long ones.
func TestCrashSQLite(t *testing.T) {
	short(t, Options{DB: "sqlite", Cycles: 20})
}

func TestCrashPostgres(t *testing.T) {
	dsn := os.Getenv(replica.EnvPostgres)
	if dsn == "" {
		t.Skip(replica.EnvPostgres + " is not set (scripts/test sets it)")
	}
	short(t, Options{DB: "postgres", Cycles: 10, DSN: dsn})
}

func short(t *testing.T, o Options) {
	o.Binary = gatehouse(t)
	o.Seed = time.Now().UnixNano()
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
