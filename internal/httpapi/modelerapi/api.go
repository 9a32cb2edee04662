// Package modelerapi serves the Web Modeler API v1 (camunda-apis.md §4) under
// /api/v1: parsing and limiting request bodies, checking the token's permission
// for each operation, calling internal/modeler, and writing DTOs or RFC 9457
// ProblemDetail bodies with the documented detail texts. Authentication happens in
// front of it (internal/bearer puts verified claims in the request context); the
// OpenAPI document it serves and is tested against is embedded.
//
// Authorization: POST → create:*, GET → read:*, PATCH and PUT → update:*,
// DELETE → delete:*, and every …/search (a POST) → read:*, looked up in the
// token's permissions under the Web Modeler API's audience. /info needs a valid
// token only. createdBy/updatedBy record the calling application as
// {name: <client id>, email: ""}.
package modelerapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/gatehouse/gatehouse/internal/accesstoken"
	"github.com/gatehouse/gatehouse/internal/bearer"
	"github.com/gatehouse/gatehouse/internal/fault"
	"github.com/gatehouse/gatehouse/internal/modeler"
	"github.com/gatehouse/gatehouse/internal/problem"
	"github.com/gatehouse/gatehouse/internal/store"
)

// Permission definitions of the Web Modeler API.
const (
	PermCreate = "create:*"
	PermRead   = "read:*"
	PermUpdate = "update:*"
	PermDelete = "delete:*"
)

// DefaultAudience is the Web Modeler API's own audience: the key of its
// permissions in tokens.
const DefaultAudience = "web-modeler-public-api"

// DefaultMaxBody bounds request bodies (10 MiB).
const DefaultMaxBody = 10 << 20

// Documented detail texts (camunda-apis.md §4.4).
const (
	detailForbidden = "Operation not allowed."
	detailInternal  = "Unexpected error while processing request."
	detailTooLarge  = "The request body is larger than the limit of %d bytes."
	detailNoToken   = "Full authentication is required to access this resource."
)

// Config wires a Handler.
type Config struct {
	Service *modeler.Service
	// Org returns the organization the token's data is scoped to (authorizedOrganization).
	Org func(ctx context.Context, c *accesstoken.Claims) (string, error)
	// Audience keys the token's permissions (DefaultAudience when empty).
	Audience string
	// MaxBody bounds request bodies in bytes (DefaultMaxBody when 0).
	MaxBody int64
	// PublicURL is the base of the comparison links (e.g. http://localhost:8070).
	PublicURL string
	// Forbid answers a missing permission; nil writes 403 with
	// WWW-Authenticate: Bearer error="insufficient_scope" and a ProblemDetail.
	Forbid func(w http.ResponseWriter, r *http.Request, scope string)
	Log    *slog.Logger
}

// Handler serves /api/v1.
type Handler struct {
	cfg Config
	mux *http.ServeMux
}

// New returns the handler of every Web Modeler API v1 operation.
func New(cfg Config) *Handler {
	if cfg.Audience == "" {
		cfg.Audience = DefaultAudience
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	h := &Handler{cfg: cfg, mux: http.NewServeMux()}
	h.routes()
	return h
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// op is one operation: it returns an error for the central mapping.
type op func(w http.ResponseWriter, r *http.Request, a modeler.Actor) error

// handle registers pattern, requiring perm ("" = any valid token).
func (h *Handler) handle(pattern, perm string, fn op) {
	h.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		c, ok := bearer.ClaimsFrom(r.Context())
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="web-modeler"`)
			problem.Write(w, r, http.StatusUnauthorized, detailNoToken)
			return
		}
		if perm != "" && !c.Has(h.cfg.Audience, perm) {
			h.forbid(w, r, perm)
			return
		}
		org, err := h.cfg.Org(r.Context(), c)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		if err := fn(w, r, modeler.Actor{Org: org, User: caller(c)}); err != nil {
			h.fail(w, r, err)
		}
	})
}

// caller names the calling application as Web Modeler shows users.
func caller(c *accesstoken.Claims) store.ModelerUser {
	for _, n := range []string{c.ClientID, c.AuthorizedParty, c.Subject} {
		if n != "" {
			return store.ModelerUser{Name: n}
		}
	}
	return store.ModelerUser{}
}

func (h *Handler) forbid(w http.ResponseWriter, r *http.Request, scope string) {
	if h.cfg.Forbid != nil {
		h.cfg.Forbid(w, r, scope)
		return
	}
	w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm="web-modeler", error="insufficient_scope", scope=%q`, scope))
	problem.Write(w, r, http.StatusForbidden, detailForbidden)
}

