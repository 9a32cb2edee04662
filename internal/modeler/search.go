package modeler

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
)

// Paging defaults (camunda-apis.md §4.3).
const (
	DefaultPageSize = 10
	MaxPageSize     = store.MaxModelerPage
	maxSorts        = 8
)

// Searchable record kinds.
type SearchKind uint8

const (
	SearchProjects SearchKind = iota + 1
	SearchFiles
	SearchVersions // milestones and versions
	SearchCollaborators
)

type valKind uint8

const (
	vText  valKind = iota + 1
	vID            // a UUID reference: compared in canonical form
	vLower         // compared in lower case (file type, role)
	vTime
	vInt
	vBool
	vPath
)

type fieldSpec struct {
	field store.ModelerField
	kind  valKind
}

var auditFields = map[string]fieldSpec{
	"created":         {store.FieldCreated, vTime},
	"updated":         {store.FieldUpdated, vTime},
	"createdBy.name":  {store.FieldCreatedByName, vText},
	"createdBy.email": {store.FieldCreatedByEmail, vText},
	"updatedBy.name":  {store.FieldUpdatedByName, vText},
	"updatedBy.email": {store.FieldUpdatedByEmail, vText},
}

func specs(extra map[string]fieldSpec) map[string]fieldSpec {
	for k, v := range auditFields {
		extra[k] = v
	}
	return extra
}

// allowed lists, per kind, the filter and sort fields as the API spells them.
var allowed = map[SearchKind]map[string]fieldSpec{
	SearchProjects: specs(map[string]fieldSpec{
		"id": {store.FieldID, vID}, "name": {store.FieldName, vText},
	}),
	SearchFiles: specs(map[string]fieldSpec{
		"id": {store.FieldID, vID}, "name": {store.FieldName, vText},
		"projectId": {store.FieldProjectID, vID}, "folderId": {store.FieldFolderID, vID},
		"simplePath": {store.FieldSimplePath, vText}, "canonicalPath": {store.FieldCanonicalPath, vPath},
		"revision": {store.FieldRevision, vInt}, "type": {store.FieldType, vLower},
	}),
	SearchVersions: specs(map[string]fieldSpec{
		"id": {store.FieldID, vID}, "name": {store.FieldName, vText}, "fileId": {store.FieldFileID, vID},
		"description": {store.FieldDescription, vText}, "organizationPublic": {store.FieldOrganizationPublic, vBool},
	}),
	SearchCollaborators: {
		"projectId": {store.FieldProjectID, vID}, "email": {store.FieldEmail, vText},
		"name": {store.FieldName, vText}, "role": {store.FieldRole, vLower},
	},
}

type searchBody struct {
	Filter json.RawMessage `json:"filter"`
	Sort   json.RawMessage `json:"sort"`
	Page   *json.Number    `json:"page"`
	Size   *json.Number    `json:"size"`
}

type sortBody struct {
	Field     *string `json:"field"`
	Direction *string `json:"direction"`
}

// ParseSearch turns a PubSearchDto body into a store query (without Org). Every
// field name comes from the kind's allow-list; values are typed and bound later;
// unknown filter or sort fields, bad values and out-of-range paging are errors of
// Kind Invalid.
func ParseSearch(kind SearchKind, body []byte) (store.ModelerQuery, error) {
	var q store.ModelerQuery
	spec, ok := allowed[kind]
	if !ok {
		return q, fmt.Errorf("modeler: unknown search kind %d", kind)
	}
	var b searchBody
	if len(bytes.TrimSpace(body)) > 0 {
		d := json.NewDecoder(bytes.NewReader(body))
		d.UseNumber()
		if err := d.Decode(&b); err != nil {
			return q, invalid(DetailMalformed)
		}
	}
	var errs fieldErrs
	page := int64(0)
	size := int64(DefaultPageSize)
	if b.Page != nil {
		n, err := b.Page.Int64()
		if err != nil || n < 0 || n > math.MaxInt32 {
			errs.add("page", "must be greater than or equal to 0")
		} else {
			page = n
		}
	}
	if b.Size != nil {
		n, err := b.Size.Int64()
		if err != nil || n < 0 || n > MaxPageSize {
			errs.add("size", "must be between 0 and 50")
		} else {
			size = n
		}
	}
	q.Limit, q.Offset = int(size), page*size
	q.Filters = parseFilter(&errs, spec, b.Filter)
	q.Sort = parseSort(&errs, spec, b.Sort)
	return q, errs.err()
}

