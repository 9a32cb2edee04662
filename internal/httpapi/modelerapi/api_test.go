package modelerapi

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/bearer"
)

const missing = "00000000-0000-4000-8000-0000000000ff"

func TestInfo(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		name  string
		perms []string
		want  [4]bool
	}{
		{"all", allPerms, [4]bool{true, true, true, true}},
		{"read only", []string{PermRead}, [4]bool{false, true, false, false}},
		{"none", nil, [4]bool{}},
		{"create and delete", []string{PermCreate, PermDelete}, [4]bool{true, false, false, true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.call(claims(tc.perms...), "GET", "/api/v1/info", nil)
			if r.status != 200 {
				t.Fatalf("status %d", r.status)
			}
			m := r.json(t)
			got := [4]bool{m["createPermission"].(bool), m["readPermission"].(bool), m["updatePermission"].(bool), m["deletePermission"].(bool)}
			if got != tc.want || m["version"] != "v1" || m["authorizedOrganization"] != testOrg {
				t.Errorf("info %v", m)
			}
		})
	}
	if r := e.call(nil, "GET", "/api/v1/info", nil); r.status != 401 {
		t.Errorf("no claims: %d", r.status)
	}
}

// TestPermissions: every operation needs its one permission; the others do not do.
func TestPermissions(t *testing.T) {
	e := newEnv(t)
	p := e.project("P")
	f := e.file("f", p)["id"].(string)
	m := e.do("POST", "/api/v1/milestones", map[string]any{"name": "m", "fileId": f}, 200)["id"].(string)
	ops := []struct {
		method, path, perm string
		body               any
	}{
		{"POST", "/api/v1/projects", PermCreate, map[string]any{"name": "x"}},
		{"GET", "/api/v1/projects/" + p, PermRead, nil},
		{"PATCH", "/api/v1/projects/" + p, PermUpdate, map[string]any{"name": "y"}},
		{"DELETE", "/api/v1/projects/" + missing, PermDelete, nil},
		{"POST", "/api/v1/projects/search", PermRead, map[string]any{}},
		{"PUT", "/api/v1/collaborators", PermUpdate, map[string]any{"email": "a@b.c", "projectId": p, "role": "editor"}},
		{"POST", "/api/v1/collaborators/search", PermRead, map[string]any{}},
		{"DELETE", "/api/v1/projects/" + p + "/collaborators/a@b.c", PermDelete, nil},
		{"POST", "/api/v1/folders", PermCreate, map[string]any{"name": "x", "projectId": p}},
		{"GET", "/api/v1/folders/" + missing, PermRead, nil},
		{"PATCH", "/api/v1/folders/" + missing, PermUpdate, map[string]any{"name": "x"}},
		{"DELETE", "/api/v1/folders/" + missing, PermDelete, nil},
		{"POST", "/api/v1/files", PermCreate, map[string]any{"name": "x", "projectId": p, "content": bpmn, "fileType": "bpmn"}},
		{"GET", "/api/v1/files/" + f, PermRead, nil},
		{"PATCH", "/api/v1/files/" + f, PermUpdate, map[string]any{"revision": 99}},
		{"DELETE", "/api/v1/files/" + missing, PermDelete, nil},
		{"POST", "/api/v1/files/search", PermRead, map[string]any{}},
		{"POST", "/api/v1/milestones", PermCreate, map[string]any{"name": "m2", "fileId": f}},
		{"GET", "/api/v1/milestones/" + m, PermRead, nil},
		{"PATCH", "/api/v1/milestones/" + m, PermUpdate, map[string]any{"name": "m3"}},
		{"DELETE", "/api/v1/milestones/" + missing, PermDelete, nil},
		{"POST", "/api/v1/milestones/" + m + "/restore", PermCreate, nil},
		{"POST", "/api/v1/milestones/search", PermRead, map[string]any{}},
		{"GET", "/api/v1/milestones/compare/" + m + "..." + m, PermRead, nil},
		{"POST", "/api/v1/versions", PermCreate, map[string]any{"fileId": f}},
		{"GET", "/api/v1/versions/" + m, PermRead, nil},
		{"PATCH", "/api/v1/versions/" + m, PermUpdate, map[string]any{"description": "d"}},
		{"DELETE", "/api/v1/versions/" + missing, PermDelete, nil},
		{"POST", "/api/v1/versions/" + m + "/restore", PermCreate, map[string]any{}},
		{"POST", "/api/v1/versions/search", PermRead, map[string]any{}},
		{"GET", "/api/v1/versions/compare/" + m + "..." + m, PermRead, nil},
	}
	for _, op := range ops {
		t.Run(op.method+" "+op.path, func(t *testing.T) {
			var others []string
			for _, p := range allPerms {
				if p != op.perm {
					others = append(others, p)
				}
			}
			r := e.call(claims(others...), op.method, op.path, op.body)
			if r.status != http.StatusForbidden || detail(t, r) != "Operation not allowed." {
				t.Fatalf("without %s: %d %s", op.perm, r.status, r.body)
			}
			if !has(r.header.Get("WWW-Authenticate"), `error="insufficient_scope"`) || !has(r.header.Get("WWW-Authenticate"), op.perm) {
				t.Errorf("WWW-Authenticate %q", r.header.Get("WWW-Authenticate"))
			}
			r = e.call(claims(op.perm), op.method, op.path, op.body)
			if r.status == http.StatusForbidden || r.status >= 500 {
				t.Fatalf("with only %s: %d %s", op.perm, r.status, r.body)
			}
		})
	}
}

