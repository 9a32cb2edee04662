package sqlstore

import (
	"context"
	"database/sql"

	"github.com/gatehouse/gatehouse/internal/store"
)

const versionCols = "id, org, file_id, name, description, organization_public, file_revision, " + auditCols

func scanVersion(sc scanner) (store.FileVersion, error) {
	var v store.FileVersion
	err := sc.Scan(append([]any{&v.ID, &v.Org, &v.FileID, &v.Name, &v.Description, boolCol{&v.OrganizationPublic}, &v.FileRevision},
		auditDest(&v.CreatedAt, &v.CreatedBy, &v.UpdatedAt, &v.UpdatedBy)...)...)
	return v, err
}

func scanVersionContent(sc scanner) (store.FileVersion, error) {
	var v store.FileVersion
	err := sc.Scan(append([]any{&v.ID, &v.Org, &v.FileID, &v.Name, &v.Description, boolCol{&v.OrganizationPublic}, &v.FileRevision},
		append(auditDest(&v.CreatedAt, &v.CreatedBy, &v.UpdatedAt, &v.UpdatedBy), &v.Content)...)...)
	return v, err
}

func (s *Store) loadVersion(ctx context.Context, q querier, org, id, lock string) (store.FileVersion, error) {
	return scanVersionContent(q.QueryRowContext(ctx, s.q("SELECT "+versionCols+", content FROM modeler_versions WHERE org = ? AND id = ?"+lock), org, id))
}

func (s *Store) insertVersion(ctx context.Context, tx *sql.Tx, v store.FileVersion) error {
	_, err := tx.ExecContext(ctx, s.q("INSERT INTO modeler_versions ("+versionCols+", content) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
		append(append([]any{v.ID, v.Org, v.FileID, v.Name, v.Description, v.OrganizationPublic, v.FileRevision},
			auditArgs(v.CreatedAt, v.CreatedBy, v.UpdatedAt, v.UpdatedBy)...), v.Content)...)
	return err
}

// SnapshotFile stores a version of a file's current content.
func (s *Store) SnapshotFile(ctx context.Context, org, fileID string, fn func(store.File, int) (store.FileVersion, error)) (store.FileVersion, error) {
	var out store.FileVersion
	err := s.write(ctx, "snapshot file", func(ctx context.Context, tx *sql.Tx) error {
		f, err := s.loadFile(ctx, tx, org, fileID, s.d.lockShare)
		if err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, s.q("SELECT COUNT(*) FROM modeler_versions WHERE file_id = ?"), fileID).Scan(&n); err != nil {
			return err
		}
		v, err := fn(f, n)
		if err != nil {
			return &callerError{err}
		}
		v.Org, v.FileID, v.Content, v.FileRevision = org, fileID, f.Content, f.Revision
		if err := s.insertVersion(ctx, tx, v); err != nil {
			return err
		}
		out = v
		return nil
	})
	return out, err
}

// GetFileVersion returns a version of org with its content.
func (s *Store) GetFileVersion(ctx context.Context, org, id string) (store.FileVersion, error) {
	v, err := s.loadVersion(ctx, s.r, org, id, "")
	if err != nil {
		return store.FileVersion{}, wrap("get file version", err)
	}
	return v, nil
}

// UpdateFileVersion changes a version's name, description or visibility; its
// content, file and revision stay.
func (s *Store) UpdateFileVersion(ctx context.Context, org, id string, fn func(store.FileVersion) (store.FileVersion, error)) (store.FileVersion, error) {
	load := func(ctx context.Context, tx *sql.Tx) (store.FileVersion, error) {
		return s.loadVersion(ctx, tx, org, id, s.d.lockUpdate)
	}
	var out store.FileVersion
	err := s.write(ctx, "update file version", func(ctx context.Context, tx *sql.Tx) error {
		cur, err := load(ctx, tx)
		if err != nil {
			return err
		}
		next, err := fn(cur)
		if err != nil {
			return &callerError{err}
		}
		_, err = tx.ExecContext(ctx, s.q(`UPDATE modeler_versions SET name = ?, description = ?, organization_public = ?,
			created_at = ?, created_by_name = ?, created_by_email = ?, updated_at = ?, updated_by_name = ?, updated_by_email = ?
			WHERE id = ?`),
			append(append([]any{next.Name, next.Description, next.OrganizationPublic},
				auditArgs(next.CreatedAt, next.CreatedBy, next.UpdatedAt, next.UpdatedBy)...), id)...)
		if err != nil {
			return err
		}
		out, err = load(ctx, tx)
		return err
	})
	return out, err
}

