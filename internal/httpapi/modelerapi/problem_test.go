package modelerapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/gatehouse/gatehouse/internal/modeler"
	"github.com/gatehouse/gatehouse/internal/store"
)

func TestProblemOf(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		err    error
		status int
		detail string
	}{
		{"domain not found", modeler.ErrNotFound, http.StatusNotFound, modeler.DetailNotFound},
		{"revision conflict", fmt.Errorf("update: %w", modeler.ErrRevisionConflict), http.StatusConflict, modeler.DetailRevisionConflict},
		{"store not found", store.ErrNotFound, http.StatusNotFound, modeler.DetailNotFound},
		{"too large", errTooLarge, http.StatusRequestEntityTooLarge, "The request body is larger than the limit of 100 bytes."},
		{"bad query", store.ErrInvalidQuery, http.StatusBadRequest, "Request validation failed with the following errors: [filter: 'invalid']."},
		{"unavailable", store.ErrUnavailable, http.StatusServiceUnavailable, "The service is temporarily unavailable; retry later."},
		{"deadline", fmt.Errorf("q: %w", context.DeadlineExceeded), http.StatusServiceUnavailable, "The service is temporarily unavailable; retry later."},
		{"store conflict", store.ErrConflict, http.StatusInternalServerError, detailInternal},
		{"other", errors.New("boom"), http.StatusInternalServerError, detailInternal},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			status, detail, _ := problemOf(tc.err, 100)
			if status != tc.status || detail != tc.detail {
				t.Errorf("problemOf = %d %q, want %d %q", status, detail, tc.status, tc.detail)
			}
		})
	}
}
