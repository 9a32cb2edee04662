package modelerapi

import (
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
)

// Wire shapes of the Web Modeler API v1 (camunda-apis.md §4.2). Optional ids of
// the project root (folderId, parentId) are null.

type userDTO struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

type infoDTO struct {
	Version                string `json:"version"`
	AuthorizedOrganization string `json:"authorizedOrganization"`
	CreatePermission       bool   `json:"createPermission"`
	ReadPermission         bool   `json:"readPermission"`
	UpdatePermission       bool   `json:"updatePermission"`
	DeletePermission       bool   `json:"deletePermission"`
}

type projectMetaDTO struct {
	ID        string  `json:"id"`
	Name      string  `json:"name"`
	Created   string  `json:"created"`
	CreatedBy userDTO `json:"createdBy"`
	Updated   string  `json:"updated"`
	UpdatedBy userDTO `json:"updatedBy"`
}

type contentDTO struct {
	Folders []folderMetaDTO `json:"folders"`
	Files   []fileMetaDTO   `json:"files"`
}

type projectDTO struct {
	Metadata projectMetaDTO `json:"metadata"`
	Content  contentDTO     `json:"content"`
}

type folderMetaDTO struct {
	ID        string  `json:"id"`
	Name      string  `json:"name"`
	ProjectID string  `json:"projectId"`
	ParentID  *string `json:"parentId"`
	Created   string  `json:"created"`
	CreatedBy userDTO `json:"createdBy"`
	Updated   string  `json:"updated"`
	UpdatedBy userDTO `json:"updatedBy"`
}

type folderDTO struct {
	Metadata folderMetaDTO `json:"metadata"`
	Content  contentDTO    `json:"content"`
}

type pathElementDTO struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type fileMetaDTO struct {
	ID            string           `json:"id"`
	Name          string           `json:"name"`
	ProjectID     string           `json:"projectId"`
	FolderID      *string          `json:"folderId"`
	SimplePath    string           `json:"simplePath"`
	CanonicalPath []pathElementDTO `json:"canonicalPath"`
	Revision      int64            `json:"revision"`
	Type          string           `json:"type"`
	Created       string           `json:"created"`
	CreatedBy     userDTO          `json:"createdBy"`
	Updated       string           `json:"updated"`
	UpdatedBy     userDTO          `json:"updatedBy"`
}

type fileDTO struct {
	Metadata fileMetaDTO `json:"metadata"`
	Content  string      `json:"content"`
}

type milestoneMetaDTO struct {
	ID        string  `json:"id"`
	Name      string  `json:"name"`
	FileID    string  `json:"fileId"`
	Created   string  `json:"created"`
	CreatedBy userDTO `json:"createdBy"`
	Updated   string  `json:"updated"`
	UpdatedBy userDTO `json:"updatedBy"`
}

type milestoneDTO struct {
	Metadata milestoneMetaDTO `json:"metadata"`
	Content  string           `json:"content"`
}

type versionMetaDTO struct {
	ID                 string  `json:"id"`
	Name               string  `json:"name"`
	Description        string  `json:"description"`
	FileID             string  `json:"fileId"`
	Created            string  `json:"created"`
	CreatedBy          userDTO `json:"createdBy"`
	Updated            string  `json:"updated"`
	UpdatedBy          userDTO `json:"updatedBy"`
	OrganizationPublic bool    `json:"organizationPublic"`
}

type versionDTO struct {
	Metadata versionMetaDTO `json:"metadata"`
	Content  string         `json:"content"`
}

type collaboratorDTO struct {
	Name      string `json:"name"`
	Email     string `json:"email"`
	ProjectID string `json:"projectId"`
	Role      string `json:"role"`
}

type comparisonDTO struct {
	URL string `json:"url"`
}

type searchResult[T any] struct {
	Items []T   `json:"items"`
	Total int64 `json:"total"`
}

// timeFormat is ISO-8601 in UTC with milliseconds (the store's precision).
const timeFormat = "2006-01-02T15:04:05.000Z"

func ts(t time.Time) string { return t.UTC().Format(timeFormat) }

func user(u store.ModelerUser) userDTO { return userDTO(u) }

func optID(id string) *string {
	if id == "" {
		return nil
	}
	return &id
}

func projectMeta(p store.Project) projectMetaDTO {
	return projectMetaDTO{ID: p.ID, Name: p.Name, Created: ts(p.CreatedAt), CreatedBy: user(p.CreatedBy),
		Updated: ts(p.UpdatedAt), UpdatedBy: user(p.UpdatedBy)}
}

func folderMeta(f store.Folder) folderMetaDTO {
	return folderMetaDTO{ID: f.ID, Name: f.Name, ProjectID: f.ProjectID, ParentID: optID(f.ParentID),
		Created: ts(f.CreatedAt), CreatedBy: user(f.CreatedBy), Updated: ts(f.UpdatedAt), UpdatedBy: user(f.UpdatedBy)}
}

func fileMeta(f store.File) fileMetaDTO {
	path := make([]pathElementDTO, len(f.CanonicalPath))
	for i, e := range f.CanonicalPath {
		path[i] = pathElementDTO(e)
	}
	return fileMetaDTO{ID: f.ID, Name: f.Name, ProjectID: f.ProjectID, FolderID: optID(f.FolderID),
		SimplePath: f.SimplePath, CanonicalPath: path, Revision: f.Revision, Type: f.Type,
		Created: ts(f.CreatedAt), CreatedBy: user(f.CreatedBy), Updated: ts(f.UpdatedAt), UpdatedBy: user(f.UpdatedBy)}
}

func milestoneMeta(v store.FileVersion) milestoneMetaDTO {
	return milestoneMetaDTO{ID: v.ID, Name: v.Name, FileID: v.FileID, Created: ts(v.CreatedAt), CreatedBy: user(v.CreatedBy),
		Updated: ts(v.UpdatedAt), UpdatedBy: user(v.UpdatedBy)}
}

func versionMeta(v store.FileVersion) versionMetaDTO {
	return versionMetaDTO{ID: v.ID, Name: v.Name, Description: v.Description, FileID: v.FileID,
		Created: ts(v.CreatedAt), CreatedBy: user(v.CreatedBy), Updated: ts(v.UpdatedAt), UpdatedBy: user(v.UpdatedBy),
		OrganizationPublic: v.OrganizationPublic}
}

func content(folders []store.Folder, files []store.File) contentDTO {
	c := contentDTO{Folders: mapSlice(folders, folderMeta), Files: mapSlice(files, fileMeta)}
	return c
}

func mapSlice[T, U any](xs []T, f func(T) U) []U {
	out := make([]U, len(xs))
	for i, x := range xs {
		out[i] = f(x)
	}
	return out
}

func collaborator(c store.Collaborator) collaboratorDTO {
	return collaboratorDTO{Name: c.Name, Email: c.Email, ProjectID: c.ProjectID, Role: c.Role}
}
