package client

import (
	"context"
	"encoding/json"
	"net/http"
)

// Modeler is a typed client for the Web Modeler API v1 that Gatehouse serves on its
// modeler listener (/api/v1/…). Its token needs the audience web-modeler-public-api
// with create:* for POST, read:* for GET and search, update:* for PATCH and PUT, and
// delete:* for DELETE. Safe for concurrent use.
type Modeler struct{ r *rest }

// NewModeler returns a Web Modeler API client for the modeler listener at modelerURL,
// e.g. http://localhost:8070. src supplies the tokens; nil sends none.
func NewModeler(modelerURL string, src *TokenSource, opts ...ClientOption) *Modeler {
	return &Modeler{r: newRest(modelerURL, src, opts)}
}

// Info reports the API version and what the caller's token may do.
func (m *Modeler) Info(ctx context.Context) (*ModelerInfo, error) {
	var i ModelerInfo
	return &i, m.r.do(ctx, http.MethodGet, "/api/v1/info", nil, nil, &i)
}

type nameBody struct {
	Name string `json:"name"`
}

// CreateProject creates an empty project.
func (m *Modeler) CreateProject(ctx context.Context, name string) (*ProjectMetadata, error) {
	var p ProjectMetadata
	return &p, m.r.do(ctx, http.MethodPost, "/api/v1/projects", nil, nameBody{name}, &p)
}

// GetProject answers a project with its top-level folders and files.
func (m *Modeler) GetProject(ctx context.Context, id string) (*Project, error) {
	var p Project
	return &p, m.r.do(ctx, http.MethodGet, "/api/v1/projects/"+seg(id), nil, nil, &p)
}

// RenameProject renames a project.
func (m *Modeler) RenameProject(ctx context.Context, id, name string) (*ProjectMetadata, error) {
	var p ProjectMetadata
	return &p, m.r.do(ctx, http.MethodPatch, "/api/v1/projects/"+seg(id), nil, nameBody{name}, &p)
}

// DeleteProject deletes an empty project (one with content is ErrConflict).
func (m *Modeler) DeleteProject(ctx context.Context, id string) error {
	return m.r.do(ctx, http.MethodDelete, "/api/v1/projects/"+seg(id), nil, nil, nil)
}

// SearchProjects searches projects.
func (m *Modeler) SearchProjects(ctx context.Context, s Search) (*SearchResult[ProjectMetadata], error) {
	var r SearchResult[ProjectMetadata]
	return &r, m.r.do(ctx, http.MethodPost, "/api/v1/projects/search", nil, s, &r)
}

// AddCollaborator adds a collaborator to a project, or changes its role.
func (m *Modeler) AddCollaborator(ctx context.Context, projectID, email, role string) error {
	body := struct {
		Email     string `json:"email"`
		ProjectID string `json:"projectId"`
		Role      string `json:"role"`
	}{email, projectID, role}
	return m.r.do(ctx, http.MethodPut, "/api/v1/collaborators", nil, body, nil)
}

// SearchCollaborators searches collaborators (filter by projectId, email, role, …).
func (m *Modeler) SearchCollaborators(ctx context.Context, s Search) (*SearchResult[Collaborator], error) {
	var r SearchResult[Collaborator]
	return &r, m.r.do(ctx, http.MethodPost, "/api/v1/collaborators/search", nil, s, &r)
}

// RemoveCollaborator removes a collaborator from a project.
func (m *Modeler) RemoveCollaborator(ctx context.Context, projectID, email string) error {
	return m.r.do(ctx, http.MethodDelete, "/api/v1/projects/"+seg(projectID)+"/collaborators/"+seg(email), nil, nil, nil)
}

// FolderCreate is what CreateFolder needs: a name and a ProjectID or a ParentID folder.
type FolderCreate struct {
	Name      string `json:"name"`
	ProjectID string `json:"projectId,omitempty"`
	ParentID  string `json:"parentId,omitempty"`
}

// FolderUpdate renames or moves a folder; nil fields stay. ToProjectRoot moves it to
// the root of its (or ProjectID's) project.
type FolderUpdate struct {
	Name          *string
	ProjectID     *string
	ParentID      *string
	ToProjectRoot bool
}

// MarshalJSON sends "parentId": null for ToProjectRoot.
func (u FolderUpdate) MarshalJSON() ([]byte, error) {
	m := map[string]any{}
	putStr(m, "name", u.Name)
	putStr(m, "projectId", u.ProjectID)
	putStr(m, "parentId", u.ParentID)
	if u.ToProjectRoot {
		m["parentId"] = nil
	}
	return json.Marshal(m)
}

func putStr(m map[string]any, k string, v *string) {
	if v != nil {
		m[k] = *v
	}
}

