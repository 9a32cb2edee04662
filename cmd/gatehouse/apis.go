package main

import (
	"context"
	"flag"
	"strconv"
	"strings"

	"github.com/gatehouse/gatehouse/client"
)

var apisGroup = &group{
	name:    "apis",
	summary: "Manage the realm's APIs (resource servers) and their permission definitions (management API: …/apis).",
	verbs: []verb{
		{name: "list", summary: "list APIs, by name", max: 0, setup: apisList},
		{name: "get", args: "ID", summary: "show an API with its permission definitions", min: 1, max: 1, setup: apisGet},
		{name: "create", args: "--name NAME --audience AUDIENCE [--alias ALIAS]... [--permission DEFINITION[=DESCRIPTION]]...",
			summary: "create an API", max: 0, setup: apisCreate},
		{name: "update", args: "ID [--name NAME] [--alias ALIAS]... [--no-aliases] [--permission DEFINITION[=DESCRIPTION]]...",
			min: 1, max: 1, setup: apisUpdate,
			summary: "rename an API or replace its aliases or permission definitions (dropping a definition drops its grants)"},
		{name: "delete", args: "ID [--cascade]", summary: "delete an API (refused while granted, unless --cascade)",
			min: 1, max: 1, setup: apisDelete},
	},
}

func apisList(fs *flag.FlagSet, s *session) action {
	opts := listFlags(fs)
	return s.withMgmt(func(ctx context.Context, m *client.Management, _ []string) error {
		p, err := m.ListAPIs(ctx, *opts)
		if err != nil {
			return err
		}
		if s.json() {
			return s.printJSON(p)
		}
		rows := make([][]string, 0, len(p.Items))
		for _, a := range p.Items {
			defs := make([]string, len(a.Permissions))
			for i, d := range a.Permissions {
				defs[i] = d.Definition
			}
			rows = append(rows, []string{a.ID, a.Name, a.Audience, list(a.Aliases), list(defs), strconv.FormatBool(a.Preset)})
		}
		if err := s.table([]string{"ID", "NAME", "AUDIENCE", "ALIASES", "PERMISSIONS", "PRESET"}, rows); err != nil {
			return err
		}
		s.morePages(p.Total, p.Offset, len(p.Items))
		return nil
	})
}

func (s *session) printAPI(a *client.API) error {
	if s.json() {
		return s.printJSON(a)
	}
	kv := [][2]string{{"ID", a.ID}, {"NAME", a.Name}, {"AUDIENCE", a.Audience}, {"ALIASES", list(a.Aliases)},
		{"PRESET", strconv.FormatBool(a.Preset)}}
	for i, d := range a.Permissions {
		kv = append(kv, [2]string{label(i, "PERMISSIONS"), d.Definition + "\t" + d.Description})
	}
	kv = append(kv, [2]string{"CREATED", ts(a.CreatedAt)}, [2]string{"UPDATED", ts(a.UpdatedAt)})
	return s.fields(kv...)
}

func apisGet(fs *flag.FlagSet, s *session) action {
	return s.withMgmt(func(ctx context.Context, m *client.Management, args []string) error {
		a, err := m.GetAPI(ctx, args[0])
		if err != nil {
			return err
		}
		return s.printAPI(a)
	})
}

// apiFlags declares the repeatable --alias and --permission of create and update.
func apiFlags(fs *flag.FlagSet) (aliases, defs *repeated) {
	aliases, defs = &repeated{}, &repeated{}
	fs.Var(aliases, "alias", "another audience the API answers to (repeatable)")
	fs.Var(defs, "permission", "a permission definition, optionally with a description: read:*=Read access (repeatable)")
	return aliases, defs
}

func permissionDefs(vals []string) []client.PermissionDef {
	out := make([]client.PermissionDef, len(vals))
	for i, v := range vals {
		def, desc, _ := strings.Cut(v, "=")
		out[i] = client.PermissionDef{Definition: def, Description: desc}
	}
	return out
}

func apisCreate(fs *flag.FlagSet, s *session) action {
	name := fs.String("name", "", "name of the API (required)")
	audience := fs.String("audience", "", "the audience tokens for this API carry (required; never changes)")
	aliases, defs := apiFlags(fs)
	return func(ctx context.Context, _ []string) error {
		if *name == "" || *audience == "" {
			return usagef("--name and --audience are required")
		}
		m, err := s.mgmt()
		if err != nil {
			return err
		}
		a, err := m.CreateAPI(ctx, client.APICreate{Name: *name, Audience: *audience, Aliases: *aliases, Permissions: permissionDefs(*defs)})
		if err != nil {
			return err
		}
		return s.printAPI(a)
	}
}

func apisUpdate(fs *flag.FlagSet, s *session) action {
	name := fs.String("name", "", "new name")
	aliases, defs := apiFlags(fs)
	noAliases := fs.Bool("no-aliases", false, "remove every alias")
	return func(ctx context.Context, args []string) error {
		var in client.APIUpdate
		if *name != "" {
			in.Name = name
		}
		switch {
		case *noAliases && len(*aliases) > 0:
			return usagef("--alias and --no-aliases exclude each other")
		case *noAliases:
			in.Aliases = &[]string{}
		case len(*aliases) > 0:
			in.Aliases = (*[]string)(aliases)
		}
		if len(*defs) > 0 {
			d := permissionDefs(*defs)
			in.Permissions = &d
		}
		if in == (client.APIUpdate{}) {
			return usagef("nothing to change: give --name, --alias, --no-aliases or --permission")
		}
		m, err := s.mgmt()
		if err != nil {
			return err
		}
		a, err := m.UpdateAPI(ctx, args[0], in)
		if err != nil {
			return err
		}
		return s.printAPI(a)
	}
}

func apisDelete(fs *flag.FlagSet, s *session) action {
	cascade := fs.Bool("cascade", false, "also take the API's permissions from every application holding them")
	return s.withMgmt(func(ctx context.Context, m *client.Management, args []string) error {
		if err := m.DeleteAPI(ctx, args[0], *cascade); err != nil {
			return err
		}
		s.note("Deleted API %s.", args[0])
		return nil
	})
}
