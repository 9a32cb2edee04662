package mgmt

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gatehouse/gatehouse/internal/audit"
	"github.com/gatehouse/gatehouse/internal/store"
)

func auditQuery(r *http.Request) (store.AuditQuery, error) {
	q := r.URL.Query()
	aq := store.AuditQuery{Realm: r.PathValue("realm"), Limit: DefaultLimit, Action: q.Get("action"), Actor: q.Get("actor"),
		Target: q.Get("target"), Outcome: q.Get("outcome")}
	if len(aq.Action) > 128 || len(aq.Actor) > 255 || len(aq.Target) > 255 {
		return aq, badRequest("action, actor and target are at most 128, 255 and 255 characters.")
	}
	// The API lists token.issue events unless include_token_issue=false asks to hide
	// them (the CLI does by default).
	include := true
	if v := q.Get("include_token_issue"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return aq, badRequest("include_token_issue must be true or false.")
		}
		include = b
	}
	aq.Exclude = audit.Excluded(aq.Action, include)
	switch aq.Outcome {
	case "", "success", "failure":
	default:
		return aq, badRequest("outcome must be success or failure.")
	}
	if v := q.Get("before"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			return aq, badRequest("before must be a positive event id.")
		}
		aq.BeforeID = n
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxLimit {
			return aq, badRequest("limit must be an integer from 1 to 500.")
		}
		aq.Limit = n
	}
	for _, t := range []struct {
		name string
		dst  *time.Time
	}{{"since", &aq.Since}, {"until", &aq.Until}} {
		if v := q.Get(t.name); v != "" {
			ts, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return aq, badRequest(t.name + " must be an RFC 3339 time, e.g. 2026-01-02T15:04:05Z.")
			}
			*t.dst = ts
		}
	}
	return aq, nil
}

// listAudit pages the trail backwards by event id, filtered by action (exact, or a
// prefix ending in "."), actor, target, outcome, a time window [since, until) and, with
// include_token_issue=false, without token.issue events.
func (a *Handler) listAudit(w http.ResponseWriter, r *http.Request) {
	aq, err := auditQuery(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	evs, err := a.store.ListAudit(r.Context(), aq)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := AuditPage{Items: make([]AuditEvent, len(evs))}
	for i, e := range evs {
		out.Items[i] = AuditEvent{ID: e.ID, Time: e.Time, Actor: e.Actor, Action: e.Action, Target: e.Target,
			Outcome: e.Outcome, Detail: e.Detail}
		if out.Items[i].Detail == nil {
			out.Items[i].Detail = map[string]string{}
		}
	}
	if len(evs) == aq.Limit {
		out.NextBefore = evs[len(evs)-1].ID
	}
	writeJSON(w, http.StatusOK, out)
}
