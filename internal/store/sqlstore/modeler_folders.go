package sqlstore

import (
	"context"
	"database/sql"

	"github.com/gatehouse/gatehouse/internal/store"
)

const folderCols = "id, org, project_id, parent_id, name, " + auditCols

func scanFolder(sc scanner) (store.Folder, error) {
	var f store.Folder
	err := sc.Scan(append([]any{&f.ID, &f.Org, &f.ProjectID, idCol{&f.ParentID}, &f.Name},
		auditDest(&f.CreatedAt, &f.CreatedBy, &f.UpdatedAt, &f.UpdatedBy)...)...)
	return f, err
}

func (s *Store) loadFolder(ctx context.Context, q querier, org, id, lock string) (store.Folder, error) {
	return scanFolder(q.QueryRowContext(ctx, s.q("SELECT "+folderCols+" FROM modeler_folders WHERE org = ? AND id = ?"+lock), org, id))
}

// checkPlace verifies inside a write transaction that projectID is a project of org
// and that folderID ("" for the root) is a folder of that project. The rows are
// share-locked on PostgreSQL so that a concurrent move or delete waits.
func (s *Store) checkPlace(ctx context.Context, tx *sql.Tx, org, projectID, folderID string) error {
	ok, err := exists(ctx, tx, s.q("SELECT 1 FROM modeler_projects WHERE org = ? AND id = ?"+s.d.lockShare), org, projectID)
	if err != nil {
		return err
	}
	if !ok {
		return store.ErrNotFound
	}
	if folderID == "" {
		return nil
	}
	var pid string
	err = tx.QueryRowContext(ctx, s.q("SELECT project_id FROM modeler_folders WHERE org = ? AND id = ?"+s.d.lockShare), org, folderID).Scan(&pid)
	if err != nil {
		return err
	}
	if pid != projectID {
		return &callerError{store.ErrConflict}
	}
	return nil
}

