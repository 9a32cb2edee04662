package mgmt_test

import (
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/gatehouse/gatehouse/internal/httpapi/mgmt"
	"github.com/gatehouse/gatehouse/internal/server"
	"github.com/gatehouse/gatehouse/internal/server/servertest"
)

// changes lists the audit events of actor that are not token events, newest first.
func (e *env) changes(actor string) []mgmt.AuditEvent {
	e.t.Helper()
	var out []mgmt.AuditEvent
	before := ""
	for {
		var page mgmt.AuditPage
		e.call(e.admin(), "GET", "/audit?limit=500&actor="+url.QueryEscape(actor)+before, nil).want(http.StatusOK).decode(&page)
		for _, ev := range page.Items {
			if !strings.HasPrefix(ev.Action, "token.") {
				out = append(out, ev)
			}
		}
		if page.NextBefore == 0 {
			return out
		}
		before = fmt.Sprintf("&before=%d", page.NextBefore)
	}
}

// db opens the server's SQLite database read-only, beside the running server.
func (e *env) db() *sql.DB {
	e.t.Helper()
	path := filepath.Join(e.in.Config.DataDir, server.SQLiteFile)
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { db.Close() })
	return db
}

func TestAuditOneEventPerChange(t *testing.T) {
	t.Parallel()
	e := start(t, nil)
	o := e.objects()
	admin := servertest.AdminID
	type step struct {
		name, method, path string
		body               any
		action, outcome    string
		target             string // "" : the path's id (checked when set)
	}
	steps := []step{
		{"create app", "POST", "/applications", map[string]any{"name": "audited"}, "app.create", "success", ""},
		{"create app invalid", "POST", "/applications", map[string]any{"name": ""}, "app.create", "failure", ""},
		{"create app unknown member", "POST", "/applications", `{"name":"x","clientId":"mine"}`, "app.create", "failure", ""},
		{"rename app", "PATCH", "/applications/" + o.app, map[string]any{"name": "renamed"}, "app.update", "success", o.app},
		{"disable app", "PATCH", "/applications/" + o.app, map[string]any{"enabled": false}, "app.update", "success", o.app},
		{"rotate secret", "POST", "/applications/" + o.app + "/rotate-secret", map[string]any{"grace": "5m"}, "app.rotate-secret", "success", o.app},
		{"rotate unknown app", "POST", "/applications/nope/rotate-secret", nil, "app.rotate-secret", "failure", "nope"},
		{"grant", "PUT", "/applications/" + o.app + "/permissions", []map[string]string{{"api": "console-api", "permission": "read:*"}}, "app.permissions.add", "success", o.app},
		{"take", "DELETE", "/applications/" + o.app + "/permissions", []map[string]string{{"api": "console-api", "permission": "read:*"}}, "app.permissions.remove", "success", o.app},
		{"create api", "POST", "/apis", map[string]any{"name": "X", "audience": "x-api"}, "api.create", "success", ""},
		{"create api taken", "POST", "/apis", map[string]any{"name": "X", "audience": "x-api"}, "api.create", "failure", ""},
		{"update api", "PATCH", "/apis/" + o.api, map[string]any{"name": "Y"}, "api.update", "success", o.api},
		{"create user", "POST", "/users", map[string]any{"username": "audited", "password": "a secret password"}, "user.create", "success", ""},
		{"update user", "PATCH", "/users/" + o.user, map[string]any{"password": "a secret password"}, "user.update", "success", o.user},
		{"add roles", "PUT", "/users/" + o.user + "/roles", []string{"Operate"}, "user.roles.add", "success", o.user},
		{"remove roles", "DELETE", "/users/" + o.user + "/roles", []string{"Operate"}, "user.roles.remove", "success", o.user},
		{"create cluster", "POST", "/clusters", map[string]any{"name": "c"}, "cluster.create", "success", ""},
		{"update cluster", "PATCH", "/clusters/" + o.cluster, map[string]any{"version": "8.6.0"}, "cluster.update", "success", o.cluster},
		{"rotate key", "POST", "/keys/rotate", nil, "key.rotate", "success", ""},
		{"revoke key", "POST", "/keys/" + o.kid + "/revoke", nil, "key.revoke", "success", o.kid},
		{"revoke unknown key", "POST", "/keys/nope/revoke", nil, "key.revoke", "failure", "nope"},
		{"delete cluster", "DELETE", "/clusters/" + o.cluster, nil, "cluster.delete", "success", o.cluster},
		{"delete user", "DELETE", "/users/" + o.user, nil, "user.delete", "success", o.user},
		{"delete api granted", "DELETE", "/apis/" + o.api + "?cascade=true", nil, "api.delete", "success", o.api},
		{"delete app", "DELETE", "/applications/" + o.app, nil, "app.delete", "success", o.app},
		{"delete app again", "DELETE", "/applications/" + o.app, nil, "app.delete", "failure", o.app},
		// Reads write nothing.
		{"read", "GET", "/applications", nil, "", "", ""},
		{"read audit", "GET", "/audit", nil, "", "", ""},
	}
	e.remember("a secret password")
	for _, s := range steps {
		before := len(e.changes(admin))
		r := e.call(e.admin(), s.method, s.path, s.body)
		if strings.Contains(string(r.body), "clientSecret") {
			var created mgmt.ApplicationWithSecret
			r.decode(&created)
			e.remember(created.ClientSecret)
		}
		evs := e.changes(admin)
		if s.action == "" {
			if len(evs) != before {
				t.Errorf("%s wrote %d audit events", s.name, len(evs)-before)
			}
			continue
		}
		if len(evs) != before+1 {
			t.Errorf("%s: %d audit events, want exactly 1", s.name, len(evs)-before)
			continue
		}
		ev := evs[0]
		if ev.Action != s.action || ev.Outcome != s.outcome || ev.Actor != admin || (s.target != "" && ev.Target != s.target) {
			t.Errorf("%s: event %+v", s.name, ev)
		}
		if s.outcome == "failure" && ev.Detail["reason"] == "" {
			t.Errorf("%s: failure without a reason: %+v", s.name, ev)
		}
	}

	// Filters and paging.
	page := mgmt.AuditPage{}
	e.call(e.admin(), "GET", "/audit?action=app.&outcome=failure", nil).want(http.StatusOK).decode(&page)
	if len(page.Items) != 4 {
		t.Errorf("app. failures: %d", len(page.Items))
	}
	for _, ev := range page.Items {
		if !strings.HasPrefix(ev.Action, "app.") || ev.Outcome != "failure" {
			t.Errorf("filter leaked %+v", ev)
		}
	}
	page = mgmt.AuditPage{}
	e.call(e.admin(), "GET", "/audit?target="+o.app+"&limit=3", nil).want(http.StatusOK).decode(&page)
	if len(page.Items) != 3 || page.NextBefore != page.Items[2].ID {
		t.Fatalf("page 1: %+v", page)
	}
	first, next := page.Items, page.NextBefore
	page = mgmt.AuditPage{}
	e.call(e.admin(), "GET", fmt.Sprintf("/audit?target=%s&limit=3&before=%d", o.app, next), nil).want(http.StatusOK).decode(&page)
	if len(page.Items) == 0 || page.Items[0].ID >= first[2].ID {
		t.Errorf("page 2 does not continue page 1: %+v", page)
	}
	now := e.clock.Now()
	page = mgmt.AuditPage{}
	e.call(e.admin(), "GET", "/audit?until="+now.Add(-time.Hour).Format(time.RFC3339), nil).want(http.StatusOK).decode(&page)
	if len(page.Items) != 0 {
		t.Errorf("until an hour ago: %d events", len(page.Items))
	}
	page = mgmt.AuditPage{}
	e.call(e.admin(), "GET", "/audit?action=app.create&since="+now.Add(-time.Minute).Format(time.RFC3339), nil).want(http.StatusOK).decode(&page)
	if len(page.Items) != 4 { // objects() made one, the steps three
		t.Errorf("app.create since a minute ago: %d", len(page.Items))
	}
	// Another realm's trail is not visible.
	page = mgmt.AuditPage{}
	e.callRealm(e.otherAdmin(), other, "GET", "/audit?actor="+admin, nil).want(http.StatusOK).decode(&page)
	if len(page.Items) != 0 {
		t.Errorf("other realm sees %d events of this realm", len(page.Items))
	}

	e.noLeaks()
}