// errTooLarge marks a body over the limit.
var errTooLarge = errors.New("modelerapi: body too large")

// errMediaType marks a body that is not declared application/json.
var errMediaType = errors.New("modelerapi: unsupported media type")

// fail maps err to a ProblemDetail; causes are logged, never sent.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	status, detail, _ := problemOf(err, h.cfg.MaxBody)
	switch {
	case status == http.StatusServiceUnavailable:
		h.cfg.Log.Warn("modeler api: store unavailable", "path", r.URL.Path, "err", err)
		problem.Unavailable(w, r, 5*time.Second)
		return
	case status == http.StatusInternalServerError:
		h.cfg.Log.Error("modeler api: request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	problem.Write(w, r, status, detail)
}

// problemOf is the Web Modeler API's one mapping of an error to a ProblemDetail status
// and detail (camunda-apis.md §4.4). A domain error carries its documented detail; a
// store conflict that no domain rule explained is the server's fault (500).
func problemOf(err error, maxBody int64) (status int, detail string, kind fault.Kind) {
	kind = fault.KindOf(err)
	if k, d := modeler.KindOf(err); k != 0 {
		return map[modeler.Kind]int{modeler.Invalid: 400, modeler.NotFound: 404, modeler.Conflict: 409}[k], d, kind
	}
	switch {
	case errors.Is(err, errMediaType):
		return http.StatusUnsupportedMediaType, "Content-Type must be application/json.", kind
	case errors.Is(err, errTooLarge):
		return http.StatusRequestEntityTooLarge, fmt.Sprintf(detailTooLarge, maxBody), kind
	case errors.Is(err, store.ErrInvalidQuery):
		return http.StatusBadRequest, "Request validation failed with the following errors: [filter: 'invalid'].", kind
	case kind == fault.NotFound:
		return http.StatusNotFound, modeler.DetailNotFound, kind
	case kind == fault.Unavailable:
		return http.StatusServiceUnavailable, "The service is temporarily unavailable; retry later.", kind
	}
	return http.StatusInternalServerError, detailInternal, kind
}

// readBody returns the JSON request body, refusing one over the limit before reading
// it (Content-Length) or as soon as it passes the limit (chunked or lying). Every body
// of this API is JSON: a non-empty one must be declared application/json (a charset
// parameter is fine). text/plain is what a cross-site form can send without a CORS
// preflight, so anything else is refused with 415.
func (h *Handler) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if r.ContentLength > h.cfg.MaxBody {
		return nil, errTooLarge
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.cfg.MaxBody))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, errTooLarge
	}
	if err != nil {
		return nil, err
	}
	if mt, _, perr := mime.ParseMediaType(r.Header.Get("Content-Type")); len(b) > 0 && (perr != nil || mt != "application/json") {
		return nil, errMediaType
	}
	return b, nil
}

// decode reads a JSON body into dst: exactly one JSON value; unknown fields are
// ignored as Web Modeler does.
func (h *Handler) decode(w http.ResponseWriter, r *http.Request, dst any) error {
	b, err := h.readBody(w, r)
	if err != nil {
		return err
	}
	d := json.NewDecoder(bytes.NewReader(b))
	if err := d.Decode(dst); err != nil {
		return &modeler.Error{Kind: modeler.Invalid, Detail: modeler.DetailMalformed}
	}
	if _, err := d.Token(); err != io.EOF {
		return &modeler.Error{Kind: modeler.Invalid, Detail: modeler.DetailMalformed}
	}
	return nil
}

func writeJSON(w http.ResponseWriter, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(b)
	if err != nil {
		return nil // the client went away; nothing left to answer
	}
	return nil
}

func noContent(w http.ResponseWriter) error {
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// nullable is an optional JSON string that tells an explicit null from absence.
type nullable struct {
	set, null bool
	v         string
}

func (n *nullable) UnmarshalJSON(b []byte) error {
	n.set = true
	if string(b) == "null" {
		n.null = true
		return nil
	}
	return json.Unmarshal(b, &n.v)
}

func (n nullable) ptr() *string {
	if !n.set || n.null {
		return nil
	}
	return &n.v
}
