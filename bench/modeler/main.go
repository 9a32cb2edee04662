// Command modeler measures the Web Modeler API in process (handler + store, no
// network): POST /api/v1/files/search with a filter and a sort over -files files,
// and file create and patch throughput. Every loop is bounded by a count; the
// results go to docs/performance.md. The store is SQLite in a temporary file, or,
// with -postgres, a database the run creates (and drops) on that PostgreSQL server.
//
//	go run ./bench/modeler -files 100000 -searches 2000 -writes 500
//	go run ./bench/modeler -postgres postgres://postgres@127.0.0.1:5432/postgres
package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"

	"github.com/gatehouse/gatehouse/internal/accesstoken"
	"github.com/gatehouse/gatehouse/internal/bearer"
	"github.com/gatehouse/gatehouse/internal/httpapi/modelerapi"
	"github.com/gatehouse/gatehouse/internal/modeler"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
)

const org = "0b8e0e57-4d5e-4c8e-9d3a-6c1f2a3b4c5d"

func main() {
	files := flag.Int("files", 100_000, "files to seed")
	searches := flag.Int("searches", 2000, "search requests per scenario")
	writes := flag.Int("writes", 500, "file creates, then as many patches")
	pg := flag.String("postgres", "", "PostgreSQL server URL: benchmark a database created (and dropped) there instead of SQLite")
	keep := flag.Bool("keep", false, "with -postgres: keep the database (its URL is printed) to examine query plans")
	flag.Parse()
	ctx := context.Background()
	var (
		st       *sqlstore.Store
		projects []string
		backend  string
		t0       = time.Now()
	)
	if *pg == "" {
		dir, err := os.MkdirTemp("", "modeler-bench")
		if err != nil {
			log.Fatal(err)
		}
		defer os.RemoveAll(dir)
		path := filepath.Join(dir, "bench.db")
		if st, err = sqlstore.Open(ctx, sqlstore.SQLite, path); err != nil {
			log.Fatal(err)
		}
		t0 = time.Now()
		if projects, err = Seed(ctx, path, org, *files); err != nil {
			log.Fatal(err)
		}
		backend = "SQLite, synchronous=FULL"
	} else {
		dsn, drop, err := createDatabase(ctx, *pg)
		if err != nil {
			log.Fatal(err)
		}
		if *keep {
			fmt.Printf("database kept: %s\n", dsn)
		} else {
			defer drop()
		}
		if st, err = sqlstore.Open(ctx, sqlstore.Postgres, dsn); err != nil {
			log.Fatal(err)
		}
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			log.Fatal(err)
		}
		t0 = time.Now()
		projects, err = SeedDB(ctx, db, dollar, org, *files)
		if err == nil {
			// What autovacuum does after a bulk load: statistics and the visibility map
			// (index-only scans), so that the run measures a steady state.
			_, err = db.ExecContext(ctx, "VACUUM ANALYZE")
		}
		db.Close()
		if err != nil {
			log.Fatal(err)
		}
		backend = "PostgreSQL"
	}
	defer st.Close()
	fmt.Printf("seeded %d files in %d projects in %v (%s)\n", *files, len(projects), time.Since(t0).Round(time.Millisecond), backend)

	h := modelerapi.New(modelerapi.Config{Service: modeler.New(st, nil),
		Org: func(context.Context, *accesstoken.Claims) (string, error) { return org, nil }})
	claims := &accesstoken.Claims{ClientID: "bench", Permissions: map[string][]string{modelerapi.DefaultAudience: {"create:*", "read:*", "update:*", "delete:*"}}}
	call := func(method, path string, body any) (int, []byte) {
		b, _ := json.Marshal(body)
		req := httptest.NewRequest(method, path, bytes.NewReader(b)).WithContext(bearer.WithClaims(ctx, claims))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w.Code, w.Body.Bytes()
	}
	scenarios := []struct {
		name string
		body func(i int) any
	}{
		{"project+type filter, sort updated DESC, size 50", func(i int) any {
			return map[string]any{"filter": map[string]any{"projectId": projects[i%len(projects)], "type": "bpmn"},
				"sort": []any{map[string]any{"field": "updated", "direction": "DESC"}}, "size": 50, "page": i % 3}
		}},
		{"createdBy.name + created month, sort name ASC, size 20", func(i int) any {
			return map[string]any{"filter": map[string]any{"createdBy": map[string]any{"name": fmt.Sprintf("client-%d", i%4)},
				"created": fmt.Sprintf("2025-%02d-15T00:00:00Z||/M", 1+i%12)},
				"sort": []any{map[string]any{"field": "name", "direction": "ASC"}}, "size": 20}
		}},
		{"name equality, sort created DESC", func(i int) any {
			return map[string]any{"filter": map[string]any{"name": fmt.Sprintf("file-%06d.bpmn", (i*7919)%*files)},
				"sort": map[string]any{"field": "created", "direction": "DESC"}}
		}},
	}
	for _, sc := range scenarios {
		lat := make([]time.Duration, 0, *searches)
		var total float64
		for i := range *searches {
			start := time.Now()
			code, b := call("POST", "/api/v1/files/search", sc.body(i))
			lat = append(lat, time.Since(start))
			if code != 200 {
				log.Fatalf("%s: %d %s", sc.name, code, b)
			}
			var r struct{ Total float64 }
			_ = json.Unmarshal(b, &r)
			total += r.Total
		}
		slices.Sort(lat)
		q := func(p float64) time.Duration { return lat[int(p*float64(len(lat)-1))].Round(10 * time.Microsecond) }
		fmt.Printf("search [%s]: n=%d avg matches=%.0f p50=%v p95=%v p99=%v max=%v\n", sc.name, len(lat), total/float64(len(lat)), q(0.50), q(0.95), q(0.99), lat[len(lat)-1].Round(10*time.Microsecond))
	}

	content := `<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"><bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="s"/></bpmn:process></bpmn:definitions>`
	ids := make([]string, 0, *writes)
	start := time.Now()
	for i := range *writes {
		code, b := call("POST", "/api/v1/files", map[string]any{"name": fmt.Sprintf("new-%d.bpmn", i), "projectId": projects[i%len(projects)], "content": content, "fileType": "bpmn"})
		if code != 200 {
			log.Fatalf("create: %d %s", code, b)
		}
		var m struct{ ID string }
		_ = json.Unmarshal(b, &m)
		ids = append(ids, m.ID)
	}
	el := time.Since(start)
	fmt.Printf("create: %d files in %v = %.0f/s (sequential, %s)\n", *writes, el.Round(time.Millisecond), float64(*writes)/el.Seconds(), backend)
	start = time.Now()
	for _, id := range ids {
		code, b := call("PATCH", "/api/v1/files/"+id, map[string]any{"revision": 1, "name": "renamed-" + id[:8] + ".bpmn", "content": content})
		if code != 200 {
			log.Fatalf("patch: %d %s", code, b)
		}
	}
	el = time.Since(start)
	fmt.Printf("patch: %d files in %v = %.0f/s (sequential, %s)\n", len(ids), el.Round(time.Millisecond), float64(len(ids))/el.Seconds(), backend)
}

