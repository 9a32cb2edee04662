package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/gatehouse/gatehouse/internal/fault"
	"github.com/gatehouse/gatehouse/internal/store"
)

func TestPageError(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		err    error
		status int
		msg    string
	}{
		{"invalid field", fault.Invalidf("firstName", "must be short"), http.StatusBadRequest, "Check the first name: it must be short."},
		{"invalid", fault.ErrInvalid, http.StatusBadRequest, "Check the form: something in it is not valid."},
		{"not found", fmt.Errorf("get: %w", store.ErrNotFound), http.StatusNotFound, "It no longer exists; someone may have deleted it."},
		{"exists", store.ErrAlreadyExists, http.StatusConflict, "That name is taken; choose another."},
		{"domain conflict", &fault.ConflictError{Reason: "the API is still granted"}, http.StatusConflict, "The API is still granted."},
		{"store conflict", store.ErrConflict, http.StatusConflict, "The change conflicts with the current state; reload the page and try again."},
		{"unavailable", store.ErrUnavailable, http.StatusServiceUnavailable, "The database is unavailable right now; try again in a few seconds."},
		{"deadline", context.DeadlineExceeded, http.StatusServiceUnavailable, "The database is unavailable right now; try again in a few seconds."},
		{"other", errors.New("boom"), http.StatusInternalServerError, "Something went wrong on the server; the server log has the details."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			status, msg, _ := pageError(tc.err)
			if status != tc.status || msg != tc.msg {
				t.Errorf("pageError = %d %q, want %d %q", status, msg, tc.status, tc.msg)
			}
		})
	}
}
