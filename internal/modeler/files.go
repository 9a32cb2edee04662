package modeler

import (
	"context"
	"fmt"
	"unicode/utf8"

	"github.com/gatehouse/gatehouse/internal/store"
)

// CreateFileInput is CreateFileDto.
type CreateFileInput struct {
	Name      *string `json:"name"`
	FolderID  *string `json:"folderId"`
	ProjectID *string `json:"projectId"`
	Content   *string `json:"content"`
	FileType  *string `json:"fileType"`
}

// UpdateFileInput is UpdateFileDto. UpdateFile's folderNull tells an explicit
// "folderId": null (move to the project root) from an absent folderId.
type UpdateFileInput struct {
	Revision  *int64  `json:"revision"`
	Name      *string `json:"name"`
	Content   *string `json:"content"`
	ProjectID *string `json:"projectId"`
	FolderID  *string `json:"folderId"`
}

// prepareContent checks content of a type and, for connector templates, rewrites
// the server-owned fields.
func prepareContent(errs *fieldErrs, typ, content, fileID, name string, version int64) string {
	if typ == TypeTemplate {
		out, err := rewriteTemplate(content, fileID, name, version)
		if err != nil {
			errs.add("content", err.Error())
		}
		return out
	}
	if err := checkContent(typ, content); err != nil {
		errs.add("content", err.Error())
	}
	return content
}

// CreateFile makes a file at revision 1.
func (s *Service) CreateFile(ctx context.Context, a Actor, in CreateFileInput) (store.File, error) {
	var errs fieldErrs
	checkName(&errs, "name", in.Name, true)
	checkRef(&errs, "folderId", in.FolderID)
	checkRef(&errs, "projectId", in.ProjectID)
	typ := ""
	if in.FileType == nil {
		errs.add("fileType", "must not be null")
	} else if typ = normType(*in.FileType); typ == "" {
		errs.add("fileType", `must match "`+fileTypePattern+`"`)
	}
	if in.Content == nil {
		errs.add("content", "must not be null")
	}
	if err := errs.err(); err != nil {
		return store.File{}, err
	}
	id := s.newID()
	content := prepareContent(&errs, typ, *in.Content, id, *in.Name, 1)
	if err := errs.err(); err != nil {
		return store.File{}, err
	}
	pid, fid, err := s.place(ctx, a.Org, "folderId", in.ProjectID, in.FolderID, true)
	if err != nil {
		return store.File{}, err
	}
	now := s.stamp()
	f := store.File{ID: id, Org: a.Org, ProjectID: pid, FolderID: fid, Name: *in.Name, Type: typ, Content: content,
		Revision: 1, CreatedAt: now, CreatedBy: a.User, UpdatedAt: now, UpdatedBy: a.User}
	if err := s.st.CreateFile(ctx, f); err != nil {
		return f, placeErr(err)
	}
	return s.st.GetFile(ctx, a.Org, id) // with the paths the store computed
}

// GetFile returns a file with its content.
func (s *Service) GetFile(ctx context.Context, a Actor, id string) (store.File, error) {
	id, ok := ParseID(id)
	if !ok {
		return store.File{}, ErrNotFound
	}
	f, err := s.st.GetFile(ctx, a.Org, id)
	return f, notFound(err)
}

