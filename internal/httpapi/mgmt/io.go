package mgmt

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/audit"
	"github.com/gatehouse/gatehouse/internal/bearer"
	"github.com/gatehouse/gatehouse/internal/cluster"
	"github.com/gatehouse/gatehouse/internal/fault"
	"github.com/gatehouse/gatehouse/internal/identity"
	"github.com/gatehouse/gatehouse/internal/problem"
	"github.com/gatehouse/gatehouse/internal/store"
)

// MaxBody bounds a request body.
const MaxBody = 1 << 20

// retryAfter is what 503 answers advise.
const retryAfter = 5 * time.Second

// httpError is an answer decided by the HTTP layer; detail is a fixed text.
type httpError struct {
	status int
	detail string
}

func (e *httpError) Error() string { return e.detail }

// Is gives the audit trail the kind of an answer the HTTP layer decided.
func (e *httpError) Is(target error) bool {
	if e.status == http.StatusConflict {
		return target == fault.ErrConflict
	}
	return target == fault.ErrInvalid
}

func badRequest(detail string) error { return &httpError{http.StatusBadRequest, detail} }

// decode reads a JSON request body into v: content type JSON, at most MaxBody bytes,
// one value, no unknown members (checklist D7: mass assignment is refused, not
// ignored). optional allows an empty body (v keeps its zero value).
func decode(w http.ResponseWriter, r *http.Request, v any, optional bool) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return &httpError{http.StatusRequestEntityTooLarge, "The request body is larger than 1 MiB."}
	}
	if err != nil {
		return badRequest("The request body could not be read.")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		if optional {
			return nil
		}
		return badRequest("A JSON request body is required.")
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return &httpError{http.StatusUnsupportedMediaType, "The request body must be application/json."}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return badRequest(decodeDetail(err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return badRequest("The request body must hold exactly one JSON value.")
	}
	return nil
}

// decodeDetail describes a JSON error without quoting the input: a type error names
// one of our own fields; an unknown member is not named (it is caller-chosen text).
func decodeDetail(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return "The member " + strconv.Quote(te.Field) + " has the wrong type."
	}
	if strings.HasPrefix(err.Error(), "json: unknown field ") {
		return "The request body has a member this operation does not accept."
	}
	return "The request body is not valid JSON of the expected shape."
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}

// writeJSON sends v with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		problem.WriteDetails(w, problem.New(http.StatusInternalServerError, "Unexpected error.", ""))
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(b)
}

// writeProblem sends an RFC 9457 problem; 503 carries Retry-After.
func writeProblem(w http.ResponseWriter, r *http.Request, status int, detail string) {
	if status == http.StatusServiceUnavailable {
		problem.Unavailable(w, r, retryAfter)
		return
	}
	problem.Write(w, r, status, detail)
}

// classify maps an error to a status, a safe detail and the audit reason, logging
// what the caller cannot act on.
func (a *Handler) classify(r *http.Request, err error) (status int, detail, reason string) {
	var he *httpError
	if errors.As(err, &he) {
		if he.status == http.StatusConflict {
			return he.status, he.detail, "conflict"
		}
		return he.status, he.detail, "invalid"
	}
	// Two domain refusals keep the wording this API has always sent.
	// ErrSelf is compared by identity: every ConflictError matches errors.Is on kind.
	var ce *fault.ConflictError
	switch {
	case errors.As(err, &ce) && error(ce) == identity.ErrSelf:
		return http.StatusConflict, "An application cannot disable or delete itself.", "conflict"
	case errors.Is(err, cluster.ErrDeclared):
		return http.StatusConflict, "The cluster is declared in configuration; change it there.", "conflict"
	}
	status, detail, kind := Problem(err)
	fault.Log(a.log, "management API", kind, err, "method", r.Method, "path", r.URL.Path)
	return status, detail, kind.Reason()
}

