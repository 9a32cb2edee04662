package main

import (
	"context"
	"flag"
	"strconv"
	"time"

	"github.com/gatehouse/gatehouse/client"
)

// groups are the API commands by name.
var groups = map[string]*group{
	"apps": appsGroup, "grants": grantsGroup, "apis": apisGroup, "users": usersGroup,
	"clusters": clustersGroup, "audit": auditGroup,
}

var appsGroup = &group{
	name:    "apps",
	summary: "Manage the realm's M2M applications (management API: /manage/v1/realms/{realm}/applications).",
	verbs: []verb{
		{name: "list", summary: "list applications, by name", max: 0, setup: appsList},
		{name: "get", args: "ID", summary: "show an application", min: 1, max: 1, setup: appsGet},
		{name: "create", args: "--name NAME [--type M2M|CONFIDENTIAL|PUBLIC] [--redirect-uri URI]... [--permission API:DEFINITION]...",
			summary: "create an application; prints its client id and secret (none for PUBLIC), shown only this once", max: 0, setup: appsCreate},
		{name: "set-web", args: "ID [--type M2M|CONFIDENTIAL] [--root-url URL] [--redirect-uri URI]... [--post-logout-redirect-uri URI]... [--web-origin ORIGIN]...",
			summary: "change an application's type or sign-in settings (given lists replace the stored ones)", min: 1, max: 1, setup: appsSetWeb},
		{name: "rename", args: "ID --name NAME", summary: "rename an application", min: 1, max: 1, setup: appsRename},
		{name: "enable", args: "ID", summary: "let a disabled application obtain tokens again", min: 1, max: 1,
			setup: appsEnabled(true)},
		{name: "disable", args: "ID", summary: "refuse an application's token requests at once, and its live tokens on Gatehouse's APIs",
			min: 1, max: 1, setup: appsEnabled(false)},
		{name: "delete", args: "ID", summary: "delete an application with its secrets and grants", min: 1, max: 1, setup: appsDelete},
		{name: "rotate-secret", args: "ID [--grace DURATION]", min: 1, max: 1, setup: appsRotate,
			summary: "give an application a new secret (printed once); the old one stays valid for the grace period"},
	},
}

func appsList(fs *flag.FlagSet, s *session) action {
	opts := listFlags(fs)
	return s.withMgmt(func(ctx context.Context, m *client.Management, _ []string) error {
		p, err := m.ListApplications(ctx, *opts)
		if err != nil {
			return err
		}
		if s.json() {
			return s.printJSON(p)
		}
		rows := make([][]string, 0, len(p.Items))
		for _, a := range p.Items {
			rows = append(rows, []string{a.ID, a.Name, a.ClientID, strconv.FormatBool(a.Enabled), a.Source, secretsSummary(a.Secrets), ts(a.CreatedAt)})
		}
		if err := s.table([]string{"ID", "NAME", "CLIENT ID", "ENABLED", "SOURCE", "SECRETS", "CREATED"}, rows); err != nil {
			return err
		}
		s.morePages(p.Total, p.Offset, len(p.Items))
		return nil
	})
}

// secretsSummary is "1", or "2 (one expires …)" during a grace period.
func secretsSummary(ss []client.SecretInfo) string {
	out := strconv.Itoa(len(ss))
	for _, sec := range ss {
		if !sec.ExpiresAt.IsZero() {
			out += " (one expires " + ts(sec.ExpiresAt) + ")"
		}
	}
	return out
}

// printApp shows one application.
func (s *session) printApp(a *client.Application) error {
	if s.json() {
		return s.printJSON(a)
	}
	kv := [][2]string{{"ID", a.ID}, {"NAME", a.Name}, {"CLIENT ID", a.ClientID}, {"TYPE", a.Type},
		{"ENABLED", strconv.FormatBool(a.Enabled)}, {"SOURCE", a.Source}}
	for i, sec := range a.Secrets {
		v := "created " + ts(sec.CreatedAt)
		if !sec.ExpiresAt.IsZero() {
			v += ", expires " + ts(sec.ExpiresAt)
		}
		kv = append(kv, [2]string{label(i, "SECRETS"), v})
	}
	if a.RootURL != "" {
		kv = append(kv, [2]string{"ROOT URL", a.RootURL})
	}
	for _, l := range []struct {
		name string
		vals []string
	}{{"REDIRECT URIS", a.RedirectURIs}, {"POST-LOGOUT URIS", a.PostLogoutRedirectURIs}, {"WEB ORIGINS", a.WebOrigins}} {
		for i, v := range l.vals {
			kv = append(kv, [2]string{label(i, l.name), v})
		}
	}
	kv = append(kv, [2]string{"CREATED", ts(a.CreatedAt)}, [2]string{"UPDATED", ts(a.UpdatedAt)})
	return s.fields(kv...)
}

