// Command crashtest is Gatehouse's kill -9 durability harness (issue 6, checklist F1).
//
// It builds (or takes) the gatehouse binary and runs it against SQLite or PostgreSQL
// under a mixed write load through the public APIs — applications created, secrets
// rotated and permissions granted through the management API, files created through
// the Web Modeler API, tokens issued and revoked — and kills it with SIGKILL at random
// moments: mostly under load, sometimes while it is still starting. After every kill it
// checks the database (SQLite: PRAGMA integrity_check and foreign_key_check; both: no
// application without a secret, no file without content, exactly one active signing
// key), restarts the binary, and checks through the APIs that every write acknowledged
// before the kill is there: applications, the latest secret, grants, file contents,
// issued tokens still accepted by the Administration API, revoked tokens refused, and
// the audit event of every acknowledged management change. A last start verifies
// everything acknowledged during the whole run once more.
//
//	go run ./cmd/crashtest -db sqlite -cycles 200
//	go run ./cmd/crashtest -db postgres -cycles 50 -dsn postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable
//
// With -db postgres it creates a fresh database on the server of -dsn (default
// $GATEHOUSE_TEST_POSTGRES) and drops it at the end; the database server is never
// stopped, only the application is killed. scripts/durability runs both; the short
// version runs in CI as the tests of this package. Results and method:
// docs/reliability.md.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "crashtest:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("crashtest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o Options
	fs.StringVar(&o.DB, "db", "sqlite", "database: sqlite or postgres")
	fs.IntVar(&o.Cycles, "cycles", 20, "number of kill -9 cycles")
	fs.StringVar(&o.DSN, "dsn", os.Getenv("GATEHOUSE_TEST_POSTGRES"), "PostgreSQL server to create the test database on (-db postgres)")
	fs.StringVar(&o.Binary, "bin", "", "gatehouse binary to test (default: go build ./cmd/gatehouse)")
	fs.Int64Var(&o.Seed, "seed", time.Now().UnixNano(), "random seed (printed, to replay a run's kill schedule)")
	fs.IntVar(&o.Workers, "workers", 4, "concurrent writers")
	fs.DurationVar(&o.MaxLoad, "max-load", 1500*time.Millisecond, "longest load phase before a kill")
	fs.StringVar(&o.Dir, "dir", "", "working directory (kept); default: a temporary directory, removed on success")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	verbose := fs.Bool("v", false, "log every cycle")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *verbose {
		o.Log = stderr
	}
	// Printed before anything can fail, so that any run can be replayed.
	fmt.Fprintf(stderr, "crashtest: seed %d (replay with -seed %d)\n", o.Seed, o.Seed)
	if o.Binary == "" {
		bin, cleanup, err := Build(ctx)
		if err != nil {
			return err
		}
		defer cleanup()
		o.Binary = bin
	}
	rep, err := Run(ctx, o)
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(rep)
	} else {
		fmt.Fprint(stdout, rep.String())
	}
	return err
}