// UpdateFile changes content, name and/or place of a file whose revision the
// caller names; every successful update increases the revision by one.
func (s *Service) UpdateFile(ctx context.Context, a Actor, id string, in UpdateFileInput, folderNull bool) (store.File, error) {
	var errs fieldErrs
	if in.Revision == nil {
		errs.add("revision", "must not be null")
	}
	checkName(&errs, "name", in.Name, false)
	checkRef(&errs, "projectId", in.ProjectID)
	checkRef(&errs, "folderId", in.FolderID)
	if err := errs.err(); err != nil {
		return store.File{}, err
	}
	id, ok := ParseID(id)
	if !ok {
		return store.File{}, ErrNotFound
	}
	move := in.ProjectID != nil || in.FolderID != nil
	var pid, fid string
	if move {
		var err error
		if pid, fid, err = s.place(ctx, a.Org, "folderId", in.ProjectID, in.FolderID, false); err != nil {
			return store.File{}, err
		}
	}
	f, err := s.st.UpdateFile(ctx, a.Org, id, func(f store.File) (store.File, error) {
		if *in.Revision != f.Revision {
			return f, ErrRevisionConflict
		}
		var errs fieldErrs
		oldContent := f.Content
		if in.Name != nil {
			f.Name = *in.Name
		}
		if in.Content != nil {
			f.Content = *in.Content
		}
		if f.Type == TypeTemplate && (in.Content != nil || in.Name != nil) {
			f.Content = prepareContent(&errs, f.Type, f.Content, f.ID, f.Name, templateVersion(oldContent)+1)
		} else if in.Content != nil {
			f.Content = prepareContent(&errs, f.Type, f.Content, f.ID, f.Name, 0)
		}
		if err := errs.err(); err != nil {
			return f, err
		}
		if move {
			f.ProjectID, f.FolderID = pid, fid
		} else if folderNull {
			f.FolderID = "" // an explicit null alone: to the root of the file's project
		}
		f.Revision++
		f.UpdatedAt, f.UpdatedBy = s.stamp(), a.User
		return f, nil
	})
	return f, placeErr(err)
}

// DeleteFile removes a file and its versions.
func (s *Service) DeleteFile(ctx context.Context, a Actor, id string) error {
	id, ok := ParseID(id)
	if !ok {
		return ErrNotFound
	}
	return notFound(s.st.DeleteFile(ctx, a.Org, id))
}

// SearchFiles runs a parsed search in the actor's organization.
func (s *Service) SearchFiles(ctx context.Context, a Actor, q store.ModelerQuery) (Page[store.File], error) {
	q.Org = a.Org
	items, total, err := s.st.SearchFiles(ctx, q)
	return Page[store.File]{items, total}, err
}

// --- Versions (milestones) ---

// VersionInput is CreateMilestoneDto, CreateVersionDto, UpdateMilestoneDto and
// UpdateVersionDto.
type VersionInput struct {
	Name               *string `json:"name"`
	Description        *string `json:"description"`
	FileID             *string `json:"fileId"`
	OrganizationPublic *bool   `json:"organizationPublic"`
}

const maxDescription = 10_000

// CreateVersion snapshots a file's current content. A milestone needs a name; a
// version without one is called "Version <n>".
func (s *Service) CreateVersion(ctx context.Context, a Actor, in VersionInput, milestone bool) (store.FileVersion, error) {
	var errs fieldErrs
	checkName(&errs, "name", in.Name, milestone)
	checkName(&errs, "fileId", in.FileID, true)
	if in.Description != nil && utf8.RuneCountInString(*in.Description) > maxDescription {
		errs.add("description", fmt.Sprintf("size must be between 0 and %d", maxDescription))
	}
	if err := errs.err(); err != nil {
		return store.FileVersion{}, err
	}
	fid, ok := ParseID(*in.FileID)
	if !ok {
		return store.FileVersion{}, ErrNotFound
	}
	v, err := s.st.SnapshotFile(ctx, a.Org, fid, func(_ store.File, n int) (store.FileVersion, error) {
		now := s.stamp()
		v := store.FileVersion{ID: s.newID(), CreatedAt: now, CreatedBy: a.User, UpdatedAt: now, UpdatedBy: a.User}
		v.Name = fmt.Sprintf("Version %d", n+1)
		if in.Name != nil {
			v.Name = *in.Name
		}
		if in.Description != nil {
			v.Description = *in.Description
		}
		if in.OrganizationPublic != nil {
			v.OrganizationPublic = *in.OrganizationPublic
		}
		return v, nil
	})
	return v, notFound(err)
}

// GetVersion returns a version with its content.
func (s *Service) GetVersion(ctx context.Context, a Actor, id string) (store.FileVersion, error) {
	id, ok := ParseID(id)
	if !ok {
		return store.FileVersion{}, ErrNotFound
	}
	v, err := s.st.GetFileVersion(ctx, a.Org, id)
	return v, notFound(err)
}

