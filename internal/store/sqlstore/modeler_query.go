package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
)

// colKind is how a searchable column is compared and bound.
type colKind uint8

const (
	kindText colKind = iota + 1
	kindInt
	kindBool
	kindTime
	kindPath // canonical path: JSON text, equality only
)

type column struct {
	name string
	kind colKind
}

// searchable is the allow-list of one table: API field → column. Nothing outside
// these maps ever reaches SQL text; values are always bound.
type searchable struct {
	table  string
	fields map[store.ModelerField]column
}

var auditColumns = map[store.ModelerField]column{
	store.FieldCreated:        {"created_at", kindTime},
	store.FieldCreatedByName:  {"created_by_name", kindText},
	store.FieldCreatedByEmail: {"created_by_email", kindText},
	store.FieldUpdated:        {"updated_at", kindTime},
	store.FieldUpdatedByName:  {"updated_by_name", kindText},
	store.FieldUpdatedByEmail: {"updated_by_email", kindText},
}

func withAudit(m map[store.ModelerField]column) map[store.ModelerField]column {
	for k, v := range auditColumns {
		m[k] = v
	}
	return m
}

var (
	projectSearch = searchable{"modeler_projects", withAudit(map[store.ModelerField]column{
		store.FieldID:   {"id", kindText},
		store.FieldName: {"name", kindText},
	})}
	fileSearch = searchable{"modeler_files", withAudit(map[store.ModelerField]column{
		store.FieldID:            {"id", kindText},
		store.FieldName:          {"name", kindText},
		store.FieldProjectID:     {"project_id", kindText},
		store.FieldFolderID:      {"folder_id", kindText},
		store.FieldSimplePath:    {"simple_path", kindText},
		store.FieldCanonicalPath: {"canonical_path", kindPath},
		store.FieldRevision:      {"revision", kindInt},
		store.FieldType:          {"type", kindText},
	})}
	versionSearch = searchable{"modeler_versions", withAudit(map[store.ModelerField]column{
		store.FieldID:                 {"id", kindText},
		store.FieldName:               {"name", kindText},
		store.FieldDescription:        {"description", kindText},
		store.FieldFileID:             {"file_id", kindText},
		store.FieldOrganizationPublic: {"organization_public", kindBool},
	})}
	collaboratorSearch = searchable{"modeler_collaborators", map[store.ModelerField]column{
		store.FieldProjectID: {"project_id", kindText},
		store.FieldEmail:     {"email", kindText},
		store.FieldName:      {"name", kindText},
		store.FieldRole:      {"role", kindText},
		store.FieldCreated:   {"created_at", kindTime},
		store.FieldUpdated:   {"updated_at", kindTime},
	}}
)

// tieBreak is the unique key that makes every order total.
func (sc searchable) tieBreak() string {
	if sc.table == "modeler_collaborators" {
		return "project_id, email"
	}
	return "id"
}

// where builds "org = ? AND col op ? …" from q's filters.
func (sc searchable) where(q store.ModelerQuery) (string, []any, error) {
	var b strings.Builder
	b.WriteString("org = ?")
	args := []any{q.Org}
	for _, f := range q.Filters {
		col, ok := sc.fields[f.Field]
		if !ok {
			return "", nil, fmt.Errorf("%w: no field %q", store.ErrInvalidQuery, f.Field)
		}
		var op string
		switch f.Op {
		case store.OpEq:
			op = " = ?"
		case store.OpLt:
			op = " < ?"
		case store.OpLe:
			op = " <= ?"
		case store.OpGt:
			op = " > ?"
		case store.OpGe:
			op = " >= ?"
		default:
			return "", nil, fmt.Errorf("%w: operator %q", store.ErrInvalidQuery, f.Op)
		}
		if f.Op != store.OpEq && col.kind != kindTime && col.kind != kindInt {
			return "", nil, fmt.Errorf("%w: %q supports equality only", store.ErrInvalidQuery, f.Field)
		}
		v, err := bindValue(col.kind, f.Value)
		if err != nil {
			return "", nil, fmt.Errorf("%w: %s: %w", store.ErrInvalidQuery, f.Field, err)
		}
		b.WriteString(" AND ")
		b.WriteString(col.name)
		b.WriteString(op)
		args = append(args, v)
	}
	return b.String(), args, nil
}

