package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/gatehouse/gatehouse/client"
)

// The API commands (apps, apis, grants, users, clusters, keys, audit) are nouns with
// verbs: gatehouse <noun> <verb> [ARGS] [flags]. Each verb declares its arguments and
// flags; usage and help are generated from those declarations, so they cannot drift.

const defaultServer = "http://localhost:18080"

// stdin is where --password-stdin reads (a variable for tests).
var stdin io.Reader = os.Stdin

// group is a noun: its verbs and what it manages.
type group struct {
	name    string
	summary string
	verbs   []verb
}

// verb is one command of a group.
type verb struct {
	name    string
	args    string // synopsis of the positional arguments and required flags, e.g. "ID --name NAME"
	summary string
	min     int // positional arguments
	max     int // -1: any number
	// setup declares the verb's own flags on fs and returns its action, which runs
	// after fs is parsed.
	setup func(fs *flag.FlagSet, s *session) action
}

type action func(ctx context.Context, args []string) error

// session is the state of one API command: where and as whom to call, and where to
// write.
type session struct {
	stdout, stderr io.Writer
	getenv         env

	server, realm, clientID, clientSecret, output string
}

// connFlags declares the flags every API command shares.
func (s *session) connFlags(fs *flag.FlagSet) {
	fs.StringVar(&s.server, "server", "", "base URL of the identity listener (env GATEHOUSE_SERVER; default "+defaultServer+")")
	fs.StringVar(&s.realm, "realm", client.DefaultRealm, "realm to manage")
	fs.StringVar(&s.clientID, "client-id", "", "client id of the calling application (env GATEHOUSE_CLIENT_ID or ZEEBE_CLIENT_ID)")
	fs.StringVar(&s.clientSecret, "client-secret", "", "its client secret (env GATEHOUSE_CLIENT_SECRET or ZEEBE_CLIENT_SECRET)")
	fs.StringVar(&s.output, "output", "table", "output format: table or json")
}

