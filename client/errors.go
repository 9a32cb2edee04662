package client

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Error is an error answer of a Gatehouse API (management, Administration or Web Modeler):
// the RFC 9457 problem details of the body, plus what the headers add. Inspect it with
// errors.As, or compare the status with errors.Is and ErrNotFound, ErrConflict, ….
type Error struct {
	Status   int    // HTTP status code
	Type     string // problem type URI, usually "about:blank"
	Title    string // short summary, the HTTP reason phrase
	Detail   string // what went wrong, a fixed text of the server (never an echo of the input)
	Instance string // the request path

	// AuthError is the RFC 6750 error code of the WWW-Authenticate challenge of a 401 or
	// 403 answer: "invalid_token", "insufficient_scope", "invalid_request", or empty.
	AuthError string
	// RetryAfter is the Retry-After of a 503 or 429 answer (0 when absent).
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "client: %d", e.Status)
	title := e.Title
	if title == "" {
		title = http.StatusText(e.Status)
	}
	if title != "" {
		b.WriteString(" " + title)
	}
	if e.AuthError != "" {
		b.WriteString(" (" + e.AuthError + ")")
	}
	if e.Detail != "" {
		b.WriteString(": " + e.Detail)
	}
	return b.String()
}

// Is reports whether target is the sentinel of e's status (ErrNotFound for 404, …).
func (e *Error) Is(target error) bool {
	s, ok := target.(statusError)
	return ok && int(s) == e.Status
}

// statusError is a sentinel matching any *Error of one status.
type statusError int

func (s statusError) Error() string {
	return "client: " + strconv.Itoa(int(s)) + " " + http.StatusText(int(s))
}

// Sentinels for errors.Is: errors.Is(err, client.ErrNotFound) is true for any *Error
// with status 404.
var (
	ErrBadRequest   error = statusError(http.StatusBadRequest)
	ErrUnauthorized error = statusError(http.StatusUnauthorized)
	ErrForbidden    error = statusError(http.StatusForbidden)
	ErrNotFound     error = statusError(http.StatusNotFound)
	ErrConflict     error = statusError(http.StatusConflict)
	ErrUnavailable  error = statusError(http.StatusServiceUnavailable)
)

// decodeError builds the *Error of a non-2xx answer from its body and headers. A body
// that is not JSON leaves the problem fields empty (Title falls back to the reason).
func decodeError(resp *http.Response, body []byte) *Error {
	e := &Error{Status: resp.StatusCode}
	if mt, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type")); err == nil &&
		(mt == "application/problem+json" || mt == "application/json") {
		var p struct {
			Type     string `json:"type"`
			Title    string `json:"title"`
			Detail   string `json:"detail"`
			Instance string `json:"instance"`
		}
		if json.Unmarshal(body, &p) == nil {
			e.Type, e.Title, e.Detail, e.Instance = p.Type, p.Title, p.Detail, p.Instance
		}
	}
	if e.Title == "" {
		e.Title = http.StatusText(resp.StatusCode)
	}
	e.AuthError = bearerError(resp.Header.Get("WWW-Authenticate"))
	if s, err := strconv.Atoi(strings.TrimSpace(resp.Header.Get("Retry-After"))); err == nil && s >= 0 {
		e.RetryAfter = time.Duration(s) * time.Second
	}
	return e
}

// bearerError reads the error="…" parameter of an RFC 6750 §3 challenge.
func bearerError(h string) string {
	i := strings.Index(h, `error="`)
	for i > 0 && h[i-1] != ' ' && h[i-1] != ',' { // not the tail of e.g. "x_error="
		j := strings.Index(h[i+1:], `error="`)
		if j < 0 {
			return ""
		}
		i += 1 + j
	}
	if i < 0 {
		return ""
	}
	rest := h[i+len(`error="`):]
	if j := strings.IndexByte(rest, '"'); j >= 0 {
		return rest[:j]
	}
	return ""
}
