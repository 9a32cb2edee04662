package client

import (
	"context"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Key is a signing key of the realm, without key material.
type Key struct {
	KID          string    `json:"kid"`
	Alg          string    `json:"alg"`   // RS256, ES256 or EdDSA
	State        string    `json:"state"` // next, active, retired or revoked
	CreatedAt    time.Time `json:"createdAt"`
	ActivatedAt  time.Time `json:"activatedAt,omitzero"`
	RetiredAt    time.Time `json:"retiredAt,omitzero"`
	PublishUntil time.Time `json:"publishUntil,omitzero"`
}

type keyList struct {
	Items []Key `json:"items"`
}

// ListKeys answers the realm's signing keys, the active one first.
func (m *Management) ListKeys(ctx context.Context) ([]Key, error) {
	var l keyList
	err := m.r.do(ctx, http.MethodGet, m.path("keys"), nil, nil, &l)
	return l.Items, err
}

// RotateKey makes the published next key the active one (the old one stays published
// until its tokens have expired) and answers the keys afterwards.
func (m *Management) RotateKey(ctx context.Context) ([]Key, error) {
	var l keyList
	err := m.r.do(ctx, http.MethodPost, m.path("keys", "rotate"), nil, nil, &l)
	return l.Items, err
}

// RevokeKey withdraws a key in an emergency: it leaves the JWKS and verifies nothing
// more at once (if it was active, the next key takes over). An unknown or already
// revoked kid is ErrNotFound.
func (m *Management) RevokeKey(ctx context.Context, kid string) ([]Key, error) {
	var l keyList
	err := m.r.do(ctx, http.MethodPost, m.path("keys", kid, "revoke"), nil, nil, &l)
	return l.Items, err
}

// AuditEvent is one entry of the realm's append-only audit trail.
type AuditEvent struct {
	ID      int64             `json:"id"`
	Time    time.Time         `json:"time"`
	Actor   string            `json:"actor"`  // client id of the caller
	Action  string            `json:"action"` // e.g. app.create, key.rotate, token.issue
	Target  string            `json:"target"`
	Outcome string            `json:"outcome"` // success or failure
	Detail  map[string]string `json:"detail"`
}

// AuditPage is one page of the audit trail, newest first.
type AuditPage struct {
	Items []AuditEvent `json:"items"`
	// NextBefore is AuditQuery.Before for the next, older page; 0 on the last page.
	NextBefore int64 `json:"nextBefore,omitempty"`
}

// AuditQuery filters and pages the audit trail; zero values do not filter.
type AuditQuery struct {
	Before  int64     // only events with a smaller id (paging: a page's NextBefore)
	Limit   int       // 1-500, default 50
	Action  string    // exact, or a prefix ending in "." such as "app."
	Actor   string    // client id
	Target  string    // e.g. an application id
	Outcome string    // success or failure
	Since   time.Time // inclusive
	Until   time.Time // exclusive
	// HideTokenIssue leaves out token.issue events (one per token issued) unless
	// Action selects them.
	HideTokenIssue bool
}

func (q AuditQuery) values() url.Values {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	if q.Before > 0 {
		set("before", strconv.FormatInt(q.Before, 10))
	}
	if q.Limit > 0 {
		set("limit", strconv.Itoa(q.Limit))
	}
	set("action", q.Action)
	set("actor", q.Actor)
	set("target", q.Target)
	set("outcome", q.Outcome)
	if !q.Since.IsZero() {
		set("since", q.Since.UTC().Format(time.RFC3339Nano))
	}
	if !q.Until.IsZero() {
		set("until", q.Until.UTC().Format(time.RFC3339Nano))
	}
	if q.HideTokenIssue {
		set("include_token_issue", "false")
	}
	return v
}

// ListAudit answers one page of the realm's audit trail, newest first.
func (m *Management) ListAudit(ctx context.Context, q AuditQuery) (*AuditPage, error) {
	var p AuditPage
	return &p, m.r.do(ctx, http.MethodGet, m.path("audit"), q.values(), nil, &p)
}

// AuditEvents iterates over every event matching q, newest first, page after page
// (q.Limit events a page). It stops at the first error, which it yields.
func (m *Management) AuditEvents(ctx context.Context, q AuditQuery) iter.Seq2[AuditEvent, error] {
	return func(yield func(AuditEvent, error) bool) {
		for {
			p, err := m.ListAudit(ctx, q)
			if err != nil {
				yield(AuditEvent{}, err)
				return
			}
			for _, e := range p.Items {
				if !yield(e, nil) {
					return
				}
			}
			if p.NextBefore == 0 || len(p.Items) == 0 {
				return
			}
			q.Before = p.NextBefore
		}
	}
}
