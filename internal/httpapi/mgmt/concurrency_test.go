package mgmt_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/httpapi/mgmt"
	"github.com/gatehouse/gatehouse/internal/identity"
	"github.com/gatehouse/gatehouse/internal/server/servertest"
)

// orphans counts secret and grant rows whose application is gone.
func (e *env) orphans() int {
	e.t.Helper()
	var n int
	err := e.db().QueryRow(`SELECT (SELECT COUNT(*) FROM app_secrets WHERE app_id NOT IN (SELECT id FROM apps)) +
		(SELECT COUNT(*) FROM grants WHERE app_id NOT IN (SELECT id FROM apps))`).Scan(&n)
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// TestConcurrentRotateAndDelete is checklist D12: 20 goroutines rotate and delete one
// application; the end state is coherent and no secret row is orphaned.
func TestConcurrentRotateAndDelete(t *testing.T) {
	t.Parallel()
	e := start(t, nil)
	id, clientID, _ := e.app("contended", "console-api:read:*")
	admin := e.admin()
	type result struct {
		status int
		secret string
	}
	results := make([]result, 20)
	var wg sync.WaitGroup
	for i := range results {
		wg.Go(func() {
			if i%2 == 1 {
				r := e.raw(admin, "DELETE", "/manage/v1/realms/"+realm+"/applications/"+id, nil, "", false)
				results[i] = result{status: r.status}
				return
			}
			r := e.raw(admin, "POST", "/manage/v1/realms/"+realm+"/applications/"+id+"/rotate-secret", `{"grace":"1m"}`, "application/json", false)
			results[i] = result{status: r.status}
			if r.status == http.StatusOK {
				var got mgmt.ApplicationWithSecret
				r.decode(&got)
				results[i].secret = got.ClientSecret
			}
		})
	}
	wg.Wait()
	deleted := 0
	for i, r := range results {
		switch {
		case i%2 == 1 && r.status == http.StatusNoContent:
			deleted++
		case r.status == http.StatusNotFound:
		case i%2 == 0 && r.status == http.StatusOK:
			e.remember(r.secret)
		default:
			t.Errorf("request %d: status %d", i, r.status)
		}
	}
	if deleted != 1 {
		t.Errorf("%d deletes succeeded, want exactly 1", deleted)
	}
	e.call(e.admin(), "GET", "/applications/"+id, nil).want(http.StatusNotFound)
	for _, r := range results {
		if r.secret != "" && e.authenticates(clientID, r.secret) {
			t.Error("a secret of the deleted application still authenticates")
		}
	}
	if n := e.orphans(); n != 0 {
		t.Errorf("%d orphaned secret or grant rows", n)
	}
	if n := len(e.changesOf(id)); n != 21 {
		t.Errorf("%d audit events for the creation and 20 requests, want 21", n)
	}
}

// TestConcurrentRotations: without a delete, the application ends with the secret of
// the last rotation to commit plus, in its grace period, the one before: at most two of
// the twenty returned secrets work, and at least one.
func TestConcurrentRotations(t *testing.T) {
	t.Parallel()
	e := start(t, nil)
	id, clientID, _ := e.app("contended")
	admin := e.admin()
	secrets := make([]string, 20)
	var wg sync.WaitGroup
	for i := range secrets {
		wg.Go(func() {
			r := e.raw(admin, "POST", "/manage/v1/realms/"+realm+"/applications/"+id+"/rotate-secret", `{"grace":"1h"}`, "application/json", false)
			if r.status != http.StatusOK {
				t.Errorf("rotate: %d %s", r.status, r.body)
				return
			}
			var got mgmt.ApplicationWithSecret
			r.decode(&got)
			secrets[i] = got.ClientSecret
		})
	}
	wg.Wait()
	e.remember(secrets...)
	working := 0
	for _, s := range secrets {
		if e.authenticates(clientID, s) {
			working++
		}
	}
	var app mgmt.Application
	e.call(e.admin(), "GET", "/applications/"+id, nil).want(http.StatusOK).decode(&app)
	if working < 1 || working > 2 || len(app.Secrets) != 2 {
		t.Errorf("%d of 20 rotated secrets work; the application lists %d secrets", working, len(app.Secrets))
	}
	if n := e.orphans(); n != 0 {
		t.Errorf("%d orphaned rows", n)
	}
}

// authenticates checks a secret the way the token endpoint does, without its failure
// throttle (eighteen wrong secrets in a row would trip it).
func (e *env) authenticates(clientID, secret string) bool {
	e.t.Helper()
	_, err := e.in.Identity.Authenticate(context.Background(), realm, clientID, secret)
	if err != nil && !errors.Is(err, identity.ErrInvalidClient) {
		e.t.Fatal(err)
	}
	return err == nil
}

func (e *env) changesOf(target string) []mgmt.AuditEvent {
	var out []mgmt.AuditEvent
	for _, ev := range e.changes(servertest.AdminID) {
		if ev.Target == target {
			out = append(out, ev)
		}
	}
	return out
}

// TestRevocationReachesEverything: a revoked token, a disabled and a deleted
// application stop working at once on this replica: introspection and the management
// API (whose deny-list is refreshed by the change itself).
func TestRevocationReachesEverything(t *testing.T) {
	t.Parallel()
	e := start(t, nil)
	_, clientID, secret := e.app("self-revoker", "camunda-identity-resource-server:read")
	tok := e.token(realm, clientID, secret)
	e.call(tok, "GET", "/applications", nil).want(http.StatusOK)
	if e.introspect(tok)["active"] != true {
		t.Fatal("fresh token inactive")
	}
	form := url.Values{"token": {tok}, "client_id": {clientID}, "client_secret": {secret}}
	resp, err := http.Post(e.base+"/auth/realms/"+realm+"/protocol/openid-connect/revoke", "application/x-www-form-urlencoded",
		strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("revoke: %d", resp.StatusCode)
	}
	if in := e.introspect(tok); len(in) != 1 || in["active"] != false {
		t.Errorf("revoked token introspects as %v", in)
	}
	e.call(tok, "GET", "/applications", nil).want(http.StatusUnauthorized)
	var page mgmt.AuditPage
	e.call(e.admin(), "GET", "/audit?action=token.revoke", nil).want(http.StatusOK).decode(&page)
	if len(page.Items) != 1 || page.Items[0].Actor != clientID || page.Items[0].Detail["jti"] == "" {
		t.Errorf("revocation audit: %+v", page.Items)
	}

	// Disable and delete.
	id, clientID, secret := e.app("to-disable", "camunda-identity-resource-server:read")
	tok = e.token(realm, clientID, secret)
	e.call(tok, "GET", "/applications", nil).want(http.StatusOK)
	e.call(e.admin(), "PATCH", "/applications/"+id, map[string]any{"enabled": false}).want(http.StatusOK)
	e.call(tok, "GET", "/applications", nil).want(http.StatusUnauthorized)
	e.call(e.admin(), "PATCH", "/applications/"+id, map[string]any{"enabled": true}).want(http.StatusOK)
	// Re-enabled: its tokens from before the disabling stay refused; a new one works
	// once the not-before's second has passed (token times are whole seconds).
	e.call(tok, "GET", "/applications", nil).want(http.StatusUnauthorized)
	e.clock.Advance(time.Second)
	tok = e.token(realm, clientID, secret)
	e.call(tok, "GET", "/applications", nil).want(http.StatusOK)
	// The deny-list tells a deleted application's tokens from those of an application
	// created after its snapshot by the issue time (whole seconds): let one pass.
	e.clock.Advance(time.Second)
	e.call(e.admin(), "DELETE", "/applications/"+id, nil).want(http.StatusNoContent)
	e.call(tok, "GET", "/applications", nil).want(http.StatusUnauthorized)
	if in := e.introspect(tok); in["active"] != false {
		t.Errorf("deleted application's token introspects as %v", in)
	}

	// The discovery document advertises both endpoints.
	resp, err = http.Get(e.base + "/auth/realms/" + realm + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`"introspection_endpoint": "` + e.in.Issuer(realm) + `/protocol/openid-connect/token/introspect"`,
		`"revocation_endpoint": "` + e.in.Issuer(realm) + `/protocol/openid-connect/revoke"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("discovery lacks %s: %s", want, b)
		}
	}
}
