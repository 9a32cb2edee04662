package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/identity"
	"github.com/gatehouse/gatehouse/internal/server"
)

// importCmd imports a Keycloak realm export into the server's database (the same
// --data-dir or --database-url as `serve`). A running server sees the result within a
// second.
func importCmd(ctx context.Context, args []string, getenv env, environ []string, stdout, stderr io.Writer) error {
	const use = "usage: gatehouse import keycloak REALM-EXPORT.json [--realm R] [--output table|json] [server flags]"
	malformed := len(args) < 2 || args[0] != "keycloak" || args[1] == "" || args[1][0] == '-'
	if malformed && wantsHelp(args) { // with a file, -h lists the server flags (loadConfig)
		fmt.Fprintln(stdout, use+"\n\nImports the clients, roles and grants of a Keycloak realm export into the server's "+
			"database; every server flag and GATEHOUSE_* variable applies (see gatehouse serve -h).")
		return errHelp
	}
	if malformed {
		return usagef(use)
	}
	file := args[1]
	fs := config.FlagSet("gatehouse import keycloak", stderr)
	realm := fs.String("realm", config.DefaultRealm, "Gatehouse realm to import into")
	output := fs.String("output", "table", "output format: table or json")
	c, err := loadConfig(fs, args[2:], getenv, environ)
	if err != nil {
		return err
	}
	if *output != "table" && *output != "json" {
		return usagef("--output must be table or json")
	}
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	kr, err := identity.ParseKeycloakRealm(f)
	if err != nil {
		return err
	}
	off, err := server.OpenOffline(ctx, c)
	if err != nil {
		return err
	}
	defer off.Close()
	if _, err := off.Store.GetRealm(ctx, *realm); err != nil {
		return fmt.Errorf("realm %q: %w (start `gatehouse serve` once to create it)", *realm, err)
	}
	rep, err := off.Identity.ImportKeycloak(ctx, *realm, kr)
	if err != nil {
		return err
	}
	if *output == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KIND\tID\tRESULT")
	for _, i := range append(append(rep.APIs, rep.Apps...), rep.Skipped...) {
		res := i.Action
		if i.Reason != "" {
			res = "skipped: " + i.Reason
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", i.Kind, i.ID, res)
	}
	fmt.Fprintf(tw, "grants\t%d\t\n", rep.Grants)
	return tw.Flush()
}