func TestProjects(t *testing.T) {
	e := newEnv(t)
	pm := e.do("POST", "/api/v1/projects", map[string]any{"name": "Alpha"}, 200)
	id := pm["id"].(string)
	if pm["created"] != "2025-06-01T12:00:00.000Z" || pm["createdBy"].(map[string]any)["name"] != "test-client" {
		t.Errorf("metadata %v", pm)
	}
	for _, tc := range []struct {
		name, method, path string
		body               any
		status             int
		detail             string
	}{
		{"blank name", "POST", "/api/v1/projects", map[string]any{"name": "  "}, 400, "Request validation failed with the following errors: [name: 'must not be blank']."},
		{"no name", "POST", "/api/v1/projects", map[string]any{}, 400, "Request validation failed with the following errors: [name: 'must not be blank']."},
		{"long name", "POST", "/api/v1/projects", map[string]any{"name": strings.Repeat("é", 256)}, 400, "[name: 'size must be between 1 and 255']"},
		{"control char", "POST", "/api/v1/projects", map[string]any{"name": "a\x00b"}, 400, "control characters"},
		{"not json", "POST", "/api/v1/projects", "{name:", 400, "not valid JSON"},
		{"two values", "POST", "/api/v1/projects", `{"name":"a"} {}`, 400, "not valid JSON"},
		{"get missing", "GET", "/api/v1/projects/" + missing, nil, 404, "Resource not found."},
		{"get not a uuid", "GET", "/api/v1/projects/abc", nil, 404, "Resource not found."},
		{"rename missing", "PATCH", "/api/v1/projects/" + missing, map[string]any{"name": "x"}, 404, "Resource not found."},
		{"rename blank", "PATCH", "/api/v1/projects/" + id, map[string]any{"name": ""}, 400, "must not be blank"},
		{"delete missing", "DELETE", "/api/v1/projects/" + missing, nil, 404, "Resource not found."},
		{"unknown path", "GET", "/api/v1/nothing", nil, 404, "Resource not found."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.call(claims(allPerms...), tc.method, tc.path, tc.body)
			if r.status != tc.status || !has(detail(t, r), tc.detail) {
				t.Errorf("%d %s, want %d %q", r.status, r.body, tc.status, tc.detail)
			}
			if r.header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("content type %q", r.header.Get("Content-Type"))
			}
		})
	}
	e.now = e.now.Add(time.Hour)
	up := e.do("PATCH", "/api/v1/projects/"+id, map[string]any{"name": "Beta"}, 200)
	if up["name"] != "Beta" || up["updated"] != "2025-06-01T13:00:00.000Z" || up["created"] != pm["created"] {
		t.Errorf("renamed %v", up)
	}
	e.file("f", id)
	got := e.do("GET", "/api/v1/projects/"+id, nil, 200)
	if c := got["content"].(map[string]any); len(c["files"].([]any)) != 1 || len(c["folders"].([]any)) != 0 {
		t.Errorf("content %v", c)
	}
	r := e.call(claims(allPerms...), "DELETE", "/api/v1/projects/"+id, nil)
	if r.status != 409 {
		t.Errorf("delete with files: %d %s", r.status, r.body)
	}
	// Another organization sees nothing.
	other := claims(allPerms...)
	other.Issuer = "other"
	if r := e.call(other, "GET", "/api/v1/projects/"+id, nil); r.status != 404 {
		t.Errorf("other org get: %d", r.status)
	}
	if r := e.call(other, "DELETE", "/api/v1/projects/"+id, nil); r.status != 404 {
		t.Errorf("other org delete: %d", r.status)
	}
	if r := e.call(other, "POST", "/api/v1/projects/search", map[string]any{}); r.json(t)["total"].(float64) != 0 {
		t.Errorf("other org search: %s", r.body)
	}
	empty := e.project("Empty")
	e.do("DELETE", "/api/v1/projects/"+empty, nil, 204)
	e.do("GET", "/api/v1/projects/"+empty, nil, 404)
}

