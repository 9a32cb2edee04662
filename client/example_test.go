package client_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"slices"
	"time"

	"golang.org/x/oauth2"

	"github.com/gatehouse/gatehouse/client"
)

// admin returns a management API client with the administrator's credentials (in a
// program: GATEHOUSE_CLIENT_ID and GATEHOUSE_CLIENT_SECRET, printed at the first start).
func admin() *client.Management {
	src := client.NewTokenSource(client.Credentials{
		TokenURL:     client.TokenURL(serverURL, "camunda-platform"),
		ClientID:     adminID,
		ClientSecret: adminSecret,
		Audience:     client.ManagementAudience,
	})
	return client.NewManagement(serverURL, "camunda-platform", src)
}

func ExampleNewTokenSource() {
	ctx := context.Background()
	src := client.NewTokenSource(client.Credentials{
		TokenURL:     client.TokenURL(serverURL, "camunda-platform"),
		ClientID:     adminID,
		ClientSecret: adminSecret,
	}, client.WithRefreshThreshold(time.Minute))

	tok, err := src.Token(ctx)
	if err != nil {
		log.Fatal(err)
	}
	again, _ := src.Token(ctx) // cached until a minute before it expires
	fmt.Println(tok.AccessToken != "", tok == again, time.Until(tok.Expiry) > time.Minute)
	// Output: true true true
}

func ExampleTokenSource_OAuth2() {
	ctx := context.Background()
	src := client.NewTokenSource(client.Credentials{
		TokenURL:     client.TokenURL(serverURL, "camunda-platform"),
		ClientID:     adminID,
		ClientSecret: adminSecret,
		Audience:     client.ManagementAudience, // the management API's audience is never implied
	})
	// Any golang.org/x/oauth2 consumer: here an *http.Client that adds the token.
	hc := oauth2.NewClient(ctx, src.OAuth2(ctx))
	resp, err := hc.Get(serverURL + "/manage/v1/realms/camunda-platform/keys")
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	fmt.Println(resp.Status)
	// Output: 200 OK
}

