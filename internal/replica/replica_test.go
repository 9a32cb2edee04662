package replica_test

import (
	"context"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/replica"
	"github.com/gatehouse/gatehouse/internal/server"
	"github.com/gatehouse/gatehouse/internal/server/servertest"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
)

// TestReplicasShareOnePostgres runs three replicas on one PostgreSQL schema (issue 6,
// checklist F8, F11): an application made on one gets tokens from the others, 10,000
// tokens issued by each replica in turn are all accepted by the Administration API of
// another, a key rotated on one is published and used by all within 5 s, and an
// application disabled on one is refused by all (token endpoint and resource API)
// within 5 s.
func TestReplicasShareOnePostgres(t *testing.T) {
	slow(t)
	dsn := freshSchema(t, pgBase(t))
	var ins [3]*servertest.Instance
	var cs [3]*replica.Client
	for i := range ins {
		ins[i], cs[i] = startReplica(t, dsn)
	}
	ctx := t.Context()
	admin := adminToken(t, cs[0])
	app := mustApp(t, cs[0], admin, "replicated-job", consoleRead)

	t.Run("created on A, tokens from B and C", func(t *testing.T) {
		for _, c := range cs[1:] {
			mustToken(t, c, app, "")
		}
	})

	t.Run("10000 tokens verified by another replica", func(t *testing.T) {
		const n, workers = 10_000, 16
		start := time.Now()
		var next, bad atomic.Int64
		var mu sync.Mutex
		var firstBad string
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				for {
					i := int(next.Add(1) - 1)
					if i >= n || ctx.Err() != nil {
						return
					}
					issuer := i % 3
					verifier := (issuer + 1 + (i/3)%2) % 3 // each ordered pair of replicas
					tok, r := cs[issuer].Token(ctx, app.ClientID, app.ClientSecret, "")
					if tok != "" {
						r = cs[verifier].Clusters(ctx, tok)
					}
					if r.Status != http.StatusOK {
						bad.Add(1)
						mu.Lock()
						if firstBad == "" {
							firstBad = r.String()
						}
						mu.Unlock()
					}
				}
			})
		}
		wg.Wait()
		t.Logf("%d tokens issued and verified across replicas in %v", n, time.Since(start).Round(time.Millisecond))
		if bad.Load() != 0 {
			t.Fatalf("%d of %d tokens not accepted by another replica; first: %s", bad.Load(), n, firstBad)
		}
	})

	t.Run("rotation on A is used and published by B and C within 5 s", func(t *testing.T) {
		before := mustToken(t, cs[1], app, "")
		oldKid := kidOf(t, before)
		if r := cs[0].RotateKeys(ctx, admin); !r.OK() {
			t.Fatalf("rotate on A: %v", r)
		}
		keys, r := cs[0].Keys(ctx, admin)
		if !r.OK() || len(keys) == 0 || keys[0].State != "active" || keys[0].ID == oldKid {
			t.Fatalf("keys after rotation on A: %v %+v", r, keys)
		}
		newKid := keys[0].ID
		for i, c := range cs[1:] {
			took, ok := within(ctx, 5*time.Second, func() bool {
				kids, _ := c.JWKSKids(ctx)
				tok, _ := c.Token(ctx, app.ClientID, app.ClientSecret, "")
				return slices.Contains(kids, newKid) && tok != "" && kidOf(t, tok) == newKid
			})
			if !ok {
				t.Fatalf("replica %c does not sign with the new key %s after %v", 'B'+i, newKid, took)
			}
			t.Logf("replica %c signs with the rotated key after %v", 'B'+i, took.Round(time.Millisecond))
		}
		// The retired key stays published: the token signed before still verifies everywhere.
		for i, c := range cs {
			if r := c.Clusters(ctx, before); r.Status != http.StatusOK {
				t.Errorf("replica %c refuses a token of the retired key: %v", 'A'+i, r)
			}
		}
		got, err := ins[2].Store().ListKeys(ctx, realm)
		if err != nil {
			t.Fatal(err)
		}
		if n := countState(got, store.KeyActive); n != 1 {
			t.Errorf("%d active keys after rotation, want 1", n)
		}
	})

	t.Run("disabled on A is refused by B and C within 5 s", func(t *testing.T) {
		victim := mustApp(t, cs[0], admin, "disabled-elsewhere", consoleRead)
		issued := make([]string, len(cs))
		for i, c := range cs { // warm every replica's client cache
			issued[i] = mustToken(t, c, victim, "")
		}
		if _, r := cs[0].SetEnabled(ctx, admin, victim.ID, false); !r.OK() {
			t.Fatalf("disable on A: %v", r)
		}
		for i, c := range cs[1:] {
			took, ok := within(ctx, 5*time.Second, func() bool {
				_, tr := c.Token(ctx, victim.ClientID, victim.ClientSecret, "")
				rr := c.Clusters(ctx, issued[i+1])
				return tr.Status == http.StatusUnauthorized && rr.Status == http.StatusUnauthorized
			})
			if !ok {
				t.Fatalf("replica %c still serves the disabled application after %v", 'B'+i, took)
			}
			t.Logf("replica %c refuses the disabled application (token endpoint and Administration API) after %v", 'B'+i, took.Round(time.Millisecond))
		}
	})

	t.Run("revoked on A is refused by B and C within 5 s", func(t *testing.T) {
		tok := mustToken(t, cs[1], app, "")
		for i, c := range cs {
			if r := c.Clusters(ctx, tok); r.Status != http.StatusOK {
				t.Fatalf("replica %c before the revocation: %v", 'A'+i, r)
			}
		}
		if r := cs[0].Revoke(ctx, app.ClientID, app.ClientSecret, tok); !r.OK() {
			t.Fatalf("revoke on A: %v", r)
		}
		for i, c := range cs[1:] {
			took, ok := within(ctx, 5*time.Second, func() bool {
				active, ir := c.Introspect(ctx, app.ClientID, app.ClientSecret, tok)
				return c.Clusters(ctx, tok).Status == http.StatusUnauthorized && ir.OK() && !active
			})
			if !ok {
				t.Fatalf("replica %c still accepts the token revoked on A after %v", 'B'+i, took)
			}
			t.Logf("replica %c refuses the token revoked on A (Administration API and introspection) after %v", 'B'+i, took.Round(time.Millisecond))
		}
	})

	t.Run("failed-authentication throttle is per replica", func(t *testing.T) {
		guessed := mustApp(t, cs[0], admin, "guessed", consoleRead)
		var last replica.Response
		for range 30 {
			if _, last = cs[0].Token(ctx, guessed.ClientID, "wrong", ""); last.Status == http.StatusTooManyRequests {
				break
			}
		}
		if last.Status != http.StatusTooManyRequests {
			t.Fatalf("A after repeated wrong secrets: %v, want 429", last)
		}
		// Documented in docs/operations.md: counters live in each replica's memory, so
		// with N replicas an attacker gets up to N times the per-replica allowance.
		if _, r := cs[1].Token(ctx, guessed.ClientID, "wrong", ""); r.Status != http.StatusUnauthorized {
			t.Errorf("B after A throttled the client: %v, want 401 (B has its own counters)", r)
		}
	})

	t.Run("a replica with another master key refuses to start", func(t *testing.T) {
		c := servertest.DefaultConfig(t.TempDir())
		c.DatabaseURL, c.IdentityPublicURL = dsn, publicURL
		c.MasterKey = "ZGlmZmVyZW50LW1hc3Rlci1rZXktb2YtMzItYnl0ZXM="
		if err := c.Validate(); err != nil {
			t.Fatal(err)
		}
		s, err := server.New(ctx, c, server.Options{})
		if err == nil {
			s.Close()
			t.Fatal("a replica with a different GATEHOUSE_MASTER_KEY started")
		}
		t.Logf("refused: %v", err)
	})

	t.Run("secret rotated on A works on B after its next poll", func(t *testing.T) {
		mustToken(t, cs[1], app, "") // B has the application cached
		rotated, r := cs[0].RotateSecret(ctx, admin, app.ID, time.Minute)
		if !r.OK() {
			t.Fatalf("rotate secret on A: %v", r)
		}
		rotatedAt := time.Now()
		_, tr := cs[1].Token(ctx, app.ClientID, rotated.ClientSecret, "")
		if tr.Status != http.StatusOK {
			// B answers from its client cache until its next revision poll (≤ 1 s), and
			// each such 401 counts towards the failure throttle (reported in
			// docs/reliability.md; the fix belongs in identity.Authenticate).
			t.Logf("B answered %d to the new secret at once (stale client cache)", tr.Status)
		}
		// Retry once a second, as a well-behaved client would: below the throttle.
		for {
			time.Sleep(time.Second)
			if _, tr = cs[1].Token(ctx, app.ClientID, rotated.ClientSecret, ""); tr.Status == http.StatusOK {
				break
			}
			if time.Since(rotatedAt) > 5*time.Second {
				t.Fatalf("B refuses the secret rotated on A after %v: %v", time.Since(rotatedAt), tr)
			}
		}
		t.Logf("B accepts the secret rotated on A %v after the rotation", time.Since(rotatedAt).Round(time.Millisecond))
		if _, tr := cs[1].Token(ctx, app.ClientID, app.ClientSecret, ""); tr.Status != http.StatusOK {
			t.Errorf("B refuses the old secret during its grace period: %v", tr)
		}
	})
}

