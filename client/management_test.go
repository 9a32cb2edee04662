package client_test

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gatehouse/gatehouse/client"
	"github.com/gatehouse/gatehouse/internal/server/servertest"
)

// sameTime equates times a millisecond apart: a create answers the time it took, reads
// the store's millisecond precision.
var sameTime = cmpopts.EquateApproxTime(time.Millisecond)

// TestApplications drives every application operation of the management API through
// the SDK against a real server, in order; each step names the operation it covers.
func TestApplications(t *testing.T) {
	f := start(t, servertest.Options{})
	ctx, m := f.ctx, f.m
	var app *client.ApplicationWithSecret
	var oldSecret string
	steps := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"create answers the secret once", func(t *testing.T) {
			app = f.app("billing-job", "web-modeler-public-api:read:*", "console-api:read:*")
			if !strings.HasPrefix(app.ClientSecret, "gh_cs_") || app.ClientID == "" || app.ID == "" {
				t.Fatalf("created %+v", app)
			}
			if app.Name != "billing-job" || !app.Enabled || app.Type != "m2m" || app.Source != "api" || len(app.Secrets) != 1 {
				t.Fatalf("created %+v", app.Application)
			}
		}},
		{"its credentials get a token", func(t *testing.T) {
			if _, err := f.token(app.ClientID, app.ClientSecret); err != nil {
				t.Fatal(err)
			}
		}},
		{"get answers the same application", func(t *testing.T) {
			got, err := m.GetApplication(ctx, app.ID)
			wantStatus(t, "get", err, 0)
			if diff := cmp.Diff(app.Application, *got, sameTime); diff != "" {
				t.Fatalf("get differs from create (-create +get):\n%s", diff)
			}
		}},
		{"list finds it by name", func(t *testing.T) {
			p, err := m.ListApplications(ctx, client.ListOptions{Query: "BILLING"})
			wantStatus(t, "list", err, 0)
			if p.Total != 1 || len(p.Items) != 1 || p.Items[0].ID != app.ID || p.Limit != 50 {
				t.Fatalf("list %+v", p)
			}
		}},
		{"rename", func(t *testing.T) {
			got, err := m.RenameApplication(ctx, app.ID, "billing-job-2")
			wantStatus(t, "rename", err, 0)
			if got.Name != "billing-job-2" || got.ClientID != app.ClientID {
				t.Fatalf("renamed %+v", got)
			}
		}},
		{"disable refuses new tokens", func(t *testing.T) {
			got, err := m.DisableApplication(ctx, app.ID)
			wantStatus(t, "disable", err, 0)
			_, terr := f.token(app.ClientID, app.ClientSecret)
			var te *client.TokenError
			if got.Enabled || !errors.As(terr, &te) || te.Status != 401 || te.Code != "invalid_client" {
				t.Fatalf("disabled %+v, token error %v", got, terr)
			}
		}},
		{"enable lets it in again", func(t *testing.T) {
			got, err := m.EnableApplication(ctx, app.ID)
			wantStatus(t, "enable", err, 0)
			if _, err := f.token(app.ClientID, app.ClientSecret); err != nil || !got.Enabled {
				t.Fatalf("enabled %+v, token %v", got, err)
			}
		}},
		{"rotate with grace keeps both secrets", func(t *testing.T) {
			rot, err := m.RotateSecret(ctx, app.ID, 10*time.Minute)
			wantStatus(t, "rotate", err, 0)
			if rot.ClientSecret == app.ClientSecret || len(rot.Secrets) != 2 {
				t.Fatalf("rotated %+v", rot)
			}
			for _, s := range []string{app.ClientSecret, rot.ClientSecret} {
				if _, err := f.token(app.ClientID, s); err != nil {
					t.Fatalf("a secret valid in the grace period fails: %v", err)
				}
			}
			oldSecret, app.ClientSecret = app.ClientSecret, rot.ClientSecret
		}},
		{"rotate without grace ends the old secrets", func(t *testing.T) {
			rot, err := m.RotateSecret(ctx, app.ID, 0)
			wantStatus(t, "rotate", err, 0)
			if len(rot.Secrets) != 1 {
				t.Fatalf("secrets %+v", rot.Secrets)
			}
			for _, s := range []string{oldSecret, app.ClientSecret} {
				if _, err := f.token(app.ClientID, s); err == nil {
					t.Fatal("a rotated-away secret still gets tokens")
				}
			}
			if _, err := f.token(app.ClientID, rot.ClientSecret); err != nil {
				t.Fatal(err)
			}
		}},
		{"delete", func(t *testing.T) {
			wantStatus(t, "delete", m.DeleteApplication(ctx, app.ID), 0)
			_, err := m.GetApplication(ctx, app.ID)
			if !errors.Is(err, client.ErrNotFound) {
				t.Fatalf("get after delete: %v", err)
			}
		}},
	}
	for _, s := range steps {
		if !t.Run(s.name, s.run) {
			return
		}
	}
}

