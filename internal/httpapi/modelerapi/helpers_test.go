package modelerapi

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	_ "modernc.org/sqlite"

	"github.com/gatehouse/gatehouse/internal/accesstoken"
	"github.com/gatehouse/gatehouse/internal/bearer"
	"github.com/gatehouse/gatehouse/internal/modeler"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
)

var (
	docOnce   sync.Once
	docRouter routers.Router
	docErr    error
)

func openAPIRouter(t testing.TB) routers.Router {
	t.Helper()
	docOnce.Do(func() {
		doc, err := openapi3.NewLoader().LoadFromData(openAPI)
		if err != nil {
			docErr = err
			return
		}
		if err := doc.Validate(context.Background()); err != nil {
			docErr = err
			return
		}
		doc.Servers = nil
		docRouter, docErr = legacy.NewRouter(doc)
	})
	if docErr != nil {
		t.Fatalf("openapi document: %v", docErr)
	}
	return docRouter
}

// validate checks an answer against the OpenAPI document.
func validate(t testing.TB, req *http.Request, status int, header http.Header, body []byte) {
	t.Helper()
	route, params, err := openAPIRouter(t).FindRoute(req)
	if err != nil {
		return // paths outside the document (404 catch-all) are not described
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}},
		Status: status, Header: header, Body: io.NopCloser(bytes.NewReader(body)),
		Options: &openapi3filter.Options{IncludeResponseStatus: true},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		t.Fatalf("%s %s → %d does not match the OpenAPI document: %v\nbody: %s", req.Method, req.URL, status, err, body)
	}
}

const testOrg = "6f1f0a7e-0000-4000-8000-00000000000a"

var allPerms = []string{PermCreate, PermRead, PermUpdate, PermDelete}

// env is a handler over a fresh SQLite store, with a fixed clock.
type env struct {
	t   *testing.T
	h   http.Handler
	org string
	now time.Time
}

func newEnv(t *testing.T) *env {
	t.Helper()
	st, err := sqlstore.Open(t.Context(), sqlstore.SQLite, filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e := &env{t: t, org: testOrg, now: time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)}
	svc := modeler.New(st, func() time.Time { return e.now })
	e.h = New(Config{Service: svc, MaxBody: 64 << 10, PublicURL: "http://modeler.test",
		Org: func(ctx context.Context, c *accesstoken.Claims) (string, error) {
			if c.Issuer == "other" {
				return "7f1f0a7e-0000-4000-8000-00000000000b", nil
			}
			return e.org, nil
		}})
	return e
}

func claims(perms ...string) *accesstoken.Claims {
	return &accesstoken.Claims{ClientID: "test-client", Subject: "sub", Issuer: "test",
		Permissions: map[string][]string{DefaultAudience: perms}}
}

type resp struct {
	status int
	header http.Header
	body   []byte
}

func (r resp) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body %q: %v", r.body, err)
	}
	return m
}

// call sends a request with c as the verified claims (nil: none) and checks the
// answer against the OpenAPI document.
func (e *env) call(c *accesstoken.Claims, method, path string, body any) resp {
	e.t.Helper()
	var rd io.Reader
	var raw []byte
	switch b := body.(type) {
	case nil:
	case string:
		raw = []byte(b)
	default:
		raw, _ = json.Marshal(b)
	}
	if raw != nil {
		rd = bytes.NewReader(raw)
	}
	req := httptest.NewRequest(method, path, rd)
	if raw != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c != nil {
		req = req.WithContext(bearer.WithClaims(req.Context(), c))
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, req)
	res := resp{w.Code, w.Header(), w.Body.Bytes()}
	vreq := httptest.NewRequest(method, path, bytes.NewReader(raw))
	vreq.Header.Set("Content-Type", "application/json")
	validate(e.t, vreq, res.status, res.header, res.body)
	return res
}

// do calls with every permission and wants status.
func (e *env) do(method, path string, body any, status int) map[string]any {
	e.t.Helper()
	r := e.call(claims(allPerms...), method, path, body)
	if r.status != status {
		e.t.Fatalf("%s %s: status %d, want %d; body %s", method, path, r.status, status, r.body)
	}
	if len(r.body) == 0 {
		return nil
	}
	return r.json(e.t)
}

func (e *env) project(name string) string {
	e.t.Helper()
	return e.do("POST", "/api/v1/projects", map[string]any{"name": name}, 200)["id"].(string)
}

func (e *env) folder(name string, placement map[string]any) string {
	e.t.Helper()
	b := map[string]any{"name": name}
	for k, v := range placement {
		b[k] = v
	}
	return e.do("POST", "/api/v1/folders", b, 200)["id"].(string)
}

const bpmn = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d1"><bpmn:process id="p1" isExecutable="true"/></bpmn:definitions>`

func (e *env) file(name, projectID string) map[string]any {
	e.t.Helper()
	return e.do("POST", "/api/v1/files", map[string]any{"name": name, "projectId": projectID, "content": bpmn, "fileType": "bpmn"}, 200)
}

func detail(t *testing.T, r resp) string {
	t.Helper()
	d, _ := r.json(t)["detail"].(string)
	return d
}

func has(s, sub string) bool { return strings.Contains(s, sub) }
