package modelerapi

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/bearer"
)

// A JSON endpoint takes only application/json bodies (a charset parameter is fine):
// anything else, a missing type included, is 415, so a cross-site form post with
// text/plain cannot reach it.
func TestJSONMediaType(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		name, ct string
		status   int
	}{
		{"json", "application/json", 200},
		{"json charset", "application/json; charset=utf-8", 200},
		{"text/plain", "text/plain", 415},
		{"text/plain charset", "text/plain;charset=UTF-8", 415},
		{"form", "application/x-www-form-urlencoded", 415},
		{"missing", "", 415},
		{"garbage", ";;", 415},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest("POST", "/api/v1/projects/search", strings.NewReader(`{"filter":{}}`))
			if tc.ct != "" {
				req.Header.Set("Content-Type", tc.ct)
			}
			req = req.WithContext(bearer.WithClaims(req.Context(), claims(allPerms...)))
			w := httptest.NewRecorder()
			e.h.ServeHTTP(w, req)
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d; body %s", w.Code, tc.status, w.Body)
			}
			if tc.status == http.StatusUnsupportedMediaType && w.Header().Get("Content-Type") != "application/problem+json" {
				t.Errorf("content type %q", w.Header().Get("Content-Type"))
			}
		})
	}
}