// noLeaks stops the server (flushing batched audit events) and scans every audit row and
// the log for every secret, password and token the test handled (checklist D6).
func (e *env) noLeaks() {
	e.t.Helper()
	db := e.db()
	e.in.Stop()
	rows, err := db.Query("SELECT realm, actor, action, target, outcome, COALESCE(detail, '') FROM audit")
	if err != nil {
		e.t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var cols [6]string
		if err := rows.Scan(&cols[0], &cols[1], &cols[2], &cols[3], &cols[4], &cols[5]); err != nil {
			e.t.Fatal(err)
		}
		n++
		row := strings.Join(cols[:], "|")
		for _, s := range e.secrets {
			if s != "" && strings.Contains(row, s) {
				e.t.Errorf("audit row holds a secret or token: %q", row)
			}
		}
	}
	if n == 0 {
		e.t.Error("no audit rows to scan")
	}
	logs := e.in.Log.String()
	for _, s := range e.secrets {
		if s != "" && strings.Contains(logs, s) {
			e.t.Errorf("the log holds a secret or token (%d characters)", len(s))
		}
	}
}

// TestAuditTokenIssueFilter: include_token_issue=false leaves out token.issue events
// unless the action filter asks for them; without it the API lists them.
func TestAuditTokenIssueFilter(t *testing.T) {
	t.Parallel()
	e := start(t, nil)
	tok := e.admin() // one token.issue event
	e.call(tok, "POST", "/applications", map[string]any{"name": "filter-app"}).want(http.StatusCreated)
	actions := func(q string) map[string]int {
		var page mgmt.AuditPage
		e.call(tok, "GET", "/audit?limit=500"+q, nil).want(http.StatusOK).decode(&page)
		n := map[string]int{}
		for _, ev := range page.Items {
			n[ev.Action]++
		}
		return n
	}
	// Token events are written in the background: wait for the first.
	deadline := time.Now().Add(5 * time.Second)
	for n := actions(""); n["token.issue"] == 0 || n["app.create"] == 0; n = actions("") {
		if time.Now().After(deadline) {
			t.Fatalf("default listing: %v, want token.issue and app.create", n)
		}
		time.Sleep(20 * time.Millisecond) // polling interval
	}
	if n := actions("&include_token_issue=false"); n["token.issue"] != 0 || n["app.create"] == 0 {
		t.Errorf("include_token_issue=false: %v, want app.create and no token.issue", n)
	}
	if n := actions("&include_token_issue=false&action=token."); n["token.issue"] == 0 {
		t.Errorf("include_token_issue=false&action=token.: %v, want token.issue (asked for)", n)
	}
	e.call(tok, "GET", "/audit?include_token_issue=maybe", nil).want(http.StatusBadRequest)
}
