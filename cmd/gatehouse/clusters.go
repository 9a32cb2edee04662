package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/gatehouse/gatehouse/client"
)

const defaultConsole = "http://localhost:8080"

var clustersGroup = &group{
	name: "clusters",
	summary: "Manage the clusters the Administration API reports (management API: …/clusters), and show their\n" +
		"live status (Administration API on the console listener).",
	verbs: []verb{
		{name: "list", summary: "list clusters, by name", max: 0, setup: clustersList},
		{name: "get", args: "ID", summary: "show a cluster with its components", min: 1, max: 1, setup: clustersGet},
		{name: "create", args: "--name NAME [--namespace NS] [--version V] [--tag TAG]... [--component SPEC]...",
			summary: "create a cluster", max: 0, setup: clustersCreate},
		{name: "update", args: "ID [--name NAME] [--namespace NS] [--version V] [--tag TAG]... [--no-tags] [--component SPEC]... [--no-components]",
			summary: "change a cluster made through the API (lists replace the stored ones)", min: 1, max: 1, setup: clustersUpdate},
		{name: "delete", args: "ID", summary: "delete a cluster made through the API", min: 1, max: 1, setup: clustersDelete},
		{name: "status", args: "[--console-url URL]",
			summary: "show every cluster with the live health of its apps, as GET /admin-api/clusters answers\n" +
				"(the credentials need read:* on console-api)", max: 0, setup: clustersStatus},
	},
}

func clustersList(fs *flag.FlagSet, s *session) action {
	opts := listFlags(fs)
	return s.withMgmt(func(ctx context.Context, m *client.Management, _ []string) error {
		p, err := m.ListClusters(ctx, *opts)
		if err != nil {
			return err
		}
		if s.json() {
			return s.printJSON(p)
		}
		rows := make([][]string, 0, len(p.Items))
		for _, c := range p.Items {
			ids := make([]string, len(c.Components))
			for i, co := range c.Components {
				ids[i] = co.ID
			}
			rows = append(rows, []string{c.ID, c.Name, orDash(c.Namespace), orDash(c.Version), list(c.Tags), list(ids), c.Source})
		}
		if err := s.table([]string{"ID", "NAME", "NAMESPACE", "VERSION", "TAGS", "COMPONENTS", "SOURCE"}, rows); err != nil {
			return err
		}
		s.morePages(p.Total, p.Offset, len(p.Items))
		return nil
	})
}

func (s *session) printCluster(c *client.Cluster) error {
	if s.json() {
		return s.printJSON(c)
	}
	kv := [][2]string{{"ID", c.ID}, {"NAME", c.Name}, {"NAMESPACE", orDash(c.Namespace)}, {"VERSION", orDash(c.Version)},
		{"TAGS", list(c.Tags)}, {"SOURCE", c.Source}}
	for i, co := range c.Components {
		kv = append(kv, [2]string{label(i, "COMPONENTS"), componentSpec(co)})
	}
	kv = append(kv, [2]string{"CREATED", ts(c.CreatedAt)}, [2]string{"UPDATED", ts(c.UpdatedAt)})
	return s.fields(kv...)
}

func clustersGet(fs *flag.FlagSet, s *session) action {
	return s.withMgmt(func(ctx context.Context, m *client.Management, args []string) error {
		c, err := m.GetCluster(ctx, args[0])
		if err != nil {
			return err
		}
		return s.printCluster(c)
	})
}

// parseComponent reads id=ID,type=TYPE,name=…,version=…,url=…,readiness=…,metrics=….
func parseComponent(spec string) (client.Component, error) {
	var c client.Component
	for _, kv := range strings.Split(spec, ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return c, usagef("--component %q: give KEY=VALUE pairs separated by commas", spec)
		}
		switch k {
		case "id":
			c.ID = v
		case "type":
			c.Type = v
		case "name":
			c.Name = v
		case "version":
			c.Version = v
		case "url":
			c.URL = v
		case "readiness":
			c.Readiness = v
		case "metrics":
			c.Metrics = v
		default:
			return c, usagef("--component: unknown key %q (id, type, name, version, url, readiness, metrics)", k)
		}
	}
	if c.ID == "" {
		return c, usagef("--component %q: id= is required", spec)
	}
	return c, nil
}

// componentSpec is the --component form of c.
func componentSpec(c client.Component) string {
	parts := []string{"id=" + c.ID}
	for _, kv := range [][2]string{{"type", c.Type}, {"name", c.Name}, {"version", c.Version}, {"url", c.URL},
		{"readiness", c.Readiness}, {"metrics", c.Metrics}} {
		if kv[1] != "" {
			parts = append(parts, kv[0]+"="+kv[1])
		}
	}
	return strings.Join(parts, ",")
}

const componentHelp = "a component as id=ID,type=TYPE,version=V,url=URL,readiness=URL,metrics=URL,name=N (only id required; " +
	"type: zeebe-broker, zeebe-gateway, operate, tasklist, optimize, modeler, console, identity or unknown; repeatable)"