func TestPermissions(t *testing.T) {
	f := start(t, servertest.Options{})
	ctx, m := f.ctx, f.m
	app := f.app("perm-job", "console-api:read:*")
	console := client.Permission{API: "console-api", Permission: "read:*"}
	modeler := client.Permission{API: "web-modeler-public-api", Permission: "read:*"}
	for _, tc := range []struct {
		name   string
		op     func() ([]client.Permission, error)
		want   []client.Permission
		status int
	}{
		{"list", func() ([]client.Permission, error) { return m.ListPermissions(ctx, app.ID) }, []client.Permission{console}, 0},
		{"add", func() ([]client.Permission, error) { return m.AddPermissions(ctx, app.ID, modeler) }, []client.Permission{console, modeler}, 0},
		{"add again is idempotent", func() ([]client.Permission, error) { return m.AddPermissions(ctx, app.ID, modeler, console) },
			[]client.Permission{console, modeler}, 0},
		{"remove", func() ([]client.Permission, error) { return m.RemovePermissions(ctx, app.ID, console) }, []client.Permission{modeler}, 0},
		{"remove one not held", func() ([]client.Permission, error) { return m.RemovePermissions(ctx, app.ID, console) },
			[]client.Permission{modeler}, 0},
		{"add of an unknown definition", func() ([]client.Permission, error) {
			return m.AddPermissions(ctx, app.ID, client.Permission{API: "console-api", Permission: "fly:*"})
		}, nil, http.StatusBadRequest},
		{"add nothing", func() ([]client.Permission, error) { return m.AddPermissions(ctx, app.ID) }, nil, http.StatusBadRequest},
		{"list of an unknown application", func() ([]client.Permission, error) { return m.ListPermissions(ctx, "nope") }, nil, http.StatusNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.op()
			wantStatus(t, tc.name, err, tc.status)
			if tc.status == 0 && !cmp.Equal(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
	// A new token carries the change at once.
	tok, err := f.token(app.ClientID, app.ClientSecret)
	if err != nil {
		t.Fatal(err)
	}
	info, err := client.NewModeler(f.modelerURL(), staticSource(t, f, app)).Info(ctx)
	if err != nil || !info.ReadPermission {
		t.Fatalf("token %v; info %+v %v", tok.AccessToken != "", info, err)
	}
}

func staticSource(t *testing.T, f *fixture, app *client.ApplicationWithSecret) *client.TokenSource {
	t.Helper()
	return f.source(app.ClientID, app.ClientSecret, "")
}

func TestParsePermission(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want client.Permission
		ok   bool
	}{
		{"console-api:read:*", client.Permission{API: "console-api", Permission: "read:*"}, true},
		{"camunda-identity-resource-server:write", client.Permission{API: "camunda-identity-resource-server", Permission: "write"}, true},
		{"console-api", client.Permission{}, false},
		{":read", client.Permission{}, false},
		{"console-api:", client.Permission{}, false},
	} {
		got, err := client.ParsePermission(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParsePermission(%q) = %v, %v", tc.in, got, err)
		}
		if tc.ok && got.String() != tc.in {
			t.Errorf("String() = %q, want %q", got.String(), tc.in)
		}
	}
}

func TestListPaging(t *testing.T) {
	f := start(t, servertest.Options{})
	for i := range 5 {
		f.app(fmt.Sprintf("page-%d", i))
	}
	var names []string
	for a, err := range client.All(f.ctx, f.m.ListApplications, client.ListOptions{Query: "page-", Limit: 2}) {
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, a.Name)
	}
	if want := []string{"page-0", "page-1", "page-2", "page-3", "page-4"}; !slices.Equal(names, want) {
		t.Fatalf("All = %v, want %v", names, want)
	}
	p, err := f.m.ListApplications(f.ctx, client.ListOptions{Query: "page-", Offset: 4, Limit: 2})
	if err != nil || p.Total != 5 || p.Offset != 4 || len(p.Items) != 1 || p.Items[0].Name != "page-4" {
		t.Fatalf("page %+v %v", p, err)
	}
	// Stopping early stops the requests; an error ends the iteration with it.
	for range client.All(f.ctx, f.m.ListApplications, client.ListOptions{Limit: 1}) {
		break
	}
	var last error
	for _, err := range client.All(f.ctx, f.m.ListApplications, client.ListOptions{Limit: 501}) {
		last = err
	}
	wantStatus(t, "limit 501", last, http.StatusBadRequest)
}

func TestAPIs(t *testing.T) {
	f := start(t, servertest.Options{})
	ctx, m := f.ctx, f.m
	api, err := m.CreateAPI(ctx, client.APICreate{Name: "Billing API", Audience: "billing-api", Aliases: []string{"billing"},
		Permissions: []client.PermissionDef{{Definition: "read:*", Description: "Read invoices"}, {Definition: "write:*"}}})
	wantStatus(t, "create", err, 0)
	if api.ID == "" || api.Preset || api.Audience != "billing-api" || len(api.Permissions) != 2 || !slices.Equal(api.Aliases, []string{"billing"}) {
		t.Fatalf("created %+v", api)
	}
	got, err := m.GetAPI(ctx, api.ID)
	wantStatus(t, "get", err, 0)
	if diff := cmp.Diff(api, got, sameTime); diff != "" {
		t.Fatalf("get differs:\n%s", diff)
	}
	p, err := m.ListAPIs(ctx, client.ListOptions{Query: "billing"})
	if err != nil || p.Total != 1 {
		t.Fatalf("list %+v %v", p, err)
	}
	upd, err := m.UpdateAPI(ctx, api.ID, client.APIUpdate{Name: ptr("Invoices API"), Aliases: &[]string{},
		Permissions: &[]client.PermissionDef{{Definition: "read:*"}}})
	wantStatus(t, "update", err, 0)
	if upd.Name != "Invoices API" || len(upd.Aliases) != 0 || len(upd.Permissions) != 1 || upd.Audience != "billing-api" {
		t.Fatalf("updated %+v", upd)
	}
	app := f.app("invoice-reader", "billing-api:read:*")

	presets, err := m.ListAPIs(ctx, client.ListOptions{Query: "Identity"})
	if err != nil || len(presets.Items) != 1 || !presets.Items[0].Preset {
		t.Fatalf("preset %+v %v", presets, err)
	}
	for _, tc := range []struct {
		name   string
		err    error
		status int
	}{
		{"taken audience", func() error {
			_, err := m.CreateAPI(ctx, client.APICreate{Name: "Other", Audience: "billing-api"})
			return err
		}(), http.StatusConflict},
		{"audience with a colon", func() error {
			_, err := m.CreateAPI(ctx, client.APICreate{Name: "Bad", Audience: "a:b"})
			return err
		}(), http.StatusBadRequest},
		{"delete while granted", m.DeleteAPI(ctx, api.ID, false), http.StatusConflict},
		{"delete a preset", m.DeleteAPI(ctx, presets.Items[0].ID, true), http.StatusConflict},
		{"get unknown", func() error { _, err := m.GetAPI(ctx, "nope"); return err }(), http.StatusNotFound},
		{"delete with cascade", m.DeleteAPI(ctx, api.ID, true), 0},
	} {
		t.Run(tc.name, func(t *testing.T) { wantStatus(t, tc.name, tc.err, tc.status) })
	}
	if perms, err := m.ListPermissions(ctx, app.ID); err != nil || len(perms) != 0 {
		t.Fatalf("grants after the cascading delete: %v %v", perms, err)
	}
}

func TestUsers(t *testing.T) {
	f := start(t, servertest.Options{})
	ctx, m := f.ctx, f.m
	u, err := m.CreateUser(ctx, client.UserCreate{Username: "Demo", Password: "correct horse", Email: "demo@acme.com",
		FirstName: "Demo", LastName: "User", Roles: []string{"Operate"}})
	wantStatus(t, "create", err, 0)
	if u.Username != "demo" || !u.Enabled || !slices.Equal(u.Roles, []string{"Operate"}) || u.Email != "demo@acme.com" {
		t.Fatalf("created %+v", u)
	}
	got, err := m.GetUser(ctx, u.ID)
	if err != nil || !cmp.Equal(u, got, sameTime) {
		t.Fatalf("get %+v %v", got, err)
	}
	if p, err := m.ListUsers(ctx, client.ListOptions{Query: "dem"}); err != nil || p.Total != 1 {
		t.Fatalf("list %+v %v", p, err)
	}
	upd, err := m.UpdateUser(ctx, u.ID, client.UserUpdate{Email: ptr("d@acme.com"), Enabled: ptr(false), Password: ptr("another password")})
	if err != nil || upd.Email != "d@acme.com" || upd.Enabled {
		t.Fatalf("update %+v %v", upd, err)
	}
	roles, err := m.AddRoles(ctx, u.ID, "Tasklist", "Operate")
	if err != nil || !slices.Equal(roles, []string{"Operate", "Tasklist"}) {
		t.Fatalf("add roles %v %v", roles, err)
	}
	roles, err = m.RemoveRoles(ctx, u.ID, "Operate")
	if err != nil || !slices.Equal(roles, []string{"Tasklist"}) {
		t.Fatalf("remove roles %v %v", roles, err)
	}
	if roles, err = m.ListRoles(ctx, u.ID); err != nil || !slices.Equal(roles, []string{"Tasklist"}) {
		t.Fatalf("roles %v %v", roles, err)
	}
	for _, tc := range []struct {
		name   string
		err    error
		status int
	}{
		{"taken username", func() error {
			_, err := m.CreateUser(ctx, client.UserCreate{Username: "demo", Password: "long enough"})
			return err
		}(), http.StatusConflict},
		{"short password", func() error {
			_, err := m.CreateUser(ctx, client.UserCreate{Username: "other", Password: "short"})
			return err
		}(), http.StatusBadRequest},
		{"delete", m.DeleteUser(ctx, u.ID), 0},
		{"get deleted", func() error { _, err := m.GetUser(ctx, u.ID); return err }(), http.StatusNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) { wantStatus(t, tc.name, tc.err, tc.status) })
	}
}

