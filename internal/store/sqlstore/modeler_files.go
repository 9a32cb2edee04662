package sqlstore

import (
	"context"
	"database/sql"

	"github.com/gatehouse/gatehouse/internal/store"
)

const fileCols = "id, org, project_id, folder_id, name, type, revision, simple_path, canonical_path, " + auditCols

func scanFile(sc scanner) (store.File, error) {
	var f store.File
	err := sc.Scan(append([]any{&f.ID, &f.Org, &f.ProjectID, idCol{&f.FolderID}, &f.Name, &f.Type, &f.Revision,
		&f.SimplePath, jsonCol{&f.CanonicalPath}}, auditDest(&f.CreatedAt, &f.CreatedBy, &f.UpdatedAt, &f.UpdatedBy)...)...)
	return f, err
}

// loadFile reads a file's metadata and content.
func (s *Store) loadFile(ctx context.Context, q querier, org, id, lock string) (store.File, error) {
	f, err := scanFile(q.QueryRowContext(ctx, s.q("SELECT "+fileCols+" FROM modeler_files WHERE org = ? AND id = ?"+lock), org, id))
	if err != nil {
		return f, err
	}
	err = q.QueryRowContext(ctx, s.q("SELECT content FROM modeler_file_contents WHERE file_id = ?"), id).Scan(&f.Content)
	return f, err
}

// CreateFile stores a new file in a project's root or in a folder of that project.
func (s *Store) CreateFile(ctx context.Context, f store.File) error {
	return s.write(ctx, "create file", func(ctx context.Context, tx *sql.Tx) error {
		if err := s.checkPlace(ctx, tx, f.Org, f.ProjectID, f.FolderID); err != nil {
			return err
		}
		prefix, chain, err := s.containerPath(ctx, tx, f.ProjectID, f.FolderID)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.q("INSERT INTO modeler_files ("+fileCols+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
			append([]any{f.ID, f.Org, f.ProjectID, nullID(f.FolderID), f.Name, f.Type, f.Revision,
				prefix + escapeSegment(f.Name), pathJSON(chain)}, auditArgs(f.CreatedAt, f.CreatedBy, f.UpdatedAt, f.UpdatedBy)...)...)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.q("INSERT INTO modeler_file_contents (file_id, content) VALUES (?, ?)"), f.ID, f.Content)
		return err
	})
}

// GetFile returns a file of org with its content.
func (s *Store) GetFile(ctx context.Context, org, id string) (store.File, error) {
	var f store.File
	err := s.read(ctx, "get file", func(ctx context.Context, tx *sql.Tx) error {
		var err error
		f, err = s.loadFile(ctx, tx, org, id, "")
		return err
	})
	return f, err
}

// UpdateFile changes a file (content, name, place, revision) in one transaction.
func (s *Store) UpdateFile(ctx context.Context, org, id string, fn func(store.File) (store.File, error)) (store.File, error) {
	var out store.File
	err := s.write(ctx, "update file", func(ctx context.Context, tx *sql.Tx) error {
		cur, err := s.loadFile(ctx, tx, org, id, s.d.lockUpdate)
		if err != nil {
			return err
		}
		next, err := fn(cur)
		if err != nil {
			return &callerError{err}
		}
		if err := s.saveFile(ctx, tx, cur, next); err != nil {
			return err
		}
		out, err = s.loadFile(ctx, tx, org, id, "")
		return err
	})
	return out, err
}

// saveFile writes next over cur (same id), checking a new place and keeping the paths.
func (s *Store) saveFile(ctx context.Context, tx *sql.Tx, cur, next store.File) error {
	if next.ProjectID != cur.ProjectID || next.FolderID != cur.FolderID {
		if err := s.checkPlace(ctx, tx, cur.Org, next.ProjectID, next.FolderID); err != nil {
			return err
		}
	}
	prefix, chain, err := s.containerPath(ctx, tx, next.ProjectID, next.FolderID)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, s.q(`UPDATE modeler_files SET project_id = ?, folder_id = ?, name = ?, type = ?, revision = ?,
		simple_path = ?, canonical_path = ?, created_at = ?, created_by_name = ?, created_by_email = ?,
		updated_at = ?, updated_by_name = ?, updated_by_email = ? WHERE id = ?`),
		append(append([]any{next.ProjectID, nullID(next.FolderID), next.Name, next.Type, next.Revision,
			prefix + escapeSegment(next.Name), pathJSON(chain)},
			auditArgs(next.CreatedAt, next.CreatedBy, next.UpdatedAt, next.UpdatedBy)...), cur.ID)...)
	if err != nil {
		return err
	}
	if next.Content != cur.Content {
		_, err = tx.ExecContext(ctx, s.q("UPDATE modeler_file_contents SET content = ? WHERE file_id = ?"), next.Content, cur.ID)
	}
	return err
}

// DeleteFile removes a file, its content and its versions.
func (s *Store) DeleteFile(ctx context.Context, org, id string) error {
	return s.write(ctx, "delete file", func(ctx context.Context, tx *sql.Tx) error {
		ok, err := exists(ctx, tx, s.q("SELECT 1 FROM modeler_files WHERE org = ? AND id = ?"+s.d.lockUpdate), org, id)
		if err != nil {
			return err
		}
		if !ok {
			return store.ErrNotFound
		}
		for _, q := range []string{
			"DELETE FROM modeler_versions WHERE file_id = ?",
			"DELETE FROM modeler_file_contents WHERE file_id = ?",
			"DELETE FROM modeler_files WHERE id = ?",
		} {
			if _, err := tx.ExecContext(ctx, s.q(q), id); err != nil {
				return err
			}
		}
		return nil
	})
}

// ListFiles returns the files directly inside folderID of a project, without content.
func (s *Store) ListFiles(ctx context.Context, org, projectID, folderID string) ([]store.File, error) {
	return guarded(ctx, s, false, func(ctx context.Context) ([]store.File, error) {
		q, args := "SELECT "+fileCols+" FROM modeler_files WHERE org = ? AND project_id = ? AND folder_id IS NULL ORDER BY name, id",
			[]any{org, projectID}
		if folderID != "" {
			q, args = "SELECT "+fileCols+" FROM modeler_files WHERE org = ? AND project_id = ? AND folder_id = ? ORDER BY name, id",
				[]any{org, projectID, folderID}
		}
		rows, err := s.r.QueryContext(ctx, s.q(q), args...)
		if err != nil {
			return nil, wrap("list files", err)
		}
		fs, err := collect(rows, scanFile)
		return fs, wrap("list files", err)
	})
}

// SearchFiles returns a page of org's files matching q (without content) and the
// number of matches.
func (s *Store) SearchFiles(ctx context.Context, q store.ModelerQuery) ([]store.File, int64, error) {
	return search(ctx, s, "search files", fileSearch, fileCols, q, scanFile)
}
