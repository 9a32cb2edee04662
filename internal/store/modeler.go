package store

import (
	"context"
	"errors"
	"time"
)

// Web Modeler records. Every record belongs to an organization (a realm's
// Organization UUID); every method takes the organization and treats an object of
// another organization as ErrNotFound. Ids are lower-case UUID strings chosen by
// the caller.

// ModelerUser is who created or last changed a record (the calling application).
type ModelerUser struct {
	Name  string
	Email string
}

// Project is the top of a tree of folders and files.
type Project struct {
	ID        string
	Org       string
	Name      string
	CreatedAt time.Time
	CreatedBy ModelerUser
	UpdatedAt time.Time
	UpdatedBy ModelerUser
}

// Folder sits in a project, at its root (ParentID "") or inside another folder of
// the same project.
type Folder struct {
	ID        string
	Org       string
	ProjectID string
	ParentID  string // "" at the project root
	Name      string
	CreatedAt time.Time
	CreatedBy ModelerUser
	UpdatedAt time.Time
	UpdatedBy ModelerUser
}

// PathElement is one ancestor of a file: its project, then its folders, outermost first.
type PathElement struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// File is a BPMN, DMN, form or connector template file. SimplePath and
// CanonicalPath are maintained by the store: they follow renames and moves of the
// file, its folders and its project. Content is empty in listings and searches.
type File struct {
	ID            string
	Org           string
	ProjectID     string
	FolderID      string // "" at the project root
	Name          string
	Type          string // bpmn | dmn | form | connector_template
	Content       string
	Revision      int64
	SimplePath    string        // read-only: "project/folder/name", "/" in names as `\/`
	CanonicalPath []PathElement // read-only: project, then folders
	CreatedAt     time.Time
	CreatedBy     ModelerUser
	UpdatedAt     time.Time
	UpdatedBy     ModelerUser
}

// FileVersion is a snapshot of a file's content: a milestone (API ≤ 8.8) or a
// version (8.9+); both names address the same history. Content is empty in searches.
type FileVersion struct {
	ID                 string
	Org                string
	FileID             string
	Name               string
	Description        string
	OrganizationPublic bool
	Content            string
	FileRevision       int64 // the file's revision the snapshot was taken from
	CreatedAt          time.Time
	CreatedBy          ModelerUser
	UpdatedAt          time.Time
	UpdatedBy          ModelerUser
}

// Collaborator is a person's role on a project, keyed by (project, email).
type Collaborator struct {
	Org       string
	ProjectID string
	Email     string
	Name      string
	Role      string // project_admin | editor | viewer | commenter
	CreatedAt time.Time
	UpdatedAt time.Time
}

// ModelerField names a searchable field, as the API spells it. Not every field
// exists on every record: see the Search methods.
type ModelerField string

// Searchable fields.
const (
	FieldID                 ModelerField = "id"
	FieldName               ModelerField = "name"
	FieldCreated            ModelerField = "created"
	FieldCreatedByName      ModelerField = "createdBy.name"
	FieldCreatedByEmail     ModelerField = "createdBy.email"
	FieldUpdated            ModelerField = "updated"
	FieldUpdatedByName      ModelerField = "updatedBy.name"
	FieldUpdatedByEmail     ModelerField = "updatedBy.email"
	FieldProjectID          ModelerField = "projectId"
	FieldFolderID           ModelerField = "folderId"
	FieldSimplePath         ModelerField = "simplePath"
	FieldCanonicalPath      ModelerField = "canonicalPath" // equality only, value []PathElement
	FieldRevision           ModelerField = "revision"
	FieldType               ModelerField = "type"
	FieldFileID             ModelerField = "fileId"
	FieldDescription        ModelerField = "description"
	FieldOrganizationPublic ModelerField = "organizationPublic"
	FieldEmail              ModelerField = "email"
	FieldRole               ModelerField = "role"
)

// ModelerOp compares a field with a value.
type ModelerOp string

// Comparison operators; the ordering ones apply to times and numbers.
const (
	OpEq ModelerOp = "="
	OpLt ModelerOp = "<"
	OpLe ModelerOp = "<="
	OpGt ModelerOp = ">"
	OpGe ModelerOp = ">="
)

// ModelerFilter is one condition: Field Op Value. Value is a string, an int64, a
// bool, a time.Time or (canonicalPath) a []PathElement, matching the field.
// Strings compare exactly (bound as parameters, never interpolated).
type ModelerFilter struct {
	Field ModelerField
	Op    ModelerOp
	Value any
}

// ModelerSort orders by one field.
type ModelerSort struct {
	Field ModelerField
	Desc  bool
}