func isNull(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) == 0 || bytes.Equal(t, []byte("null"))
}

func parseFilter(errs *fieldErrs, spec map[string]fieldSpec, raw json.RawMessage) []store.ModelerFilter {
	if isNull(raw) {
		return nil
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil {
		errs.add("filter", "must be an object")
		return nil
	}
	var out []store.ModelerFilter
	for _, key := range sortedKeys(obj) {
		v := obj[key]
		if isNull(v) {
			continue
		}
		if key == "createdBy" || key == "updatedBy" {
			var user map[string]json.RawMessage
			if json.Unmarshal(v, &user) != nil {
				errs.add("filter."+key, "must be an object")
				continue
			}
			for _, sub := range sortedKeys(user) {
				out = appendFilter(errs, out, spec, key+"."+sub, user[sub])
			}
			continue
		}
		out = appendFilter(errs, out, spec, key, v)
	}
	return out
}

func appendFilter(errs *fieldErrs, out []store.ModelerFilter, spec map[string]fieldSpec, key string, v json.RawMessage) []store.ModelerFilter {
	if isNull(v) {
		return out
	}
	fs, ok := spec[key]
	if !ok {
		errs.add("filter."+key, "unknown field")
		return out
	}
	name := "filter." + key
	switch fs.kind {
	case vText, vID, vLower:
		var s string
		if json.Unmarshal(v, &s) != nil {
			errs.add(name, "must be a string")
			return out
		}
		switch fs.kind {
		case vID:
			if id, ok := ParseID(s); ok {
				s = id
			}
		case vLower:
			s = strings.ToLower(s)
		}
		return append(out, store.ModelerFilter{Field: fs.field, Op: store.OpEq, Value: s})
	case vInt:
		var n int64
		if json.Unmarshal(v, &n) != nil {
			errs.add(name, "must be an integer")
			return out
		}
		return append(out, store.ModelerFilter{Field: fs.field, Op: store.OpEq, Value: n})
	case vBool:
		var b bool
		if json.Unmarshal(v, &b) != nil {
			errs.add(name, "must be a boolean")
			return out
		}
		return append(out, store.ModelerFilter{Field: fs.field, Op: store.OpEq, Value: b})
	case vPath:
		var p []store.PathElement
		if json.Unmarshal(v, &p) != nil {
			errs.add(name, "must be a list of {id, name}")
			return out
		}
		for i := range p {
			if id, ok := ParseID(p[i].ID); ok {
				p[i].ID = id
			}
		}
		return append(out, store.ModelerFilter{Field: fs.field, Op: store.OpEq, Value: p})
	case vTime:
		var s string
		if json.Unmarshal(v, &s) != nil {
			errs.add(name, "must be a date string")
			return out
		}
		fl, err := DateFilters(fs.field, s)
		if err != nil {
			errs.add(name, err.Error())
			return out
		}
		return append(out, fl...)
	}
	return out
}

func parseSort(errs *fieldErrs, spec map[string]fieldSpec, raw json.RawMessage) []store.ModelerSort {
	if isNull(raw) {
		return nil
	}
	var list []sortBody
	raw = bytes.TrimSpace(raw)
	if raw[0] == '{' {
		var one sortBody
		if json.Unmarshal(raw, &one) != nil {
			errs.add("sort", "must be a list of {field, direction}")
			return nil
		}
		list = []sortBody{one}
	} else if json.Unmarshal(raw, &list) != nil {
		errs.add("sort", "must be a list of {field, direction}")
		return nil
	}
	if len(list) > maxSorts {
		errs.add("sort", fmt.Sprintf("size must be between 0 and %d", maxSorts))
		return nil
	}
	var out []store.ModelerSort
	for i, s := range list {
		at := fmt.Sprintf("sort[%d]", i)
		if s.Field == nil || *s.Field == "" {
			errs.add(at+".field", "must not be blank")
			continue
		}
		fs, ok := spec[*s.Field]
		if !ok || fs.kind == vPath {
			errs.add(at+".field", "unknown or unsortable field")
			continue
		}
		if s.Direction == nil {
			errs.add(at+".direction", "must not be null")
			continue
		}
		var desc bool
		switch strings.ToUpper(*s.Direction) {
		case "ASC":
		case "DESC":
			desc = true
		default:
			errs.add(at+".direction", "must be ASC or DESC")
			continue
		}
		out = append(out, store.ModelerSort{Field: fs.field, Desc: desc})
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	// Deterministic order keeps error texts and queries stable.
	for i := 1; i < len(ks); i++ {
		for j := i; j > 0 && ks[j] < ks[j-1]; j-- {
			ks[j], ks[j-1] = ks[j-1], ks[j]
		}
	}
	return ks
}

// DateFilters turns a date filter value — an optional operator (<, <=, >, >=), a
// java.time.ZonedDateTime text and an optional rounding suffix ||/y|M|w|d|h|m|s —
// into store conditions. The value stands for an interval: the rounding unit
// around it, or its millisecond (the store's precision). Equality means within the
// interval; > after it; >= from its start; < before its start; <= until its end.
func DateFilters(field store.ModelerField, v string) ([]store.ModelerFilter, error) {
	op := store.OpEq
	for _, p := range []store.ModelerOp{store.OpLe, store.OpGe, store.OpLt, store.OpGt} {
		if rest, ok := strings.CutPrefix(v, string(p)); ok {
			op, v = p, rest
			break
		}
	}
	unit := ""
	if i := strings.Index(v, "||"); i >= 0 {
		rest := v[i+2:]
		if len(rest) != 2 || rest[0] != '/' || !strings.Contains("yMwdhms", rest[1:]) {
			return nil, fmt.Errorf("rounding must be one of ||/y, ||/M, ||/w, ||/d, ||/h, ||/m, ||/s")
		}
		unit, v = rest[1:], v[:i]
	}
	t, err := parseZoned(v)
	if err != nil {
		return nil, err
	}
	start, end := interval(t, unit)
	f := func(op store.ModelerOp, t time.Time) store.ModelerFilter {
		return store.ModelerFilter{Field: field, Op: op, Value: t.UTC()}
	}
	switch op {
	case store.OpEq:
		return []store.ModelerFilter{f(store.OpGe, start), f(store.OpLt, end)}, nil
	case store.OpGt:
		return []store.ModelerFilter{f(store.OpGe, end)}, nil
	case store.OpGe:
		return []store.ModelerFilter{f(store.OpGe, start)}, nil
	case store.OpLt:
		return []store.ModelerFilter{f(store.OpLt, start)}, nil
	default: // <=
		return []store.ModelerFilter{f(store.OpLt, end)}, nil
	}
}

// parseZoned reads ISO-8601 date-times as java.time.ZonedDateTime prints them:
// an offset or Z, optional seconds and fraction, an optional [Region/Id] suffix
// (ignored: the offset already fixes the instant).
func parseZoned(s string) (time.Time, error) {
	if i := strings.IndexByte(s, '['); i > 0 && strings.HasSuffix(s, "]") {
		s = s[:i]
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			if t.Year() < 1 || t.Year() > 9999 {
				break
			}
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("must be a date-time like 2023-09-20T11:31:20.206801604Z")
}

// interval returns [start, end) of the unit containing t, in t's own offset;
// without a unit, t's millisecond.
func interval(t time.Time, unit string) (time.Time, time.Time) {
	y, mo, d := t.Date()
	loc := t.Location()
	switch unit {
	case "y":
		s := time.Date(y, 1, 1, 0, 0, 0, 0, loc)
		return s, s.AddDate(1, 0, 0)
	case "M":
		s := time.Date(y, mo, 1, 0, 0, 0, 0, loc)
		return s, s.AddDate(0, 1, 0)
	case "w":
		s := time.Date(y, mo, d, 0, 0, 0, 0, loc)
		s = s.AddDate(0, 0, -((int(s.Weekday()) + 6) % 7)) // back to Monday
		return s, s.AddDate(0, 0, 7)
	case "d":
		s := time.Date(y, mo, d, 0, 0, 0, 0, loc)
		return s, s.AddDate(0, 0, 1)
	case "h":
		s := t.Truncate(time.Hour)
		return s, s.Add(time.Hour)
	case "m":
		s := t.Truncate(time.Minute)
		return s, s.Add(time.Minute)
	case "s":
		s := t.Truncate(time.Second)
		return s, s.Add(time.Second)
	}
	s := t.Truncate(time.Millisecond)
	return s, s.Add(time.Millisecond)
}