func TestFoldersPlacement(t *testing.T) {
	e := newEnv(t)
	p1, p2 := e.project("P1"), e.project("P2")
	a := e.folder("A", map[string]any{"projectId": p1})
	b := e.folder("B", map[string]any{"parentId": a})
	fm := e.do("GET", "/api/v1/folders/"+b, nil, 200)["metadata"].(map[string]any)
	if fm["projectId"] != p1 || fm["parentId"] != a {
		t.Errorf("B %v", fm)
	}
	if e.do("GET", "/api/v1/folders/"+a, nil, 200)["metadata"].(map[string]any)["parentId"] != nil {
		t.Error("root folder parentId not null")
	}
	for _, tc := range []struct {
		name   string
		body   map[string]any
		status int
		detail string
	}{
		{"neither", map[string]any{"name": "x"}, 400, "projectId"},
		{"inconsistent", map[string]any{"name": "x", "projectId": p2, "parentId": a}, 400, "does not belong"},
		{"missing parent", map[string]any{"name": "x", "parentId": missing}, 404, "Resource not found."},
		{"missing project", map[string]any{"name": "x", "projectId": missing}, 404, "Resource not found."},
		{"empty projectId", map[string]any{"name": "x", "projectId": ""}, 400, "size must be between 1 and 255"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.call(claims(allPerms...), "POST", "/api/v1/folders", tc.body)
			if r.status != tc.status || !has(detail(t, r), tc.detail) {
				t.Errorf("%d %s", r.status, r.body)
			}
		})
	}
	// Moves.
	if r := e.call(claims(allPerms...), "PATCH", "/api/v1/folders/"+a, map[string]any{"parentId": b}); r.status != 400 {
		t.Errorf("into own child: %d %s", r.status, r.body)
	}
	mv := e.do("PATCH", "/api/v1/folders/"+b, map[string]any{"projectId": p2}, 200)
	if mv["projectId"] != p2 || mv["parentId"] != nil {
		t.Errorf("moved %v", mv)
	}
	mv = e.do("PATCH", "/api/v1/folders/"+b, map[string]any{"parentId": a, "name": "B2"}, 200)
	if mv["projectId"] != p1 || mv["parentId"] != a || mv["name"] != "B2" {
		t.Errorf("moved back %v", mv)
	}
	mv = e.do("PATCH", "/api/v1/folders/"+b, map[string]any{"parentId": nil}, 200)
	if mv["parentId"] != nil || mv["projectId"] != p1 {
		t.Errorf("to root by null %v", mv)
	}
	e.do("POST", "/api/v1/files", map[string]any{"name": "f", "folderId": a, "content": bpmn, "fileType": "BPMN"}, 200)
	if r := e.call(claims(allPerms...), "DELETE", "/api/v1/folders/"+a, nil); r.status != 409 {
		t.Errorf("delete non-empty: %d", r.status)
	}
	e.do("DELETE", "/api/v1/folders/"+b, nil, 204)
	e.do("DELETE", "/api/v1/folders/"+b, nil, 404)
}

