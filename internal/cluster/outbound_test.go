package cluster

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/outbound"
	"github.com/gatehouse/gatehouse/internal/store"
)

// loopback is the policy of tests whose components are httptest servers on 127.0.0.1.
var loopback = &outbound.Policy{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}

// TestOutboundPolicy: without an allow list the prober and the usage fetch never
// reach a loopback URL (the server's own management listener, a sidecar, …).
func TestOutboundPolicy(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Write([]byte(`{"total": 1}`))
	}))
	defer srv.Close()
	cl := store.Cluster{ID: "c", Components: []store.Component{
		{ID: "operate", Type: TypeOperate, Readiness: srv.URL + "/actuator/health/readiness"}}}

	p := NewProber(ProberOptions{Timeout: time.Second})
	p.Round(context.Background(), []store.Cluster{cl})
	if got := p.Status("c", "operate"); got != Unhealthy {
		t.Errorf("loopback probe: %s, want unhealthy", got)
	}
	_, err := (&Metrics{}).Fetch(context.Background(), cl, time.Now().Add(-time.Hour), time.Now())
	if !errors.Is(err, ErrSourceDown) || !errors.Is(err, outbound.ErrRefused) {
		t.Errorf("loopback usage fetch: %v", err)
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("loopback server was fetched %d times", n)
	}

	p = NewProber(ProberOptions{Timeout: time.Second, Outbound: loopback})
	p.Round(context.Background(), []store.Cluster{cl})
	if got := p.Status("c", "operate"); got != Healthy {
		t.Errorf("allowed loopback probe: %s, want healthy", got)
	}
	if _, err := (&Metrics{Outbound: loopback}).Fetch(context.Background(), cl, time.Now().Add(-time.Hour), time.Now()); err != nil {
		t.Errorf("allowed usage fetch: %v", err)
	}
}

// TestUsageOnlyDocumentedFields: whatever a usage endpoint answers, only "total" and
// "assignees" are read; other members never reach the caller.
func TestUsageOnlyDocumentedFields(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"total": 2, "assignees": ["ann"], "canary": "s3cret", "nested": {"canary": "s3cret"}}`))
	}))
	defer srv.Close()
	cl := store.Cluster{ID: "c", Components: []store.Component{
		{ID: "tasklist", Type: TypeTasklist, Readiness: srv.URL + "/actuator/health/readiness"}}}
	u, err := (&Metrics{Outbound: loopback}).Fetch(context.Background(), cl, time.Now().Add(-time.Hour), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprintf("%+v", u); strings.Contains(got, "s3cret") || u.TaskUsers != 1 {
		t.Errorf("usage %s", got)
	}
}
