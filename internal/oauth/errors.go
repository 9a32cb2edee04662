package oauth

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

// Error is an RFC 6749 §5.2 error answer. It carries no cause: what failed inside the
// server is logged, never sent.
type Error struct {
	Status      int
	Code        string
	Description string
	RetryAfter  time.Duration // 429 and 503 only
	basic       bool          // add WWW-Authenticate: Basic (invalid_client)
}

func (e *Error) Error() string { return e.Code + ": " + e.Description }

func errRequest(desc string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: "invalid_request", Description: desc}
}

// errInvalidClient is byte-identical for unknown, disabled and wrong-secret clients and
// for malformed Basic credentials (checklist A10–A14).
var errInvalidClient = &Error{Status: http.StatusUnauthorized, Code: "invalid_client",
	Description: "Invalid client or Invalid client credentials", basic: true}

var (
	errMethod      = &Error{Status: http.StatusMethodNotAllowed, Code: "invalid_request", Description: "The token endpoint accepts POST only"}
	errTooLarge    = &Error{Status: http.StatusRequestEntityTooLarge, Code: "invalid_request", Description: "Request body too large"}
	errGrantType   = &Error{Status: http.StatusBadRequest, Code: "unsupported_grant_type", Description: "Only grant_type=client_credentials and authorization_code are supported"}
	errTarget      = &Error{Status: http.StatusBadRequest, Code: "invalid_target", Description: "The requested audience is not available to this client"}
	errScope       = &Error{Status: http.StatusBadRequest, Code: "invalid_scope", Description: "The requested scope is invalid or not granted to this client"}
	errUnavailable = &Error{Status: http.StatusServiceUnavailable, Code: "temporarily_unavailable", Description: "The service is temporarily unavailable; retry later", RetryAfter: 5 * time.Second}
	errServer      = &Error{Status: http.StatusInternalServerError, Code: "server_error", Description: "Unexpected error while processing the request"}
	errRealm       = &Error{Status: http.StatusNotFound, Code: "invalid_request", Description: "Realm does not exist"}
)

func errThrottled(wait time.Duration) *Error {
	return &Error{Status: http.StatusTooManyRequests, Code: "slow_down",
		Description: "Too many failed authentication attempts; retry later", RetryAfter: wait}
}

type errorBody struct {
	Error       string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

// writeError writes e with the headers RFC 6749 §5.1–5.2 require.
func writeError(w http.ResponseWriter, realm string, e *Error) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	if e.basic {
		h.Set("WWW-Authenticate", `Basic realm="`+realm+`"`)
	}
	if e.Status == http.StatusMethodNotAllowed {
		h.Set("Allow", http.MethodPost)
	}
	if e.RetryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(int((e.RetryAfter+time.Second-1)/time.Second)))
	}
	b, _ := json.Marshal(errorBody{Error: e.Code, Description: e.Description})
	w.WriteHeader(e.Status)
	w.Write(b)
}

// writeJSON writes a successful, uncacheable JSON answer.
func writeJSON(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		writeError(w, "", errServer)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	w.Write(b)
}

// writeToken writes the success body by hand: it is the endpoint's hot path and its
// shape is fixed. The field order is Keycloak's; strings are JSON-quoted by
// encoding/json (an access token is base64url and dots, a scope is validated text).
func writeToken(w http.ResponseWriter, t TokenResponse) {
	scope, _ := json.Marshal(t.Scope)
	b := make([]byte, 0, len(t.AccessToken)+160)
	b = append(b, `{"access_token":"`...)
	b = append(b, t.AccessToken...)
	b = append(b, `","expires_in":`...)
	b = strconv.AppendInt(b, t.ExpiresIn, 10)
	b = append(b, `,"refresh_expires_in":`...)
	b = strconv.AppendInt(b, t.RefreshExpiresIn, 10)
	b = append(b, `,"token_type":"Bearer","not-before-policy":`...)
	b = strconv.AppendInt(b, t.NotBeforePolicy, 10)
	b = append(b, `,"scope":`...)
	b = append(b, scope...)
	if t.IDToken != "" { // JWS compact serialization: no characters to escape
		b = append(b, `,"id_token":"`...)
		b = append(b, t.IDToken...)
		b = append(b, '"')
	}
	if t.SessionState != "" { // hex
		b = append(b, `,"session_state":"`...)
		b = append(b, t.SessionState...)
		b = append(b, '"')
	}
	b = append(b, '}')
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	w.Write(b)
}