func TestFiles(t *testing.T) {
	e := newEnv(t)
	p := e.project("Pro/ject")
	a := e.folder("Fold/er", map[string]any{"projectId": p})
	fm := e.do("POST", "/api/v1/files", map[string]any{"name": "a/b", "folderId": a, "projectId": p, "content": bpmn, "fileType": "Bpmn"}, 200)
	id := fm["id"].(string)
	if fm["simplePath"] != `Pro\/ject/Fold\/er/a\/b` || fm["revision"].(float64) != 1 || fm["type"] != "bpmn" {
		t.Errorf("created %v", fm)
	}
	if cp := fm["canonicalPath"].([]any); len(cp) != 2 || cp[0].(map[string]any)["id"] != p || cp[1].(map[string]any)["name"] != "Fold/er" {
		t.Errorf("canonicalPath %v", cp)
	}
	got := e.do("GET", "/api/v1/files/"+id, nil, 200)
	if got["content"] != bpmn {
		t.Errorf("content %v", got["content"])
	}
	bad := func(typ, content string) map[string]any {
		return map[string]any{"name": "x", "projectId": p, "content": content, "fileType": typ}
	}
	for _, tc := range []struct {
		name   string
		body   any
		status int
		detail string
	}{
		{"doctype", bad("bpmn", `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "boom">]><definitions>&e;</definitions>`), 400, "[content: 'must not contain a document type declaration']"},
		{"not xml", bad("dmn", "<definitions>"), 400, "must be well-formed XML"},
		{"wrong root", bad("bpmn", "<process/>"), 400, "definitions root"},
		{"form not json", bad("form", "{"), 400, "must be a JSON object"},
		{"form array", bad("form", "[]"), 400, "must be a JSON object"},
		{"template bad properties", bad("connector_template", `{"properties": 3}`), 400, "valid element template"},
		{"bad type", bad("pdf", "x"), 400, `[fileType: 'must match "bpmn|dmn|form|connector_template"']`},
		{"no content", map[string]any{"name": "x", "projectId": p, "fileType": "form"}, 400, "[content: 'must not be null']"},
		{"several errors", map[string]any{"projectId": p}, 400, "[name: 'must not be blank', fileType: 'must not be null', content: 'must not be null']"},
		{"missing folder", map[string]any{"name": "x", "folderId": missing, "content": "{}", "fileType": "form"}, 404, "Resource not found."},
		{"no place", map[string]any{"name": "x", "content": "{}", "fileType": "form"}, 400, "projectId"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.call(claims(allPerms...), "POST", "/api/v1/files", tc.body)
			if r.status != tc.status || !has(detail(t, r), tc.detail) {
				t.Errorf("%d %s", r.status, r.body)
			}
		})
	}
	// Revision locking.
	up := e.do("PATCH", "/api/v1/files/"+id, map[string]any{"revision": 1, "name": "renamed", "content": strings.Replace(bpmn, "p1", "p2", 1)}, 200)
	if up["revision"].(float64) != 2 || up["simplePath"] != `Pro\/ject/Fold\/er/renamed` {
		t.Errorf("updated %v", up)
	}
	r := e.call(claims(allPerms...), "PATCH", "/api/v1/files/"+id, map[string]any{"revision": 1, "name": "stale"})
	if r.status != 409 || detail(t, r) != "There was a revision conflict while processing your file." {
		t.Errorf("stale: %d %s", r.status, r.body)
	}
	r = e.call(claims(allPerms...), "PATCH", "/api/v1/files/"+id, map[string]any{"name": "x"})
	if r.status != 400 || detail(t, r) != "Request validation failed with the following errors: [revision: 'must not be null']." {
		t.Errorf("no revision: %d %s", r.status, r.body)
	}
	r = e.call(claims(allPerms...), "PATCH", "/api/v1/files/"+id, map[string]any{"revision": 2, "content": "<x"})
	if r.status != 400 {
		t.Errorf("bad content: %d", r.status)
	}
	mv := e.do("PATCH", "/api/v1/files/"+id, map[string]any{"revision": 2, "folderId": nil}, 200)
	if mv["folderId"] != nil || mv["simplePath"] != `Pro\/ject/renamed` || mv["revision"].(float64) != 3 {
		t.Errorf("to root %v", mv)
	}
	p2 := e.project("Other")
	if r := e.call(claims(allPerms...), "PATCH", "/api/v1/files/"+id, map[string]any{"revision": 3, "projectId": p2, "folderId": a}); r.status != 400 {
		t.Errorf("inconsistent move: %d", r.status)
	}
	mv = e.do("PATCH", "/api/v1/files/"+id, map[string]any{"revision": 3, "projectId": p2}, 200)
	if mv["projectId"] != p2 || mv["simplePath"] != "Other/renamed" {
		t.Errorf("to other project %v", mv)
	}
	e.do("PATCH", "/api/v1/files/"+missing, map[string]any{"revision": 1}, 404)
	// Deleting a file removes its milestones.
	m := e.do("POST", "/api/v1/milestones", map[string]any{"name": "m", "fileId": id}, 200)["id"].(string)
	e.do("DELETE", "/api/v1/files/"+id, nil, 204)
	e.do("GET", "/api/v1/milestones/"+m, nil, 404)
	e.do("DELETE", "/api/v1/files/"+id, nil, 404)
}

