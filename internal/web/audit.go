package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/audit"
	"github.com/gatehouse/gatehouse/internal/store"
)

// auditPageSize is how many events one audit page shows.
const auditPageSize = 100

type auditData struct {
	Action, Actor, Target, Outcome, Since, Until string
	TokenIssue                                   bool // show token.issue events (hidden unless asked)
	Events                                       []auditRow
	Older                                        string // link to the next (older) page
	Newest                                       string // link back to the newest page, when paging
	Actions                                      []string
	FilterErr                                    string
}

type auditRow struct {
	store.AuditEvent
	Details []kv
}

type kv struct{ K, V string }

// auditActions are offered in the action filter; any other value still works when typed
// in the URL (exact match, or a prefix ending in ".").
var auditActions = []string{"app.", audit.ActionAppCreate, audit.ActionAppUpdate, audit.ActionAppDelete,
	audit.ActionAppRotateSecret, audit.ActionAppPermissionsAdd, audit.ActionAppPermissionsRemove, "api.", "user.",
	"key.", audit.ActionKeyRotate, "cluster.", "console.", audit.ActionConsoleSignIn, "token.", audit.ActionTokenIssue,
	audit.ActionTokenDeny}

func (h *Handler) auditList(w http.ResponseWriter, r *http.Request, v *viewer) {
	q := r.URL.Query()
	d := auditData{Action: q.Get("action"), Actor: strings.TrimSpace(q.Get("actor")), Target: strings.TrimSpace(q.Get("target")),
		Outcome: q.Get("outcome"), Since: q.Get("since"), Until: q.Get("until"), Actions: auditActions,
		TokenIssue: q.Get("token_issue") == "1"}
	aq := store.AuditQuery{Realm: h.o.Realm, Action: d.Action, Actor: d.Actor, Target: d.Target, Limit: auditPageSize,
		Exclude: audit.Excluded(d.Action, d.TokenIssue)}
	switch {
	case len(d.Action) > 128 || len(d.Actor) > 255 || len(d.Target) > 255:
		d.FilterErr = "Filters are at most 128 (action) and 255 (actor, target) characters; shorten them."
	case d.Outcome != "" && d.Outcome != "success" && d.Outcome != "failure":
		d.FilterErr = "Outcome is success or failure."
	}
	aq.Outcome = d.Outcome
	for _, t := range []struct {
		v   string
		dst *time.Time
		end bool
	}{{d.Since, &aq.Since, false}, {d.Until, &aq.Until, true}} {
		if t.v == "" {
			continue
		}
		ts, err := time.Parse("2006-01-02", t.v)
		if err != nil {
			d.FilterErr = "Dates are of the form 2026-01-31."
			continue
		}
		if t.end {
			ts = ts.Add(24 * time.Hour) // the whole "until" day
		}
		*t.dst = ts
	}
	if b := q.Get("before"); b != "" {
		n, err := strconv.ParseInt(b, 10, 64)
		if err == nil && n > 0 {
			aq.BeforeID = n
		}
	}
	if d.FilterErr == "" {
		evs, err := h.o.Store.ListAudit(r.Context(), aq)
		if err != nil {
			h.fail(w, r, v, err)
			return
		}
		for _, e := range evs {
			row := auditRow{AuditEvent: e}
			keys := make([]string, 0, len(e.Detail))
			for k := range e.Detail {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for _, k := range keys {
				row.Details = append(row.Details, kv{k, e.Detail[k]})
			}
			d.Events = append(d.Events, row)
		}
		filters := url.Values{}
		for k, val := range map[string]string{"action": d.Action, "actor": d.Actor, "target": d.Target, "outcome": d.Outcome,
			"since": d.Since, "until": d.Until} {
			if val != "" {
				filters.Set(k, val)
			}
		}
		if d.TokenIssue {
			filters.Set("token_issue", "1")
		}
		if len(evs) == auditPageSize {
			older := url.Values{}
			for k, vs := range filters {
				older[k] = vs
			}
			older.Set("before", strconv.FormatInt(evs[len(evs)-1].ID, 10))
			d.Older = "/audit?" + older.Encode()
		}
		if aq.BeforeID > 0 {
			d.Newest = "/audit?" + filters.Encode()
		}
	}
	status := http.StatusOK
	if d.FilterErr != "" {
		status = http.StatusBadRequest
	}
	h.render(w, r, status, "audit", &page{Title: "Audit log", Nav: "audit", User: v, Data: d})
}
