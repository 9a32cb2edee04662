package modeler

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
)

// Service applies the Web Modeler rules over a store.
type Service struct {
	st    store.Modeler
	now   func() time.Time
	newID func() string
}

// New returns a Service; now nil means time.Now.
func New(st store.Modeler, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{st: st, now: now, newID: NewID}
}

// Actor is the caller: the organization its token is scoped to, and the user
// recorded as createdBy/updatedBy.
type Actor struct {
	Org  string
	User store.ModelerUser
}

func (s *Service) stamp() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

// Page is one page of search results.
type Page[T any] struct {
	Items []T
	Total int64
}

// --- Projects ---

// ProjectInput is CreateProjectDto / UpdateProjectDto.
type ProjectInput struct {
	Name *string `json:"name"`
}

// CreateProject makes an empty project without collaborators.
func (s *Service) CreateProject(ctx context.Context, a Actor, in ProjectInput) (store.Project, error) {
	var errs fieldErrs
	checkName(&errs, "name", in.Name, true)
	if err := errs.err(); err != nil {
		return store.Project{}, err
	}
	now := s.stamp()
	p := store.Project{ID: s.newID(), Org: a.Org, Name: *in.Name, CreatedAt: now, CreatedBy: a.User, UpdatedAt: now, UpdatedBy: a.User}
	return p, s.st.CreateProject(ctx, p)
}

// GetProject returns a project with its root folders and files.
func (s *Service) GetProject(ctx context.Context, a Actor, id string) (store.Project, []store.Folder, []store.File, error) {
	id, ok := ParseID(id)
	if !ok {
		return store.Project{}, nil, nil, ErrNotFound
	}
	p, err := s.st.GetProject(ctx, a.Org, id)
	if err != nil {
		return p, nil, nil, notFound(err)
	}
	folders, err := s.st.ListFolders(ctx, a.Org, id, "")
	if err != nil {
		return p, nil, nil, err
	}
	files, err := s.st.ListFiles(ctx, a.Org, id, "")
	return p, folders, files, err
}

// RenameProject changes a project's name.
func (s *Service) RenameProject(ctx context.Context, a Actor, id string, in ProjectInput) (store.Project, error) {
	var errs fieldErrs
	checkName(&errs, "name", in.Name, true)
	if err := errs.err(); err != nil {
		return store.Project{}, err
	}
	id, ok := ParseID(id)
	if !ok {
		return store.Project{}, ErrNotFound
	}
	p, err := s.st.UpdateProject(ctx, a.Org, id, func(p store.Project) (store.Project, error) {
		p.Name, p.UpdatedAt, p.UpdatedBy = *in.Name, s.stamp(), a.User
		return p, nil
	})
	return p, notFound(err)
}

// DeleteProject removes a project that holds no file.
func (s *Service) DeleteProject(ctx context.Context, a Actor, id string) error {
	id, ok := ParseID(id)
	if !ok {
		return ErrNotFound
	}
	err := s.st.DeleteProject(ctx, a.Org, id)
	if errors.Is(err, store.ErrConflict) {
		return conflict("The project contains files and cannot be deleted.")
	}
	return notFound(err)
}

// SearchProjects runs a parsed search in the actor's organization.
func (s *Service) SearchProjects(ctx context.Context, a Actor, q store.ModelerQuery) (Page[store.Project], error) {
	q.Org = a.Org
	items, total, err := s.st.SearchProjects(ctx, q)
	return Page[store.Project]{items, total}, err
}

// --- Placement ---

// place resolves where a file or folder goes: only a folder → that folder (in its
// project); only a project → its root; both → they must agree.
func (s *Service) place(ctx context.Context, org, folderField string, projectID, folderID *string, required bool) (string, string, error) {
	switch {
	case folderID != nil:
		fid, ok := ParseID(*folderID)
		if !ok {
			return "", "", ErrNotFound
		}
		f, err := s.st.GetFolder(ctx, org, fid)
		if err != nil {
			return "", "", notFound(err)
		}
		if projectID != nil {
			pid, ok := ParseID(*projectID)
			if !ok {
				return "", "", ErrNotFound
			}
			if pid != f.ProjectID {
				if _, err := s.st.GetProject(ctx, org, pid); err != nil {
					return "", "", notFound(err)
				}
				return "", "", invalid("The " + folderField + " does not belong to the given projectId.")
			}
		}
		return f.ProjectID, f.ID, nil
	case projectID != nil:
		pid, ok := ParseID(*projectID)
		if !ok {
			return "", "", ErrNotFound
		}
		if _, err := s.st.GetProject(ctx, org, pid); err != nil {
			return "", "", notFound(err)
		}
		return pid, "", nil
	case required:
		return "", "", validation(FieldError{"projectId", "must not be null when " + folderField + " is null"})
	}
	return "", "", nil
}

// placeErr maps the store's verdict on a place that changed under us.
func placeErr(err error) error {
	if errors.Is(err, store.ErrConflict) {
		return conflict("The target folder moved to another project; retry.")
	}
	return notFound(err)
}

// --- Folders ---

// FolderInput is CreateFolderDto / UpdateFolderDto.
type FolderInput struct {
	Name      *string `json:"name"`
	ProjectID *string `json:"projectId"`
	ParentID  *string `json:"parentId"`
}

func (in FolderInput) check(nameRequired bool) error {
	var errs fieldErrs
	checkName(&errs, "name", in.Name, nameRequired)
	checkRef(&errs, "projectId", in.ProjectID)
	checkRef(&errs, "parentId", in.ParentID)
	return errs.err()
}