func TestClusters(t *testing.T) {
	f := start(t, servertest.Options{})
	ctx, m := f.ctx, f.m
	c, err := m.CreateCluster(ctx, client.ClusterCreate{Name: "prod", Namespace: "camunda", Version: "8.8.0", Tags: []string{"eu"},
		Components: []client.Component{{ID: "zeebe", Type: "zeebe-broker", Version: "8.8.0", URL: "http://127.0.0.1:1/"}}})
	wantStatus(t, "create", err, 0)
	if c.ID == "" || c.Source != "api" || len(c.Components) != 1 || c.Components[0].Type != "zeebe-broker" {
		t.Fatalf("created %+v", c)
	}
	if got, err := m.GetCluster(ctx, c.ID); err != nil || !cmp.Equal(c, got, sameTime) {
		t.Fatalf("get %+v %v", got, err)
	}
	if p, err := m.ListClusters(ctx, client.ListOptions{}); err != nil || p.Total != 1 {
		t.Fatalf("list %+v %v", p, err)
	}
	upd, err := m.UpdateCluster(ctx, c.ID, client.ClusterUpdate{Version: ptr("8.8.1"), Tags: &[]string{}})
	if err != nil || upd.Version != "8.8.1" || len(upd.Tags) != 0 || len(upd.Components) != 1 {
		t.Fatalf("update %+v %v", upd, err)
	}
	for _, tc := range []struct {
		name   string
		err    error
		status int
	}{
		{"URL with credentials", func() error {
			_, err := m.CreateCluster(ctx, client.ClusterCreate{Name: "x", Components: []client.Component{{ID: "a", URL: "http://u:p@h/"}}})
			return err
		}(), http.StatusBadRequest},
		{"namespace not a DNS label", func() error {
			_, err := m.CreateCluster(ctx, client.ClusterCreate{Name: "y", Namespace: "Not_A_Label"})
			return err
		}(), http.StatusBadRequest},
		{"delete", m.DeleteCluster(ctx, c.ID), 0},
		{"delete again", m.DeleteCluster(ctx, c.ID), http.StatusNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) { wantStatus(t, tc.name, tc.err, tc.status) })
	}
}