// CreateFolder stores a new folder in a project's root or in a folder of that project.
func (s *Store) CreateFolder(ctx context.Context, f store.Folder) error {
	return s.write(ctx, "create folder", func(ctx context.Context, tx *sql.Tx) error {
		if err := s.checkPlace(ctx, tx, f.Org, f.ProjectID, f.ParentID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, s.q("INSERT INTO modeler_folders ("+folderCols+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
			append([]any{f.ID, f.Org, f.ProjectID, nullID(f.ParentID), f.Name}, auditArgs(f.CreatedAt, f.CreatedBy, f.UpdatedAt, f.UpdatedBy)...)...)
		return err
	})
}

// GetFolder returns a folder of org by id.
func (s *Store) GetFolder(ctx context.Context, org, id string) (store.Folder, error) {
	f, err := s.loadFolder(ctx, s.r, org, id, "")
	if err != nil {
		return store.Folder{}, wrap("get folder", err)
	}
	return f, nil
}

// inSubtree reports whether candidate is root or one of its descendants.
func (s *Store) inSubtree(ctx context.Context, tx *sql.Tx, root, candidate string) (bool, error) {
	// Walk up from the candidate: cheaper than walking down, and bounded.
	for id, n := candidate, 0; id != "" && n <= maxFolderDepth; n++ {
		if id == root {
			return true, nil
		}
		var parent string
		if err := tx.QueryRowContext(ctx, s.q("SELECT parent_id FROM modeler_folders WHERE id = ?"), id).Scan(idCol{&parent}); err != nil {
			return false, err
		}
		id = parent
	}
	return false, nil
}

// subtreeCTE selects the ids of a folder (the one bound parameter) and its descendants.
const subtreeCTE = `WITH RECURSIVE sub(id) AS (
	SELECT id FROM modeler_folders WHERE id = ?
	UNION ALL
	SELECT f.id FROM modeler_folders f JOIN sub ON f.parent_id = sub.id)`

// UpdateFolder renames or moves a folder; its sub-folders and files follow it.
func (s *Store) UpdateFolder(ctx context.Context, org, id string, fn func(store.Folder) (store.Folder, error)) (store.Folder, error) {
	var out store.Folder
	err := s.write(ctx, "update folder", func(ctx context.Context, tx *sql.Tx) error {
		cur, err := s.loadFolder(ctx, tx, org, id, s.d.lockUpdate)
		if err != nil {
			return err
		}
		next, err := fn(cur)
		if err != nil {
			return &callerError{err}
		}
		moved := next.ProjectID != cur.ProjectID || next.ParentID != cur.ParentID
		if moved {
			if err := s.checkPlace(ctx, tx, org, next.ProjectID, next.ParentID); err != nil {
				return err
			}
			if next.ParentID != "" {
				cycle, err := s.inSubtree(ctx, tx, id, next.ParentID)
				if err != nil {
					return err
				}
				if cycle {
					return &callerError{store.ErrConflict}
				}
			}
		}
		_, err = tx.ExecContext(ctx, s.q(`UPDATE modeler_folders SET project_id = ?, parent_id = ?, name = ?, created_at = ?,
			created_by_name = ?, created_by_email = ?, updated_at = ?, updated_by_name = ?, updated_by_email = ? WHERE id = ?`),
			append(append([]any{next.ProjectID, nullID(next.ParentID), next.Name},
				auditArgs(next.CreatedAt, next.CreatedBy, next.UpdatedAt, next.UpdatedBy)...), id)...)
		if err != nil {
			return err
		}
		if next.ProjectID != cur.ProjectID {
			for _, q := range []string{
				subtreeCTE + " UPDATE modeler_folders SET project_id = ? WHERE id IN (SELECT id FROM sub)",
				subtreeCTE + " UPDATE modeler_files SET project_id = ? WHERE folder_id IN (SELECT id FROM sub)",
			} {
				if _, err := tx.ExecContext(ctx, s.q(q), id, next.ProjectID); err != nil {
					return err
				}
			}
		}
		if moved || next.Name != cur.Name {
			if err := s.repath(ctx, tx, next.ProjectID, id); err != nil {
				return err
			}
		}
		out, err = s.loadFolder(ctx, tx, org, id, "")
		return err
	})
	return out, err
}

// DeleteFolder removes a folder and its sub-folders when none of them holds a file.
func (s *Store) DeleteFolder(ctx context.Context, org, id string) error {
	return s.write(ctx, "delete folder", func(ctx context.Context, tx *sql.Tx) error {
		if _, err := s.loadFolder(ctx, tx, org, id, s.d.lockUpdate); err != nil {
			return err
		}
		has, err := exists(ctx, tx, s.q(subtreeCTE+" SELECT 1 FROM modeler_files WHERE folder_id IN (SELECT id FROM sub) LIMIT 1"), id)
		if err != nil {
			return err
		}
		if has {
			return &callerError{store.ErrConflict}
		}
		var ids []string
		rows, err := tx.QueryContext(ctx, s.q(subtreeCTE+" SELECT id FROM sub"), id)
		if err != nil {
			return err
		}
		ids, err = collect(rows, func(sc scanner) (string, error) {
			var v string
			return v, sc.Scan(&v)
		})
		if err != nil {
			return err
		}
		args := make([]any, len(ids))
		for i, v := range ids {
			args[i] = v
		}
		in := placeholders(len(ids))
		if _, err := tx.ExecContext(ctx, s.dyn("UPDATE modeler_folders SET parent_id = NULL WHERE id IN ("+in+")"), args...); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.dyn("DELETE FROM modeler_folders WHERE id IN ("+in+")"), args...)
		return err
	})
}

// ListFolders returns the folders directly inside parentID of a project.
func (s *Store) ListFolders(ctx context.Context, org, projectID, parentID string) ([]store.Folder, error) {
	return guarded(ctx, s, false, func(ctx context.Context) ([]store.Folder, error) {
		q, args := "SELECT "+folderCols+" FROM modeler_folders WHERE org = ? AND project_id = ? AND parent_id IS NULL ORDER BY name, id",
			[]any{org, projectID}
		if parentID != "" {
			q, args = "SELECT "+folderCols+" FROM modeler_folders WHERE org = ? AND project_id = ? AND parent_id = ? ORDER BY name, id",
				[]any{org, projectID, parentID}
		}
		rows, err := s.r.QueryContext(ctx, s.q(q), args...)
		if err != nil {
			return nil, wrap("list folders", err)
		}
		fs, err := collect(rows, scanFolder)
		return fs, wrap("list folders", err)
	})
}
