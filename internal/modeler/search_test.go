package modeler

import (
	"fmt"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
)

func TestDateFilters(t *testing.T) {
	d := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return v.UTC()
	}
	f := func(op store.ModelerOp, s string) store.ModelerFilter {
		return store.ModelerFilter{Field: store.FieldCreated, Op: op, Value: d(s)}
	}
	for _, tc := range []struct {
		in   string
		want []store.ModelerFilter
	}{
		{"2023-09-20T11:31:20.206801604Z", []store.ModelerFilter{f(">=", "2023-09-20T11:31:20.206Z"), f("<", "2023-09-20T11:31:20.207Z")}},
		{"2023-09-20T11:31:20Z||/y", []store.ModelerFilter{f(">=", "2023-01-01T00:00:00Z"), f("<", "2024-01-01T00:00:00Z")}},
		{">=2023-09-20T11:31:20.206801604Z||/M", []store.ModelerFilter{f(">=", "2023-09-01T00:00:00Z")}},
		{">2023-09-20T11:31:20Z||/M", []store.ModelerFilter{f(">=", "2023-10-01T00:00:00Z")}},
		{"<2023-09-20T11:31:20Z||/d", []store.ModelerFilter{f("<", "2023-09-20T00:00:00Z")}},
		{"<=2023-09-20T11:31:20Z||/d", []store.ModelerFilter{f("<", "2023-09-21T00:00:00Z")}},
		{"2023-09-20T11:31:20Z||/w", []store.ModelerFilter{f(">=", "2023-09-18T00:00:00Z"), f("<", "2023-09-25T00:00:00Z")}},
		{"2023-09-20T11:31:20Z||/h", []store.ModelerFilter{f(">=", "2023-09-20T11:00:00Z"), f("<", "2023-09-20T12:00:00Z")}},
		{"2023-09-20T11:31:20Z||/m", []store.ModelerFilter{f(">=", "2023-09-20T11:31:00Z"), f("<", "2023-09-20T11:32:00Z")}},
		{"2023-09-20T11:31:20.5Z||/s", []store.ModelerFilter{f(">=", "2023-09-20T11:31:20Z"), f("<", "2023-09-20T11:31:21Z")}},
		{"2023-09-20T01:00:00+02:00||/d", []store.ModelerFilter{f(">=", "2023-09-19T22:00:00Z"), f("<", "2023-09-20T22:00:00Z")}},
		{"2023-09-20T11:31+02:00[Europe/Berlin]", []store.ModelerFilter{f(">=", "2023-09-20T09:31:00Z"), f("<", "2023-09-20T09:31:00.001Z")}},
	} {
		got, err := DateFilters(store.FieldCreated, tc.in)
		if err != nil {
			t.Errorf("%s: %v", tc.in, err)
			continue
		}
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%s:\n got %v\nwant %v", tc.in, got, tc.want)
		}
	}
	for _, bad := range []string{"", "now", "2023-09-20", "2023-09-20T11:31:20Z||", "2023-09-20T11:31:20Z||/x", "2023-09-20T11:31:20Z||/dd", "=>2023-09-20T11:31:20Z", "10000-01-01T00:00:00Z"} {
		if _, err := DateFilters(store.FieldCreated, bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestCheckXML(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want error
	}{
		{`<definitions/>`, nil},
		{`<?xml version="1.0"?><!-- c --><b:definitions xmlns:b="x"><b:p/></b:definitions>`, nil},
		{`<!DOCTYPE definitions><definitions/>`, errDOCTYPE},
		{`<?xml version="1.0"?><!doctype x SYSTEM "file:///etc/passwd"><definitions/>`, errDOCTYPE},
		{`<definitions>&xxe;</definitions>`, errNotXML},
		{`<definitions><a></b></definitions>`, errNotXML},
		{`<definitions/><definitions/>`, errRoot},
		{`text<definitions/>`, errNotXML},
		{`<process/>`, errRoot},
		{``, errNotXML},
	} {
		if got := checkXML(tc.in); got != tc.want {
			t.Errorf("%q: %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestRewriteTemplate(t *testing.T) {
	out, err := rewriteTemplate(`{"name":"a","$schema":"x","extra":{"k":[1,2]},"version":3}`, "id-1", "File", 4)
	if err != nil {
		t.Fatal(err)
	}
	want := "{\n  \"name\": \"File\",\n  \"$schema\": \"" + TemplateSchema + "\",\n  \"extra\": {\n    \"k\": [\n      1,\n      2\n    ]\n  },\n  \"version\": 4,\n  \"id\": \"id-1\"\n}"
	if out != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
	for _, bad := range []string{`[]`, `{"a":1,"a":2}`, `{} {}`, `{"appliesTo":"bpmn:Task"}`, `{"properties":{}}`} {
		if _, err := rewriteTemplate(bad, "i", "n", 1); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
	if v := templateVersion(out); v != 4 {
		t.Errorf("version %d", v)
	}
}

// FuzzParseSearch: the search request parser never panics, and whatever it accepts
// names only allow-listed fields with typed values and bounded paging.
func FuzzParseSearch(f *testing.F) {
	for _, s := range []string{
		`{}`, ``, `{"filter":{"name":"x","createdBy":{"name":"y"}},"sort":[{"field":"name","direction":"ASC"}],"page":1,"size":50}`,
		`{"filter":{"created":">=2023-09-20T11:31:20.206801604Z||/y"},"sort":{"field":"created","direction":"DESC"}}`,
		`{"sort":[{"field":"name;DROP TABLE x","direction":"ASC"}]}`, `{"filter":{"canonicalPath":[{"id":"a","name":"b"}]}}`,
		`{"size":1e9,"page":-1}`, `{"filter":{"revision":3,"organizationPublic":true}}`, `{"filter":null,"sort":null}`,
	} {
		f.Add(uint8(SearchFiles), []byte(s))
	}
	f.Fuzz(func(t *testing.T, kind uint8, body []byte) {
		k := SearchKind(kind%4 + 1)
		q, err := ParseSearch(k, body)
		if err != nil {
			if kd, _ := KindOf(err); kd != Invalid {
				t.Fatalf("error %v is not Invalid", err)
			}
			return
		}
		if q.Limit < 0 || q.Limit > MaxPageSize || q.Offset < 0 || len(q.Sort) > maxSorts {
			t.Fatalf("paging %d/%d sorts %d", q.Limit, q.Offset, len(q.Sort))
		}
		known := map[store.ModelerField]bool{}
		for _, fs := range allowed[k] {
			known[fs.field] = true
		}
		for _, fl := range q.Filters {
			if !known[fl.Field] {
				t.Fatalf("filter on %q", fl.Field)
			}
			switch fl.Value.(type) {
			case string, int64, bool, time.Time, []store.PathElement:
			default:
				t.Fatalf("value %T", fl.Value)
			}
		}
		for _, s := range q.Sort {
			if !known[s.Field] || s.Field == store.FieldCanonicalPath {
				t.Fatalf("sort on %q", s.Field)
			}
		}
	})
}
