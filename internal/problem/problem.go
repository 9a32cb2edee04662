// Package problem writes RFC 9457 problem details (application/problem+json), the error
// format of the management API and the Web Modeler API (camunda-apis.md §4.4):
// {"type":"about:blank","title":"<HTTP reason>","status":<code>,"detail":"<text>","instance":"<path>"}.
// Details are fixed texts chosen by the caller; causes are logged, never sent.
package problem

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

// ContentType of every problem answer.
const ContentType = "application/problem+json"

// Details is the RFC 9457 body.
type Details struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail,omitempty"`
	Instance string `json:"instance,omitempty"`
}

// New returns the problem for status with the given detail; instance is the request path.
func New(status int, detail, instance string) Details {
	return Details{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: detail, Instance: instance}
}

// Write sends a problem for r with status and detail.
func Write(w http.ResponseWriter, r *http.Request, status int, detail string) {
	WriteDetails(w, New(status, detail, r.URL.Path))
}

// Unavailable sends 503 with Retry-After (the store could not serve the request).
func Unavailable(w http.ResponseWriter, r *http.Request, retry time.Duration) {
	w.Header().Set("Retry-After", strconv.Itoa(int((retry+time.Second-1)/time.Second)))
	Write(w, r, http.StatusServiceUnavailable, "The service is temporarily unavailable; retry later.")
}

// WriteDetails sends d.
func WriteDetails(w http.ResponseWriter, d Details) {
	b, _ := json.Marshal(d)
	w.Header().Set("Content-Type", ContentType)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(d.Status)
	w.Write(b)
}
