package client

import (
	"bytes"
	"encoding/json"
	"time"
)

// Wire types of the Web Modeler API v1. The server (internal/httpapi/modelerapi) writes
// these same types, so the SDK and the API cannot drift apart.

// TimeFormat is how the Web Modeler API writes times: ISO-8601 in UTC with milliseconds.
const TimeFormat = "2006-01-02T15:04:05.000Z"

// Time is a Web Modeler API timestamp. It embeds time.Time, so its methods apply
// directly (t.IsZero(), t.Before(u)); t.Time is the plain value.
type Time struct{ time.Time }

// MarshalJSON writes the time in UTC with milliseconds (TimeFormat).
func (t Time) MarshalJSON() ([]byte, error) {
	return []byte(`"` + t.UTC().Format(TimeFormat) + `"`), nil
}

// UnmarshalJSON reads any RFC 3339 time.
func (t *Time) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		t.Time = time.Time{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return err
	}
	t.Time = v
	return nil
}

// OptionalID is the id of a parent folder, or "" at a project's root, which the API
// writes as null.
type OptionalID string

// MarshalJSON writes "" as null.
func (id OptionalID) MarshalJSON() ([]byte, error) {
	if id == "" {
		return []byte("null"), nil
	}
	return json.Marshal(string(id))
}

// UnmarshalJSON reads null as "".
func (id *OptionalID) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		*id = ""
		return nil
	}
	return json.Unmarshal(b, (*string)(id))
}

// File types of the Web Modeler API.
const (
	FileTypeBPMN              = "bpmn"
	FileTypeDMN               = "dmn"
	FileTypeForm              = "form"
	FileTypeConnectorTemplate = "connector_template"
)

// ModelerInfo is what GET /api/v1/info reports about the caller's token.
type ModelerInfo struct {
	Version                string `json:"version"`
	AuthorizedOrganization string `json:"authorizedOrganization"`
	CreatePermission       bool   `json:"createPermission"`
	ReadPermission         bool   `json:"readPermission"`
	UpdatePermission       bool   `json:"updatePermission"`
	DeletePermission       bool   `json:"deletePermission"`
}

// ModelerUser is who created or last changed an object.
type ModelerUser struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

// ProjectMetadata describes a project.
type ProjectMetadata struct {
	ID        string      `json:"id"`
	Name      string      `json:"name"`
	Created   Time        `json:"created"`
	CreatedBy ModelerUser `json:"createdBy"`
	Updated   Time        `json:"updated"`
	UpdatedBy ModelerUser `json:"updatedBy"`
}

// Content is what a project or folder holds directly.
type Content struct {
	Folders []FolderMetadata `json:"folders"`
	Files   []FileMetadata   `json:"files"`
}

// Project is a project with its top-level content.
type Project struct {
	Metadata ProjectMetadata `json:"metadata"`
	Content  Content         `json:"content"`
}

// FolderMetadata describes a folder.
type FolderMetadata struct {
	ID        string      `json:"id"`
	Name      string      `json:"name"`
	ProjectID string      `json:"projectId"`
	ParentID  OptionalID  `json:"parentId"` // empty at the project root
	Created   Time        `json:"created"`
	CreatedBy ModelerUser `json:"createdBy"`
	Updated   Time        `json:"updated"`
	UpdatedBy ModelerUser `json:"updatedBy"`
}

// Folder is a folder with its content.
type Folder struct {
	Metadata FolderMetadata `json:"metadata"`
	Content  Content        `json:"content"`
}

// PathElement is one folder of a file's canonical path.
type PathElement struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// FileMetadata describes a file.
type FileMetadata struct {
	ID            string        `json:"id"`
	Name          string        `json:"name"`
	ProjectID     string        `json:"projectId"`
	FolderID      OptionalID    `json:"folderId"`   // empty at the project root
	SimplePath    string        `json:"simplePath"` // project/folder/…/name
	CanonicalPath []PathElement `json:"canonicalPath"`
	Revision      int64         `json:"revision"` // pass to UpdateFile
	Type          string        `json:"type"`     // bpmn, dmn, form or connector_template
	Created       Time          `json:"created"`
	CreatedBy     ModelerUser   `json:"createdBy"`
	Updated       Time          `json:"updated"`
	UpdatedBy     ModelerUser   `json:"updatedBy"`
}

// File is a file with its content.
type File struct {
	Metadata FileMetadata `json:"metadata"`
	Content  string       `json:"content"`
}

// MilestoneMetadata describes a milestone: a named snapshot of a file.
type MilestoneMetadata struct {
	ID        string      `json:"id"`
	Name      string      `json:"name"`
	FileID    string      `json:"fileId"`
	Created   Time        `json:"created"`
	CreatedBy ModelerUser `json:"createdBy"`
	Updated   Time        `json:"updated"`
	UpdatedBy ModelerUser `json:"updatedBy"`
}

// Milestone is a milestone with the file content it saved.
type Milestone struct {
	Metadata MilestoneMetadata `json:"metadata"`
	Content  string            `json:"content"`
}

// VersionMetadata describes a version: a snapshot of a file with a description.
type VersionMetadata struct {
	ID                 string      `json:"id"`
	Name               string      `json:"name"`
	Description        string      `json:"description"`
	FileID             string      `json:"fileId"`
	Created            Time        `json:"created"`
	CreatedBy          ModelerUser `json:"createdBy"`
	Updated            Time        `json:"updated"`
	UpdatedBy          ModelerUser `json:"updatedBy"`
	OrganizationPublic bool        `json:"organizationPublic"`
}

// FileVersion is a version with the file content it saved.
type FileVersion struct {
	Metadata VersionMetadata `json:"metadata"`
	Content  string          `json:"content"`
}

// Collaborator is a member of a project.
type Collaborator struct {
	Name      string `json:"name"`
	Email     string `json:"email"`
	ProjectID string `json:"projectId"`
	Role      string `json:"role"` // project_admin, editor, viewer or commenter
}

// Search is the body of the Web Modeler API's search operations.
type Search struct {
	// Filter matches fields of the searched type (nested createdBy/updatedBy allowed);
	// dates take <, <=, >, >= and date math such as ">=now-1d".
	Filter map[string]any `json:"filter,omitempty"`
	Sort   []Sort         `json:"sort,omitempty"`
	Page   int            `json:"page,omitempty"` // 0-based
	Size   int            `json:"size,omitempty"` // 1-50; 0: the server's default (10)
}

// Sort orders search results by Field, Direction "ASC" or "DESC".
type Sort struct {
	Field     string `json:"field"`
	Direction string `json:"direction"`
}

// SearchResult is one page of search results and the number of matches.
type SearchResult[T any] struct {
	Items []T   `json:"items"`
	Total int64 `json:"total"`
}

// Comparison is the answer of the milestone and version compare operations.
type Comparison struct {
	URL string `json:"url"`
}