// UpdateVersion renames a milestone (name required) or changes a version's name,
// description or visibility.
func (s *Service) UpdateVersion(ctx context.Context, a Actor, id string, in VersionInput, milestone bool) (store.FileVersion, error) {
	var errs fieldErrs
	checkName(&errs, "name", in.Name, milestone)
	if in.Description != nil && utf8.RuneCountInString(*in.Description) > maxDescription {
		errs.add("description", fmt.Sprintf("size must be between 0 and %d", maxDescription))
	}
	if err := errs.err(); err != nil {
		return store.FileVersion{}, err
	}
	id, ok := ParseID(id)
	if !ok {
		return store.FileVersion{}, ErrNotFound
	}
	v, err := s.st.UpdateFileVersion(ctx, a.Org, id, func(v store.FileVersion) (store.FileVersion, error) {
		if in.Name != nil {
			v.Name = *in.Name
		}
		if in.Description != nil && !milestone {
			v.Description = *in.Description
		}
		if in.OrganizationPublic != nil && !milestone {
			v.OrganizationPublic = *in.OrganizationPublic
		}
		v.UpdatedAt, v.UpdatedBy = s.stamp(), a.User
		return v, nil
	})
	return v, notFound(err)
}

// DeleteVersion removes one version.
func (s *Service) DeleteVersion(ctx context.Context, a Actor, id string) error {
	id, ok := ParseID(id)
	if !ok {
		return ErrNotFound
	}
	return notFound(s.st.DeleteFileVersion(ctx, a.Org, id))
}

// RestoreVersion makes a version's content the file's current content (revision
// + 1) and records that state as a new version, which it returns. For connector
// templates, templateVersion (when > 0) becomes content.version and must exceed
// the current one; otherwise the current one plus one is used.
func (s *Service) RestoreVersion(ctx context.Context, a Actor, id string, templateVer int64) (store.FileVersion, error) {
	id, ok := ParseID(id)
	if !ok {
		return store.FileVersion{}, ErrNotFound
	}
	if templateVer < 0 {
		return store.FileVersion{}, validation(FieldError{"version", "must be greater than or equal to 0"})
	}
	nv, err := s.st.RestoreFileVersion(ctx, a.Org, id, func(v store.FileVersion, f store.File) (store.File, store.FileVersion, error) {
		content := v.Content
		if f.Type == TypeTemplate {
			cur := templateVersion(f.Content)
			next := cur + 1
			if templateVer > 0 {
				if templateVer <= cur {
					return f, v, conflict(fmt.Sprintf("The template version must be greater than the current version %d.", cur))
				}
				next = templateVer
			}
			var errs fieldErrs
			content = prepareContent(&errs, f.Type, content, f.ID, f.Name, next)
			if err := errs.err(); err != nil {
				return f, v, err
			}
		}
		now := s.stamp()
		f.Content, f.Revision, f.UpdatedAt, f.UpdatedBy = content, f.Revision+1, now, a.User
		name := "Restored: " + v.Name
		if utf8.RuneCountInString(name) > MaxName {
			name = string([]rune(name)[:MaxName])
		}
		return f, store.FileVersion{ID: s.newID(), Name: name, Description: v.Description, OrganizationPublic: v.OrganizationPublic,
			CreatedAt: now, CreatedBy: a.User, UpdatedAt: now, UpdatedBy: a.User}, nil
	})
	return nv, notFound(err)
}

// CompareVersions checks that both versions exist and belong to the same file and
// returns that file's id.
func (s *Service) CompareVersions(ctx context.Context, a Actor, id1, id2 string) (string, string, string, error) {
	v1, err := s.GetVersion(ctx, a, id1)
	if err != nil {
		return "", "", "", err
	}
	v2, err := s.GetVersion(ctx, a, id2)
	if err != nil {
		return "", "", "", err
	}
	if v1.FileID != v2.FileID {
		return "", "", "", invalid("Both versions must belong to the same file.")
	}
	return v1.FileID, v1.ID, v2.ID, nil
}

// SearchVersions runs a parsed search in the actor's organization.
func (s *Service) SearchVersions(ctx context.Context, a Actor, q store.ModelerQuery) (Page[store.FileVersion], error) {
	q.Org = a.Org
	items, total, err := s.st.SearchFileVersions(ctx, q)
	return Page[store.FileVersion]{items, total}, err
}