// TestKeys rotates and revokes signing keys. Revoking the active key invalidates the
// client's own cached token: the client gets a new one and retries once.
func TestKeys(t *testing.T) {
	f := start(t, servertest.Options{})
	ctx, m := f.ctx, f.m
	keys, err := m.ListKeys(ctx)
	if err != nil || len(keys) == 0 || keys[0].State != "active" || keys[0].ActivatedAt.IsZero() {
		t.Fatalf("keys %+v %v", keys, err)
	}
	first := keys[0].KID
	keys, err = m.RotateKey(ctx)
	if err != nil || keys[0].State != "active" || keys[0].KID == first {
		t.Fatalf("after rotate %+v %v", keys, err)
	}
	active := keys[0].KID
	keys, err = m.RevokeKey(ctx, active)
	if err != nil {
		t.Fatalf("revoke the active key: %v", err)
	}
	if i := slices.IndexFunc(keys, func(k client.Key) bool { return k.KID == active }); i >= 0 && keys[i].State != "revoked" {
		t.Fatalf("revoked key %+v", keys[i])
	}
	// The token the client holds was signed with the revoked key.
	if keys, err = m.ListKeys(ctx); err != nil || keys[0].State != "active" || keys[0].KID == active {
		t.Fatalf("list after revoking the client's own key: %+v %v", keys, err)
	}
	_, err = m.RevokeKey(ctx, active)
	wantStatus(t, "revoke twice", err, http.StatusNotFound)
}