func TestConnectorTemplate(t *testing.T) {
	e := newEnv(t)
	p := e.project("P")
	tpl := `{"$schema":"https://example.com/evil.json","name":"Content Name","id":"mine","version":77,"appliesTo":["bpmn:Task"],"properties":[]}`
	fm := e.do("POST", "/api/v1/files", map[string]any{"name": "File Name", "projectId": p, "content": tpl, "fileType": "CONNECTOR_TEMPLATE"}, 200)
	id := fm["id"].(string)
	c := e.do("GET", "/api/v1/files/"+id, nil, 200)["content"].(string)
	for _, want := range []string{`"$schema": "https://unpkg.com/@camunda/zeebe-element-templates-json-schema/resources/schema.json"`,
		`"name": "File Name"`, `"id": "` + id + `"`, `"version": 1`, `"appliesTo"`} {
		if !has(c, want) {
			t.Errorf("content lacks %s:\n%s", want, c)
		}
	}
	e.do("PATCH", "/api/v1/files/"+id, map[string]any{"revision": 1, "name": "New"}, 200)
	c = e.do("GET", "/api/v1/files/"+id, nil, 200)["content"].(string)
	if !has(c, `"name": "New"`) || !has(c, `"version": 2`) {
		t.Errorf("after rename:\n%s", c)
	}
	v := e.do("POST", "/api/v1/versions", map[string]any{"fileId": id}, 200)["id"].(string)
	if r := e.call(claims(allPerms...), "POST", "/api/v1/versions/"+v+"/restore", map[string]any{"version": 2}); r.status != 409 {
		t.Errorf("restore to a used version: %d %s", r.status, r.body)
	}
	e.do("POST", "/api/v1/versions/"+v+"/restore", map[string]any{"version": 9}, 200)
	c = e.do("GET", "/api/v1/files/"+id, nil, 200)["content"].(string)
	if !has(c, `"version": 9`) {
		t.Errorf("after restore:\n%s", c)
	}
}

func TestMilestonesAndVersions(t *testing.T) {
	e := newEnv(t)
	p := e.project("P")
	f := e.file("f", p)["id"].(string)
	m1 := e.do("POST", "/api/v1/milestones", map[string]any{"name": "first", "fileId": f}, 200)
	if m1["fileId"] != f || m1["name"] != "first" {
		t.Errorf("milestone %v", m1)
	}
	if r := e.call(claims(allPerms...), "POST", "/api/v1/milestones", map[string]any{"fileId": f}); r.status != 400 || !has(detail(t, r), "[name: 'must not be blank']") {
		t.Errorf("milestone without name: %d %s", r.status, r.body)
	}
	e.do("POST", "/api/v1/milestones", map[string]any{"name": "x", "fileId": missing}, 404)
	v2 := e.do("POST", "/api/v1/versions", map[string]any{"fileId": f, "description": "auto", "organizationPublic": true}, 200)
	if v2["name"] != "Version 2" || v2["description"] != "auto" || v2["organizationPublic"] != true {
		t.Errorf("version %v", v2)
	}
	// One history: the milestone is a version and the other way round.
	got := e.do("GET", "/api/v1/versions/"+m1["id"].(string), nil, 200)
	if got["content"] != bpmn {
		t.Errorf("version content %v", got["content"])
	}
	e.do("GET", "/api/v1/milestones/"+v2["id"].(string), nil, 200)
	up := e.do("PATCH", "/api/v1/versions/"+v2["id"].(string), map[string]any{"name": "named", "organizationPublic": false}, 200)
	if up["name"] != "named" || up["organizationPublic"] != false || up["description"] != "auto" {
		t.Errorf("patched %v", up)
	}
	e.do("PATCH", "/api/v1/milestones/"+m1["id"].(string), map[string]any{"name": "renamed"}, 200)
	if r := e.call(claims(allPerms...), "PATCH", "/api/v1/milestones/"+m1["id"].(string), map[string]any{}); r.status != 400 {
		t.Errorf("milestone patch without name: %d", r.status)
	}
	// Restore: the file gets the old content (revision + 1), a new milestone records it.
	e.do("PATCH", "/api/v1/files/"+f, map[string]any{"revision": 1, "content": strings.Replace(bpmn, "p1", "changed", 1)}, 200)
	rs := e.do("POST", "/api/v1/milestones/"+m1["id"].(string)+"/restore", nil, 200)
	if rs["name"] != "Restored: renamed" || rs["id"] == m1["id"] {
		t.Errorf("restored %v", rs)
	}
	fd := e.do("GET", "/api/v1/files/"+f, nil, 200)
	if fd["content"] != bpmn || fd["metadata"].(map[string]any)["revision"].(float64) != 3 {
		t.Errorf("file after restore %v", fd)
	}
	// Compare.
	cmp := e.do("GET", "/api/v1/milestones/compare/"+m1["id"].(string)+"..."+rs["id"].(string), nil, 200)
	if !strings.HasPrefix(cmp["url"].(string), "http://modeler.test/files/"+f+"/milestones/compare/") {
		t.Errorf("compare %v", cmp)
	}
	cmp = e.do("GET", "/api/v1/versions/compare/"+m1["id"].(string)+"..."+v2["id"].(string), nil, 200)
	if !has(cmp["url"].(string), "/versions/compare/") {
		t.Errorf("compare %v", cmp)
	}
	e.do("GET", "/api/v1/versions/compare/"+m1["id"].(string)+"..."+missing, nil, 404)
	e.do("GET", "/api/v1/versions/compare/nonsense", nil, 404)
	f2 := e.file("g", p)["id"].(string)
	other := e.do("POST", "/api/v1/versions", map[string]any{"fileId": f2}, 200)["id"].(string)
	e.do("GET", "/api/v1/versions/compare/"+m1["id"].(string)+"..."+other, nil, 400)
	// Search both ways.
	res := e.do("POST", "/api/v1/milestones/search", map[string]any{"filter": map[string]any{"fileId": f}, "sort": []any{map[string]any{"field": "created", "direction": "ASC"}}}, 200)
	if res["total"].(float64) != 3 {
		t.Errorf("milestones %v", res)
	}
	res = e.do("POST", "/api/v1/versions/search", map[string]any{"filter": map[string]any{"organizationPublic": false, "fileId": f}}, 200)
	if res["total"].(float64) != 3 {
		t.Errorf("versions %v", res)
	}
	e.do("DELETE", "/api/v1/milestones/"+m1["id"].(string), nil, 204)
	e.do("DELETE", "/api/v1/versions/"+m1["id"].(string), nil, 404)
}

