package store

import "errors"

// Sentinel errors. Backends wrap driver errors so that callers can map them to wire
// answers without knowing the database: ErrUnavailable becomes 503 + Retry-After,
// never 401, 200 or 500.
var (
	// ErrNotFound: no such object in this realm (or organization).
	ErrNotFound = errors.New("store: not found")
	// ErrAlreadyExists: a unique key (id, client id, audience, username, …) is taken.
	ErrAlreadyExists = errors.New("store: already exists")
	// ErrConflict: a precondition failed, e.g. deleting an API that is still granted,
	// or an optimistic-lock revision mismatch.
	ErrConflict = errors.New("store: conflict")
	// ErrUnavailable: the database cannot serve the request now (unreachable, busy,
	// disk full, read-only). Retrying later may succeed.
	ErrUnavailable = errors.New("store: unavailable")
)
