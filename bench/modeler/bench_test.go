package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/gatehouse/gatehouse/internal/accesstoken"
	"github.com/gatehouse/gatehouse/internal/bearer"
	"github.com/gatehouse/gatehouse/internal/httpapi/modelerapi"
	"github.com/gatehouse/gatehouse/internal/modeler"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
)

// BenchmarkSearchFiles100k: POST /api/v1/files/search with a project and type filter
// and a sort by updated, over 100,000 files in SQLite (handler and store in process).
// Run: go test ./bench/modeler -run '^$' -bench SearchFiles -benchtime 500x
func BenchmarkSearchFiles100k(b *testing.B) {
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "bench.db")
	st, err := sqlstore.Open(ctx, sqlstore.SQLite, path)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	projects, err := Seed(ctx, path, org, 100_000)
	if err != nil {
		b.Fatal(err)
	}
	h := modelerapi.New(modelerapi.Config{Service: modeler.New(st, nil),
		Org: func(context.Context, *accesstoken.Claims) (string, error) { return org, nil }})
	c := &accesstoken.Claims{ClientID: "bench", Permissions: map[string][]string{modelerapi.DefaultAudience: {"read:*"}}}
	i := 0
	for b.Loop() {
		body := fmt.Sprintf(`{"filter":{"projectId":%q,"type":"bpmn"},"sort":[{"field":"updated","direction":"DESC"}],"size":50,"page":%d}`,
			projects[i%len(projects)], i%3)
		i++
		req := httptest.NewRequest("POST", "/api/v1/files/search", bytes.NewReader([]byte(body))).WithContext(bearer.WithClaims(ctx, c))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != 200 {
			b.Fatalf("%d %s", w.Code, w.Body)
		}
	}
}
