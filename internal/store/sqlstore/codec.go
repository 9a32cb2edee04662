package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// querier is what *sql.DB and *sql.Tx have in common.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// scanner is *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

// ms is a time as stored: BIGINT unix milliseconds, NULL for the zero time.
func ms(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMilli()
}

// msTime scans a BIGINT unix-milliseconds column (or NULL) into a UTC time.
type msTime struct{ t *time.Time }

func (m msTime) Scan(v any) error {
	switch v := v.(type) {
	case nil:
		*m.t = time.Time{}
	case int64:
		*m.t = time.UnixMilli(v).UTC()
	default:
		return fmt.Errorf("sqlstore: time column holds %T", v)
	}
	return nil
}

// durMS stores a duration as BIGINT milliseconds.
func durMS(d time.Duration) int64 { return d.Milliseconds() }

// jsonList and jsonMap store a list or map as JSON text; nil is stored as an
// empty list or map and read back (by jsonCol) as nil.
func jsonList(v any) (string, error) { return jsonText(v, "[]") }
func jsonMap(v any) (string, error)  { return jsonText(v, "{}") }

func jsonText(v any, empty string) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	if string(b) == "null" {
		return empty, nil
	}
	return string(b), nil
}

// jsonCol scans JSON text into a slice or map pointer, leaving it nil when empty.
type jsonCol struct{ dst any }

func (j jsonCol) Scan(v any) error {
	var b []byte
	switch v := v.(type) {
	case nil:
		return nil
	case string:
		b = []byte(v)
	case []byte:
		b = v
	default:
		return fmt.Errorf("sqlstore: json column holds %T", v)
	}
	switch s := strings.TrimSpace(string(b)); s {
	case "", "[]", "{}", "null":
		return nil
	}
	return json.Unmarshal(b, j.dst)
}

// blob keeps NOT NULL byte columns non-NULL for drivers that send nil as NULL.
func blob(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// emptyNil returns nil for an empty byte slice so that round trips compare equal.
func emptyNil(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}

// fold is the case folding applied to searchable names, done in Go so that both
// dialects agree on non-ASCII letters.
func fold(s string) string { return strings.ToLower(s) }

// containsPattern is a LIKE pattern (ESCAPE '\') matching s literally anywhere.
func containsPattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(fold(s)) + "%"
}

// containsGlob is a GLOB pattern matching s literally anywhere: * ? and [ stand for
// themselves inside brackets. GLOB is case-sensitive; s and the column are folded.
func containsGlob(s string) string {
	r := strings.NewReplacer(`*`, `[*]`, `?`, `[?]`, `[`, `[[]`)
	return "*" + r.Replace(fold(s)) + "*"
}

// textSearch is how a list finds the rows matching a query: cond, with one ? for
// pattern(query).
type textSearch struct {
	cond    string
	pattern func(string) string
}

// Paging limits.
const (
	defaultLimit = 50
	maxLimit     = 500
)

func page(offset, limit int) (int, int) {
	if offset < 0 {
		offset = 0
	}
	switch {
	case limit <= 0:
		limit = defaultLimit
	case limit > maxLimit:
		limit = maxLimit
	}
	return offset, limit
}

// placeholders returns "?, ?, …" with n marks.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}
