package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/accesstoken"
	"github.com/gatehouse/gatehouse/internal/identity"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/throttle"
)

type fakeClients struct{ err error }

func (f fakeClients) Authenticate(ctx context.Context, realm, id, secret string) (*identity.Client, error) {
	return nil, f.err
}

func (fakeClients) Forget(string, string) {}

type noAudit struct{}

func (noAudit) Record(store.AuditEvent) {}

type noKeys struct{}

func (noKeys) Signer(string) (accesstoken.SigningKey, error) {
	return accesstoken.SigningKey{}, errors.New("no key")
}

// TestStoreFailures: a store that cannot answer never turns into 401 or 200
// (checklist F3): 503 + Retry-After with temporarily_unavailable; any other internal
// error is a 500 that says nothing about its cause.
func TestStoreFailures(t *testing.T) {
	for _, tc := range []struct {
		err    error
		status int
		code   string
	}{
		{fmt.Errorf("sqlstore: get app: %w", store.ErrUnavailable), 503, "temporarily_unavailable"},
		{context.DeadlineExceeded, 503, "temporarily_unavailable"},
		{errors.New("disk on fire at /var/lib/secret-path"), 500, "server_error"},
		{&identity.AuthError{Reason: "wrong secret"}, 401, "invalid_client"},
	} {
		s := &Server{Realms: map[string]Realm{"r": {Name: "r"}}, Default: "r", Clients: fakeClients{tc.err}, Keys: noKeys{},
			Audit: noAudit{}, ClientRL: throttle.New(throttle.DefaultClientPolicy, nil), IPRL: throttle.New(throttle.DefaultIPPolicy, nil),
			Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
		req := httptest.NewRequest("POST", "/auth/realms/r/protocol/openid-connect/token",
			strings.NewReader("grant_type=client_credentials&client_id=a&client_secret=b"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetPathValue("realm", "r")
		w := httptest.NewRecorder()
		s.RealmToken(w, req)
		body := w.Body.String()
		if w.Code != tc.status || !strings.Contains(body, `"error":"`+tc.code+`"`) {
			t.Errorf("%v: %d %s, want %d %s", tc.err, w.Code, body, tc.status, tc.code)
		}
		if tc.status == 503 && w.Header().Get("Retry-After") == "" {
			t.Errorf("%v: no Retry-After", tc.err)
		}
		if strings.Contains(body, "disk") || strings.Contains(body, "sqlstore") {
			t.Errorf("cause leaked: %s", body)
		}
	}
}

// TestWriteTokenMatchesJSON: the hand-written success body is exactly what
// encoding/json makes of TokenResponse.
func TestWriteTokenMatchesJSON(t *testing.T) {
	for _, r := range []TokenResponse{
		{AccessToken: "eyJhbGciOiJFUzI1NiJ9.eyJ4IjoxfQ.c2ln", ExpiresIn: 300, TokenType: "Bearer", Scope: "email profile"},
		{AccessToken: "a.b.c", ExpiresIn: 86400, TokenType: "Bearer", Scope: "console-api:read:* openid"},
	} {
		w := httptest.NewRecorder()
		writeToken(w, r)
		want, _ := json.Marshal(r)
		if w.Body.String() != string(want) {
			t.Errorf("got  %s\nwant %s", w.Body.String(), want)
		}
	}
}