func bindValue(k colKind, v any) (any, error) {
	switch k {
	case kindText:
		if s, ok := v.(string); ok {
			return s, nil
		}
	case kindInt:
		switch n := v.(type) {
		case int64:
			return n, nil
		case int:
			return int64(n), nil
		}
	case kindBool:
		if b, ok := v.(bool); ok {
			return b, nil
		}
	case kindTime:
		if t, ok := v.(time.Time); ok {
			return t.UnixMilli(), nil
		}
	case kindPath:
		if p, ok := v.([]store.PathElement); ok {
			return pathJSON(p), nil
		}
	}
	return nil, fmt.Errorf("value of type %T", v)
}

// orderBy builds the ORDER BY list from q's sort, ending with the tie-breaker.
func (sc searchable) orderBy(q store.ModelerQuery) (string, error) {
	var parts []string
	for _, s := range q.Sort {
		col, ok := sc.fields[s.Field]
		if !ok || col.kind == kindPath {
			return "", fmt.Errorf("%w: cannot sort by %q", store.ErrInvalidQuery, s.Field)
		}
		dir := " ASC"
		if s.Desc {
			dir = " DESC"
		}
		parts = append(parts, col.name+dir)
	}
	parts = append(parts, sc.tieBreak())
	return strings.Join(parts, ", "), nil
}

// search runs the count and the page of q in one read snapshot.
func search[T any](ctx context.Context, s *Store, op string, sc searchable, cols string, q store.ModelerQuery,
	scan func(scanner) (T, error)) ([]T, int64, error) {
	where, args, err := sc.where(q)
	if err != nil {
		return nil, 0, err
	}
	order, err := sc.orderBy(q)
	if err != nil {
		return nil, 0, err
	}
	if q.Limit < 0 || q.Limit > store.MaxModelerPage || q.Offset < 0 {
		return nil, 0, fmt.Errorf("%w: page out of range", store.ErrInvalidQuery)
	}
	var items []T
	var total int64
	err = s.read(ctx, op, func(ctx context.Context, tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, s.dyn("SELECT COUNT(*) FROM "+sc.table+" WHERE "+where), args...).Scan(&total); err != nil {
			return err
		}
		if q.Limit == 0 || q.Offset >= total {
			return nil
		}
		rows, err := tx.QueryContext(ctx, s.dyn("SELECT "+cols+" FROM "+sc.table+" WHERE "+where+" ORDER BY "+order+" LIMIT ? OFFSET ?"),
			append(args, q.Limit, q.Offset)...)
		if err != nil {
			return err
		}
		items, err = collect(rows, scan)
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	return items, total, nil
}

// pathJSON is the stored form of a canonical path; equal paths have equal text.
func pathJSON(p []store.PathElement) string {
	if len(p) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(p)
	return string(b)
}

// auditCols are the trailing columns of every modeler table but collaborators.
const auditCols = "created_at, created_by_name, created_by_email, updated_at, updated_by_name, updated_by_email"

// auditDest returns the scan destinations of auditCols.
func auditDest(ca *time.Time, cb *store.ModelerUser, ua *time.Time, ub *store.ModelerUser) []any {
	return []any{msTime{ca}, &cb.Name, &cb.Email, msTime{ua}, &ub.Name, &ub.Email}
}

// auditArgs returns the values of auditCols.
func auditArgs(ca time.Time, cb store.ModelerUser, ua time.Time, ub store.ModelerUser) []any {
	return []any{ca.UnixMilli(), cb.Name, cb.Email, ua.UnixMilli(), ub.Name, ub.Email}
}

// nullID stores "" as NULL (project root).
func nullID(id string) any {
	if id == "" {
		return nil
	}
	return id
}

// idCol scans a nullable id into a string.
type idCol struct{ s *string }

func (c idCol) Scan(v any) error {
	switch v := v.(type) {
	case nil:
		*c.s = ""
	case string:
		*c.s = v
	case []byte:
		*c.s = string(v)
	default:
		return fmt.Errorf("sqlstore: id column holds %T", v)
	}
	return nil
}

// boolCol scans SQLite's INTEGER and PostgreSQL's BOOLEAN.
type boolCol struct{ b *bool }

func (c boolCol) Scan(v any) error {
	switch v := v.(type) {
	case bool:
		*c.b = v
	case int64:
		*c.b = v != 0
	default:
		return fmt.Errorf("sqlstore: bool column holds %T", v)
	}
	return nil
}

// affected turns a statement that touched no row into ErrNotFound.
func affected(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return store.ErrNotFound
	}
	return nil
}