// Seed inserts n files (10 projects × 10 folders, four creators, created over 2025,
// types rotating) with one transaction on the SQLite database file, in the store's
// schema.
func Seed(ctx context.Context, path, org string, n int) ([]string, error) {
	db, err := sql.Open("sqlite", sqlstore.SQLiteDSN(path))
	if err != nil {
		return nil, err
	}
	defer db.Close()
	return SeedDB(ctx, db, func(q string) string { return q }, org, n)
}

// dollar rewrites ? placeholders as PostgreSQL's $1, $2, ….
func dollar(q string) string {
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// createDatabase creates a throwaway database on the server of base and returns its
// URL and a function that drops it.
func createDatabase(ctx context.Context, base string) (string, func(), error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", nil, err
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		return "", nil, err
	}
	name := fmt.Sprintf("gatehouse_modeler_bench_%d", os.Getpid())
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		return "", nil, err
	}
	u.Path = "/" + name
	return u.String(), func() {
		if _, err := admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			log.Printf("drop %s: %v", name, err)
		}
		admin.Close()
	}, nil
}

// SeedDB is Seed on an open database whose placeholders rebind rewrites.
func SeedDB(ctx context.Context, db *sql.DB, rebind func(string) string, org string, n int) ([]string, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	id := func(kind, i int) string { return fmt.Sprintf("%08x-0000-4000-8000-%012x", kind, i) }
	var projects []string
	var folders [][2]string
	for p := range 10 {
		pid := id(1, p)
		projects = append(projects, pid)
		if _, err := tx.ExecContext(ctx, rebind(`INSERT INTO modeler_projects VALUES (?, ?, ?, ?, 'bench', '', ?, 'bench', '')`),
			pid, org, fmt.Sprintf("project-%d", p), base.UnixMilli(), base.UnixMilli()); err != nil {
			return nil, err
		}
		for f := range 10 {
			fid := id(2, p*10+f)
			folders = append(folders, [2]string{pid, fid})
			if _, err := tx.ExecContext(ctx, rebind(`INSERT INTO modeler_folders VALUES (?, ?, ?, NULL, ?, ?, 'bench', '', ?, 'bench', '')`),
				fid, org, pid, fmt.Sprintf("folder-%d", f), base.UnixMilli(), base.UnixMilli()); err != nil {
				return nil, err
			}
		}
	}
	ins, err := tx.PrepareContext(ctx, rebind(`INSERT INTO modeler_files VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, '', ?, ?, '')`))
	if err != nil {
		return nil, err
	}
	cont, err := tx.PrepareContext(ctx, rebind(`INSERT INTO modeler_file_contents VALUES (?, ?)`))
	if err != nil {
		return nil, err
	}
	types := []string{"bpmn", "dmn", "form", "bpmn"}
	for i := range n {
		pf := folders[i%len(folders)]
		name := fmt.Sprintf("file-%06d.bpmn", i)
		created := base.Add(time.Duration(i) * (365 * 24 * time.Hour / time.Duration(n))).UnixMilli()
		creator := fmt.Sprintf("client-%d", i%4)
		pidx := (i % len(folders)) / 10
		canon := fmt.Sprintf(`[{"id":%q,"name":"project-%d"},{"id":%q,"name":"folder-%d"}]`, pf[0], pidx, pf[1], i%10)
		fid := id(3, i)
		if _, err := ins.ExecContext(ctx, fid, org, pf[0], pf[1], name, types[i%4],
			fmt.Sprintf("project-%d/folder-%d/%s", pidx, i%10, name), canon, created, creator, created+int64(i%1000), creator); err != nil {
			return nil, err
		}
		if _, err := cont.ExecContext(ctx, fid, "<definitions/>"); err != nil {
			return nil, err
		}
	}
	if _, err := tx.ExecContext(ctx, "ANALYZE"); err != nil {
		return nil, err
	}
	return projects, tx.Commit()
}
