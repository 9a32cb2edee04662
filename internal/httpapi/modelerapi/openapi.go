package modelerapi

import (
	_ "embed"
	"net/http"
)

// openAPI is the OpenAPI 3 document of this API, served at /api/v1/openapi.json
// and used by the tests to validate every response.
//
//go:embed openapi.json
var openAPI []byte

// ServeOpenAPI writes the OpenAPI document; it needs no token.
func ServeOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Write(openAPI)
}