// clusterFlags declares the flags create and update share.
type clusterFlags struct {
	name, namespace, version *string
	tags, components         *repeated
}

func newClusterFlags(fs *flag.FlagSet, nameHelp string) clusterFlags {
	f := clusterFlags{tags: &repeated{}, components: &repeated{}}
	f.name = fs.String("name", "", nameHelp)
	f.namespace = fs.String("namespace", "", "Kubernetes namespace (a DNS label)")
	f.version = fs.String("version", "", "the version the cluster runs, e.g. 8.8.0")
	fs.Var(f.tags, "tag", "a tag (repeatable)")
	fs.Var(f.components, "component", componentHelp)
	return f
}

func (f clusterFlags) parsedComponents() ([]client.Component, error) {
	out := make([]client.Component, 0, len(*f.components))
	for _, spec := range *f.components {
		c, err := parseComponent(spec)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

func clustersCreate(fs *flag.FlagSet, s *session) action {
	f := newClusterFlags(fs, "name of the cluster, e.g. its Helm release (required)")
	return func(ctx context.Context, _ []string) error {
		if *f.name == "" {
			return usagef("--name is required")
		}
		comps, err := f.parsedComponents()
		if err != nil {
			return err
		}
		m, err := s.mgmt()
		if err != nil {
			return err
		}
		c, err := m.CreateCluster(ctx, client.ClusterCreate{Name: *f.name, Namespace: *f.namespace, Version: *f.version,
			Tags: *f.tags, Components: comps})
		if err != nil {
			return err
		}
		return s.printCluster(c)
	}
}

func clustersUpdate(fs *flag.FlagSet, s *session) action {
	f := newClusterFlags(fs, "new name")
	noTags := fs.Bool("no-tags", false, "remove every tag")
	noComponents := fs.Bool("no-components", false, "remove every component")
	return func(ctx context.Context, args []string) error {
		set := map[string]bool{}
		fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
		var in client.ClusterUpdate
		if set["name"] {
			in.Name = f.name
		}
		if set["namespace"] {
			in.Namespace = f.namespace
		}
		if set["version"] {
			in.Version = f.version
		}
		switch {
		case *noTags && len(*f.tags) > 0:
			return usagef("--tag and --no-tags exclude each other")
		case *noTags:
			in.Tags = &[]string{}
		case len(*f.tags) > 0:
			in.Tags = (*[]string)(f.tags)
		}
		comps, err := f.parsedComponents()
		if err != nil {
			return err
		}
		switch {
		case *noComponents && len(comps) > 0:
			return usagef("--component and --no-components exclude each other")
		case *noComponents || len(comps) > 0:
			in.Components = &comps
		}
		if in == (client.ClusterUpdate{}) {
			return usagef("nothing to change")
		}
		m, err := s.mgmt()
		if err != nil {
			return err
		}
		c, err := m.UpdateCluster(ctx, args[0], in)
		if err != nil {
			return err
		}
		return s.printCluster(c)
	}
}

func clustersDelete(fs *flag.FlagSet, s *session) action {
	return s.withMgmt(func(ctx context.Context, m *client.Management, args []string) error {
		if err := m.DeleteCluster(ctx, args[0]); err != nil {
			return err
		}
		s.note("Deleted cluster %s.", args[0])
		return nil
	})
}

func clustersStatus(fs *flag.FlagSet, s *session) action {
	console := fs.String("console-url", "", "base URL of the console listener (env GATEHOUSE_CONSOLE_URL; default "+defaultConsole+")")
	return func(ctx context.Context, _ []string) error {
		consoleURL := first(*console, s.getenv("GATEHOUSE_CONSOLE_URL"), defaultConsole)
		if err := checkServerURL("--console-url (env GATEHOUSE_CONSOLE_URL)", consoleURL); err != nil {
			return err
		}
		src, err := s.source(client.AdminAudience)
		if err != nil {
			return err
		}
		adm := client.NewAdmin(consoleURL, src,
			client.WithUserAgent("gatehouse-cli/"+version))
		cs, err := adm.Clusters(ctx)
		if err != nil {
			return err
		}
		if s.json() {
			if cs == nil {
				cs = []client.AdminCluster{}
			}
			return s.printJSON(cs)
		}
		var rows [][]string
		for _, c := range cs {
			rows = append(rows, []string{c.UUID, c.Name, orDash(c.Namespace), orDash(c.Generation), c.Type, c.Status, "", ""})
			for _, a := range c.Apps {
				rows = append(rows, []string{"", "", "", "", "", "", fmt.Sprintf("%s (%s %s)", a.ID, a.Type, orDash(a.Generation)), a.Status})
			}
		}
		return s.table([]string{"ID", "NAME", "NAMESPACE", "VERSION", "TYPE", "STATUS", "APP", "APP STATUS"}, rows)
	}
}