// MaxModelerPage is the largest page a search returns.
const MaxModelerPage = 50

// ModelerQuery selects records of one organization: all filters must hold. Results
// follow Sort, then id. Limit is 1..MaxModelerPage; 0 returns only the total.
type ModelerQuery struct {
	Org     string
	Filters []ModelerFilter
	Sort    []ModelerSort
	Offset  int64
	Limit   int
}

// ErrInvalidQuery: a query names a field the record does not have, an operator the
// field does not support, or a value of the wrong type.
var ErrInvalidQuery = errors.New("store: invalid query")

// Modeler is the Web Modeler part of Store.
type Modeler interface {
	// Projects. UpdateProject keeps the paths of the project's files current;
	// DeleteProject fails with ErrConflict while the project holds a file, and
	// otherwise removes its folders and collaborators too.
	CreateProject(ctx context.Context, p Project) error
	GetProject(ctx context.Context, org, id string) (Project, error)
	UpdateProject(ctx context.Context, org, id string, fn func(Project) (Project, error)) (Project, error)
	DeleteProject(ctx context.Context, org, id string) error
	// SearchProjects: id, name, created, createdBy.*, updated, updatedBy.*.
	SearchProjects(ctx context.Context, q ModelerQuery) (items []Project, total int64, err error)

	// Folders. CreateFolder and UpdateFolder fail with ErrNotFound when the project or
	// the parent is missing, and with ErrConflict when the parent is in another project
	// or (UpdateFolder) inside the folder itself. A folder that changes project takes
	// its sub-folders and files along. DeleteFolder fails with ErrConflict while the
	// folder or a sub-folder holds a file, and otherwise removes its sub-folders.
	CreateFolder(ctx context.Context, f Folder) error
	GetFolder(ctx context.Context, org, id string) (Folder, error)
	UpdateFolder(ctx context.Context, org, id string, fn func(Folder) (Folder, error)) (Folder, error)
	DeleteFolder(ctx context.Context, org, id string) error
	// ListFolders returns the folders directly inside parentID ("" = project root),
	// ordered by name, id.
	ListFolders(ctx context.Context, org, projectID, parentID string) ([]Folder, error)

	// Files. CreateFile and UpdateFile fail with ErrNotFound when the project or folder
	// is missing and with ErrConflict when the folder is in another project. fn of
	// UpdateFile sees the stored content and revision: it implements optimistic
	// locking. DeleteFile removes the file's versions too.
	CreateFile(ctx context.Context, f File) error
	GetFile(ctx context.Context, org, id string) (File, error)
	UpdateFile(ctx context.Context, org, id string, fn func(File) (File, error)) (File, error)
	DeleteFile(ctx context.Context, org, id string) error
	// ListFiles returns the files directly inside folderID ("" = project root), without
	// content, ordered by name, id.
	ListFiles(ctx context.Context, org, projectID, folderID string) ([]File, error)
	// SearchFiles: every File field but content (canonicalPath by equality); items
	// carry no content.
	SearchFiles(ctx context.Context, q ModelerQuery) (items []File, total int64, err error)

	// File versions (milestones). SnapshotFile calls fn with the locked file (with
	// content) and the number of versions it has, and stores the version fn returns
	// (FileID, Content and FileRevision are set from the file). RestoreFileVersion
	// calls fn with the version (with content) and the locked file, stores the file fn
	// returns and inserts the version it returns, in one transaction.
	SnapshotFile(ctx context.Context, org, fileID string, fn func(f File, versions int) (FileVersion, error)) (FileVersion, error)
	GetFileVersion(ctx context.Context, org, id string) (FileVersion, error)
	UpdateFileVersion(ctx context.Context, org, id string, fn func(FileVersion) (FileVersion, error)) (FileVersion, error)
	DeleteFileVersion(ctx context.Context, org, id string) error
	RestoreFileVersion(ctx context.Context, org, id string, fn func(v FileVersion, f File) (File, FileVersion, error)) (FileVersion, error)
	// SearchFileVersions: id, name, description, fileId, organizationPublic, created,
	// createdBy.*, updated, updatedBy.*; items carry no content.
	SearchFileVersions(ctx context.Context, q ModelerQuery) (items []FileVersion, total int64, err error)

	// Collaborators. PutCollaborator adds or changes one (ErrNotFound without the
	// project); CreatedAt of an existing one stays.
	PutCollaborator(ctx context.Context, c Collaborator) error
	DeleteCollaborator(ctx context.Context, org, projectID, email string) error
	// SearchCollaborators: projectId, email, name, role.
	SearchCollaborators(ctx context.Context, q ModelerQuery) (items []Collaborator, total int64, err error)
}
