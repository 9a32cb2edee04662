package fault_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/gatehouse/gatehouse/internal/fault"
	"github.com/gatehouse/gatehouse/internal/store"
)

func TestKindOf(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		err    error
		kind   fault.Kind
		reason string
	}{
		{"nil", nil, fault.Unknown, "error"},
		{"other", errors.New("boom"), fault.Unknown, "error"},
		{"invalid field", fault.Invalidf("name", "must be short"), fault.Invalid, "invalid"},
		{"invalid wrapped", fmt.Errorf("x: %w", fault.ErrInvalid), fault.Invalid, "invalid"},
		{"store not found", fmt.Errorf("get: %w", store.ErrNotFound), fault.NotFound, "not_found"},
		{"store exists", store.ErrAlreadyExists, fault.AlreadyExists, "conflict"},
		{"domain conflict", &fault.ConflictError{Reason: "in use"}, fault.Conflict, "conflict"},
		{"store conflict", store.ErrConflict, fault.Conflict, "conflict"},
		{"store unavailable", fmt.Errorf("q: %w", store.ErrUnavailable), fault.Unavailable, "unavailable"},
		{"deadline", fmt.Errorf("q: %w", context.DeadlineExceeded), fault.Unavailable, "unavailable"},
		{"canceled", context.Canceled, fault.Unknown, "error"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := fault.KindOf(tc.err); got != tc.kind {
				t.Errorf("KindOf = %v, want %v", got, tc.kind)
			}
			if got := fault.Reason(tc.err); got != tc.reason {
				t.Errorf("Reason = %q, want %q", got, tc.reason)
			}
		})
	}
}

func TestConflictMatchesStore(t *testing.T) {
	t.Parallel()
	err := &fault.ConflictError{Reason: "declared in configuration", Prefix: "identity"}
	if !errors.Is(err, store.ErrConflict) {
		t.Error("a domain conflict does not match store.ErrConflict")
	}
	if got, want := err.Error(), "identity: declared in configuration"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}
