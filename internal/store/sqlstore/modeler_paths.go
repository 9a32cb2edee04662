package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"

	"github.com/gatehouse/gatehouse/internal/store"
)

// maxFolderDepth bounds every walk up or down a folder tree.
const maxFolderDepth = 1000

// escapeSegment is a name as one simplePath segment: "/" becomes `\/`.
func escapeSegment(name string) string { return strings.ReplaceAll(name, "/", `\/`) }

// containerPath returns the simplePath prefix (ending in "/") and the canonical
// path of a place: the project's root (folderID "") or a folder.
func (s *Store) containerPath(ctx context.Context, q querier, projectID, folderID string) (string, []store.PathElement, error) {
	var chain []store.PathElement
	for id := folderID; id != ""; {
		if len(chain) >= maxFolderDepth {
			return "", nil, errors.New("sqlstore: folder tree too deep")
		}
		var parent, name string
		if err := q.QueryRowContext(ctx, s.q("SELECT parent_id, name FROM modeler_folders WHERE id = ?"), id).Scan(idCol{&parent}, &name); err != nil {
			return "", nil, err
		}
		chain = append(chain, store.PathElement{ID: id, Name: name})
		id = parent
	}
	var pname string
	if err := q.QueryRowContext(ctx, s.q("SELECT name FROM modeler_projects WHERE id = ?"), projectID).Scan(&pname); err != nil {
		return "", nil, err
	}
	chain = append(chain, store.PathElement{ID: projectID, Name: pname})
	slices.Reverse(chain)
	return simplePrefix(chain), chain, nil
}

func simplePrefix(chain []store.PathElement) string {
	var b strings.Builder
	for _, e := range chain {
		b.WriteString(escapeSegment(e.Name))
		b.WriteByte('/')
	}
	return b.String()
}

// repath rewrites simple_path and canonical_path of the files of a project: all of
// them (under "") or those in the folder under and its sub-folders.
func (s *Store) repath(ctx context.Context, tx *sql.Tx, projectID, under string) error {
	var pname string
	if err := tx.QueryRowContext(ctx, s.q("SELECT name FROM modeler_projects WHERE id = ?"), projectID).Scan(&pname); err != nil {
		return err
	}
	type node struct{ parent, name string }
	nodes := map[string]node{}
	children := map[string][]string{}
	rows, err := tx.QueryContext(ctx, s.q("SELECT id, parent_id, name FROM modeler_folders WHERE project_id = ?"), projectID)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id string
		var n node
		if err := rows.Scan(&id, idCol{&n.parent}, &n.name); err != nil {
			rows.Close()
			return err
		}
		nodes[id] = n
		children[n.parent] = append(children[n.parent], id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	root := []store.PathElement{{ID: projectID, Name: pname}}
	update := func(chain []store.PathElement, folderID string) error {
		q := "UPDATE modeler_files SET simple_path = CAST(? AS TEXT) || REPLACE(name, '/', '\\/'), canonical_path = ? WHERE "
		args := []any{simplePrefix(chain), pathJSON(chain)}
		if folderID == "" {
			q += "project_id = ? AND folder_id IS NULL"
			args = append(args, projectID)
		} else {
			q += "folder_id = ?"
			args = append(args, folderID)
		}
		_, err := tx.ExecContext(ctx, s.q(q), args...)
		return err
	}
	// Walk down from the start, carrying each folder's chain.
	var walk func(id string, chain []store.PathElement, depth int) error
	walk = func(id string, chain []store.PathElement, depth int) error {
		if depth > maxFolderDepth {
			return errors.New("sqlstore: folder tree too deep")
		}
		if err := update(chain, id); err != nil {
			return err
		}
		for _, c := range children[id] {
			next := append(slices.Clip(chain), store.PathElement{ID: c, Name: nodes[c].name})
			if err := walk(c, next, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	if under == "" {
		return walk("", root, 0)
	}
	// The chain of under: walk up through the loaded folders.
	var up []store.PathElement
	for id := under; id != ""; id = nodes[id].parent {
		n, ok := nodes[id]
		if !ok || len(up) > maxFolderDepth {
			return store.ErrNotFound
		}
		up = append(up, store.PathElement{ID: id, Name: n.name})
	}
	slices.Reverse(up)
	return walk(under, append(root, up...), 0)
}
