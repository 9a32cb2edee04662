package main

import (
	"context"
	"flag"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/client"
)

var auditGroup = &group{
	name:    "audit",
	summary: "Read the realm's audit trail, newest first (management API: …/audit).",
	verbs: []verb{
		{name: "list", args: "[--action A] [--actor CLIENT-ID] [--target ID] [--outcome success|failure] [--since T] [--until T] [--include-token-issue]",
			summary: "list audit events", max: 0, setup: auditList},
	},
}

// parseWhen reads an RFC 3339 time, or a duration meaning that long ago ("1h", "30m").
func parseWhen(flagName, v string, now time.Time) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	if d, err := time.ParseDuration(v); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	return time.Time{}, usagef("--%s: give an RFC 3339 time (2026-01-02T15:04:05Z) or a duration ago (1h, 30m)", flagName)
}

func auditList(fs *flag.FlagSet, s *session) action {
	var q client.AuditQuery
	fs.StringVar(&q.Action, "action", "", "an action (app.create), or a prefix ending in a dot (app.)")
	fs.StringVar(&q.Actor, "actor", "", "the client id that acted")
	fs.StringVar(&q.Target, "target", "", "the object acted on, e.g. an application id")
	fs.StringVar(&q.Outcome, "outcome", "", "success or failure")
	since := fs.String("since", "", "events at or after this time: RFC 3339, or a duration ago such as 24h")
	until := fs.String("until", "", "events before this time: RFC 3339, or a duration ago")
	fs.IntVar(&q.Limit, "limit", 50, "events a page, 1-500")
	fs.Int64Var(&q.Before, "before", 0, "only events with a smaller id (the next page of an earlier listing)")
	all := fs.Bool("all", false, "fetch every page, not just the first")
	include := fs.Bool("include-token-issue", false, "also list token.issue events (one per token issued; listed anyway when --action selects them)")
	return func(ctx context.Context, _ []string) error {
		q.HideTokenIssue = !*include
		now := time.Now()
		var err error
		if q.Since, err = parseWhen("since", *since, now); err != nil {
			return err
		}
		if q.Until, err = parseWhen("until", *until, now); err != nil {
			return err
		}
		m, err := s.mgmt()
		if err != nil {
			return err
		}
		var events []client.AuditEvent
		var next int64
		if *all {
			for e, err := range m.AuditEvents(ctx, q) {
				if err != nil {
					return err
				}
				events = append(events, e)
			}
		} else {
			p, err := m.ListAudit(ctx, q)
			if err != nil {
				return err
			}
			events, next = p.Items, p.NextBefore
		}
		if s.json() {
			if events == nil {
				events = []client.AuditEvent{}
			}
			return s.printJSON(client.AuditPage{Items: events, NextBefore: next})
		}
		rows := make([][]string, len(events))
		for i, e := range events {
			rows[i] = []string{strconv.FormatInt(e.ID, 10), ts(e.Time), e.Actor, e.Action, orDash(e.Target), e.Outcome, detail(e.Detail)}
		}
		if err := s.table([]string{"ID", "TIME", "ACTOR", "ACTION", "TARGET", "OUTCOME", "DETAIL"}, rows); err != nil {
			return err
		}
		if next != 0 {
			s.note("(older events: --before %d, or --all)", next)
		}
		return nil
	}
}

// detail is k=v pairs in key order.
func detail(d map[string]string) string {
	keys := slices.Sorted(maps.Keys(d))
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + d[k]
	}
	return orDash(strings.Join(parts, " "))
}