func countState(ks []store.SigningKey, s store.KeyState) int {
	n := 0
	for _, k := range ks {
		if k.State == s {
			n++
		}
	}
	return n
}

// TestColdStarts starts 20 replicas at the same instant on an empty schema (checklist
// F12): every one starts, the migrations are applied exactly once, the realm ends up
// with exactly one active key, and within 5 s every replica signs with it.
func TestColdStarts(t *testing.T) {
	slow(t)
	dsn := freshSchema(t, pgBase(t))
	const n = 20
	gate := make(chan struct{})
	servers := make([]*server.Server, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			c := servertest.DefaultConfig(t.TempDir())
			c.DatabaseURL, c.IdentityPublicURL, c.LogLevel = dsn, publicURL, "info"
			if errs[i] = c.Validate(); errs[i] != nil {
				return
			}
			<-gate
			servers[i], errs[i] = server.New(t.Context(), c, server.Options{})
		})
	}
	start := time.Now()
	close(gate)
	wg.Wait()
	t.Logf("%d simultaneous cold starts took %v", n, time.Since(start).Round(time.Millisecond))
	ctx, cancel := context.WithCancel(t.Context())
	var running sync.WaitGroup
	t.Cleanup(func() { cancel(); running.Wait() })
	for i, err := range errs {
		if err != nil {
			t.Errorf("replica %d did not start: %v", i, err)
			continue
		}
		running.Go(func() { _ = servers[i].Run(ctx) })
	}
	if t.Failed() {
		t.FailNow()
	}

	var rows, distinct int
	if err := replica.Query(ctx, dsn, "SELECT count(*), count(DISTINCT version) FROM schema_migrations", &rows, &distinct); err != nil {
		t.Fatal(err)
	}
	want, err := sqlstore.MigrationVersions(sqlstore.Postgres)
	if err != nil {
		t.Fatal(err)
	}
	if rows != len(want) || distinct != len(want) {
		t.Errorf("schema_migrations holds %d rows (%d versions), want each of the %d migrations once", rows, distinct, len(want))
	}

	ks, err := servers[0].Store().ListKeys(ctx, realm)
	if err != nil {
		t.Fatal(err)
	}
	if got := countState(ks, store.KeyActive); got != 1 {
		t.Fatalf("%d active keys after %d cold starts, want 1", got, n)
	}
	var active string
	for _, k := range ks {
		if k.State == store.KeyActive {
			active = k.ID
		}
	}
	t.Logf("keys after %d cold starts: 1 active, %d next, %d retired", n, countState(ks, store.KeyNext), countState(ks, store.KeyRetired))
	took, ok := within(ctx, 5*time.Second, func() bool {
		for _, s := range servers {
			if k, err := s.Keys.Signer(realm); err != nil || k.ID != active {
				return false
			}
		}
		return true
	})
	if !ok {
		t.Fatalf("not every replica signs with the active key %s after %v", active, took)
	}
	t.Logf("all %d replicas sign with the one active key after %v", n, took.Round(time.Millisecond))
}
