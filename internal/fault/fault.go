// Package fault holds the error kinds every domain package (identity, cluster,
// modeler) and the store share: Invalid, NotFound, AlreadyExists, Conflict and
// Unavailable. A domain error says which kind it is through errors.Is against the
// sentinels below; each wire format (management API problem+json, console pages, Web
// Modeler API ProblemDetail) maps a kind to a status with one function of its own, so
// a new kind or a new rule is decided once here and never re-derived per surface.
package fault

import (
	"context"
	"errors"
)

// Sentinels of the kinds. The store's sentinels wrap them ("store: not found").
var (
	// ErrInvalid: input breaks a rule (400).
	ErrInvalid = errors.New("invalid input")
	// ErrNotFound: no such object in this realm or organization (404).
	ErrNotFound = errors.New("not found")
	// ErrAlreadyExists: a unique key (id, client id, audience, username, …) is taken (409).
	ErrAlreadyExists = errors.New("already exists")
	// ErrConflict: the current state refuses the change (409).
	ErrConflict = errors.New("conflict")
	// ErrUnavailable: the database or a dependency cannot serve now; retrying later may
	// succeed (503 + Retry-After, never 401, 200 or 500).
	ErrUnavailable = errors.New("unavailable")
)

// Kind classifies an error for the wire mappers and the audit trail.
type Kind uint8

// The kinds, from most to least specific as KindOf tests them.
const (
	Unknown Kind = iota // anything else: 500, logged
	Invalid
	NotFound
	AlreadyExists
	Conflict
	Unavailable
)

// InvalidError says which field broke which rule. Its text names the field and the
// rule, never the input, so it is safe to show.
type InvalidError struct{ Field, Rule string }

func (e *InvalidError) Error() string        { return e.Field + ": " + e.Rule }
func (e *InvalidError) Is(target error) bool { return sameKind(target, ErrInvalid) }

// Invalidf returns an *InvalidError.
func Invalidf(field, rule string) error { return &InvalidError{Field: field, Rule: rule} }

// ConflictError is a domain rule that refuses a change in the current state. Reason is
// a fixed text, safe to show.
type ConflictError struct {
	Reason string
	Prefix string // "identity", "cluster": the package that refused (error text only)
}

func (e *ConflictError) Error() string {
	if e.Prefix == "" {
		return e.Reason
	}
	return e.Prefix + ": " + e.Reason
}
func (e *ConflictError) Is(target error) bool { return sameKind(target, ErrConflict) }

// sameKind reports whether target is the sentinel of kind, or a sentinel wrapping it
// (the store's), so a domain error matches errors.Is(err, store.ErrConflict) too.
func sameKind(target, kind error) bool {
	return target == kind || errors.Is(target, kind)
}

// KindOf classifies err. A context deadline counts as Unavailable: the store did not
// answer in time, and a retry may succeed.
func KindOf(err error) Kind {
	switch {
	case err == nil:
		return Unknown
	case errors.Is(err, ErrInvalid):
		return Invalid
	case errors.Is(err, ErrNotFound):
		return NotFound
	case errors.Is(err, ErrAlreadyExists):
		return AlreadyExists
	case errors.Is(err, ErrConflict):
		return Conflict
	case errors.Is(err, ErrUnavailable), errors.Is(err, context.DeadlineExceeded):
		return Unavailable
	}
	return Unknown
}

// Reason is the audit trail's failure reason of a kind (detail "reason").
func (k Kind) Reason() string {
	switch k {
	case Invalid:
		return "invalid"
	case NotFound:
		return "not_found"
	case AlreadyExists, Conflict:
		return "conflict"
	case Unavailable:
		return "unavailable"
	}
	return "error"
}

// Reason is KindOf(err).Reason().
func Reason(err error) string { return KindOf(err).Reason() }