func appsGet(fs *flag.FlagSet, s *session) action {
	return s.withMgmt(func(ctx context.Context, m *client.Management, args []string) error {
		a, err := m.GetApplication(ctx, args[0])
		if err != nil {
			return err
		}
		return s.printApp(a)
	})
}

// permissionFlags declares a repeatable --permission API:DEFINITION.
func permissionFlags(fs *flag.FlagSet) *repeated {
	var r repeated
	fs.Var(&r, "permission", "a permission as API:DEFINITION, e.g. console-api:read:* (repeatable)")
	return &r
}

func parsePermissions(vals []string) ([]client.Permission, error) {
	out := make([]client.Permission, 0, len(vals))
	for _, v := range vals {
		p, err := client.ParsePermission(v)
		if err != nil {
			return nil, usagef("permission %q: give API:DEFINITION, e.g. console-api:read:*", v)
		}
		out = append(out, p)
	}
	return out, nil
}

func permStrings(ps []client.Permission) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.String()
	}
	return out
}

// webFlags declares an application's sign-in settings.
type webFlags struct {
	typ, rootURL                      *string
	redirects, postLogout, webOrigins *repeated
}

func declareWeb(fs *flag.FlagSet) webFlags {
	w := webFlags{typ: fs.String("type", "", "M2M (default), CONFIDENTIAL or PUBLIC"),
		rootURL:   fs.String("root-url", "", "base URL that relative redirect URIs resolve against"),
		redirects: &repeated{}, postLogout: &repeated{}, webOrigins: &repeated{}}
	fs.Var(w.redirects, "redirect-uri", "a redirect URI, exact or ending in /* (repeatable)")
	fs.Var(w.postLogout, "post-logout-redirect-uri", "where logout may return (repeatable)")
	fs.Var(w.webOrigins, "web-origin", "an origin allowed to call the token endpoint from a browser (repeatable)")
	return w
}

func appsCreate(fs *flag.FlagSet, s *session) action {
	name := fs.String("name", "", "name of the application (required)")
	perms := permissionFlags(fs)
	web := declareWeb(fs)
	return func(ctx context.Context, _ []string) error {
		if *name == "" {
			return usagef("--name is required")
		}
		ps, err := parsePermissions(*perms)
		if err != nil {
			return err
		}
		m, err := s.mgmt()
		if err != nil {
			return err
		}
		a, err := m.CreateApplication(ctx, client.ApplicationCreate{Name: *name, Permissions: ps, Type: *web.typ,
			RootURL: *web.rootURL, RedirectURIs: *web.redirects, PostLogoutRedirectURIs: *web.postLogout, WebOrigins: *web.webOrigins})
		if err != nil {
			return explainPermissions(ctx, m, ps, err)
		}
		if s.json() {
			return s.printJSON(a)
		}
		if a.ClientSecret == "" { // PUBLIC: no secret
			return s.fields([2]string{"ID", a.ID}, [2]string{"NAME", a.Name}, [2]string{"TYPE", a.Type},
				[2]string{"CLIENT ID", a.ClientID}, [2]string{"PERMISSIONS", list(permStrings(ps))})
		}
		if err := s.fields([2]string{"ID", a.ID}, [2]string{"NAME", a.Name}, [2]string{"CLIENT ID", a.ClientID},
			[2]string{"CLIENT SECRET", a.ClientSecret}, [2]string{"PERMISSIONS", list(permStrings(ps))}); err != nil {
			return err
		}
		s.note("The client secret is shown only this once: store it now.")
		return nil
	}
}

func appsRename(fs *flag.FlagSet, s *session) action {
	name := fs.String("name", "", "the new name (required)")
	return func(ctx context.Context, args []string) error {
		if *name == "" {
			return usagef("--name is required")
		}
		m, err := s.mgmt()
		if err != nil {
			return err
		}
		a, err := m.RenameApplication(ctx, args[0], *name)
		if err != nil {
			return err
		}
		return s.printApp(a)
	}
}

func appsEnabled(enabled bool) func(fs *flag.FlagSet, s *session) action {
	return func(fs *flag.FlagSet, s *session) action {
		return s.withMgmt(func(ctx context.Context, m *client.Management, args []string) error {
			a, err := m.UpdateApplication(ctx, args[0], client.ApplicationUpdate{Enabled: &enabled})
			if err != nil {
				return err
			}
			return s.printApp(a)
		})
	}
}

