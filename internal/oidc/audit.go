package oidc

import (
	"github.com/gatehouse/gatehouse/internal/audit"
	"github.com/gatehouse/gatehouse/internal/fault"
)

// errLogin marks a refused sign-in in the audit trail; the private reason goes in the
// event's detail only.
var errLogin = &fault.ConflictError{Reason: "sign-in refused", Prefix: "oidc"}

func loginFailure(realm, userID, reason string) audit.Change {
	return audit.Change{Realm: realm, Action: audit.ActionLogin, Target: userID, Detail: map[string]string{"why": reason}}
}