// CreateFolder creates a folder.
func (m *Modeler) CreateFolder(ctx context.Context, in FolderCreate) (*FolderMetadata, error) {
	var f FolderMetadata
	return &f, m.r.do(ctx, http.MethodPost, "/api/v1/folders", nil, in, &f)
}

// GetFolder answers a folder with its folders and files.
func (m *Modeler) GetFolder(ctx context.Context, id string) (*Folder, error) {
	var f Folder
	return &f, m.r.do(ctx, http.MethodGet, "/api/v1/folders/"+seg(id), nil, nil, &f)
}

// UpdateFolder renames or moves a folder.
func (m *Modeler) UpdateFolder(ctx context.Context, id string, in FolderUpdate) (*FolderMetadata, error) {
	var f FolderMetadata
	return &f, m.r.do(ctx, http.MethodPatch, "/api/v1/folders/"+seg(id), nil, in, &f)
}

// DeleteFolder deletes an empty folder (one with content is ErrConflict).
func (m *Modeler) DeleteFolder(ctx context.Context, id string) error {
	return m.r.do(ctx, http.MethodDelete, "/api/v1/folders/"+seg(id), nil, nil, nil)
}

// FileCreate is what CreateFile needs: a name, content, a file type and a ProjectID or
// a FolderID.
type FileCreate struct {
	Name      string `json:"name"`
	ProjectID string `json:"projectId,omitempty"`
	FolderID  string `json:"folderId,omitempty"`
	Content   string `json:"content"`
	FileType  string `json:"fileType"` // FileTypeBPMN, …
}

// FileUpdate changes a file whose current revision is Revision (another revision is
// ErrConflict); nil fields stay. ToProjectRoot moves it to its project's root.
type FileUpdate struct {
	Revision      int64
	Name          *string
	Content       *string
	ProjectID     *string
	FolderID      *string
	ToProjectRoot bool
}

// MarshalJSON sends "folderId": null for ToProjectRoot.
func (u FileUpdate) MarshalJSON() ([]byte, error) {
	m := map[string]any{"revision": u.Revision}
	putStr(m, "name", u.Name)
	putStr(m, "content", u.Content)
	putStr(m, "projectId", u.ProjectID)
	putStr(m, "folderId", u.FolderID)
	if u.ToProjectRoot {
		m["folderId"] = nil
	}
	return json.Marshal(m)
}

// CreateFile creates a file.
func (m *Modeler) CreateFile(ctx context.Context, in FileCreate) (*FileMetadata, error) {
	var f FileMetadata
	return &f, m.r.do(ctx, http.MethodPost, "/api/v1/files", nil, in, &f)
}

// GetFile answers a file with its content.
func (m *Modeler) GetFile(ctx context.Context, id string) (*File, error) {
	var f File
	return &f, m.r.do(ctx, http.MethodGet, "/api/v1/files/"+seg(id), nil, nil, &f)
}

// UpdateFile changes a file's name, content or place.
func (m *Modeler) UpdateFile(ctx context.Context, id string, in FileUpdate) (*FileMetadata, error) {
	var f FileMetadata
	return &f, m.r.do(ctx, http.MethodPatch, "/api/v1/files/"+seg(id), nil, in, &f)
}

// DeleteFile deletes a file.
func (m *Modeler) DeleteFile(ctx context.Context, id string) error {
	return m.r.do(ctx, http.MethodDelete, "/api/v1/files/"+seg(id), nil, nil, nil)
}

// SearchFiles searches files (filter by name, projectId, folderId, type, simplePath, …).
func (m *Modeler) SearchFiles(ctx context.Context, s Search) (*SearchResult[FileMetadata], error) {
	var r SearchResult[FileMetadata]
	return &r, m.r.do(ctx, http.MethodPost, "/api/v1/files/search", nil, s, &r)
}

// CreateMilestone saves the file's current content as a milestone.
func (m *Modeler) CreateMilestone(ctx context.Context, fileID, name string) (*MilestoneMetadata, error) {
	body := struct {
		Name   string `json:"name"`
		FileID string `json:"fileId"`
	}{name, fileID}
	var v MilestoneMetadata
	return &v, m.r.do(ctx, http.MethodPost, "/api/v1/milestones", nil, body, &v)
}

// GetMilestone answers a milestone with its content.
func (m *Modeler) GetMilestone(ctx context.Context, id string) (*Milestone, error) {
	var v Milestone
	return &v, m.r.do(ctx, http.MethodGet, "/api/v1/milestones/"+seg(id), nil, nil, &v)
}