// Problem is the management API's one mapping of a domain error kind to an RFC 9457
// status and detail. The detail is a fixed text or a domain rule, never the cause.
func Problem(err error) (status int, detail string, kind fault.Kind) {
	kind = fault.KindOf(err)
	var ie *fault.InvalidError
	var ce *fault.ConflictError
	switch kind {
	case fault.Invalid:
		if errors.As(err, &ie) {
			return http.StatusBadRequest, "Invalid " + ie.Error() + ".", kind
		}
		return http.StatusBadRequest, "The request is invalid.", kind
	case fault.NotFound:
		return http.StatusNotFound, "No such object in this realm.", kind
	case fault.AlreadyExists:
		return http.StatusConflict, "An object with this unique name already exists.", kind
	case fault.Conflict:
		if errors.As(err, &ce) {
			return http.StatusConflict, "Conflict: " + ce.Reason + ".", kind
		}
		return http.StatusConflict, "The change conflicts with the current state.", kind
	case fault.Unavailable:
		return http.StatusServiceUnavailable, "The service is temporarily unavailable; retry later.", kind
	}
	return http.StatusInternalServerError, "Unexpected error.", kind
}

func (a *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	status, detail, _ := a.classify(r, err)
	writeProblem(w, r, status, detail)
}

// actor is who makes a change through this API: the application of the request's token.
func (a *Handler) actor(r *http.Request) audit.Actor {
	return audit.Actor{Kind: audit.KindClient, ID: actor(r), Source: audit.SourceAPI}
}

// refused answers a change the HTTP layer refused before reaching the domain (a body
// that did not parse), writing its one audit event as the domain would have.
func (a *Handler) refused(w http.ResponseWriter, r *http.Request, action, target string, err error) {
	a.trail.Record(r.Context(), a.actor(r), audit.Change{Realm: r.PathValue("realm"), Action: action, Target: target}, err)
	a.fail(w, r, err)
}

// actor is the client id of the request's token.
func actor(r *http.Request) string {
	if c, ok := bearer.ClaimsFrom(r.Context()); ok {
		return c.ClientID
	}
	return ""
}

// event is the audit record of one change; handlers fill Target and Detail.
type event = store.AuditEvent

// change runs one state-changing operation whose rules still live in this package and
// writes exactly one audit event for it through the trail, whatever its outcome: who
// (the token's client id), what, which object, and how it ended. do returns the status
// and body of a success; details must never hold secrets.
func (a *Handler) change(w http.ResponseWriter, r *http.Request, action, target string, do func(ev *event) (int, any, error)) {
	ev := event{Realm: r.PathValue("realm"), Action: action, Target: target, Detail: map[string]string{}}
	status, body, err := do(&ev)
	a.trail.Record(r.Context(), a.actor(r), audit.Change{Realm: ev.Realm, Action: ev.Action, Target: ev.Target, Detail: ev.Detail}, err)
	switch {
	case err != nil:
		a.fail(w, r, err)
	case body == nil:
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(status)
	default:
		writeJSON(w, status, body)
	}
}

// page reads offset, limit and q.
func page(r *http.Request) (store.ListOptions, error) {
	q := r.URL.Query()
	opt := store.ListOptions{Limit: DefaultLimit}
	if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 1_000_000_000 {
			return opt, badRequest("offset must be an integer from 0.")
		}
		opt.Offset = n
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxLimit {
			return opt, badRequest("limit must be an integer from 1 to 500.")
		}
		opt.Limit = n
	}
	opt.Query = q.Get("q")
	if len(opt.Query) > identity.MaxNameLen {
		return opt, badRequest("q must be at most 255 characters.")
	}
	return opt, nil
}

// Paging limits of list operations.
const (
	DefaultLimit = 50
	MaxLimit     = 500
)

// window pages a list held in memory (APIs and clusters are few), filtering by name.
func window[T any](all []T, opt store.ListOptions, name func(T) string) List[T] {
	var kept []T
	for _, x := range all {
		if opt.Query == "" || containsFold(name(x), opt.Query) {
			kept = append(kept, x)
		}
	}
	out := List[T]{Items: []T{}, Total: len(kept), Offset: opt.Offset, Limit: opt.Limit}
	if opt.Offset < len(kept) {
		out.Items = append(out.Items, kept[opt.Offset:min(len(kept), opt.Offset+opt.Limit)]...)
	}
	return out
}
