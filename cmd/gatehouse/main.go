// Command gatehouse is the whole authentication plane of a Camunda 8 style platform in
// one binary: an OAuth 2.0 authorization server for machine-to-machine applications,
// and the resource APIs its tokens unlock.
//
// Subcommands only parse their arguments and call into internal packages (serve, import,
// keys --local) or, for the management commands, the public Go SDK in package client.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version, commit and date are stamped at build time by scripts/release:
//
//	-ldflags "-X main.version=v1.2.0 -X main.commit=<sha> -X main.date=<RFC 3339>"
//
// A plain `go run` or `go build` leaves version "dev".
var version, commit, date = "dev", "", ""

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Environ(), os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// usageError marks a mistake in the command line: exit code 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return &usageError{fmt.Sprintf(format, a...)} }

func exitCode(err error, stderr io.Writer) int {
	if err == nil || errors.Is(err, errHelp) {
		return 0
	}
	var ue *usageError
	if errors.As(err, &ue) {
		if ue.msg != "" {
			fmt.Fprintln(stderr, "gatehouse:", ue.msg)
		}
		return 2
	}
	fmt.Fprintln(stderr, "gatehouse:", err)
	return 1
}

const usage = `Gatehouse: OAuth 2.0 machine-to-machine tokens and the Camunda APIs they unlock.

Usage:
  gatehouse serve [flags]                 run the server (see gatehouse serve -h)
  gatehouse token [flags]                 print an access token (client_credentials)
  gatehouse apps <command>                M2M applications: list, get, create, rename, enable, disable, delete, rotate-secret
  gatehouse grants <command>              permissions of an application: list, add, remove
  gatehouse apis <command>                APIs and their permission definitions: list, get, create, update, delete
  gatehouse users <command>               console users and their roles
  gatehouse clusters <command>            clusters of the Administration API, and their live status
  gatehouse keys list|rotate|revoke KID   signing keys (through the management API, or --local on the database)
  gatehouse audit list [flags]            the audit trail
  gatehouse import keycloak FILE          import a Keycloak realm export (clients, roles, grants)
  gatehouse version                       print the version, commit and build date
  gatehouse completion bash|zsh|fish      print a shell completion script

The API commands call the management API of the server at --server (env GATEHOUSE_SERVER, default
http://localhost:18080) as the application of --client-id/--client-secret (env GATEHOUSE_CLIENT_ID and
GATEHOUSE_CLIENT_SECRET, or ZEEBE_CLIENT_ID and ZEEBE_CLIENT_SECRET). They print tables, or JSON with --output json.

Run 'gatehouse <command> -h' for the flags of a command.
`

// env reads one environment variable.
type env func(string) string

func run(ctx context.Context, args []string, getenv env, environ []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return usagef("")
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], getenv, environ, stdout, stderr)
	case "token":
		return token(ctx, args[1:], getenv, stdout, stderr)
	case "keys":
		return keysCmd(ctx, args[1:], getenv, environ, stdout, stderr)
	case "apps", "grants", "apis", "users", "clusters", "audit":
		return groups[args[0]].run(ctx, args[1:], getenv, stdout, stderr)
	case "import":
		return importCmd(ctx, args[1:], getenv, environ, stdout, stderr)
	case "version", "--version":
		fmt.Fprintln(stdout, versionLine())
		return nil
	case "completion":
		return completion(args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return usagef("unknown command %q", args[0])
}

// versionLine is what `gatehouse version` prints: the version, then the commit and
// build date when the build stamped them.
func versionLine() string {
	line := "gatehouse " + version
	if commit != "" {
		line += " commit " + commit
	}
	if date != "" {
		line += " built " + date
	}
	return line
}
