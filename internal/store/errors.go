package store

import (
	"fmt"

	"github.com/gatehouse/gatehouse/internal/fault"
)

// Sentinel errors. Backends wrap driver errors so that callers can map them to wire
// answers without knowing the database: ErrUnavailable becomes 503 + Retry-After,
// never 401, 200 or 500. Each wraps the shared error kind of package fault, so a domain
// error and a store error of one kind map to the same answer.
var (
	// ErrNotFound: no such object in this realm (or organization).
	ErrNotFound = fmt.Errorf("store: %w", fault.ErrNotFound)
	// ErrAlreadyExists: a unique key (id, client id, audience, username, …) is taken.
	ErrAlreadyExists = fmt.Errorf("store: %w", fault.ErrAlreadyExists)
	// ErrConflict: a precondition failed, e.g. deleting an API that is still granted,
	// or an optimistic-lock revision mismatch.
	ErrConflict = fmt.Errorf("store: %w", fault.ErrConflict)
	// ErrUnavailable: the database cannot serve the request now (unreachable, busy,
	// disk full, read-only). Retrying later may succeed.
	ErrUnavailable = fmt.Errorf("store: %w", fault.ErrUnavailable)
)
