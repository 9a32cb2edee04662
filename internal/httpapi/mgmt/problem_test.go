package mgmt

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/gatehouse/gatehouse/internal/fault"
	"github.com/gatehouse/gatehouse/internal/store"
)

func TestProblem(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		err    error
		status int
		detail string
	}{
		{"invalid field", fault.Invalidf("name", "must be 1-255 characters"), http.StatusBadRequest, "Invalid name: must be 1-255 characters."},
		{"invalid", fault.ErrInvalid, http.StatusBadRequest, "The request is invalid."},
		{"not found", fmt.Errorf("get: %w", store.ErrNotFound), http.StatusNotFound, "No such object in this realm."},
		{"exists", store.ErrAlreadyExists, http.StatusConflict, "An object with this unique name already exists."},
		{"domain conflict", &fault.ConflictError{Reason: "the API is still granted", Prefix: "identity"}, http.StatusConflict, "Conflict: the API is still granted."},
		{"store conflict", store.ErrConflict, http.StatusConflict, "The change conflicts with the current state."},
		{"unavailable", store.ErrUnavailable, http.StatusServiceUnavailable, "The service is temporarily unavailable; retry later."},
		{"deadline", context.DeadlineExceeded, http.StatusServiceUnavailable, "The service is temporarily unavailable; retry later."},
		{"other", errors.New("boom"), http.StatusInternalServerError, "Unexpected error."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			status, detail, _ := Problem(tc.err)
			if status != tc.status || detail != tc.detail {
				t.Errorf("Problem = %d %q, want %d %q", status, detail, tc.status, tc.detail)
			}
		})
	}
}
