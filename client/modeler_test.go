package client_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/client"
	"github.com/gatehouse/gatehouse/internal/server/servertest"
)

const bpmn = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="order" isExecutable="true"><bpmn:startEvent id="s"/></bpmn:process>
</bpmn:definitions>`

// TestModeler drives the Web Modeler API through the SDK with a real token of an
// application made through the management API.
func TestModeler(t *testing.T) {
	f := start(t, servertest.Options{})
	ctx := f.ctx
	app := f.app("modeler-job", "web-modeler-public-api:create:*", "web-modeler-public-api:read:*",
		"web-modeler-public-api:update:*", "web-modeler-public-api:delete:*")
	mod := client.NewModeler(f.modelerURL(), f.source(app.ClientID, app.ClientSecret, client.ModelerAudience))

	info, err := mod.Info(ctx)
	if err != nil || info.Version != "v1" || !info.CreatePermission || !info.ReadPermission || !info.UpdatePermission || !info.DeletePermission {
		t.Fatalf("info %+v %v", info, err)
	}
	proj, err := mod.CreateProject(ctx, "Orders")
	if err != nil || proj.Name != "Orders" || proj.Created.IsZero() {
		t.Fatalf("project %+v %v", proj, err)
	}
	if proj, err = mod.RenameProject(ctx, proj.ID, "Order handling"); err != nil || proj.Name != "Order handling" {
		t.Fatalf("rename project %+v %v", proj, err)
	}
	folder, err := mod.CreateFolder(ctx, client.FolderCreate{Name: "flows", ProjectID: proj.ID})
	if err != nil || folder.ParentID != "" || folder.ProjectID != proj.ID {
		t.Fatalf("folder %+v %v", folder, err)
	}
	sub, err := mod.CreateFolder(ctx, client.FolderCreate{Name: "sub", ParentID: folder.ID})
	if err != nil || string(sub.ParentID) != folder.ID {
		t.Fatalf("subfolder %+v %v", sub, err)
	}
	if sub, err = mod.UpdateFolder(ctx, sub.ID, client.FolderUpdate{Name: ptr("moved"), ToProjectRoot: true}); err != nil ||
		sub.ParentID != "" || sub.Name != "moved" {
		t.Fatalf("move folder to the root %+v %v", sub, err)
	}
	file, err := mod.CreateFile(ctx, client.FileCreate{Name: "order.bpmn", FolderID: folder.ID, Content: bpmn, FileType: client.FileTypeBPMN})
	if err != nil || file.SimplePath != "Order handling/flows/order.bpmn" || file.Type != "bpmn" || len(file.CanonicalPath) != 2 {
		t.Fatalf("file %+v %v", file, err)
	}
	got, err := mod.GetFile(ctx, file.ID)
	if err != nil || !strings.Contains(got.Content, `id="order"`) || got.Metadata.Revision != file.Revision {
		t.Fatalf("get file %+v %v", got, err)
	}
	ms, err := mod.CreateMilestone(ctx, file.ID, "first")
	if err != nil || ms.FileID != file.ID || ms.Name != "first" {
		t.Fatalf("milestone %+v %v", ms, err)
	}
	updated, err := mod.UpdateFile(ctx, file.ID, client.FileUpdate{Revision: file.Revision, Name: ptr("order-v2.bpmn"), ToProjectRoot: true})
	if err != nil || updated.Name != "order-v2.bpmn" || updated.FolderID != "" || updated.Revision <= file.Revision {
		t.Fatalf("update file %+v %v", updated, err)
	}
	_, err = mod.UpdateFile(ctx, file.ID, client.FileUpdate{Revision: file.Revision, Name: ptr("stale")})
	wantStatus(t, "update with a stale revision", err, http.StatusConflict)

	if m, err := mod.GetMilestone(ctx, ms.ID); err != nil || m.Content == "" || m.Metadata.ID != ms.ID {
		t.Fatalf("get milestone %+v %v", m, err)
	}
	if ms, err = mod.RenameMilestone(ctx, ms.ID, "first!"); err != nil || ms.Name != "first!" {
		t.Fatalf("rename milestone %+v %v", ms, err)
	}
	ms2, err := mod.CreateMilestone(ctx, file.ID, "second")
	if err != nil {
		t.Fatal(err)
	}
	if u, err := mod.CompareMilestones(ctx, ms.ID, ms2.ID); err != nil || !strings.Contains(u, "/milestones/compare/") {
		t.Fatalf("compare milestones %q %v", u, err)
	}
	if r, err := mod.RestoreMilestone(ctx, ms.ID); err != nil || !strings.HasPrefix(r.Name, "Restored: ") {
		t.Fatalf("restore milestone %+v %v", r, err)
	}
	found, err := mod.SearchMilestones(ctx, client.Search{Filter: map[string]any{"fileId": file.ID},
		Sort: []client.Sort{{Field: "created", Direction: "ASC"}}})
	if err != nil || found.Total != 3 || found.Items[0].ID != ms.ID {
		t.Fatalf("search milestones %+v %v", found, err)
	}

	v, err := mod.CreateVersion(ctx, client.VersionCreate{FileID: file.ID, Name: "v1", Description: "first release"})
	if err != nil || v.Description != "first release" || v.OrganizationPublic {
		t.Fatalf("version %+v %v", v, err)
	}
	if v, err = mod.UpdateVersion(ctx, v.ID, client.VersionUpdate{OrganizationPublic: ptr(true)}); err != nil || !v.OrganizationPublic || v.Name != "v1" {
		t.Fatalf("update version %+v %v", v, err)
	}
	if fv, err := mod.GetVersion(ctx, v.ID); err != nil || fv.Content == "" {
		t.Fatalf("get version %+v %v", fv, err)
	}
	v2, err := mod.CreateVersion(ctx, client.VersionCreate{FileID: file.ID})
	if err != nil || v2.Name == "" {
		t.Fatalf("unnamed version %+v %v", v2, err)
	}
	if u, err := mod.CompareVersions(ctx, v.ID, v2.ID); err != nil || !strings.Contains(u, "/versions/compare/") {
		t.Fatalf("compare versions %q %v", u, err)
	}
	if r, err := mod.RestoreVersion(ctx, v.ID, 0); err != nil || r.FileID != file.ID {
		t.Fatalf("restore version %+v %v", r, err)
	}
	if vs, err := mod.SearchVersions(ctx, client.Search{Filter: map[string]any{"fileId": file.ID}, Size: 2}); err != nil ||
		vs.Total < 3 || len(vs.Items) != 2 { // milestones are versions too
		t.Fatalf("search versions %+v %v", vs, err)
	}

	files, err := mod.SearchFiles(ctx, client.Search{Filter: map[string]any{"projectId": proj.ID, "type": "bpmn"}})
	if err != nil || files.Total != 1 || files.Items[0].ID != file.ID {
		t.Fatalf("search files %+v %v", files, err)
	}
	projects, err := mod.SearchProjects(ctx, client.Search{Filter: map[string]any{"name": "Order handling"}})
	if err != nil || projects.Total != 1 {
		t.Fatalf("search projects %+v %v", projects, err)
	}
	p, err := mod.GetProject(ctx, proj.ID)
	if err != nil || len(p.Content.Folders) != 2 || len(p.Content.Files) != 1 {
		t.Fatalf("project content %+v %v", p, err)
	}
	if fo, err := mod.GetFolder(ctx, folder.ID); err != nil || len(fo.Content.Files) != 0 {
		t.Fatalf("folder content %+v %v", fo, err)
	}

	if err := mod.AddCollaborator(ctx, proj.ID, "ada@acme.com", "editor"); err != nil {
		t.Fatal(err)
	}
	cs, err := mod.SearchCollaborators(ctx, client.Search{Filter: map[string]any{"projectId": proj.ID}})
	if err != nil || cs.Total != 1 || cs.Items[0].Email != "ada@acme.com" || cs.Items[0].Role != "editor" {
		t.Fatalf("collaborators %+v %v", cs, err)
	}
	if err := mod.RemoveCollaborator(ctx, proj.ID, "ada@acme.com"); err != nil {
		t.Fatal(err)
	}

	wantStatus(t, "delete a project with content", mod.DeleteProject(ctx, proj.ID), http.StatusConflict)
	for _, del := range []func() error{
		func() error { return mod.DeleteVersion(ctx, v2.ID) },
		func() error { return mod.DeleteMilestone(ctx, ms2.ID) },
		func() error { return mod.DeleteFile(ctx, file.ID) },
		func() error { return mod.DeleteFolder(ctx, sub.ID) },
		func() error { return mod.DeleteFolder(ctx, folder.ID) },
		func() error { return mod.DeleteProject(ctx, proj.ID) },
	} {
		if err := del(); err != nil {
			t.Fatalf("delete: %v", err)
		}
	}
	_, err = mod.GetFile(ctx, file.ID)
	wantStatus(t, "get a deleted file", err, http.StatusNotFound)
	_, err = mod.CreateFile(ctx, client.FileCreate{Name: "x.bpmn", Content: bpmn, FileType: "png"})
	wantStatus(t, "create a file of an unknown type", err, http.StatusBadRequest)
}

// TestModelerPermissions: a read-only token reads but may not create (403
// insufficient_scope), and a disabled application's live token stops working.
func TestModelerPermissions(t *testing.T) {
	f := start(t, servertest.Options{})
	ctx := f.ctx
	app := f.app("modeler-reader", "web-modeler-public-api:read:*")
	mod := client.NewModeler(f.modelerURL(), f.source(app.ClientID, app.ClientSecret, ""))
	if info, err := mod.Info(ctx); err != nil || info.CreatePermission || !info.ReadPermission {
		t.Fatalf("info %+v %v", info, err)
	}
	_, err := mod.CreateProject(ctx, "nope")
	if e := wantStatus(t, "create with read:*", err, http.StatusForbidden); e.AuthError != "insufficient_scope" {
		t.Fatalf("%+v", e)
	}
	if _, err := f.m.DisableApplication(ctx, app.ID); err != nil {
		t.Fatal(err)
	}
	f.settled("the disabled application's token refused", func() bool {
		_, err := mod.Info(ctx)
		var te *client.TokenError
		return errors.Is(err, client.ErrUnauthorized) || errors.As(err, &te)
	})
}

// TestAdmin calls the Administration API with a real console-api token.
func TestAdmin(t *testing.T) {
	f := start(t, servertest.Options{})
	ctx := f.ctx
	c, err := f.m.CreateCluster(ctx, client.ClusterCreate{Name: "prod", Namespace: "camunda", Version: "8.8.0",
		Components: []client.Component{{ID: "operate", Type: "operate", Version: "8.8.0", URL: "http://127.0.0.1:1/operate"}}})
	if err != nil {
		t.Fatal(err)
	}
	app := f.app("console-reader", "console-api:read:*")
	adm := client.NewAdmin(f.consoleURL(), f.source(app.ClientID, app.ClientSecret, client.AdminAudience))
	var clusters []client.AdminCluster
	f.settled("the cluster in the Administration API", func() bool {
		clusters, err = adm.Clusters(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return len(clusters) == 1
	})
	got := clusters[0]
	if got.UUID != c.ID || got.Name != "prod" || got.Generation != "8.8.0" || len(got.Apps) != 1 || got.Apps[0].Type != "operate" {
		t.Fatalf("clusters %+v", clusters)
	}
	switch got.Status {
	case "healthy", "unhealthy", "unknown":
	default:
		t.Fatalf("status %q", got.Status)
	}
	_, err = adm.UsageMetrics(ctx, c.ID, time.Now().Add(-time.Hour), time.Now())
	var e *client.Error // Operate at 127.0.0.1:1 does not answer: 502 naming the component
	if !errors.As(err, &e) || e.Status != http.StatusBadGateway {
		t.Fatalf("usage metrics of an unreachable Operate: %v", err)
	}
	_, err = adm.UsageMetrics(ctx, "00000000-0000-0000-0000-000000000000", time.Now().Add(-time.Hour), time.Now())
	wantStatus(t, "usage of an unknown cluster", err, http.StatusNotFound)
	_, err = adm.UsageMetrics(ctx, c.ID, time.Now(), time.Now().Add(-time.Hour))
	wantStatus(t, "start after end", err, http.StatusBadRequest)

	empty, err := f.m.CreateCluster(ctx, client.ClusterCreate{Name: "bare"})
	if err != nil {
		t.Fatal(err)
	}
	f.settled("the second cluster", func() bool { cs, _ := adm.Clusters(ctx); return len(cs) == 2 })
	u, err := adm.UsageMetrics(ctx, empty.ID, time.Now().Add(-time.Hour), time.Now())
	if err != nil || u.ID != empty.ID || u.ProcessInstances.Total != 0 || u.TaskUsers.Assignees == nil {
		t.Fatalf("usage of a cluster without Operate or Tasklist %+v %v", u, err)
	}

	// The administrator's token has no console-api permission.
	_, err = client.NewAdmin(f.consoleURL(), f.source(servertest.AdminID, servertest.AdminSecret, "")).Clusters(ctx)
	if !errors.Is(err, client.ErrUnauthorized) && !errors.Is(err, client.ErrForbidden) {
		t.Fatalf("administrator on the Administration API: %v", err)
	}
}