// DeleteFileVersion removes one version.
func (s *Store) DeleteFileVersion(ctx context.Context, org, id string) error {
	return s.write(ctx, "delete file version", func(ctx context.Context, tx *sql.Tx) error {
		return affected(tx.ExecContext(ctx, s.q("DELETE FROM modeler_versions WHERE org = ? AND id = ?"), org, id))
	})
}

// RestoreFileVersion writes a version's content back to its file and records the
// restored state as a new version, in one transaction.
func (s *Store) RestoreFileVersion(ctx context.Context, org, id string, fn func(store.FileVersion, store.File) (store.File, store.FileVersion, error)) (store.FileVersion, error) {
	var out store.FileVersion
	err := s.write(ctx, "restore file version", func(ctx context.Context, tx *sql.Tx) error {
		v, err := s.loadVersion(ctx, tx, org, id, s.d.lockShare)
		if err != nil {
			return err
		}
		cur, err := s.loadFile(ctx, tx, org, v.FileID, s.d.lockUpdate)
		if err != nil {
			return err
		}
		next, nv, err := fn(v, cur)
		if err != nil {
			return &callerError{err}
		}
		next.ID, next.Org = cur.ID, cur.Org
		if err := s.saveFile(ctx, tx, cur, next); err != nil {
			return err
		}
		nv.Org, nv.FileID, nv.Content, nv.FileRevision = org, cur.ID, next.Content, next.Revision
		if err := s.insertVersion(ctx, tx, nv); err != nil {
			return err
		}
		out = nv
		return nil
	})
	return out, err
}

// SearchFileVersions returns a page of org's versions matching q (without content)
// and the number of matches.
func (s *Store) SearchFileVersions(ctx context.Context, q store.ModelerQuery) ([]store.FileVersion, int64, error) {
	return search(ctx, s, "search file versions", versionSearch, versionCols, q, scanVersion)
}

const collaboratorCols = "org, project_id, email, name, role, created_at, updated_at"

func scanCollaborator(sc scanner) (store.Collaborator, error) {
	var c store.Collaborator
	err := sc.Scan(&c.Org, &c.ProjectID, &c.Email, &c.Name, &c.Role, msTime{&c.CreatedAt}, msTime{&c.UpdatedAt})
	return c, err
}

// PutCollaborator adds a collaborator to a project or changes its name and role.
func (s *Store) PutCollaborator(ctx context.Context, c store.Collaborator) error {
	return s.write(ctx, "put collaborator", func(ctx context.Context, tx *sql.Tx) error {
		if err := s.checkPlace(ctx, tx, c.Org, c.ProjectID, ""); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.q("UPDATE modeler_collaborators SET name = ?, role = ?, updated_at = ? WHERE project_id = ? AND email = ?"),
			c.Name, c.Role, c.UpdatedAt.UnixMilli(), c.ProjectID, c.Email)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n > 0 {
			return err
		}
		_, err = tx.ExecContext(ctx, s.q("INSERT INTO modeler_collaborators ("+collaboratorCols+") VALUES (?, ?, ?, ?, ?, ?, ?)"),
			c.Org, c.ProjectID, c.Email, c.Name, c.Role, c.CreatedAt.UnixMilli(), c.UpdatedAt.UnixMilli())
		return err
	})
}

// DeleteCollaborator removes a collaborator from a project.
func (s *Store) DeleteCollaborator(ctx context.Context, org, projectID, email string) error {
	return s.write(ctx, "delete collaborator", func(ctx context.Context, tx *sql.Tx) error {
		return affected(tx.ExecContext(ctx, s.q("DELETE FROM modeler_collaborators WHERE org = ? AND project_id = ? AND email = ?"),
			org, projectID, email))
	})
}

// SearchCollaborators returns a page of org's collaborators matching q and the number
// of matches.
func (s *Store) SearchCollaborators(ctx context.Context, q store.ModelerQuery) ([]store.Collaborator, int64, error) {
	return search(ctx, s, "search collaborators", collaboratorSearch, collaboratorCols, q, scanCollaborator)
}