// CreateFolder makes a folder in a project's root or inside another folder.
func (s *Service) CreateFolder(ctx context.Context, a Actor, in FolderInput) (store.Folder, error) {
	if err := in.check(true); err != nil {
		return store.Folder{}, err
	}
	pid, parent, err := s.place(ctx, a.Org, "parentId", in.ProjectID, in.ParentID, true)
	if err != nil {
		return store.Folder{}, err
	}
	now := s.stamp()
	f := store.Folder{ID: s.newID(), Org: a.Org, ProjectID: pid, ParentID: parent, Name: *in.Name,
		CreatedAt: now, CreatedBy: a.User, UpdatedAt: now, UpdatedBy: a.User}
	return f, placeErr(s.st.CreateFolder(ctx, f))
}

// GetFolder returns a folder with its sub-folders and files.
func (s *Service) GetFolder(ctx context.Context, a Actor, id string) (store.Folder, []store.Folder, []store.File, error) {
	id, ok := ParseID(id)
	if !ok {
		return store.Folder{}, nil, nil, ErrNotFound
	}
	f, err := s.st.GetFolder(ctx, a.Org, id)
	if err != nil {
		return f, nil, nil, notFound(err)
	}
	folders, err := s.st.ListFolders(ctx, a.Org, f.ProjectID, id)
	if err != nil {
		return f, nil, nil, err
	}
	files, err := s.st.ListFiles(ctx, a.Org, f.ProjectID, id)
	return f, folders, files, err
}

// UpdateFolder renames and/or moves a folder.
// parentNull is an explicit "parentId": null: alone, it moves the folder to the root
// of its project.
func (s *Service) UpdateFolder(ctx context.Context, a Actor, id string, in FolderInput, parentNull bool) (store.Folder, error) {
	if err := in.check(false); err != nil {
		return store.Folder{}, err
	}
	id, ok := ParseID(id)
	if !ok {
		return store.Folder{}, ErrNotFound
	}
	pid, parent, err := s.place(ctx, a.Org, "parentId", in.ProjectID, in.ParentID, false)
	if err != nil {
		return store.Folder{}, err
	}
	move := in.ProjectID != nil || in.ParentID != nil
	if move && parent == id {
		return store.Folder{}, invalid("A folder cannot be moved into itself or one of its sub-folders.")
	}
	f, err := s.st.UpdateFolder(ctx, a.Org, id, func(f store.Folder) (store.Folder, error) {
		if in.Name != nil {
			f.Name = *in.Name
		}
		if move {
			f.ProjectID, f.ParentID = pid, parent
		} else if parentNull {
			f.ParentID = ""
		}
		f.UpdatedAt, f.UpdatedBy = s.stamp(), a.User
		return f, nil
	})
	if errors.Is(err, store.ErrConflict) {
		return f, invalid("A folder cannot be moved into itself or one of its sub-folders.")
	}
	return f, notFound(err)
}

// DeleteFolder removes a folder (and its empty sub-folders) that holds no file.
func (s *Service) DeleteFolder(ctx context.Context, a Actor, id string) error {
	id, ok := ParseID(id)
	if !ok {
		return ErrNotFound
	}
	err := s.st.DeleteFolder(ctx, a.Org, id)
	if errors.Is(err, store.ErrConflict) {
		return conflict("The folder contains files and cannot be deleted.")
	}
	return notFound(err)
}

// --- Collaborators ---

// CollaboratorInput is CreateCollaboratorDto.
type CollaboratorInput struct {
	Email     *string `json:"email"`
	ProjectID *string `json:"projectId"`
	Role      *string `json:"role"`
}

// PutCollaborator adds a collaborator to a project or changes its role. Gatehouse
// has no Web Modeler user directory: any well-formed address is accepted and its
// local part becomes the collaborator's name.
func (s *Service) PutCollaborator(ctx context.Context, a Actor, in CollaboratorInput) error {
	var errs fieldErrs
	if in.Email == nil {
		errs.add("email", "must not be blank")
	} else {
		checkEmail(&errs, "email", *in.Email)
	}
	checkName(&errs, "projectId", in.ProjectID, true)
	role := ""
	if in.Role == nil {
		errs.add("role", "must not be null")
	} else if role = strings.ToLower(*in.Role); !roles[role] {
		errs.add("role", `must match "`+rolePattern+`"`)
	}
	if err := errs.err(); err != nil {
		return err
	}
	pid, ok := ParseID(*in.ProjectID)
	if !ok {
		return ErrNotFound
	}
	email := strings.ToLower(*in.Email)
	name, _, _ := strings.Cut(email, "@")
	now := s.stamp()
	return notFound(s.st.PutCollaborator(ctx, store.Collaborator{Org: a.Org, ProjectID: pid, Email: email, Name: name, Role: role,
		CreatedAt: now, UpdatedAt: now}))
}

// DeleteCollaborator removes a collaborator from a project.
func (s *Service) DeleteCollaborator(ctx context.Context, a Actor, projectID, email string) error {
	pid, ok := ParseID(projectID)
	if !ok {
		return ErrNotFound
	}
	return notFound(s.st.DeleteCollaborator(ctx, a.Org, pid, strings.ToLower(email)))
}

// SearchCollaborators runs a parsed search in the actor's organization.
func (s *Service) SearchCollaborators(ctx context.Context, a Actor, q store.ModelerQuery) (Page[store.Collaborator], error) {
	q.Org = a.Org
	for i, f := range q.Filters {
		if f.Field == store.FieldEmail {
			if v, ok := f.Value.(string); ok {
				q.Filters[i].Value = strings.ToLower(v) // stored in lower case
			}
		}
	}
	items, total, err := s.st.SearchCollaborators(ctx, q)
	return Page[store.Collaborator]{items, total}, err
}
