package storetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/gatehouse/gatehouse/internal/store"
)

// Modeler fixtures. Organizations "o1" and "o2" need no realm: modeler data is
// keyed by organization only.

var (
	alice = store.ModelerUser{Name: "alice-client", Email: ""}
	bob   = store.ModelerUser{Name: "bob-client", Email: "bob@example.com"}
)

func uid(n int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", n) }

func project(org string, n int, name string) store.Project {
	return store.Project{ID: uid(n), Org: org, Name: name, CreatedAt: at(n), CreatedBy: alice, UpdatedAt: at(n + 1), UpdatedBy: bob}
}

func folder(org string, n int, projectID, parentID, name string) store.Folder {
	return store.Folder{ID: uid(n), Org: org, ProjectID: projectID, ParentID: parentID, Name: name,
		CreatedAt: at(n), CreatedBy: alice, UpdatedAt: at(n), UpdatedBy: alice}
}

func file(org string, n int, projectID, folderID, name, typ string) store.File {
	return store.File{ID: uid(n), Org: org, ProjectID: projectID, FolderID: folderID, Name: name, Type: typ,
		Content: "<definitions id=\"" + name + "\"/>", Revision: 1, CreatedAt: at(n), CreatedBy: alice, UpdatedAt: at(n), UpdatedBy: alice}
}

// meta drops what searches and listings do not return.
func meta(f store.File) store.File { f.Content = ""; return f }

func fileID(f store.File) string           { return f.ID }
func projectID(p store.Project) string     { return p.ID }
func versionID(v store.FileVersion) string { return v.ID }

// tree builds project P (uid 1) "Proj/ect" with folder A (uid 2) holding B (uid 3), and
// files r (root, uid 10), a (in A, uid 11) and b (in B, uid 12), all in org o1.
func tree(t *testing.T, s store.Store) {
	t.Helper()
	ctx := t.Context()
	must(t, s.CreateProject(ctx, project("o1", 1, "Proj/ect")))
	must(t, s.CreateFolder(ctx, folder("o1", 2, uid(1), "", "A")))
	must(t, s.CreateFolder(ctx, folder("o1", 3, uid(1), uid(2), "B")))
	must(t, s.CreateFile(ctx, file("o1", 10, uid(1), "", "r", "bpmn")))
	must(t, s.CreateFile(ctx, file("o1", 11, uid(1), uid(2), "a", "dmn")))
	must(t, s.CreateFile(ctx, file("o1", 12, uid(1), uid(3), "b/c", "form")))
}

func pathOf(t *testing.T, s store.Store, id string) (string, []store.PathElement) {
	t.Helper()
	f, err := s.GetFile(t.Context(), "o1", id)
	must(t, err)
	return f.SimplePath, f.CanonicalPath
}

func pe(n int, name string) store.PathElement { return store.PathElement{ID: uid(n), Name: name} }

var modelerTests = []test{
	{"Modeler/ProjectRoundTripAndOrgScope", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		p := project("o1", 1, "One")
		must(t, s.CreateProject(ctx, p))
		wantErr(t, "duplicate", s.CreateProject(ctx, p), store.ErrAlreadyExists)
		got, err := s.GetProject(ctx, "o1", p.ID)
		must(t, err)
		diff(t, "project", p, got)
		_, err = s.GetProject(ctx, "o2", p.ID)
		wantErr(t, "other org", err, store.ErrNotFound)
		_, err = s.UpdateProject(ctx, "o2", p.ID, func(p store.Project) (store.Project, error) { return p, nil })
		wantErr(t, "update other org", err, store.ErrNotFound)
		wantErr(t, "delete other org", s.DeleteProject(ctx, "o2", p.ID), store.ErrNotFound)
		_, err = s.UpdateProject(ctx, "o1", p.ID, failing[store.Project])
		wantErr(t, "failing update", err, errBoom)
		up, err := s.UpdateProject(ctx, "o1", p.ID, func(p store.Project) (store.Project, error) {
			p.Name, p.UpdatedAt, p.UpdatedBy = "Two", at(50), alice
			return p, nil
		})
		must(t, err)
		want := p
		want.Name, want.UpdatedAt, want.UpdatedBy = "Two", at(50), alice
		diff(t, "updated", want, up)
		must(t, s.DeleteProject(ctx, "o1", p.ID))
		_, err = s.GetProject(ctx, "o1", p.ID)
		wantErr(t, "after delete", err, store.ErrNotFound)
		wantErr(t, "delete again", s.DeleteProject(ctx, "o1", p.ID), store.ErrNotFound)
	}},
	{"Modeler/FoldersAndPlacement", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		tree(t, s)
		must(t, s.CreateProject(ctx, project("o1", 5, "Other")))
		must(t, s.CreateProject(ctx, project("o2", 6, "Foreign")))
		got, err := s.GetFolder(ctx, "o1", uid(3))
		must(t, err)
		diff(t, "folder", folder("o1", 3, uid(1), uid(2), "B"), got)
		_, err = s.GetFolder(ctx, "o2", uid(3))
		wantErr(t, "other org", err, store.ErrNotFound)
		wantErr(t, "missing project", s.CreateFolder(ctx, folder("o1", 7, uid(99), "", "x")), store.ErrNotFound)
		wantErr(t, "project of other org", s.CreateFolder(ctx, folder("o1", 7, uid(6), "", "x")), store.ErrNotFound)
		wantErr(t, "missing parent", s.CreateFolder(ctx, folder("o1", 7, uid(1), uid(98), "x")), store.ErrNotFound)
		wantErr(t, "parent in other project", s.CreateFolder(ctx, folder("o1", 7, uid(5), uid(2), "x")), store.ErrConflict)
		wantErr(t, "file parent in other project", s.CreateFile(ctx, file("o1", 7, uid(5), uid(2), "x", "bpmn")), store.ErrConflict)
		wantErr(t, "file missing folder", s.CreateFile(ctx, file("o1", 7, uid(1), uid(98), "x", "bpmn")), store.ErrNotFound)

		root, err := s.ListFolders(ctx, "o1", uid(1), "")
		must(t, err)
		diff(t, "root folders", []string{"A"}, ids(root, func(f store.Folder) string { return f.Name }))
		sub, err := s.ListFolders(ctx, "o1", uid(1), uid(2))
		must(t, err)
		diff(t, "sub folders", []string{"B"}, ids(sub, func(f store.Folder) string { return f.Name }))
		none, err := s.ListFolders(ctx, "o2", uid(1), "")
		must(t, err)
		diff(t, "other org lists nothing", 0, len(none))

		files, err := s.ListFiles(ctx, "o1", uid(1), "")
		must(t, err)
		diff(t, "root files", []store.File{meta(withPath(file("o1", 10, uid(1), "", "r", "bpmn"), `Proj\/ect/r`, pe(1, "Proj/ect")))}, files)
		files, err = s.ListFiles(ctx, "o1", uid(1), uid(3))
		must(t, err)
		diff(t, "files in B", []string{uid(12)}, ids(files, fileID))

		// Cycles are refused.
		_, err = s.UpdateFolder(ctx, "o1", uid(2), func(f store.Folder) (store.Folder, error) { f.ParentID = uid(3); return f, nil })
		wantErr(t, "into own child", err, store.ErrConflict)
		_, err = s.UpdateFolder(ctx, "o1", uid(2), func(f store.Folder) (store.Folder, error) { f.ParentID = uid(2); return f, nil })
		wantErr(t, "into itself", err, store.ErrConflict)
		_, err = s.UpdateFolder(ctx, "o1", uid(2), failing[store.Folder])
		wantErr(t, "failing", err, errBoom)
	}},
	{"Modeler/PathsFollowRenamesAndMoves", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		tree(t, s)
		sp, cp := pathOf(t, s, uid(12))
		diff(t, "simple", `Proj\/ect/A/B/b\/c`, sp)
		diff(t, "canonical", []store.PathElement{pe(1, "Proj/ect"), pe(2, "A"), pe(3, "B")}, cp)

		_, err := s.UpdateProject(ctx, "o1", uid(1), func(p store.Project) (store.Project, error) { p.Name = "P"; return p, nil })
		must(t, err)
		sp, _ = pathOf(t, s, uid(10))
		diff(t, "root file after project rename", "P/r", sp)
		sp, _ = pathOf(t, s, uid(12))
		diff(t, "deep file after project rename", `P/A/B/b\/c`, sp)

		_, err = s.UpdateFolder(ctx, "o1", uid(2), func(f store.Folder) (store.Folder, error) { f.Name = "A2"; return f, nil })
		must(t, err)
		sp, _ = pathOf(t, s, uid(11))
		diff(t, "after folder rename", "P/A2/a", sp)

		// Move B (with file b) to another project's root: files follow.
		must(t, s.CreateProject(ctx, project("o1", 5, "Q")))
		mv, err := s.UpdateFolder(ctx, "o1", uid(3), func(f store.Folder) (store.Folder, error) {
			f.ProjectID, f.ParentID = uid(5), ""
			return f, nil
		})
		must(t, err)
		diff(t, "moved folder", [2]string{uid(5), ""}, [2]string{mv.ProjectID, mv.ParentID})
		f, err := s.GetFile(ctx, "o1", uid(12))
		must(t, err)
		diff(t, "file follows", uid(5), f.ProjectID)
		diff(t, "moved path", `Q/B/b\/c`, f.SimplePath)
		diff(t, "moved canonical", []store.PathElement{pe(5, "Q"), pe(3, "B")}, f.CanonicalPath)

		// Move and rename a file.
		up, err := s.UpdateFile(ctx, "o1", uid(10), func(f store.File) (store.File, error) {
			f.FolderID, f.Name, f.Revision = uid(2), "r2", f.Revision+1
			return f, nil
		})
		must(t, err)
		diff(t, "moved file", [3]any{"P/A2/r2", int64(2), uid(2)}, [3]any{up.SimplePath, up.Revision, up.FolderID})
		_, err = s.UpdateFile(ctx, "o1", uid(10), func(f store.File) (store.File, error) { f.FolderID = uid(3); return f, nil })
		wantErr(t, "file into folder of other project", err, store.ErrConflict)
		_, err = s.UpdateFile(ctx, "o1", uid(10), func(f store.File) (store.File, error) { f.ProjectID, f.FolderID = uid(5), ""; return f, nil })
		must(t, err)
	}},
	{"Modeler/FileRoundTripAndDelete", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		tree(t, s)
		want := withPath(file("o1", 11, uid(1), uid(2), "a", "dmn"), `Proj\/ect/A/a`, pe(1, "Proj/ect"), pe(2, "A"))
		got, err := s.GetFile(ctx, "o1", uid(11))
		must(t, err)
		diff(t, "file", want, got)
		_, err = s.GetFile(ctx, "o2", uid(11))
		wantErr(t, "other org", err, store.ErrNotFound)
		wantErr(t, "duplicate", s.CreateFile(ctx, file("o1", 11, uid(1), "", "dup", "bpmn")), store.ErrAlreadyExists)

		up, err := s.UpdateFile(ctx, "o1", uid(11), func(f store.File) (store.File, error) {
			if f.Content != want.Content || f.Revision != 1 {
				t.Errorf("fn saw %q rev %d", f.Content, f.Revision)
			}
			f.Content, f.Revision, f.UpdatedAt, f.UpdatedBy = "<x/>", 2, at(60), bob
			return f, nil
		})
		must(t, err)
		want.Content, want.Revision, want.UpdatedAt, want.UpdatedBy = "<x/>", 2, at(60), bob
		diff(t, "updated", want, up)
		_, err = s.UpdateFile(ctx, "o1", uid(11), func(store.File) (store.File, error) { return store.File{}, store.ErrConflict })
		wantErr(t, "fn conflict passes through", err, store.ErrConflict)
		_, err = s.UpdateFile(ctx, "o2", uid(11), func(f store.File) (store.File, error) { return f, nil })
		wantErr(t, "update other org", err, store.ErrNotFound)

		_, err = s.SnapshotFile(ctx, "o1", uid(11), func(f store.File, n int) (store.FileVersion, error) {
			return store.FileVersion{ID: uid(40), Name: "m", CreatedAt: at(1), UpdatedAt: at(1)}, nil
		})
		must(t, err)
		wantErr(t, "delete other org", s.DeleteFile(ctx, "o2", uid(11)), store.ErrNotFound)
		must(t, s.DeleteFile(ctx, "o1", uid(11)))
		_, err = s.GetFile(ctx, "o1", uid(11))
		wantErr(t, "file gone", err, store.ErrNotFound)
		_, err = s.GetFileVersion(ctx, "o1", uid(40))
		wantErr(t, "versions go with the file", err, store.ErrNotFound)
		wantErr(t, "delete again", s.DeleteFile(ctx, "o1", uid(11)), store.ErrNotFound)
	}},
	{"Modeler/DeleteOnlyWhenEmpty", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		tree(t, s)
		must(t, s.CreateFolder(ctx, folder("o1", 4, uid(1), uid(3), "C")))
		wantErr(t, "project with files", s.DeleteProject(ctx, "o1", uid(1)), store.ErrConflict)
		wantErr(t, "folder with a file deep down", s.DeleteFolder(ctx, "o1", uid(2)), store.ErrConflict)
		wantErr(t, "folder other org", s.DeleteFolder(ctx, "o2", uid(4)), store.ErrNotFound)
		must(t, s.DeleteFolder(ctx, "o1", uid(4)))
		must(t, s.DeleteFile(ctx, "o1", uid(12)))
		must(t, s.DeleteFile(ctx, "o1", uid(11)))
		must(t, s.DeleteFolder(ctx, "o1", uid(2))) // takes empty B along
		_, err := s.GetFolder(ctx, "o1", uid(3))
		wantErr(t, "sub-folder gone", err, store.ErrNotFound)
		must(t, s.CreateFolder(ctx, folder("o1", 5, uid(1), "", "D")))
		must(t, s.PutCollaborator(ctx, store.Collaborator{Org: "o1", ProjectID: uid(1), Email: "x@y", Role: "editor", CreatedAt: at(1), UpdatedAt: at(1)}))
		wantErr(t, "root file left", s.DeleteProject(ctx, "o1", uid(1)), store.ErrConflict)
		must(t, s.DeleteFile(ctx, "o1", uid(10)))
		must(t, s.DeleteProject(ctx, "o1", uid(1)))
		_, err = s.GetFolder(ctx, "o1", uid(5))
		wantErr(t, "folders go with the project", err, store.ErrNotFound)
		cs, n, err := s.SearchCollaborators(ctx, store.ModelerQuery{Org: "o1", Limit: 10})
		must(t, err)
		diff(t, "collaborators go with the project", [2]int{0, 0}, [2]int{len(cs), int(n)})
	}},
	{"Modeler/VersionsSnapshotUpdateRestore", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		tree(t, s)
		snap := func(id int, name string) store.FileVersion {
			t.Helper()
			v, err := s.SnapshotFile(ctx, "o1", uid(10), func(f store.File, n int) (store.FileVersion, error) {
				return store.FileVersion{ID: uid(id), Name: fmt.Sprintf("%s #%d", name, n+1), Description: "d",
					CreatedAt: at(id), CreatedBy: alice, UpdatedAt: at(id), UpdatedBy: alice}, nil
			})
			must(t, err)
			return v
		}
		v1 := snap(41, "first")
		diff(t, "snapshot", [4]any{"first #1", uid(10), "<definitions id=\"r\"/>", int64(1)}, [4]any{v1.Name, v1.FileID, v1.Content, v1.FileRevision})
		got, err := s.GetFileVersion(ctx, "o1", v1.ID)
		must(t, err)
		diff(t, "round trip", v1, got)
		_, err = s.GetFileVersion(ctx, "o2", v1.ID)
		wantErr(t, "other org", err, store.ErrNotFound)
		_, err = s.SnapshotFile(ctx, "o2", uid(10), func(store.File, int) (store.FileVersion, error) { return store.FileVersion{ID: uid(49)}, nil })
		wantErr(t, "snapshot other org", err, store.ErrNotFound)
		_, err = s.SnapshotFile(ctx, "o1", uid(10), func(store.File, int) (store.FileVersion, error) { return store.FileVersion{}, errBoom })
		wantErr(t, "failing snapshot", err, errBoom)

		_, err = s.UpdateFile(ctx, "o1", uid(10), func(f store.File) (store.File, error) { f.Content, f.Revision = "<new/>", 2; return f, nil })
		must(t, err)
		v2 := snap(42, "second")
		diff(t, "second counts the first", "second #2", v2.Name)

		up, err := s.UpdateFileVersion(ctx, "o1", v1.ID, func(v store.FileVersion) (store.FileVersion, error) {
			v.Name, v.Description, v.OrganizationPublic, v.UpdatedAt = "renamed", "dd", true, at(70)
			return v, nil
		})
		must(t, err)
		want := v1
		want.Name, want.Description, want.OrganizationPublic, want.UpdatedAt = "renamed", "dd", true, at(70)
		diff(t, "updated version", want, up)
		_, err = s.UpdateFileVersion(ctx, "o2", v1.ID, func(v store.FileVersion) (store.FileVersion, error) { return v, nil })
		wantErr(t, "update other org", err, store.ErrNotFound)

		restored, err := s.RestoreFileVersion(ctx, "o1", v1.ID, func(v store.FileVersion, f store.File) (store.File, store.FileVersion, error) {
			if f.Content != "<new/>" || v.Content != v1.Content {
				t.Errorf("restore fn saw file %q version %q", f.Content, v.Content)
			}
			f.Content, f.Revision = v.Content, f.Revision+1
			return f, store.FileVersion{ID: uid(43), Name: "restored", CreatedAt: at(80), UpdatedAt: at(80)}, nil
		})
		must(t, err)
		diff(t, "restored version", [3]any{uid(43), v1.Content, int64(3)}, [3]any{restored.ID, restored.Content, restored.FileRevision})
		f, err := s.GetFile(ctx, "o1", uid(10))
		must(t, err)
		diff(t, "file restored", [2]any{v1.Content, int64(3)}, [2]any{f.Content, f.Revision})
		_, err = s.RestoreFileVersion(ctx, "o2", v1.ID, func(v store.FileVersion, f store.File) (store.File, store.FileVersion, error) {
			return f, v, nil
		})
		wantErr(t, "restore other org", err, store.ErrNotFound)
		_, err = s.RestoreFileVersion(ctx, "o1", v1.ID, func(store.FileVersion, store.File) (store.File, store.FileVersion, error) {
			return store.File{}, store.FileVersion{}, store.ErrConflict
		})
		wantErr(t, "restore fn error", err, store.ErrConflict)

		wantErr(t, "delete other org", s.DeleteFileVersion(ctx, "o2", v2.ID), store.ErrNotFound)
		must(t, s.DeleteFileVersion(ctx, "o1", v2.ID))
		wantErr(t, "delete again", s.DeleteFileVersion(ctx, "o1", v2.ID), store.ErrNotFound)
		vs, n, err := s.SearchFileVersions(ctx, store.ModelerQuery{Org: "o1", Limit: 10,
			Filters: []store.ModelerFilter{{Field: store.FieldFileID, Op: store.OpEq, Value: uid(10)}}})
		must(t, err)
		diff(t, "remaining", []string{uid(41), uid(43)}, ids(vs, versionID))
		diff(t, "total", int64(2), n)
		if vs[0].Content != "" {
			t.Error("search returned content")
		}
		vs, _, err = s.SearchFileVersions(ctx, store.ModelerQuery{Org: "o1", Limit: 10,
			Filters: []store.ModelerFilter{{Field: store.FieldOrganizationPublic, Op: store.OpEq, Value: true}}})
		must(t, err)
		diff(t, "public only", []string{uid(41)}, ids(vs, versionID))
	}},
	{"Modeler/Collaborators", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		must(t, s.CreateProject(ctx, project("o1", 1, "P")))
		must(t, s.CreateProject(ctx, project("o2", 2, "Q")))
		c := store.Collaborator{Org: "o1", ProjectID: uid(1), Email: "a@example.com", Name: "a", Role: "editor", CreatedAt: at(1), UpdatedAt: at(1)}
		must(t, s.PutCollaborator(ctx, c))
		c2 := c
		c2.Role, c2.UpdatedAt, c2.CreatedAt = "viewer", at(5), at(5)
		must(t, s.PutCollaborator(ctx, c2))
		must(t, s.PutCollaborator(ctx, store.Collaborator{Org: "o1", ProjectID: uid(1), Email: "b@example.com", Role: "project_admin", CreatedAt: at(2), UpdatedAt: at(2)}))
		wantErr(t, "project of other org", s.PutCollaborator(ctx, store.Collaborator{Org: "o1", ProjectID: uid(2), Email: "x", Role: "viewer"}), store.ErrNotFound)
		got, n, err := s.SearchCollaborators(ctx, store.ModelerQuery{Org: "o1", Limit: 10,
			Sort: []store.ModelerSort{{Field: store.FieldEmail}}})
		must(t, err)
		want := c2
		want.CreatedAt = at(1) // kept
		diff(t, "collaborators", []store.Collaborator{want,
			{Org: "o1", ProjectID: uid(1), Email: "b@example.com", Role: "project_admin", CreatedAt: at(2), UpdatedAt: at(2)}}, got)
		diff(t, "total", int64(2), n)
		other, n, err := s.SearchCollaborators(ctx, store.ModelerQuery{Org: "o2", Limit: 10})
		must(t, err)
		diff(t, "other org", [2]int{0, 0}, [2]int{len(other), int(n)})
		wantErr(t, "delete other org", s.DeleteCollaborator(ctx, "o2", uid(1), "a@example.com"), store.ErrNotFound)
		must(t, s.DeleteCollaborator(ctx, "o1", uid(1), "a@example.com"))
		wantErr(t, "delete again", s.DeleteCollaborator(ctx, "o1", uid(1), "a@example.com"), store.ErrNotFound)
	}},
	{"Modeler/SearchFilterSortPage", modelerSearchTest},
	{"Modeler/SearchRejectsUnknownAndKeepsLiterals", func(t *testing.T, s store.Store) {
		ctx := t.Context()
		tree(t, s)
		for _, q := range []store.ModelerQuery{
			{Org: "o1", Limit: 10, Filters: []store.ModelerFilter{{Field: "name; DROP TABLE modeler_files", Op: store.OpEq, Value: "x"}}},
			{Org: "o1", Limit: 10, Sort: []store.ModelerSort{{Field: "name;DROP TABLE x"}}},
			{Org: "o1", Limit: 10, Sort: []store.ModelerSort{{Field: store.FieldCanonicalPath}}},
			{Org: "o1", Limit: 10, Filters: []store.ModelerFilter{{Field: store.FieldName, Op: store.OpLt, Value: "x"}}},
			{Org: "o1", Limit: 10, Filters: []store.ModelerFilter{{Field: store.FieldName, Op: "LIKE", Value: "x"}}},
			{Org: "o1", Limit: 10, Filters: []store.ModelerFilter{{Field: store.FieldRevision, Op: store.OpEq, Value: "1"}}},
			{Org: "o1", Limit: 51},
			{Org: "o1", Limit: -1},
			{Org: "o1", Limit: 10, Offset: -1},
		} {
			_, _, err := s.SearchFiles(ctx, q)
			wantErr(t, fmt.Sprintf("%+v", q), err, store.ErrInvalidQuery)
		}
		for _, v := range []string{"' OR 1=1 --", "%", "_", `\`, "r' UNION SELECT id FROM modeler_projects --", "r\x00"} {
			got, n, err := s.SearchFiles(ctx, store.ModelerQuery{Org: "o1", Limit: 10,
				Filters: []store.ModelerFilter{{Field: store.FieldName, Op: store.OpEq, Value: v}}})
			if err != nil && v != "r\x00" { // PostgreSQL refuses NUL in text: an error, never rows
				t.Errorf("%q: %v", v, err)
			}
			if len(got) != 0 || n != 0 {
				t.Errorf("%q matched %d rows", v, n)
			}
		}
		// The tables are intact.
		_, n, err := s.SearchFiles(ctx, store.ModelerQuery{Org: "o1", Limit: 10})
		must(t, err)
		diff(t, "files intact", int64(3), n)
	}},
}

func withPath(f store.File, simple string, canon ...store.PathElement) store.File {
	f.SimplePath, f.CanonicalPath = simple, canon
	return f
}

func modelerSearchTest(t *testing.T, s store.Store) {
	ctx := t.Context()
	must(t, s.CreateProject(ctx, project("o1", 1, "P")))
	must(t, s.CreateProject(ctx, project("o1", 2, "Q")))
	must(t, s.CreateProject(ctx, project("o2", 3, "Foreign")))
	// 12 files in o1 (created at minutes 100..111), 1 in o2 with the same name as one of them.
	for i := range 12 {
		f := file("o1", 100+i, uid(1+i%2), "", fmt.Sprintf("f%02d", 11-i), []string{"bpmn", "dmn", "form"}[i%3])
		if i%4 == 0 {
			f.CreatedBy = bob
		}
		must(t, s.CreateFile(ctx, f))
	}
	must(t, s.CreateFile(ctx, file("o2", 200, uid(3), "", "f00", "bpmn")))
	type tc struct {
		name  string
		q     store.ModelerQuery
		want  []string
		total int64
	}
	q := func(limit int, off int64, sort []store.ModelerSort, fs ...store.ModelerFilter) store.ModelerQuery {
		return store.ModelerQuery{Org: "o1", Filters: fs, Sort: sort, Limit: limit, Offset: off}
	}
	f := func(field store.ModelerField, op store.ModelerOp, v any) store.ModelerFilter {
		return store.ModelerFilter{Field: field, Op: op, Value: v}
	}
	byName := []store.ModelerSort{{Field: store.FieldName}}
	for _, c := range []tc{
		{"default order is id", q(3, 0, nil), []string{uid(100), uid(101), uid(102)}, 12},
		{"name asc", q(2, 0, byName), []string{uid(111), uid(110)}, 12},
		{"name desc page 2", q(5, 5, []store.ModelerSort{{Field: store.FieldName, Desc: true}}), []string{uid(105), uid(106), uid(107), uid(108), uid(109)}, 12},
		{"short last page", q(5, 10, byName), []string{uid(101), uid(100)}, 12},
		{"past the end", q(5, 50, byName), nil, 12},
		{"count only", q(0, 0, byName), nil, 12},
		{"eq type", q(10, 0, byName, f(store.FieldType, store.OpEq, "form")), []string{uid(111), uid(108), uid(105), uid(102)}, 4},
		{"eq project and type", q(10, 0, byName, f(store.FieldProjectID, store.OpEq, uid(1)), f(store.FieldType, store.OpEq, "bpmn")), []string{uid(106), uid(100)}, 2},
		{"nested createdBy.name", q(10, 0, byName, f(store.FieldCreatedByName, store.OpEq, "bob-client")), []string{uid(108), uid(104), uid(100)}, 3},
		{"nested createdBy.email", q(10, 0, nil, f(store.FieldCreatedByEmail, store.OpEq, "bob@example.com")), []string{uid(100), uid(104), uid(108)}, 3},
		{"date range", q(10, 0, nil, f(store.FieldCreated, store.OpGe, at(103)), f(store.FieldCreated, store.OpLt, at(105))), []string{uid(103), uid(104)}, 2},
		{"date gt", q(10, 0, nil, f(store.FieldCreated, store.OpGt, at(110))), []string{uid(111)}, 1},
		{"date le", q(10, 0, nil, f(store.FieldCreated, store.OpLe, at(100))), []string{uid(100)}, 1},
		{"revision", q(10, 0, nil, f(store.FieldRevision, store.OpGt, int64(1))), nil, 0},
		{"simplePath", q(10, 0, nil, f(store.FieldSimplePath, store.OpEq, "Q/f10")), []string{uid(101)}, 1},
		{"canonicalPath", q(2, 0, nil, f(store.FieldCanonicalPath, store.OpEq, []store.PathElement{pe(2, "Q")})), []string{uid(101), uid(103)}, 6},
		{"other org never", q(10, 0, nil, f(store.FieldName, store.OpEq, "f00")), []string{uid(111)}, 1},
		{"sort created desc by updated", q(2, 0, []store.ModelerSort{{Field: store.FieldCreatedByName, Desc: true}, {Field: store.FieldCreated, Desc: true}}), []string{uid(108), uid(104)}, 12},
	} {
		got, total, err := s.SearchFiles(ctx, c.q)
		must(t, err)
		diff(t, c.name, c.want, ids(got, fileID))
		diff(t, c.name+" total", c.total, total)
	}
	ps, n, err := s.SearchProjects(ctx, store.ModelerQuery{Org: "o1", Limit: 10, Sort: []store.ModelerSort{{Field: store.FieldName, Desc: true}}})
	must(t, err)
	diff(t, "projects", []string{uid(2), uid(1)}, ids(ps, projectID))
	diff(t, "projects total", int64(2), n)
	ps, _, err = s.SearchProjects(ctx, store.ModelerQuery{Org: "o1", Limit: 10,
		Filters: []store.ModelerFilter{{Field: store.FieldUpdatedByName, Op: store.OpEq, Value: "bob-client"}, {Field: store.FieldName, Op: store.OpEq, Value: "P"}}})
	must(t, err)
	diff(t, "projects filtered", []string{uid(1)}, ids(ps, projectID))
	_ = context.Background
}