func TestAudit(t *testing.T) {
	f := start(t, servertest.Options{})
	ctx, m := f.ctx, f.m
	before := time.Now().Add(-time.Second)
	app := f.app("audited")
	if _, err := m.RenameApplication(ctx, app.ID, "audited-2"); err != nil {
		t.Fatal(err)
	}
	if _, err := m.RenameApplication(ctx, "nope", "x"); err == nil {
		t.Fatal("renamed an unknown application")
	}
	p, err := m.ListAudit(ctx, client.AuditQuery{Action: "app.", Target: app.ID})
	if err != nil || len(p.Items) != 2 || p.NextBefore != 0 {
		t.Fatalf("page %+v %v", p, err)
	}
	if e := p.Items[0]; e.Action != "app.update" || e.Actor != servertest.AdminID || e.Outcome != "success" || e.Time.Before(before) {
		t.Fatalf("newest %+v", e)
	}
	if e := p.Items[1]; e.Action != "app.create" || e.Detail["name"] != "audited" {
		t.Fatalf("oldest %+v", e)
	}
	for _, s := range []string{app.ClientSecret} {
		for _, e := range p.Items {
			for _, v := range e.Detail {
				if strings.Contains(v, s) {
					t.Fatal("a secret in the audit trail")
				}
			}
		}
	}
	fails, err := m.ListAudit(ctx, client.AuditQuery{Outcome: "failure", Action: "app.update"})
	if err != nil || len(fails.Items) != 1 || fails.Items[0].Detail["reason"] != "not_found" {
		t.Fatalf("failures %+v %v", fails, err)
	}
	// Paging: one event a page, iterated to the end.
	one, err := m.ListAudit(ctx, client.AuditQuery{Action: "app.", Limit: 1})
	if err != nil || len(one.Items) != 1 || one.NextBefore == 0 {
		t.Fatalf("first page %+v %v", one, err)
	}
	var n int
	for e, err := range m.AuditEvents(ctx, client.AuditQuery{Action: "app.", Limit: 1}) {
		if err != nil {
			t.Fatal(err)
		}
		if e.Time.After(time.Now().Add(time.Minute)) {
			t.Fatalf("event from the future %+v", e)
		}
		n++
	}
	if n != 3 {
		t.Fatalf("iterated %d app events, want 3", n)
	}
	if p, err := m.ListAudit(ctx, client.AuditQuery{Since: time.Now().Add(time.Hour)}); err != nil || len(p.Items) != 0 {
		t.Fatalf("future window %+v %v", p, err)
	}
	if p, err := m.ListAudit(ctx, client.AuditQuery{Until: before}); err != nil || slices.ContainsFunc(p.Items, func(e client.AuditEvent) bool {
		return e.Target == app.ID
	}) {
		t.Fatalf("until filter %+v %v", p, err)
	}
	_, err = m.ListAudit(ctx, client.AuditQuery{Outcome: "maybe"})
	wantStatus(t, "bad outcome", err, http.StatusBadRequest)
}

