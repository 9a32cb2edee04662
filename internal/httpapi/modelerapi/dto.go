package modelerapi

import (
	"time"

	"github.com/gatehouse/gatehouse/client"
	"github.com/gatehouse/gatehouse/internal/store"
)

// The wire shapes of the Web Modeler API v1 (camunda-apis.md §4.2) are the Go SDK's
// types (package client): one definition for the server and its clients. Optional ids
// of the project root (folderId, parentId) are client.OptionalID, written as null.

func ts(t time.Time) client.Time { return client.Time{Time: t} }

func user(u store.ModelerUser) client.ModelerUser { return client.ModelerUser(u) }

func projectMeta(p store.Project) client.ProjectMetadata {
	return client.ProjectMetadata{ID: p.ID, Name: p.Name, Created: ts(p.CreatedAt), CreatedBy: user(p.CreatedBy),
		Updated: ts(p.UpdatedAt), UpdatedBy: user(p.UpdatedBy)}
}

func folderMeta(f store.Folder) client.FolderMetadata {
	return client.FolderMetadata{ID: f.ID, Name: f.Name, ProjectID: f.ProjectID, ParentID: client.OptionalID(f.ParentID),
		Created: ts(f.CreatedAt), CreatedBy: user(f.CreatedBy), Updated: ts(f.UpdatedAt), UpdatedBy: user(f.UpdatedBy)}
}

func fileMeta(f store.File) client.FileMetadata {
	path := make([]client.PathElement, len(f.CanonicalPath))
	for i, e := range f.CanonicalPath {
		path[i] = client.PathElement(e)
	}
	return client.FileMetadata{ID: f.ID, Name: f.Name, ProjectID: f.ProjectID, FolderID: client.OptionalID(f.FolderID),
		SimplePath: f.SimplePath, CanonicalPath: path, Revision: f.Revision, Type: f.Type,
		Created: ts(f.CreatedAt), CreatedBy: user(f.CreatedBy), Updated: ts(f.UpdatedAt), UpdatedBy: user(f.UpdatedBy)}
}

func milestoneMeta(v store.FileVersion) client.MilestoneMetadata {
	return client.MilestoneMetadata{ID: v.ID, Name: v.Name, FileID: v.FileID, Created: ts(v.CreatedAt), CreatedBy: user(v.CreatedBy),
		Updated: ts(v.UpdatedAt), UpdatedBy: user(v.UpdatedBy)}
}

func versionMeta(v store.FileVersion) client.VersionMetadata {
	return client.VersionMetadata{ID: v.ID, Name: v.Name, Description: v.Description, FileID: v.FileID,
		Created: ts(v.CreatedAt), CreatedBy: user(v.CreatedBy), Updated: ts(v.UpdatedAt), UpdatedBy: user(v.UpdatedBy),
		OrganizationPublic: v.OrganizationPublic}
}

func content(folders []store.Folder, files []store.File) client.Content {
	c := client.Content{Folders: mapSlice(folders, folderMeta), Files: mapSlice(files, fileMeta)}
	return c
}

func mapSlice[T, U any](xs []T, f func(T) U) []U {
	out := make([]U, len(xs))
	for i, x := range xs {
		out[i] = f(x)
	}
	return out
}

func collaborator(c store.Collaborator) client.Collaborator {
	return client.Collaborator{Name: c.Name, Email: c.Email, ProjectID: c.ProjectID, Role: c.Role}
}