func TestCollaborators(t *testing.T) {
	e := newEnv(t)
	p := e.project("P")
	e.do("PUT", "/api/v1/collaborators", map[string]any{"email": "Ann@Example.com", "projectId": p, "role": "editor"}, 204)
	e.do("PUT", "/api/v1/collaborators", map[string]any{"email": "ann@example.com", "projectId": p, "role": "PROJECT_ADMIN"}, 204)
	e.do("PUT", "/api/v1/collaborators", map[string]any{"email": "bob@example.com", "projectId": p, "role": "viewer"}, 204)
	for _, tc := range []struct {
		name   string
		body   map[string]any
		status int
		detail string
	}{
		{"bad role", map[string]any{"email": "a@b.c", "projectId": p, "role": "owner"}, 400, `[role: 'must match "project_admin|editor|viewer|commenter"']`},
		{"bad email", map[string]any{"email": "not an email", "projectId": p, "role": "viewer"}, 400, "email"},
		{"missing project", map[string]any{"email": "a@b.c", "projectId": missing, "role": "viewer"}, 404, "Resource not found."},
		{"nothing", map[string]any{}, 400, "[email: 'must not be blank', projectId: 'must not be blank', role: 'must not be null']"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.call(claims(allPerms...), "PUT", "/api/v1/collaborators", tc.body)
			if r.status != tc.status || !has(detail(t, r), tc.detail) {
				t.Errorf("%d %s", r.status, r.body)
			}
		})
	}
	res := e.do("POST", "/api/v1/collaborators/search", map[string]any{"filter": map[string]any{"projectId": p}, "sort": map[string]any{"field": "email", "direction": "DESC"}}, 200)
	items := res["items"].([]any)
	if res["total"].(float64) != 2 || items[0].(map[string]any)["email"] != "bob@example.com" || items[1].(map[string]any)["role"] != "project_admin" {
		t.Errorf("collaborators %v", res)
	}
	e.do("DELETE", "/api/v1/projects/"+p+"/collaborators/ann@example.com", nil, 204)
	e.do("DELETE", "/api/v1/projects/"+p+"/collaborators/ann@example.com", nil, 404)
}