// TestErrors checks that problem answers decode into *Error with their status, title,
// detail and RFC 6750 error code.
func TestErrors(t *testing.T) {
	f := start(t, servertest.Options{})
	ctx := f.ctx
	reader := f.app("reader", "camunda-identity-resource-server:read")
	readOnly := client.NewManagement(f.url(), realm, f.source(reader.ClientID, reader.ClientSecret, client.ManagementAudience))
	anonymous := client.NewManagement(f.url(), realm, nil)
	garbage := client.NewManagement(f.url(), realm, nil, client.WithTransport(headerTransport{"Authorization", "Bearer not.a.token"}))
	otherRealm := client.NewManagement(f.url(), "no-such-realm", f.source(servertest.AdminID, servertest.AdminSecret, ""))
	self, err := f.m.ListApplications(ctx, client.ListOptions{Query: "bootstrap-admin"})
	if err != nil || len(self.Items) != 1 {
		t.Fatalf("bootstrap admin %+v %v", self, err)
	}
	for _, tc := range []struct {
		name      string
		err       error
		status    int
		is        error
		authError string
	}{
		{"no token", func() error { _, err := anonymous.ListKeys(ctx); return err }(), 401, client.ErrUnauthorized, ""},
		{"bad token", func() error { _, err := garbage.ListKeys(ctx); return err }(), 401, client.ErrUnauthorized, "invalid_token"},
		{"read-only token writes", func() error { _, err := readOnly.RotateKey(ctx); return err }(), 403, client.ErrForbidden, "insufficient_scope"},
		{"unknown object", func() error { _, err := f.m.GetUser(ctx, "nope"); return err }(), 404, client.ErrNotFound, ""},
		{"unknown realm", func() error { _, err := otherRealm.ListKeys(ctx); return err }(), 404, client.ErrNotFound, ""},
		{"invalid name", func() error {
			_, err := f.m.CreateApplication(ctx, client.ApplicationCreate{Name: " padded "})
			return err
		}(), 400, client.ErrBadRequest, ""},
		{"disable itself", func() error { _, err := f.m.DisableApplication(ctx, self.Items[0].ID); return err }(), 409, client.ErrConflict, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := wantStatus(t, tc.name, tc.err, tc.status)
			if !errors.Is(tc.err, tc.is) || e.AuthError != tc.authError || e.Type != "about:blank" || e.Instance == "" {
				t.Fatalf("%+v", e)
			}
			if !strings.Contains(e.Error(), fmt.Sprint(tc.status)) || !strings.Contains(e.Error(), e.Detail) {
				t.Fatalf("Error() = %q", e.Error())
			}
			if errors.Is(tc.err, client.ErrUnavailable) {
				t.Fatal("matches another status")
			}
		})
	}
	_, err = client.NewManagement(f.url(), realm, f.source(servertest.AdminID, "wrong", "")).ListKeys(ctx)
	var te *client.TokenError
	if !errors.As(err, &te) || te.Code != "invalid_client" {
		t.Fatalf("wrong secret: %v", err)
	}
}
