package server_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/audit"
	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/server"
	"github.com/gatehouse/gatehouse/internal/server/servertest"
	"github.com/gatehouse/gatehouse/internal/store"
)

// TestTokenAuditFlushedOnShutdown: every token issued before a graceful shutdown has
// its audit event in the database once Run has returned, whatever the batch window,
// and the issued-tokens counter is the exact count.
func TestTokenAuditFlushedOnShutdown(t *testing.T) {
	in := servertest.Start(t, servertest.Options{})
	const n = 40
	for range n {
		in.Token(t, config.DefaultRealm, servertest.AdminID, servertest.AdminSecret, "")
	}
	_, _, metrics := servertest.Do(t, "GET", in.URL(server.ManagementListener)+"/metrics", "", "")
	issued := 0.0
	for line := range strings.Lines(string(metrics)) {
		if strings.HasPrefix(line, "gatehouse_tokens_issued_total{") {
			f := strings.Fields(line)
			v, _ := strconv.ParseFloat(f[len(f)-1], 64)
			issued += v
		}
	}
	if issued != n {
		t.Errorf("gatehouse_tokens_issued_total %v, want %d", issued, n)
	}
	in.Stop()

	st, err := server.OpenStore(t.Context(), in.Config)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	evs, err := st.ListAudit(t.Context(), store.AuditQuery{Realm: config.DefaultRealm, Action: audit.ActionTokenIssue, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	got := 0
	for _, e := range evs {
		c := 1
		if s, ok := e.Detail["count"]; ok {
			if c, err = strconv.Atoi(s); err != nil {
				t.Fatalf("count %q", s)
			}
		}
		got += c
	}
	if got != n {
		t.Errorf("%d token.issue events recorded after a graceful shutdown, want %d", got, n)
	}
}
