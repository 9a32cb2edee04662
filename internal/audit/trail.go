package audit

import (
	"context"
	"log/slog"
	"time"

	"github.com/gatehouse/gatehouse/internal/fault"
	"github.com/gatehouse/gatehouse/internal/store"
)

// Sources say through which surface a change came.
const (
	SourceAPI     = "api"     // the management API (/manage/v1)
	SourceConsole = "console" // the web console
	SourceCLI     = "cli"     // an offline command of the gatehouse binary
	SourceConfig  = "config"  // declared in configuration, applied at start-up
	SourceImport  = "import"  // a Keycloak realm import
)

// Actor kinds.
const (
	KindClient = "client" // an application with a management token; ID is its client id
	KindUser   = "user"   // a person signed in to the console; ID is the username
	KindSystem = "system" // the server itself (configuration, import, CLI)
)

// Outcomes of a change.
const (
	OutcomeSuccess = "success"
	OutcomeFailure = "failure"
)

// Actions of the audit trail. The console's action filter offers them.
const (
	ActionAppCreate            = "app.create"
	ActionAppUpdate            = "app.update"
	ActionAppDelete            = "app.delete"
	ActionAppRotateSecret      = "app.rotate-secret"
	ActionAppPermissionsAdd    = "app.permissions.add"
	ActionAppPermissionsRemove = "app.permissions.remove"
	ActionAPICreate            = "api.create"
	ActionAPIUpdate            = "api.update"
	ActionAPIDelete            = "api.delete"
	ActionUserCreate           = "user.create"
	ActionUserUpdate           = "user.update"
	ActionUserDelete           = "user.delete"
	ActionUserRolesAdd         = "user.roles.add"
	ActionUserRolesRemove      = "user.roles.remove"
	ActionKeyRotate            = "key.rotate"
	ActionClusterCreate        = "cluster.create"
	ActionClusterUpdate        = "cluster.update"
	ActionClusterDelete        = "cluster.delete"
	ActionConsoleSignIn        = "console.signin"
	ActionConsoleSignOut       = "console.signout"
	ActionTokenIssue           = "token.issue"
	ActionTokenDeny            = "token.deny"
	ActionTokenRevoke          = "token.revoke"
)

// Actor is who makes a change, and through which surface.
type Actor struct {
	Kind   string // KindClient, KindUser or KindSystem
	ID     string // client id or username; the event's actor
	IP     string // the caller's address when known (sign-in events record it)
	Source string // SourceAPI, SourceConsole, …
}

// Writer stores one event synchronously (*Recorder).
type Writer interface {
	Write(ctx context.Context, e store.AuditEvent) error
}

// Trail writes the one audit event of each change, whatever its outcome. Domain
// services call it for the changes they make; adapters call it only for a change
// refused before the domain was reached (a body that did not parse). A nil *Trail
// records nothing (tests and offline tools without a trail).
type Trail struct {
	w   Writer
	log *slog.Logger
	now func() time.Time
}

// NewTrail returns a trail writing through w. now may be nil (time.Now).
func NewTrail(w Writer, log *slog.Logger, now func() time.Time) *Trail {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Trail{w: w, log: log, now: now}
}

// Change describes one change for the trail. Detail must never hold a secret.
type Change struct {
	Realm, Action, Target string
	Detail                map[string]string
}

// Record writes the event of change c made by a, ended with err (nil: success). A
// failure carries detail "reason", the error's kind; a console change carries "via":
// "console". The change is decided: the write does not depend on the caller staying,
// and when the database is what failed it waits one second, not ten, since the event
// cannot be stored either.
func (t *Trail) Record(ctx context.Context, a Actor, c Change, err error) {
	if t == nil {
		return
	}
	ev := store.AuditEvent{Realm: c.Realm, Time: t.now().UTC(), Actor: a.ID, Action: c.Action, Target: c.Target,
		Outcome: OutcomeSuccess, Detail: make(map[string]string, len(c.Detail)+2)}
	for k, v := range c.Detail {
		ev.Detail[k] = v
	}
	if a.Source == SourceConsole {
		ev.Detail["via"] = SourceConsole
	}
	kind := fault.KindOf(err)
	if err != nil {
		ev.Outcome, ev.Detail["reason"] = OutcomeFailure, kind.Reason()
	}
	if len(ev.Detail) == 0 {
		ev.Detail = nil
	}
	wait, lvl := 10*time.Second, slog.LevelError
	if kind == fault.Unavailable {
		wait, lvl = time.Second, slog.LevelWarn
	}
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), wait)
	defer cancel()
	if werr := t.w.Write(actx, ev); werr != nil {
		t.log.Log(actx, lvl, "audit event not written", "source", a.Source, "action", c.Action, "target", c.Target,
			"outcome", ev.Outcome, "err", werr)
	}
}
