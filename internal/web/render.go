package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gatehouse/gatehouse/internal/audit"
	"github.com/gatehouse/gatehouse/internal/fault"
	"github.com/gatehouse/gatehouse/internal/store"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed assets
var assetFS embed.FS

// page is what every template sees.
type page struct {
	Title  string
	Nav    string // the active section
	User   *viewer
	Flash  string
	Error  string
	Detail string // what to do about Error
	Asset  string // cache-busting tag of the embedded assets
	Data   any
}

type pageTemplate struct{ t *template.Template }

var funcs = template.FuncMap{
	"time": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.UTC().Format("2006-01-02 15:04:05 UTC")
	},
	"date": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format("2006-01-02")
	},
	"iso":  func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"join": strings.Join,
	"inc":  func(i int) int { return i + 1 },
	// visible shows an untrusted value (audit actors, targets, details) with every
	// control, invisible or direction character as a literal \uXXXX escape, so
	// "\u202enimda" cannot pass for "admin" on the page.
	"visible": visible,
	// short abbreviates a long id for tables; the full id stays in a title or link.
	"short": func(s string) string {
		if r := []rune(s); len(r) > 12 {
			return string(r[:8]) + "…"
		}
		return s
	},
}

func visible(s string) string {
	if !strings.ContainsFunc(s, hidden) && utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if hidden(r) {
			fmt.Fprintf(&b, `\u%04x`, r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// hidden reports a rune that shows as nothing or changes how its neighbours show:
// controls, format characters (bidi controls, zero-width ones) and line separators.
func hidden(r rune) bool {
	return r == utf8.RuneError || unicode.IsControl(r) || unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp)
}

// loadTemplates parses every page with the layout, and tags the assets by content so
// browsers may cache them.
func loadTemplates() (map[string]*pageTemplate, string, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, "", err
	}
	out := map[string]*pageTemplate{}
	for _, n := range names {
		base := strings.TrimSuffix(path.Base(n), ".html")
		if base == "layout" || base == "partials" {
			continue
		}
		t, err := template.New(base).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/partials.html", n)
		if err != nil {
			return nil, "", fmt.Errorf("web: template %s: %w", base, err)
		}
		out[base] = &pageTemplate{t}
	}
	h := sha256.New()
	err = fs.WalkDir(assetFS, "assets", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := assetFS.ReadFile(p)
		h.Write([]byte(p))
		h.Write(b)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	return out, hex.EncodeToString(h.Sum(nil))[:12], nil
}

// render writes a page. Pages hold management data: nothing is cached.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name string, p *page) {
	t, ok := h.pages[name]
	if !ok {
		h.log.Error("console: no such template", "name", name)
		http.Error(w, "Unexpected error.", http.StatusInternalServerError)
		return
	}
	p.Asset = h.assetTag
	if p.User != nil && p.User.flash && p.Flash == "" && status < 300 {
		msg, err := h.sess.takeFlash(r.Context(), p.User.session)
		if err != nil {
			h.log.Warn("console: read notice", "err", err)
		}
		p.Flash = msg
	}
	var buf bytes.Buffer
	if err := t.t.ExecuteTemplate(&buf, "layout", p); err != nil {
		h.log.Error("console: render", "template", name, "err", err)
		http.Error(w, "Unexpected error.", http.StatusInternalServerError)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

type errorData struct{ Status int }

// renderError shows a full-page error that says what happened and what to do.
func (h *Handler) renderError(w http.ResponseWriter, r *http.Request, v *viewer, status int, msg, todo string) {
	h.render(w, r, status, "error", &page{Title: http.StatusText(status), User: v, Error: msg, Detail: todo,
		Data: errorData{status}})
}

// static serves the embedded CSS and JavaScript.
func (h *Handler) static(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/static/")
	if name == "" || strings.Contains(name, "..") || strings.Contains(name, "/") {
		h.notFound(w, r)
		return
	}
	b, err := assetFS.ReadFile("assets/" + name)
	if err != nil {
		h.notFound(w, r)
		return
	}
	ct := mime.TypeByExtension(path.Ext(name))
	if ct == "" {
		ct = "application/octet-stream"
	}
	w.Header().Set("Content-Type", ct)
	if r.URL.Query().Get("v") == h.assetTag {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "no-cache")
	}
	w.Write(b)
}

// redirect finishes a successful change: a notice for the next page, then 303 (POST,
// redirect, GET: a reload never repeats the change).
func (h *Handler) redirect(w http.ResponseWriter, r *http.Request, v *viewer, to, notice string) {
	if notice != "" {
		if err := h.sess.setFlash(r.Context(), v.session, notice); err != nil {
			h.log.Warn("console: keep notice", "err", err) // the change is done; only the notice is lost
		}
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// writeAudit stores an event; the change is decided, so the write does not depend on
// the browser staying.
func (h *Handler) writeAudit(ctx context.Context, ev store.AuditEvent) {
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if len(ev.Detail) == 0 {
		ev.Detail = nil
	}
	if err := h.o.Audit.Write(actx, ev); err != nil {
		h.log.Error("console: audit event not written", "action", ev.Action, "target", ev.Target, "outcome", ev.Outcome, "err", err)
	}
}

// event starts the audit record of a change made by v whose rules still live in this
// package. Actions, targets and details are those of the management API; the actor is
// the username and "via" says "console".
func (h *Handler) event(v *viewer, action, target string) *store.AuditEvent {
	return &store.AuditEvent{Realm: h.o.Realm, Actor: v.Username, Action: action, Target: target,
		Detail: map[string]string{}}
}

// finish records how a change ended, through the one trail: exactly one event per
// change, success or failure.
func (h *Handler) finish(r *http.Request, ev *store.AuditEvent, err error) {
	a := audit.Actor{Kind: audit.KindUser, ID: ev.Actor, IP: h.o.ClientIP.IP(r), Source: audit.SourceConsole}
	h.trail.Record(r.Context(), a, audit.Change{Realm: ev.Realm, Action: ev.Action, Target: ev.Target, Detail: ev.Detail}, err)
}

// actor is who makes a change through the console: the signed-in person.
func (h *Handler) actor(r *http.Request, v *viewer) audit.Actor {
	return audit.Actor{Kind: audit.KindUser, ID: v.Username, IP: h.o.ClientIP.IP(r), Source: audit.SourceConsole}
}

// refused records a change refused before it reached the domain (a form that did not
// parse), as the domain would have.
func (h *Handler) refused(r *http.Request, v *viewer, action, target string, detail map[string]string, err error) {
	h.trail.Record(r.Context(), h.actor(r, v), audit.Change{Realm: h.o.Realm, Action: action, Target: target, Detail: detail}, err)
}

// formError is a problem with what the user typed; its text is fixed and safe to show.
type formError struct{ msg string }

func (e *formError) Error() string { return e.msg }

// Is makes a form error an invalid input for the audit trail.
func (e *formError) Is(target error) bool { return target == fault.ErrInvalid }

func invalidForm(msg string) error { return &formError{msg} }

// classify maps an error to a status, a message for people and the audit reason,
// logging what the user cannot act on.
func (h *Handler) classify(err error) (status int, msg, reason string) {
	var fe *formError
	if errors.As(err, &fe) {
		return http.StatusBadRequest, fe.msg, "invalid"
	}
	status, msg, kind := pageError(err)
	fault.Log(h.log, "console", kind, err)
	return status, msg, kind.Reason()
}

// pageError is the console's one mapping of a domain error kind to a status and a
// message for people.
func pageError(err error) (status int, msg string, kind fault.Kind) {
	kind = fault.KindOf(err)
	var ie *fault.InvalidError
	var ce *fault.ConflictError
	switch kind {
	case fault.Invalid:
		if errors.As(err, &ie) {
			return http.StatusBadRequest, "Check the " + fieldName(ie.Field) + ": it " + ie.Rule + ".", kind
		}
		return http.StatusBadRequest, "Check the form: something in it is not valid.", kind
	case fault.NotFound:
		return http.StatusNotFound, "It no longer exists; someone may have deleted it.", kind
	case fault.AlreadyExists:
		return http.StatusConflict, "That name is taken; choose another.", kind
	case fault.Conflict:
		if errors.As(err, &ce) {
			return http.StatusConflict, upperFirst(ce.Reason) + ".", kind
		}
		return http.StatusConflict, "The change conflicts with the current state; reload the page and try again.", kind
	case fault.Unavailable:
		return http.StatusServiceUnavailable, "The database is unavailable right now; try again in a few seconds.", kind
	}
	return http.StatusInternalServerError, "Something went wrong on the server; the server log has the details.", kind
}

func fieldName(f string) string {
	switch f {
	case "permissions.definition":
		return "permission"
	case "permissions.description":
		return "description"
	case "firstName":
		return "first name"
	case "lastName":
		return "last name"
	}
	return f
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// fail shows a full-page error for err (used where there is no form to show again).
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, v *viewer, err error) {
	status, msg, _ := h.classify(err)
	todo := "Go back and try again."
	switch status {
	case http.StatusNotFound:
		todo = "Go back to the list; it shows what exists now."
	case http.StatusServiceUnavailable:
		w.Header().Set("Retry-After", "5")
		todo = "Reload the page in a few seconds."
	}
	h.renderError(w, r, v, status, msg, todo)
}