func ExampleManagement_CreateApplication() {
	ctx := context.Background()
	m := admin()
	app, err := m.CreateApplication(ctx, client.ApplicationCreate{
		Name: "example-billing-job",
		Permissions: []client.Permission{
			{API: "web-modeler-public-api", Permission: "read:*"},
			{API: "console-api", Permission: "read:*"},
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	// app.ClientSecret is shown this once: store it now. With it the application
	// gets tokens for both APIs.
	src := client.NewTokenSource(app.Credentials(client.TokenURL(serverURL, "camunda-platform")))
	info, err := client.NewModeler(modelerURL, src).Info(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(app.Name, app.Enabled, len(app.ClientSecret) > 0)
	fmt.Println("modeler read:", info.ReadPermission, "create:", info.CreatePermission)
	// Output:
	// example-billing-job true true
	// modeler read: true create: false
}

func ExampleManagement_RotateSecret() {
	ctx := context.Background()
	m := admin()
	app, err := m.CreateApplication(ctx, client.ApplicationCreate{Name: "example-rotating-job"})
	if err != nil {
		log.Fatal(err)
	}
	// The old secret keeps working for ten minutes; the new one is in the answer.
	rotated, err := m.RotateSecret(ctx, app.ID, 10*time.Minute)
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range rotated.Secrets {
		if !s.ExpiresAt.IsZero() {
			fmt.Println("old secret valid for", s.ExpiresAt.Sub(rotated.UpdatedAt).Round(time.Minute))
		}
	}
	fmt.Println(len(rotated.Secrets), "valid secrets;", "new one differs:", rotated.ClientSecret != app.ClientSecret)
	// Output:
	// old secret valid for 10m0s
	// 2 valid secrets; new one differs: true
}

func ExampleManagement_DisableApplication() {
	ctx := context.Background()
	m := admin()
	app, err := m.CreateApplication(ctx, client.ApplicationCreate{Name: "example-disabled-job",
		Permissions: []client.Permission{{API: "console-api", Permission: "read:*"}}})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := m.DisableApplication(ctx, app.ID); err != nil {
		log.Fatal(err)
	}
	// The token endpoint refuses a disabled application at once.
	_, err = client.NewTokenSource(app.Credentials(client.TokenURL(serverURL, "camunda-platform"))).Token(ctx)
	var te *client.TokenError
	fmt.Println(errors.As(err, &te), te.Status, te.Code)
	// Output: true 401 invalid_client
}

func ExampleManagement_AddPermissions() {
	ctx := context.Background()
	m := admin()
	app, err := m.CreateApplication(ctx, client.ApplicationCreate{Name: "example-granted-job"})
	if err != nil {
		log.Fatal(err)
	}
	p, _ := client.ParsePermission("web-modeler-public-api:create:*")
	held, err := m.AddPermissions(ctx, app.ID, p, client.Permission{API: "console-api", Permission: "read:*"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(held)
	held, _ = m.RemovePermissions(ctx, app.ID, p)
	fmt.Println(held)
	// Output:
	// [console-api:read:* web-modeler-public-api:create:*]
	// [console-api:read:*]
}

func ExampleAll() {
	ctx := context.Background()
	m := admin()
	// Every preset API whose name holds "modeler", page after page.
	for api, err := range client.All(ctx, m.ListAPIs, client.ListOptions{Query: "modeler", Limit: 1}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(api.Audience, api.Preset)
	}
	// Output:
	// web-modeler-public-api true
	// web-modeler-api true
}

func ExampleError() {
	ctx := context.Background()
	_, err := admin().GetApplication(ctx, "00000000-0000-0000-0000-000000000000")

	var e *client.Error
	if errors.As(err, &e) {
		fmt.Println(e.Status, e.Title)
		fmt.Println(e.Detail)
	}
	fmt.Println(errors.Is(err, client.ErrNotFound))
	// Output:
	// 404 Not Found
	// No such object in this realm.
	// true
}

func ExampleManagement_AuditEvents() {
	ctx := context.Background()
	m := admin()
	app, err := m.CreateApplication(ctx, client.ApplicationCreate{Name: "example-audited-job"})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := m.RenameApplication(ctx, app.ID, "example-audited-job-2"); err != nil {
		log.Fatal(err)
	}
	// Newest first; the iterator fetches older pages (here of one event) as needed.
	for ev, err := range m.AuditEvents(ctx, client.AuditQuery{Action: "app.", Target: app.ID, Limit: 1}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(ev.Action, ev.Actor, ev.Outcome, ev.Detail["name"])
	}
	// Output:
	// app.update test-admin success example-audited-job-2
	// app.create test-admin success example-audited-job
}

func ExampleModeler() {
	ctx := context.Background()
	m := admin()
	app, err := m.CreateApplication(ctx, client.ApplicationCreate{Name: "example-modeler-job",
		Permissions: []client.Permission{{API: "web-modeler-public-api", Permission: "create:*"},
			{API: "web-modeler-public-api", Permission: "read:*"}}})
	if err != nil {
		log.Fatal(err)
	}
	src := client.NewTokenSource(app.Credentials(client.TokenURL(serverURL, "camunda-platform")))
	mod := client.NewModeler(modelerURL, src)

	project, err := mod.CreateProject(ctx, "Example project")
	if err != nil {
		log.Fatal(err)
	}
	file, err := mod.CreateFile(ctx, client.FileCreate{Name: "order.form", ProjectID: project.ID,
		Content: `{"components":[]}`, FileType: client.FileTypeForm})
	if err != nil {
		log.Fatal(err)
	}
	found, err := mod.SearchFiles(ctx, client.Search{Filter: map[string]any{"projectId": project.ID}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(file.SimplePath, file.Type, found.Total)
	// Output: Example project/order.form form 1
}

func ExampleAdmin_Clusters() {
	ctx := context.Background()
	m := admin()
	created, err := m.CreateCluster(ctx, client.ClusterCreate{Name: "example-cluster", Namespace: "camunda", Version: "8.8.0"})
	if err != nil {
		log.Fatal(err)
	}
	app, err := m.CreateApplication(ctx, client.ApplicationCreate{Name: "example-console-job",
		Permissions: []client.Permission{{API: "console-api", Permission: "read:*"}}})
	if err != nil {
		log.Fatal(err)
	}
	src := client.NewTokenSource(app.Credentials(client.TokenURL(serverURL, "camunda-platform")))
	adm := client.NewAdmin(consoleURL, src)
	// The Administration API's view follows the store within a second.
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		clusters, err := adm.Clusters(ctx)
		if err != nil {
			log.Fatal(err)
		}
		if i := slices.IndexFunc(clusters, func(c client.AdminCluster) bool { return c.UUID == created.ID }); i >= 0 {
			c := clusters[i]
			fmt.Println(c.Name, c.Namespace, c.Generation)
			break
		}
	}
	// Output: example-cluster camunda 8.8.0
}

// A client without a token source sends no token: the API answers 401.
func ExampleNewManagement_unauthenticated() {
	_, err := client.NewManagement(serverURL, "camunda-platform", nil).ListKeys(context.Background())
	fmt.Println(errors.Is(err, client.ErrUnauthorized), http.StatusText(http.StatusUnauthorized))
	// Output: true Unauthorized
}