func TestSearchFiles(t *testing.T) {
	e := newEnv(t)
	p := e.project("P")
	var ids []string
	for i := range 25 {
		e.now = time.Date(2024, time.Month(1+i%12), 1+i, 10, 0, 0, 0, time.UTC)
		ids = append(ids, e.file(fmt.Sprintf("f%02d", i), p)["id"].(string))
	}
	search := func(body any) (int, []string, resp) {
		t.Helper()
		r := e.call(claims(allPerms...), "POST", "/api/v1/files/search", body)
		if r.status != 200 {
			return -1, nil, r
		}
		m := r.json(t)
		var names []string
		for _, it := range m["items"].([]any) {
			names = append(names, it.(map[string]any)["name"].(string))
		}
		return int(m["total"].(float64)), names, r
	}
	for _, tc := range []struct {
		name  string
		body  any
		total int
		first []string
	}{
		{"defaults: 10 by id", map[string]any{}, 25, nil},
		{"empty body", "", 25, nil},
		{"page 2 of 10 sorted", map[string]any{"sort": []any{map[string]any{"field": "name", "direction": "ASC"}}, "page": 2, "size": 10}, 25, []string{"f20", "f21", "f22", "f23", "f24"}},
		{"size 50", map[string]any{"size": 50, "sort": map[string]any{"field": "name", "direction": "desc"}}, 25, []string{"f24"}},
		{"size 0", map[string]any{"size": 0}, 25, []string{}},
		{"page past the end", map[string]any{"page": 99}, 25, []string{}},
		{"name", map[string]any{"filter": map[string]any{"name": "f07"}}, 1, []string{"f07"}},
		{"sql in value", map[string]any{"filter": map[string]any{"name": "f07' OR '1'='1"}}, 0, []string{}},
		{"like chars literal", map[string]any{"filter": map[string]any{"name": "f0%"}}, 0, []string{}},
		{"backslash", map[string]any{"filter": map[string]any{"simplePath": `P/f07\`}}, 0, []string{}},
		{"simplePath", map[string]any{"filter": map[string]any{"simplePath": "P/f07"}}, 1, []string{"f07"}},
		{"nested createdBy", map[string]any{"filter": map[string]any{"createdBy": map[string]any{"name": "test-client"}}}, 25, nil},
		{"nested nobody", map[string]any{"filter": map[string]any{"createdBy": map[string]any{"name": "x"}}}, 0, []string{}},
		{"type upper", map[string]any{"filter": map[string]any{"type": "BPMN"}}, 25, nil},
		{"revision", map[string]any{"filter": map[string]any{"revision": 2}}, 0, []string{}},
		{"projectId upper", map[string]any{"filter": map[string]any{"projectId": strings.ToUpper(p)}}, 25, nil},
		{"year rounding", map[string]any{"filter": map[string]any{"created": "2024-05-05T00:00:00Z||/y"}}, 25, nil},
		{"month rounding", map[string]any{"filter": map[string]any{"created": "2024-03-20T00:00:00.000Z||/M"}, "sort": []any{map[string]any{"field": "name", "direction": "ASC"}}}, 2, []string{"f02", "f14"}},
		{"day rounding exact day", map[string]any{"filter": map[string]any{"created": "2024-03-03T23:59:59Z||/d"}}, 1, []string{"f02"}},
		{"day in other offset", map[string]any{"filter": map[string]any{"created": "2024-03-04T01:00:00+02:00||/d"}}, 0, []string{}},
		{"exact instant with nanos", map[string]any{"filter": map[string]any{"created": "2024-03-03T10:00:00.000000001Z"}}, 1, []string{"f02"}},
		{"zone id suffix", map[string]any{"filter": map[string]any{"created": "2024-03-03T11:00:00+01:00[Europe/Paris]"}}, 1, []string{"f02"}},
		{"lt", map[string]any{"filter": map[string]any{"created": "<2024-02-02T10:00:00Z"}, "sort": []any{map[string]any{"field": "name", "direction": "ASC"}}}, 3, []string{"f00", "f12", "f24"}},
		{"lte day", map[string]any{"filter": map[string]any{"created": "<=2024-02-02T00:00:00Z||/d"}}, 4, nil},
		{"gt month", map[string]any{"filter": map[string]any{"created": ">2024-11-01T00:00:00Z||/M"}, "sort": []any{map[string]any{"field": "created", "direction": "ASC"}}}, 2, []string{"f11", "f23"}},
		{"gte week", map[string]any{"filter": map[string]any{"created": ">=2024-12-31T00:00:00Z||/w"}}, 0, []string{}},
		{"null filter field ignored", map[string]any{"filter": map[string]any{"name": nil}}, 25, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			total, names, r := search(tc.body)
			if total != tc.total {
				t.Fatalf("total %d, want %d; %s", total, tc.total, r.body)
			}
			if tc.first != nil {
				if len(tc.first) == 0 && len(names) != 0 || len(names) < len(tc.first) || (len(tc.first) > 0 && strings.Join(names[:len(tc.first)], ",") != strings.Join(tc.first, ",")) {
					t.Errorf("names %v, want prefix %v", names, tc.first)
				}
			}
			if total > 0 && tc.first == nil && len(names) != min(total, 10) {
				t.Errorf("%d items for total %d", len(names), total)
			}
		})
	}
	for _, tc := range []struct {
		name   string
		body   any
		detail string
	}{
		{"sort injection", map[string]any{"sort": []any{map[string]any{"field": "name;DROP TABLE x", "direction": "ASC"}}}, "sort[0].field"},
		{"sort subquery", map[string]any{"sort": map[string]any{"field": "(select 1)", "direction": "ASC"}}, "sort[0].field"},
		{"sort direction", map[string]any{"sort": []any{map[string]any{"field": "name", "direction": "asc--"}}}, "sort[0].direction"},
		{"sort canonicalPath", map[string]any{"sort": []any{map[string]any{"field": "canonicalPath", "direction": "ASC"}}}, "sort[0].field"},
		{"size 51", map[string]any{"size": 51}, "size"},
		{"size -1", map[string]any{"size": -1}, "size"},
		{"size 1e9", map[string]any{"size": 1e9}, "size"},
		{"size string", `{"size":"abc"}`, "not valid JSON"},
		{"page -5", map[string]any{"page": -5}, "page"},
		{"page fraction", map[string]any{"page": 1.5}, "page"},
		{"unknown filter", map[string]any{"filter": map[string]any{"owner": "x"}}, "filter.owner"},
		{"bad date", map[string]any{"filter": map[string]any{"created": "yesterday"}}, "filter.created"},
		{"bad rounding", map[string]any{"filter": map[string]any{"created": "2024-01-01T00:00:00Z||/q"}}, "rounding"},
		{"wrong type", map[string]any{"filter": map[string]any{"revision": "1"}}, "filter.revision"},
		{"filter not object", map[string]any{"filter": []any{}}, "filter"},
	} {
		t.Run("400 "+tc.name, func(t *testing.T) {
			_, _, r := search(tc.body)
			if r.status != 400 || !has(detail(t, r), tc.detail) {
				t.Errorf("%d %s", r.status, r.body)
			}
		})
	}
	// The table is intact after the injection attempts.
	if total, _, _ := search(map[string]any{}); total != 25 {
		t.Errorf("files after injection attempts: %d", total)
	}
	_ = ids
}

func TestBodyLimit(t *testing.T) {
	e := newEnv(t) // MaxBody 64 KiB
	p := e.project("P")
	big := map[string]any{"name": "x", "projectId": p, "content": strings.Repeat("a", 70<<10), "fileType": "form"}
	r := e.call(claims(allPerms...), "POST", "/api/v1/files", big)
	if r.status != 413 || !has(detail(t, r), "larger than the limit") {
		t.Errorf("over the limit: %d %s", r.status, r.body)
	}
	// A lying Content-Length (smaller than the body) is cut at the limit too.
	req := httptest.NewRequest("POST", "/api/v1/projects/search", strings.NewReader(`{"filter":{"name":"`+strings.Repeat("b", 70<<10)+`"}}`))
	req.ContentLength = -1
	req = req.WithContext(bearer.WithClaims(req.Context(), claims(allPerms...)))
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, req)
	if w.Code != 413 {
		t.Errorf("chunked over the limit: %d", w.Code)
	}
	req = httptest.NewRequest("POST", "/api/v1/projects", strings.NewReader(`{"name":"x"}`))
	req.ContentLength = 1 << 30
	req = req.WithContext(bearer.WithClaims(req.Context(), claims(allPerms...)))
	w = httptest.NewRecorder()
	e.h.ServeHTTP(w, req)
	if w.Code != 413 {
		t.Errorf("declared too large: %d", w.Code)
	}
}

func TestOpenAPIServed(t *testing.T) {
	e := newEnv(t)
	r := e.call(nil, "GET", "/api/v1/openapi.json", nil)
	if r.status != 200 || !has(string(r.body), `"openapi": "3.0.3"`) {
		t.Errorf("%d", r.status)
	}
}
