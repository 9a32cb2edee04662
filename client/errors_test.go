package client

import (
	"errors"
	"net/http"
	"testing"
	"time"
)

func TestDecodeError(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		header http.Header
		body   string
		want   Error
	}{
		{"problem", 404, http.Header{"Content-Type": {"application/problem+json"}},
			`{"type":"about:blank","title":"Not Found","status":404,"detail":"No such object in this realm.","instance":"/x"}`,
			Error{Status: 404, Type: "about:blank", Title: "Not Found", Detail: "No such object in this realm.", Instance: "/x"}},
		{"bearer challenge", 401, http.Header{"Content-Type": {"application/problem+json; charset=utf-8"},
			"Www-Authenticate": {`Bearer realm="camunda-platform", error="invalid_token", error_description="expired"`}},
			`{"title":"Unauthorized","status":401}`, Error{Status: 401, Title: "Unauthorized", AuthError: "invalid_token"}},
		{"challenge without error", 401, http.Header{"Www-Authenticate": {`Bearer realm="r"`}}, ``,
			Error{Status: 401, Title: "Unauthorized"}},
		{"html body", 502, http.Header{"Content-Type": {"text/html"}}, `<h1>{"detail":"no"}</h1>`, Error{Status: 502, Title: "Bad Gateway"}},
		{"broken json", 500, http.Header{"Content-Type": {"application/json"}}, `{"title":`, Error{Status: 500, Title: "Internal Server Error"}},
		{"retry after", 503, http.Header{"Retry-After": {"5"}}, ``, Error{Status: 503, Title: "Service Unavailable", RetryAfter: 5 * time.Second}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := decodeError(&http.Response{StatusCode: tc.status, Header: tc.header}, []byte(tc.body))
			if *got != tc.want {
				t.Fatalf("got %+v, want %+v", *got, tc.want)
			}
		})
	}
}

func TestErrorIs(t *testing.T) {
	var err error = &Error{Status: 409, Title: "Conflict", Detail: "taken"}
	if !errors.Is(err, ErrConflict) || errors.Is(err, ErrNotFound) {
		t.Fatal("Is does not compare the status")
	}
	if got := err.Error(); got != "client: 409 Conflict: taken" {
		t.Fatalf("Error() = %q", got)
	}
	if got := (&Error{Status: 403, AuthError: "insufficient_scope"}).Error(); got != "client: 403 Forbidden (insufficient_scope)" {
		t.Fatalf("Error() = %q", got)
	}
}

func TestBearerError(t *testing.T) {
	for h, want := range map[string]string{
		`Bearer error="invalid_token"`:                          "invalid_token",
		`Bearer realm="x", error="insufficient_scope"`:          "insufficient_scope",
		`Bearer realm="x",error="invalid_request"`:              "invalid_request",
		`Bearer realm="x", my_error="a", error="invalid_token"`: "invalid_token",
		`Bearer realm="x", my_error="a"`:                        "",
		`Bearer error_description="x"`:                          "",
		``:                                                      "",
		`Bearer error="unterminated`:                            "",
	} {
		if got := bearerError(h); got != want {
			t.Errorf("bearerError(%q) = %q, want %q", h, got, want)
		}
	}
}
