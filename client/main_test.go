package client_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"testing"

	"github.com/gatehouse/gatehouse/internal/server"
	"github.com/gatehouse/gatehouse/internal/server/servertest"
)

// The server the examples run against (tests start their own with servertest.Start):
// the base URLs of its identity, console and modeler listeners and the credentials of
// its administrator application.
var (
	serverURL, consoleURL, modelerURL string

	adminID, adminSecret = servertest.AdminID, servertest.AdminSecret
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

// run starts one real server for the examples, runs every test and example, and stops
// the server.
func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "gatehouse-client-examples")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	c := servertest.DefaultConfig(dir)
	if err := c.Validate(); err != nil {
		fmt.Fprintln(os.Stderr, "config:", err)
		return 1
	}
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := server.New(ctx, c, server.Options{Log: slog.New(slog.DiscardHandler), Stdout: io.Discard})
	if err != nil {
		cancel()
		fmt.Fprintln(os.Stderr, "start server:", err)
		return 1
	}
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	serverURL = "http://" + srv.Addr(server.IdentityListener)
	consoleURL = "http://" + srv.Addr(server.ConsoleListener)
	modelerURL = "http://" + srv.Addr(server.ModelerListener)
	code := m.Run()
	cancel()
	<-done
	if templateDir != "" {
		os.RemoveAll(templateDir)
	}
	return code
}
