package modeler

import (
	"errors"
	"fmt"
	"strings"

	"github.com/gatehouse/gatehouse/internal/store"
)

// Kind classifies a domain error; the HTTP layer maps it to a status.
type Kind uint8

const (
	// Invalid: the request is malformed or breaks a rule (400).
	Invalid Kind = iota + 1
	// NotFound: the object does not exist in the caller's organization (404).
	NotFound
	// Conflict: the object's state forbids the change (409).
	Conflict
)

// Documented detail texts (camunda-apis.md §4.4).
const (
	DetailNotFound         = "Resource not found."
	DetailRevisionConflict = "There was a revision conflict while processing your file."
)

// Error is a domain failure with the text the API sends.
type Error struct {
	Kind   Kind
	Detail string
}

func (e *Error) Error() string { return "modeler: " + e.Detail }

// FieldError is one failed constraint of a request field.
type FieldError struct {
	Field   string
	Message string
}

// ErrNotFound is the answer for every id that is missing or of another organization.
var ErrNotFound = &Error{Kind: NotFound, Detail: DetailNotFound}

// ErrRevisionConflict answers a file update with a stale revision.
var ErrRevisionConflict = &Error{Kind: Conflict, Detail: DetailRevisionConflict}

func conflict(detail string) *Error { return &Error{Kind: Conflict, Detail: detail} }
func invalid(detail string) *Error  { return &Error{Kind: Invalid, Detail: detail} }

// validation builds the 400 of failed field constraints, in Spring's wording:
// "Request validation failed with the following errors: [name: 'must not be blank']."
func validation(errs ...FieldError) *Error {
	parts := make([]string, len(errs))
	for i, e := range errs {
		parts[i] = fmt.Sprintf("%s: '%s'", e.Field, e.Message)
	}
	return invalid("Request validation failed with the following errors: [" + strings.Join(parts, ", ") + "].")
}

// fieldErrs collects constraint failures.
type fieldErrs []FieldError

func (f *fieldErrs) add(field, msg string) { *f = append(*f, FieldError{field, msg}) }

func (f fieldErrs) err() error {
	if len(f) == 0 {
		return nil
	}
	return validation(f...)
}

// notFound maps the store's not-found to the domain's; other errors pass.
func notFound(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return ErrNotFound
	}
	return err
}

// KindOf returns the Kind of err, or 0 when err is no *Error.
func KindOf(err error) (Kind, string) {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind, e.Detail
	}
	return 0, ""
}

// DetailMalformed answers a body that is not the JSON the operation expects.
const DetailMalformed = "Failed to read request: the body is not valid JSON of the expected shape."
