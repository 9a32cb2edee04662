package oauth

import (
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/identity"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/throttle"
)

type auditLog struct {
	mu  sync.Mutex
	evs []store.AuditEvent
}

func (a *auditLog) Record(e store.AuditEvent) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.evs = append(a.evs, e)
}

func throttledServer(audit Auditor) *Server {
	ipPolicy := throttle.Policy{Threshold: 5, Window: time.Minute, Backoff: time.Minute, MaxBackoff: time.Minute,
		Forget: time.Hour, MaxKeys: 100, MaxWait: time.Millisecond}
	return &Server{Realms: map[string]Realm{"r": {Name: "r"}}, Default: "r",
		Clients: fakeClients{&identity.AuthError{Reason: "unknown client"}}, Keys: noKeys{}, Audit: audit,
		ClientRL: throttle.New(throttle.DefaultClientPolicy, nil), IPRL: throttle.New(ipPolicy, nil),
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

func tokenCall(s *Server, peer, clientID string) int {
	req := httptest.NewRequest("POST", "/auth/realms/r/protocol/openid-connect/token",
		strings.NewReader("grant_type=client_credentials&client_id="+clientID+"&client_secret=b"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetPathValue("realm", "r")
	req.RemoteAddr = peer
	w := httptest.NewRecorder()
	s.RealmToken(w, req)
	return w.Code
}

// TestIPBudget: the per-source failure budget counts failed requests whatever client id
// each one names, and an IPv6 source is one source per /64.
func TestIPBudget(t *testing.T) {
	for _, tc := range []struct {
		name string
		peer func(i int) string
	}{
		{"one IPv4 address", func(int) string { return "203.0.113.9:1000" }},
		{"addresses of one IPv6 /64", func(i int) string { return fmt.Sprintf("[2001:db8:1:2::%x]:1000", i+1) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := throttledServer(noAudit{})
			for i := range 5 {
				if got := tokenCall(s, tc.peer(i), fmt.Sprintf("client-%d", i)); got != 401 {
					t.Fatalf("attempt %d: %d, want 401", i, got)
				}
			}
			if got := tokenCall(s, tc.peer(5), "client-5"); got != 429 {
				t.Fatalf("sixth failure with a new client id: %d, want 429", got)
			}
			if got := tokenCall(s, "[2001:db8:1:3::1]:1000", "client-x"); got != 401 {
				t.Errorf("another /64: %d, want 401", got)
			}
		})
	}
}

// TestLongClientID: an overlong client id is refused as a malformed request before it
// reaches the throttle, the client lookup or the audit trail.
func TestLongClientID(t *testing.T) {
	a := &auditLog{}
	s := throttledServer(a)
	if got := tokenCall(s, "203.0.113.9:1000", strings.Repeat("a", 256)); got != 400 {
		t.Fatalf("256-byte client id: %d, want 400", got)
	}
	if n := s.IPRL.Len() + s.ClientRL.Len(); n != 0 {
		t.Errorf("throttle keys kept: %d", n)
	}
	if len(a.evs) != 0 {
		t.Errorf("audit events written: %+v", a.evs[0].Action)
	}
	if got := tokenCall(s, "203.0.113.9:1000", strings.Repeat("a", 255)); got != 401 {
		t.Errorf("255-byte client id: %d, want 401", got)
	}
}

// TestSlowDownFromIdentity: an application whose budget of slow secret checks is spent
// gets 429 slow_down with Retry-After, and its throttle reservations are given back
// (a 429 is not a failed guess of this source).
func TestSlowDownFromIdentity(t *testing.T) {
	s := throttledServer(noAudit{})
	s.Clients = fakeClients{&identity.SlowDownError{RetryAfter: 7 * time.Second}}
	req := httptest.NewRequest("POST", "/auth/realms/r/protocol/openid-connect/token",
		strings.NewReader("grant_type=client_credentials&client_id=a&client_secret=b"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetPathValue("realm", "r")
	req.RemoteAddr = "203.0.113.9:1000"
	w := httptest.NewRecorder()
	s.RealmToken(w, req)
	if w.Code != 429 || w.Header().Get("Retry-After") != "7" || !strings.Contains(w.Body.String(), `"slow_down"`) {
		t.Fatalf("answer %d Retry-After=%q %s", w.Code, w.Header().Get("Retry-After"), w.Body)
	}
	for i := range 5 { // the IP budget is untouched
		s.Clients = fakeClients{&identity.SlowDownError{RetryAfter: time.Second}}
		if c := tokenCall(s, "203.0.113.9:1000", "a"); c != 429 {
			t.Fatalf("call %d: %d", i, c)
		}
	}
	s.Clients = fakeClients{&identity.AuthError{Reason: "wrong secret"}}
	if c := tokenCall(s, "203.0.113.9:1000", "a"); c != 401 {
		t.Errorf("after slow-downs, a wrong secret: %d (the source's budget was spent)", c)
	}
}
