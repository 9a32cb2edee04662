package mgmt

import (
	_ "embed"
	"net/http"
)

// OpenAPI is the OpenAPI 3 document of the management API, served at
// /manage/v1/openapi.json. Tests check every answer against it.
//
//go:embed openapi.json
var OpenAPI []byte

func serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Write(OpenAPI)
}
