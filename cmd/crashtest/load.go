package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/internal/replica"
)

// The ledger holds every write the server acknowledged (a complete 2xx answer), which
// must survive any kill, and what is still to be verified.
type ledger struct {
	mu      sync.Mutex
	apps    []*appRec
	pending []check // acknowledged since the last verification
	all     []check
	acked   map[string]int // acknowledged writes by kind
	lost    map[string]int // requests without an answer (in flight at the kill) by kind
	odd     []string       // answers that are neither success nor a dropped connection

	tokens200 int // every 200 of the token endpoint, load and verification (audit count)
	latency   map[string][]time.Duration
}

type appRec struct {
	id, clientID string
	owner        int
	// Changed only by the owning worker during a load phase, read between phases.
	secret    string // latest acknowledged secret
	rotations int
	perms     []replica.Permission // acknowledged grants beyond the initial one
	tokens    []*tokRec
}

type tokState int

const (
	live tokState = iota
	revoked
	uncertain // a revocation was in flight at the kill: either state is correct
)

type tokRec struct {
	token, jti string
	state      tokState
}

// check is one acknowledged write to look for after a restart.
type check struct {
	kind string // app, secret, grant, file, token, revoke
	app  *appRec
	perm replica.Permission
	file *fileRec
	tok  *tokRec
}

type fileRec struct{ id, content string }

func (c check) String() string {
	switch c.kind {
	case "file":
		return "file " + c.file.id
	case "grant":
		return fmt.Sprintf("grant %s %s to app %s", c.perm.API, c.perm.Permission, c.app.id)
	case "token", "revoke":
		return c.kind + " jti " + c.tok.jti + " of app " + c.app.id
	}
	return c.kind + " of app " + c.app.id
}

func (l *ledger) ack(kind string, cs ...check) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.acked[kind]++
	l.pending = append(l.pending, cs...)
}

func (l *ledger) addApp(a *appRec) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.apps = append(l.apps, a)
}

func (l *ledger) appsOf(worker int) []*appRec {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []*appRec
	for _, a := range l.apps {
		if a.owner == worker {
			out = append(out, a)
		}
	}
	return out
}

// outcome files a response that was not a success: no answer means the request was in
// flight at the kill (not acknowledged, so either result is correct); any other answer
// is an anomaly the run reports.
func (l *ledger) outcome(kind string, r replica.Response) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if r.Err != nil {
		l.lost[kind]++
		return
	}
	if len(l.odd) < 20 {
		l.odd = append(l.odd, fmt.Sprintf("%s: %d %s", kind, r.Status, strings.TrimSpace(string(r.Body))))
	}
}

func (l *ledger) took(kind string, d time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.latency[kind] = append(l.latency[kind], d)
}

func (l *ledger) token200() {
	l.mu.Lock()
	l.tokens200++
	l.mu.Unlock()
}

// grantable are preset permissions the load grants (each application at most once).
var grantable = []replica.Permission{
	{API: "operate-api", Permission: "read:*"}, {API: "operate-api", Permission: "write:*"},
	{API: "tasklist-api", Permission: "read:*"}, {API: "tasklist-api", Permission: "write:*"},
	{API: "optimize-api", Permission: "write:*"}, {API: "zeebe-api", Permission: "write:*"},
	{API: "web-modeler-api", Permission: "write:*"},
}

var consoleRead = replica.Permission{API: "console-api", Permission: "read:*"}

// op weights: create app, rotate secret, grant, create file, issue token, revoke token.
var ops = []struct {
	name   string
	weight int
}{{"create-app", 10}, {"rotate-secret", 15}, {"grant", 15}, {"create-file", 20}, {"issue-token", 25}, {"revoke-token", 15}}

func pick(rng *rand.Rand) string {
	total := 0
	for _, o := range ops {
		total += o.weight
	}
	n := rng.IntN(total)
	for _, o := range ops {
		if n < o.weight {
			return o.name
		}
		n -= o.weight
	}
	return ops[0].name
}

