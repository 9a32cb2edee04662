package sqlstore

import (
	"context"
	"database/sql"

	"github.com/gatehouse/gatehouse/internal/store"
)

const projectCols = "id, org, name, " + auditCols

func scanProject(sc scanner) (store.Project, error) {
	var p store.Project
	err := sc.Scan(append([]any{&p.ID, &p.Org, &p.Name}, auditDest(&p.CreatedAt, &p.CreatedBy, &p.UpdatedAt, &p.UpdatedBy)...)...)
	return p, err
}

// CreateProject stores a new project.
func (s *Store) CreateProject(ctx context.Context, p store.Project) error {
	return s.write(ctx, "create project", func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q("INSERT INTO modeler_projects ("+projectCols+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"),
			append([]any{p.ID, p.Org, p.Name}, auditArgs(p.CreatedAt, p.CreatedBy, p.UpdatedAt, p.UpdatedBy)...)...)
		return err
	})
}

// GetProject returns a project of org by id.
func (s *Store) GetProject(ctx context.Context, org, id string) (store.Project, error) {
	return guarded(ctx, s, false, func(ctx context.Context) (store.Project, error) {
		p, err := scanProject(s.r.QueryRowContext(ctx, s.q("SELECT "+projectCols+" FROM modeler_projects WHERE org = ? AND id = ?"), org, id))
		if err != nil {
			return store.Project{}, wrap("get project", err)
		}
		return p, nil
	})
}

func (s *Store) loadProject(ctx context.Context, q querier, org, id, lock string) (store.Project, error) {
	return scanProject(q.QueryRowContext(ctx, s.q("SELECT "+projectCols+" FROM modeler_projects WHERE org = ? AND id = ?"+lock), org, id))
}

// UpdateProject changes a project; a rename rewrites the paths of its files.
func (s *Store) UpdateProject(ctx context.Context, org, id string, fn func(store.Project) (store.Project, error)) (store.Project, error) {
	var out store.Project
	err := s.write(ctx, "update project", func(ctx context.Context, tx *sql.Tx) error {
		cur, err := s.loadProject(ctx, tx, org, id, s.d.lockUpdate)
		if err != nil {
			return err
		}
		next, err := fn(cur)
		if err != nil {
			return &callerError{err}
		}
		_, err = tx.ExecContext(ctx, s.q(`UPDATE modeler_projects SET name = ?, created_at = ?, created_by_name = ?,
			created_by_email = ?, updated_at = ?, updated_by_name = ?, updated_by_email = ? WHERE id = ?`),
			append(append([]any{next.Name}, auditArgs(next.CreatedAt, next.CreatedBy, next.UpdatedAt, next.UpdatedBy)...), id)...)
		if err != nil {
			return err
		}
		if next.Name != cur.Name {
			if err := s.repath(ctx, tx, id, ""); err != nil {
				return err
			}
		}
		out, err = s.loadProject(ctx, tx, org, id, "")
		return err
	})
	return out, err
}

// DeleteProject removes an empty project with its folders and collaborators.
func (s *Store) DeleteProject(ctx context.Context, org, id string) error {
	return s.write(ctx, "delete project", func(ctx context.Context, tx *sql.Tx) error {
		if _, err := s.loadProject(ctx, tx, org, id, s.d.lockUpdate); err != nil {
			return err
		}
		has, err := exists(ctx, tx, s.q("SELECT 1 FROM modeler_files WHERE project_id = ? LIMIT 1"), id)
		if err != nil {
			return err
		}
		if has {
			return &callerError{store.ErrConflict}
		}
		// Children before parents: clear the parent links, then the rows.
		for _, q := range []string{
			"DELETE FROM modeler_collaborators WHERE project_id = ?",
			"UPDATE modeler_folders SET parent_id = NULL WHERE project_id = ?",
			"DELETE FROM modeler_folders WHERE project_id = ?",
			"DELETE FROM modeler_projects WHERE id = ?",
		} {
			if _, err := tx.ExecContext(ctx, s.q(q), id); err != nil {
				return err
			}
		}
		return nil
	})
}

// SearchProjects returns a page of org's projects matching q, and the number of matches.
func (s *Store) SearchProjects(ctx context.Context, q store.ModelerQuery) ([]store.Project, int64, error) {
	return search(ctx, s, "search projects", projectSearch, projectCols, q, scanProject)
}
