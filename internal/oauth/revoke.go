package oauth

import (
	"net/http"

	"github.com/gatehouse/gatehouse/internal/audit"
	"github.com/gatehouse/gatehouse/internal/store"
)

var errNotYours = errRequest("The token was not issued to this client")

// Revoke serves POST /auth/realms/{realm}/protocol/openid-connect/revoke (RFC 7009).
//
//   - The caller authenticates as at the token endpoint (§2.1; 401 invalid_client).
//   - A token that is malformed, expired, of another issuer or otherwise not valid here
//     needs no revocation: 200 (§2.2). token_type_hint is advisory; every Gatehouse
//     token is an access token, so unsupported_token_type is never answered.
//   - A valid token issued to another client: 400 invalid_request, and the token stays
//     valid (§2.1 "the token was issued to the client making the revocation request";
//     checklist B5, our choice of code).
//   - Otherwise its jti is denied until the token's exp, one audit event is written and
//     this replica's deny-list refuses the jti at once; other replicas follow within
//     their refresh interval. If the store fails: 503 + Retry-After, never 200
//     (§2.2.1, B7).
func (t *TokenControl) Revoke(w http.ResponseWriter, r *http.Request) {
	realm, caller, p, ok := t.begin(w, r)
	if !ok {
		return
	}
	c := t.verify(realm, p.Token)
	if c == nil {
		writeRaw(w, nil)
		return
	}
	if c.ClientID != caller.ClientID {
		writeError(w, realm.Name, errNotYours)
		return
	}
	ctx := r.Context()
	now := t.now()
	err := t.Revocations.AddRevocation(ctx, store.Revocation{JTI: c.ID, Realm: realm.Name, AppID: c.Subject,
		ExpiresAt: unixTime(c.ExpiresAt), CreatedAt: now})
	if err != nil {
		t.storeFailure(w, realm.Name, "revoke", err)
		return
	}
	// The revocation is committed: from here on the answer is 200 whatever else fails.
	ev := store.AuditEvent{Realm: realm.Name, Time: now, Actor: caller.ClientID, Action: audit.ActionTokenRevoke, Target: c.Subject,
		Outcome: audit.OutcomeSuccess, Detail: map[string]string{"jti": c.ID, "ip": t.ClientIP.IP(r)}}
	if err := t.Trail.Write(ctx, ev); err != nil {
		t.Log.Error("revoke: audit event not written", "realm", realm.Name, "jti", c.ID, "err", err)
	}
	if d := t.Deny[realm.Name]; d != nil {
		d.Deny(c.ID)
	}
	writeRaw(w, nil)
}
