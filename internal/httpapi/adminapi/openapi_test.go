package adminapi

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
)

var (
	docOnce   sync.Once
	docRouter routers.Router
	docErr    error
)

// openAPIRouter loads the embedded document once and checks it is valid OpenAPI 3.
func openAPIRouter(t testing.TB) routers.Router {
	t.Helper()
	docOnce.Do(func() {
		l := openapi3.NewLoader()
		doc, err := l.LoadFromData(OpenAPI)
		if err != nil {
			docErr = err
			return
		}
		if err := doc.Validate(context.Background()); err != nil {
			docErr = err
			return
		}
		doc.Servers = nil // match any host
		docRouter, docErr = legacy.NewRouter(doc)
	})
	if docErr != nil {
		t.Fatalf("openapi document: %v", docErr)
	}
	return docRouter
}

// ValidateResponse checks an answer to req against the OpenAPI document: the path and
// method exist, and the status, content type and body are declared.
func validateResponse(t testing.TB, req *http.Request, status int, header http.Header, body []byte) {
	t.Helper()
	route, params, err := openAPIRouter(t).FindRoute(req)
	if err != nil {
		t.Fatalf("%s %s: no route in the OpenAPI document: %v", req.Method, req.URL, err)
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}},
		Status:  status,
		Header:  header,
		Body:    io.NopCloser(bytes.NewReader(body)),
		Options: &openapi3filter.Options{IncludeResponseStatus: true},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		t.Fatalf("%s %s → %d does not match the OpenAPI document: %v\nbody: %s", req.Method, req.URL, status, err, body)
	}
}