func appsDelete(fs *flag.FlagSet, s *session) action {
	return s.withMgmt(func(ctx context.Context, m *client.Management, args []string) error {
		if err := m.DeleteApplication(ctx, args[0]); err != nil {
			return err
		}
		s.note("Deleted application %s.", args[0])
		return nil
	})
}

func appsRotate(fs *flag.FlagSet, s *session) action {
	grace := fs.Duration("grace", 0, "how long the current secret stays valid, e.g. 10m or 1h30m (at most 720h; 0: it stops now)")
	return func(ctx context.Context, args []string) error {
		if *grace < 0 || *grace > 720*time.Hour {
			return usagef("--grace must be from 0 to 720h")
		}
		m, err := s.mgmt()
		if err != nil {
			return err
		}
		a, err := m.RotateSecret(ctx, args[0], *grace)
		if err != nil {
			return err
		}
		if s.json() {
			return s.printJSON(a)
		}
		old := "no longer valid"
		for _, sec := range a.Secrets {
			if !sec.ExpiresAt.IsZero() {
				old = "valid until " + ts(sec.ExpiresAt)
			}
		}
		if err := s.fields([2]string{"ID", a.ID}, [2]string{"CLIENT ID", a.ClientID}, [2]string{"CLIENT SECRET", a.ClientSecret},
			[2]string{"OLD SECRET", old}); err != nil {
			return err
		}
		s.note("The new client secret is shown only this once: store it now.")
		return nil
	}
}

// grantsGroup gives and takes an application's permissions.
var grantsGroup = &group{
	name:    "grants",
	summary: "Give or take an application's permissions on APIs (management API: …/applications/{id}/permissions).",
	verbs: []verb{
		{name: "list", args: "APP-ID", summary: "list the permissions an application holds", min: 1, max: 1, setup: grantsList},
		{name: "add", args: "APP-ID API:DEFINITION...", summary: "give permissions (idempotent); prints what it holds then",
			min: 1, max: -1, setup: grantsChange(true)},
		{name: "remove", args: "APP-ID API:DEFINITION...", summary: "take permissions; prints what it holds then",
			min: 1, max: -1, setup: grantsChange(false)},
	},
}

func (s *session) printPermissions(ps []client.Permission) error {
	if s.json() {
		if ps == nil {
			ps = []client.Permission{}
		}
		return s.printJSON(ps)
	}
	rows := make([][]string, len(ps))
	for i, p := range ps {
		rows[i] = []string{p.API, p.Permission}
	}
	return s.table([]string{"API", "PERMISSION"}, rows)
}

func grantsList(fs *flag.FlagSet, s *session) action {
	return s.withMgmt(func(ctx context.Context, m *client.Management, args []string) error {
		ps, err := m.ListPermissions(ctx, args[0])
		if err != nil {
			return err
		}
		return s.printPermissions(ps)
	})
}

func grantsChange(add bool) func(fs *flag.FlagSet, s *session) action {
	return func(fs *flag.FlagSet, s *session) action {
		more := permissionFlags(fs)
		return func(ctx context.Context, args []string) error {
			ps, err := parsePermissions(append(args[1:], *more...))
			if err != nil {
				return err
			}
			if len(ps) == 0 {
				return usagef("give at least one permission as API:DEFINITION, e.g. console-api:read:*")
			}
			m, err := s.mgmt()
			if err != nil {
				return err
			}
			change := m.RemovePermissions
			if add {
				change = m.AddPermissions
			}
			held, err := change(ctx, args[0], ps...)
			if err != nil && add {
				return explainPermissions(ctx, m, ps, err)
			}
			if err != nil {
				return err
			}
			return s.printPermissions(held)
		}
	}
}

func appsSetWeb(fs *flag.FlagSet, s *session) action {
	web := declareWeb(fs)
	return func(ctx context.Context, args []string) error {
		var in client.ApplicationUpdate
		set := false
		fs.Visit(func(f *flag.Flag) {
			set = true
			switch f.Name {
			case "type":
				in.Type = web.typ
			case "root-url":
				in.RootURL = web.rootURL
			case "redirect-uri":
				in.RedirectURIs = (*[]string)(web.redirects)
			case "post-logout-redirect-uri":
				in.PostLogoutRedirectURIs = (*[]string)(web.postLogout)
			case "web-origin":
				in.WebOrigins = (*[]string)(web.webOrigins)
			}
		})
		if !set {
			return usagef("give at least one of --type, --root-url, --redirect-uri, --post-logout-redirect-uri, --web-origin")
		}
		m, err := s.mgmt()
		if err != nil {
			return err
		}
		a, err := m.UpdateApplication(ctx, args[0], in)
		if err != nil {
			return err
		}
		return s.printApp(a)
	}
}