func first(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

func (s *session) serverURL() string {
	return strings.TrimRight(first(s.server, s.getenv("GATEHOUSE_SERVER"), defaultServer), "/")
}

// source is a token source for the caller's credentials and audience; missing
// credentials are a usage error.
func (s *session) source(audience string) (*client.TokenSource, error) {
	id := first(s.clientID, s.getenv("GATEHOUSE_CLIENT_ID"), s.getenv("ZEEBE_CLIENT_ID"))
	secret := first(s.clientSecret, s.getenv("GATEHOUSE_CLIENT_SECRET"), s.getenv("ZEEBE_CLIENT_SECRET"))
	if id == "" || secret == "" {
		return nil, usagef("no credentials: give --client-id and --client-secret, or set GATEHOUSE_CLIENT_ID and " +
			"GATEHOUSE_CLIENT_SECRET (or ZEEBE_CLIENT_ID and ZEEBE_CLIENT_SECRET)")
	}
	return client.NewTokenSource(client.Credentials{TokenURL: client.TokenURL(s.serverURL(), s.realm),
		ClientID: id, ClientSecret: secret, Audience: audience}), nil
}

// mgmt is a management API client of the session's realm.
func (s *session) mgmt() (*client.Management, error) {
	src, err := s.source(client.ManagementAudience)
	if err != nil {
		return nil, err
	}
	return client.NewManagement(s.serverURL(), s.realm, src, client.WithUserAgent("gatehouse-cli/"+version)), nil
}

// withMgmt adapts an action that needs a management client.
func (s *session) withMgmt(f func(ctx context.Context, m *client.Management, args []string) error) action {
	return func(ctx context.Context, args []string) error {
		m, err := s.mgmt()
		if err != nil {
			return err
		}
		return f(ctx, m, args)
	}
}

func (s *session) json() bool { return s.output == "json" }

// printJSON writes v as indented JSON.
func (s *session) printJSON(v any) error {
	enc := json.NewEncoder(s.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// table writes a header and rows in aligned columns.
func (s *session) table(header []string, rows [][]string) error {
	tw := tabwriter.NewWriter(s.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	return tw.Flush()
}

// fields writes label/value pairs, one a line; an empty label continues the previous
// one (see label).
func (s *session) fields(kv ...[2]string) error {
	tw := tabwriter.NewWriter(s.stdout, 0, 4, 2, ' ', 0)
	for _, f := range kv {
		if f[0] != "" {
			f[0] += ":"
		}
		fmt.Fprintf(tw, "%s\t%s\n", f[0], f[1])
	}
	return tw.Flush()
}

// label is name for the first of several values, empty for the rest.
func label(i int, name string) string {
	if i == 0 {
		return name
	}
	return ""
}

// note writes a remark for the human on stderr, keeping stdout for data.
func (s *session) note(format string, a ...any) { fmt.Fprintf(s.stderr, format+"\n", a...) }

// morePages tells the human on stderr how to get the next page of a list.
func (s *session) morePages(total, offset, n int) {
	if !s.json() && offset+n < total {
		s.note("(%d of %d shown; next page: --offset %d)", n, total, offset+n)
	}
}

func ts(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func list(xs []string) string {
	if len(xs) == 0 {
		return "-"
	}
	return strings.Join(xs, ",")
}

// repeated is a flag that may be given several times.
type repeated []string

func (r *repeated) String() string     { return strings.Join(*r, ",") }
func (r *repeated) Set(v string) error { *r = append(*r, v); return nil }

// listFlags declares --offset, --limit and --query for a list verb.
func listFlags(fs *flag.FlagSet) *client.ListOptions {
	o := &client.ListOptions{}
	fs.IntVar(&o.Offset, "offset", 0, "items to skip")
	fs.IntVar(&o.Limit, "limit", 50, "items to show, 1-500")
	fs.StringVar(&o.Query, "query", "", "show only items whose name contains this (case-insensitive)")
	return o
}

// run dispatches gatehouse <group> <verb> ….
func (g *group) run(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		g.usage(stderr)
		return usagef("missing %s command", g.name)
	}
	if isHelp(args[0]) || args[0] == "help" {
		g.usage(stdout)
		return errHelp
	}
	i := slices.IndexFunc(g.verbs, func(v verb) bool { return v.name == args[0] })
	if i < 0 {
		g.usage(stderr)
		return usagef("unknown %s command %q", g.name, args[0])
	}
	v := g.verbs[i]
	name := "gatehouse " + g.name + " " + v.name
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	s := &session{stdout: stdout, stderr: stderr, getenv: getenv}
	act := v.setup(fs, s)
	s.connFlags(fs)
	if wantsHelp(args[1:]) {
		v.usage(stdout, g.name, fs)
		return errHelp
	}
	pos, err := parseInterspersed(fs, args[1:])
	if err != nil {
		return usagef("%v\nRun '%s -h' for usage.", err, name)
	}
	switch {
	case len(pos) < v.min:
		return usagef("missing argument\nUsage: %s %s", name, v.args)
	case v.max >= 0 && len(pos) > v.max:
		return usagef("unexpected argument %q\nUsage: %s %s", pos[v.max], name, v.args)
	}
	if s.output != "table" && s.output != "json" {
		return usagef("--output must be table or json")
	}
	if err := checkServerURL("--server (env GATEHOUSE_SERVER)", s.serverURL()); err != nil {
		return err
	}
	return explainCall(act(ctx, pos), s.serverURL())
}

func (g *group) usage(w io.Writer) {
	fmt.Fprintf(w, "Usage: gatehouse %s <command> [flags]\n\n%s\n\nCommands:\n", g.name, g.summary)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, v := range g.verbs {
		summary, _, _ := strings.Cut(v.summary, "\n")
		fmt.Fprintf(tw, "  %s\t%s\n", strings.TrimSpace(v.name+" "+positional(v.args)), summary)
	}
	tw.Flush()
	fmt.Fprintf(w, "\nRun 'gatehouse %s <command> -h' for the flags of a command.\n", g.name)
}

func (v verb) usage(w io.Writer, group string, fs *flag.FlagSet) {
	synopsis := strings.Join(strings.Fields("gatehouse "+group+" "+v.name+" "+v.args), " ")
	fmt.Fprintf(w, "Usage: %s [flags]\n\n%s.\n\nFlags:\n", synopsis, strings.ToUpper(v.summary[:1])+v.summary[1:])
	printFlags(w, fs)
}

// printFlags lists fs's flags as --name TYPE, with usage and default.
func printFlags(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		typ, usage := flag.UnquoteUsage(f)
		if typ == "value" {
			typ = "string"
		}
		line := "  --" + f.Name
		if typ != "" {
			line += " " + typ
		}
		fmt.Fprintf(w, "%s\n    \t%s", line, strings.ReplaceAll(usage, "\n", "\n    \t"))
		switch d := f.DefValue; {
		case d == "" || d == "0" || d == "false" || d == "0s" || typ == "":
		case typ == "string":
			fmt.Fprintf(w, " (default %q)", d)
		default:
			fmt.Fprintf(w, " (default %s)", d)
		}
		fmt.Fprintln(w)
	})
}

// positional is the leading part of a verb's synopsis before its first flag or
// optional part: "ID --name NAME" → "ID".
func positional(args string) string {
	var out []string
	for _, tok := range strings.Fields(args) {
		if strings.ContainsAny(tok[:1], "-[(") {
			break
		}
		out = append(out, tok)
	}
	return strings.Join(out, " ")
}

func isHelp(a string) bool { return a == "-h" || a == "-help" || a == "--help" }

// wantsHelp reports whether -h or --help comes before any "--".
func wantsHelp(args []string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		if isHelp(a) {
			return true
		}
	}
	return false
}

// parseInterspersed parses flags anywhere among the positional arguments (the flag
// package stops at the first positional one), so that both
// `apps rotate-secret ID --grace 10m` and `apps rotate-secret --grace 10m ID` work.
// Everything after "--" is positional.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard) // errors are reported once, by the caller
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(pos, rest...), nil
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
}

// errHelp ends a command whose help was asked for: exit status 0.
var errHelp = errors.New("help requested")