// RenameMilestone renames a milestone.
func (m *Modeler) RenameMilestone(ctx context.Context, id, name string) (*MilestoneMetadata, error) {
	var v MilestoneMetadata
	return &v, m.r.do(ctx, http.MethodPatch, "/api/v1/milestones/"+seg(id), nil, nameBody{name}, &v)
}

// DeleteMilestone deletes a milestone.
func (m *Modeler) DeleteMilestone(ctx context.Context, id string) error {
	return m.r.do(ctx, http.MethodDelete, "/api/v1/milestones/"+seg(id), nil, nil, nil)
}

// RestoreMilestone gives the file the milestone's content again and answers the
// milestone the server makes of the restored state.
func (m *Modeler) RestoreMilestone(ctx context.Context, id string) (*MilestoneMetadata, error) {
	var v MilestoneMetadata
	return &v, m.r.do(ctx, http.MethodPost, "/api/v1/milestones/"+seg(id)+"/restore", nil, nil, &v)
}

// SearchMilestones searches milestones (filter by fileId, name, …).
func (m *Modeler) SearchMilestones(ctx context.Context, s Search) (*SearchResult[MilestoneMetadata], error) {
	var r SearchResult[MilestoneMetadata]
	return &r, m.r.do(ctx, http.MethodPost, "/api/v1/milestones/search", nil, s, &r)
}

// CompareMilestones answers the URL of the Web Modeler page comparing two milestones of
// one file.
func (m *Modeler) CompareMilestones(ctx context.Context, id1, id2 string) (string, error) {
	var c Comparison
	err := m.r.do(ctx, http.MethodGet, "/api/v1/milestones/compare/"+seg(id1+"..."+id2), nil, nil, &c)
	return c.URL, err
}

// VersionCreate is what CreateVersion needs (only FileID is required; a version without
// a name is called "Version <n>").
type VersionCreate struct {
	FileID             string `json:"fileId"`
	Name               string `json:"name,omitempty"`
	Description        string `json:"description,omitempty"`
	OrganizationPublic bool   `json:"organizationPublic,omitempty"`
}

// VersionUpdate changes a version; nil fields stay.
type VersionUpdate struct {
	Name               *string `json:"name,omitempty"`
	Description        *string `json:"description,omitempty"`
	OrganizationPublic *bool   `json:"organizationPublic,omitempty"`
}

// CreateVersion saves the file's current content as a version.
func (m *Modeler) CreateVersion(ctx context.Context, in VersionCreate) (*VersionMetadata, error) {
	var v VersionMetadata
	return &v, m.r.do(ctx, http.MethodPost, "/api/v1/versions", nil, in, &v)
}

// GetVersion answers a version with its content.
func (m *Modeler) GetVersion(ctx context.Context, id string) (*FileVersion, error) {
	var v FileVersion
	return &v, m.r.do(ctx, http.MethodGet, "/api/v1/versions/"+seg(id), nil, nil, &v)
}

// UpdateVersion changes a version's name, description or visibility.
func (m *Modeler) UpdateVersion(ctx context.Context, id string, in VersionUpdate) (*VersionMetadata, error) {
	var v VersionMetadata
	return &v, m.r.do(ctx, http.MethodPatch, "/api/v1/versions/"+seg(id), nil, in, &v)
}

// DeleteVersion deletes a version.
func (m *Modeler) DeleteVersion(ctx context.Context, id string) error {
	return m.r.do(ctx, http.MethodDelete, "/api/v1/versions/"+seg(id), nil, nil, nil)
}

// RestoreVersion gives the file the version's content again and answers the version the
// server makes of the restored state. For a connector template, templateVersion (> 0)
// is the content.version the restored state gets; otherwise pass 0.
func (m *Modeler) RestoreVersion(ctx context.Context, id string, templateVersion int64) (*VersionMetadata, error) {
	var body any
	if templateVersion > 0 {
		body = struct {
			Version int64 `json:"version"`
		}{templateVersion}
	}
	var v VersionMetadata
	return &v, m.r.do(ctx, http.MethodPost, "/api/v1/versions/"+seg(id)+"/restore", nil, body, &v)
}

// SearchVersions searches versions (filter by fileId, name, …).
func (m *Modeler) SearchVersions(ctx context.Context, s Search) (*SearchResult[VersionMetadata], error) {
	var r SearchResult[VersionMetadata]
	return &r, m.r.do(ctx, http.MethodPost, "/api/v1/versions/search", nil, s, &r)
}

// CompareVersions answers the URL of the Web Modeler page comparing two versions of one
// file.
func (m *Modeler) CompareVersions(ctx context.Context, id1, id2 string) (string, error) {
	var c Comparison
	err := m.r.do(ctx, http.MethodGet, "/api/v1/versions/compare/"+seg(id1+"..."+id2), nil, nil, &c)
	return c.URL, err
}
