package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/gatehouse/gatehouse/client"
	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/server"
)

// keysGroup manages signing keys through the management API. With --local the same
// verbs work directly on the server's database instead (keysLocal).
var keysGroup = &group{
	name: "keys",
	summary: "Manage the realm's signing keys through the management API (…/keys).\n\n" +
		"With --local the command works directly on the server's database instead, with the server's\n" +
		"--data-dir or --database-url and master key (see 'gatehouse keys list --local -h'); a running\n" +
		"server sees the change within a second. Use it when no administrator credentials are at hand.",
	verbs: []verb{
		{name: "list", summary: "list signing keys, the active one first", max: 0, setup: keysAPI("list")},
		{name: "rotate", summary: "make the next key active; the old one stays published until its tokens expire",
			max: 0, setup: keysAPI("rotate")},
		{name: "revoke", args: "KID", summary: "withdraw a key at once (emergency); if it was active, the next key takes over",
			min: 1, max: 1, setup: keysAPI("revoke")},
	},
}

func keysCmd(ctx context.Context, args []string, getenv env, environ []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && hasLocal(args[1:]) {
		return keysLocal(ctx, args, getenv, environ, stdout, stderr)
	}
	return keysGroup.run(ctx, args, getenv, stdout, stderr)
}

// hasLocal reports whether --local is among the flags (before any "--").
func hasLocal(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "--local", "-local", "--local=true", "-local=true":
			return true
		}
	}
	return false
}

func keysAPI(verb string) func(fs *flag.FlagSet, s *session) action {
	return func(fs *flag.FlagSet, s *session) action {
		fs.Bool("local", false, "work on the server's database instead of the management API")
		return s.withMgmt(func(ctx context.Context, m *client.Management, args []string) error {
			var list []client.Key
			var err error
			switch verb {
			case "list":
				list, err = m.ListKeys(ctx)
			case "rotate":
				list, err = m.RotateKey(ctx)
			case "revoke":
				list, err = m.RevokeKey(ctx, args[0])
			}
			if err != nil {
				return err
			}
			if s.json() {
				return s.printJSON(list)
			}
			rows := make([][]string, len(list))
			for i, k := range list {
				rows[i] = keyRow(k.KID, k.Alg, k.State, k.CreatedAt, k.ActivatedAt, k.PublishUntil)
			}
			return s.table(keyHeader, rows)
		})
	}
}

var keyHeader = []string{"KID", "ALG", "STATE", "CREATED", "ACTIVATED", "PUBLISHED UNTIL"}

func keyRow(kid, alg, state string, created, activated, until time.Time) []string {
	u := ts(until)
	if state == "active" || state == "next" {
		u = "-"
	}
	return []string{kid, alg, state, ts(created), ts(activated), u}
}

// keysLocal manages signing keys directly in the server's database (the same
// --data-dir or --database-url and master key as `serve`). A running server sees the
// change within a second.
func keysLocal(ctx context.Context, args []string, getenv env, environ []string, stdout, stderr io.Writer) error {
	if args[0] != "list" && args[0] != "rotate" && args[0] != "revoke" {
		keysGroup.usage(stderr)
		return usagef("unknown keys command %q", args[0])
	}
	verb := args[0]
	args = args[1:]
	synopsis := "gatehouse keys " + verb + " --local"
	if verb == "revoke" {
		synopsis = "gatehouse keys revoke KID --local"
	}
	fs := config.FlagSet(synopsis, stderr)
	fs.Bool("local", true, "work on the server's database (this mode)")
	realm := fs.String("realm", config.DefaultRealm, "realm whose keys to manage")
	output := fs.String("output", "table", "output format: table or json")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: %s [flags]\n\nWorks on the server's database directly, with the server's "+
			"configuration: every server flag and GATEHOUSE_* variable applies.\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	if wantsHelp(args) {
		fs.SetOutput(stdout)
		fs.Usage()
		return errHelp
	}
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return usagef("%v\nRun '%s -h' for usage.", err, synopsis)
	}
	want := 0
	if verb == "revoke" {
		want = 1
	}
	if len(pos) != want {
		return usagef("%s takes %d argument(s), got %d\nUsage: %s [flags]", synopsis, want, len(pos), synopsis)
	}
	kid := ""
	if verb == "revoke" {
		kid = pos[0]
	}
	c, err := config.Load(fs, getenv, environ)
	if err != nil {
		return usagef("%v", err)
	}
	if *output != "table" && *output != "json" {
		return usagef("--output must be table or json")
	}
	off, err := server.OpenOffline(ctx, c)
	if err != nil {
		return err
	}
	defer off.Close()
	m, err := off.Keys(ctx, *realm)
	if err != nil {
		return err
	}
	switch verb {
	case "rotate":
		if err := m.Rotate(ctx, *realm); err != nil {
			return err
		}
	case "revoke":
		if err := m.Revoke(ctx, *realm, kid); err != nil {
			return fmt.Errorf("revoke %s: %w", kid, err)
		}
	}
	list, err := m.List(ctx, *realm)
	if err != nil {
		return err
	}
	if *output == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(list)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KID\tALG\tSTATE\tCREATED\tACTIVATED\tPUBLISHED UNTIL")
	for _, k := range list {
		fmt.Fprintln(tw, strings.Join(keyRow(k.ID, k.Alg, k.State, k.CreatedAt, k.ActivatedAt, k.PublishUntil), "\t"))
	}
	return tw.Flush()
}