// worker writes until ctx ends (the kill). Each application belongs to one worker,
// so that at most one request per application is in flight when the process dies.
func (h *harness) worker(ctx context.Context, id int, rng *rand.Rand) {
	mine := h.ledger.appsOf(id)
	c := h.client
	for ctx.Err() == nil && !h.killed.Load() {
		op := pick(rng)
		if len(mine) == 0 {
			op = "create-app"
		}
		start := time.Now()
		a := func() *appRec { return mine[rng.IntN(len(mine))] }
		switch op {
		case "create-app":
			app, r := c.CreateApp(ctx, h.admin, fmt.Sprintf("crash-%d-%d", id, h.seq.Add(1)), consoleRead)
			if !h.answered(ctx, op, start, r) {
				continue
			}
			rec := &appRec{id: app.ID, clientID: app.ClientID, owner: id, secret: app.ClientSecret}
			mine = append(mine, rec)
			h.ledger.addApp(rec)
			h.ledger.ack(op, check{kind: "app", app: rec}, check{kind: "secret", app: rec})
		case "rotate-secret":
			rec := a()
			// The grace period keeps the acknowledged secret valid even if a rotation in
			// flight at the kill was committed without being acknowledged.
			app, r := c.RotateSecret(ctx, h.admin, rec.id, time.Hour)
			if !h.answered(ctx, op, start, r) {
				continue
			}
			rec.secret = app.ClientSecret
			rec.rotations++
			h.ledger.ack(op, check{kind: "secret", app: rec})
		case "grant":
			rec := a()
			var left []replica.Permission
			for _, p := range grantable {
				if !slices.Contains(rec.perms, p) {
					left = append(left, p)
				}
			}
			if len(left) == 0 {
				continue
			}
			p := left[rng.IntN(len(left))]
			if r := c.Grant(ctx, h.admin, rec.id, p); !h.answered(ctx, op, start, r) {
				continue
			}
			rec.perms = append(rec.perms, p)
			h.ledger.ack(op, check{kind: "grant", app: rec, perm: p})
		case "create-file":
			n := h.seq.Add(1)
			content := replica.BPMN(fmt.Sprintf("w%dn%d", id, n))
			fid, r := c.CreateFile(ctx, h.modelerToken, h.project, fmt.Sprintf("crash-%d.bpmn", n), content)
			if !h.answered(ctx, op, start, r) {
				continue
			}
			h.ledger.ack(op, check{kind: "file", file: &fileRec{id: fid, content: content}})
		case "issue-token":
			rec := a()
			tok, r := c.Token(ctx, rec.clientID, rec.secret, "")
			if !h.answered(ctx, op, start, r) {
				continue
			}
			h.ledger.token200()
			t := &tokRec{token: tok, jti: jti(tok)}
			rec.tokens = append(rec.tokens, t)
			h.ledger.ack(op, check{kind: "token", app: rec, tok: t})
		case "revoke-token":
			rec := a()
			var liveToks []*tokRec
			for _, t := range rec.tokens {
				if t.state == live {
					liveToks = append(liveToks, t)
				}
			}
			if len(liveToks) == 0 {
				continue
			}
			t := liveToks[rng.IntN(len(liveToks))]
			r := c.Revoke(ctx, rec.clientID, rec.secret, t.token)
			if !h.answered(ctx, op, start, r) {
				if r.Err != nil {
					t.state = uncertain
				}
				continue
			}
			t.state = revoked
			h.ledger.ack(op, check{kind: "revoke", app: rec, tok: t})
		}
		time.Sleep(time.Duration(1+rng.IntN(8)) * time.Millisecond)
	}
}

// answered reports a success; anything else is filed with the ledger.
func (h *harness) answered(ctx context.Context, kind string, start time.Time, r replica.Response) bool {
	if r.OK() {
		h.ledger.took(kind, time.Since(start))
		return true
	}
	if ctx.Err() != nil && r.Err == nil {
		r.Err = ctx.Err()
	}
	h.ledger.outcome(kind, r)
	return false
}

// jti reads the jti claim of a token the server just issued (no verification needed).
func jti(token string) string {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return ""
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return ""
	}
	var c struct {
		JTI string `json:"jti"`
	}
	_ = json.Unmarshal(b, &c)
	return c.JTI
}
