package identity

import (
	"context"
	"crypto/sha256"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
)

// TestChosenSecretsCostArgonOnce: a correct operator-chosen secret costs argon2id at
// most once per process (not at all right after it was set), a wrong one for an
// application whose secret is known is refused without argon2id, and the digests kept
// are keyed per process.
func TestChosenSecretsCostArgonOnce(t *testing.T) {
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, sqlstore.SQLite, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	now := func() time.Time { return time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC) }
	s := New(st, now, 2)
	if _, err := s.EnsureRealm(ctx, store.Realm{Name: "r", SigningAlg: "ES256", TokenLifetime: time.Minute}); err != nil {
		t.Fatal(err)
	}
	app, _, err := s.CreateApp(ctx, "r", AppSpec{Name: "job", ClientID: "job", Secret: "chosen secret 1", Source: "config"})
	if err != nil {
		t.Fatal(err)
	}
	auth := func(s *Service, secret string) error {
		_, err := s.Authenticate(ctx, "r", "job", secret)
		return err
	}
	for i, tc := range []struct {
		secret string
		ok     bool
	}{{"chosen secret 1", true}, {"wrong", false}, {"chosen secret 1", true}, {"also wrong", false}} {
		if err := auth(s, tc.secret); (err == nil) != tc.ok {
			t.Fatalf("check %d: %v", i, err)
		}
	}
	if n := s.slowRuns.Load(); n != 0 {
		t.Errorf("the process that set the secret ran argon2id %d times", n)
	}

	// Another process: one argon2id for the first right secret, none after.
	s2 := New(st, now, 2)
	if err := auth(s2, "chosen secret 1"); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := auth(s2, "chosen secret 1"); err != nil {
			t.Fatal(err)
		}
		if err := auth(s2, "wrong"); err == nil {
			t.Fatal("wrong secret accepted")
		}
	}
	if n := s2.slowRuns.Load(); n != 1 {
		t.Errorf("argon2id ran %d times, want 1", n)
	}
	// The kept digest is keyed: not a plain SHA-256, and not the same in two processes.
	sec := app.Secrets[0].ID
	d1, _ := s.known(sec)
	d2, _ := s2.known(sec)
	if plain := sha256.Sum256([]byte("chosen secret 1")); d1 == plain || d1 == d2 {
		t.Error("the kept digest is not keyed per process")
	}
}

// TestSlowBudget: failed argon2id verifications of one application are bounded,
// whatever the source: beyond SlowPolicy.Threshold, checks answer ErrSlowDown without
// hashing, and other applications are not affected.
func TestSlowBudget(t *testing.T) {
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, sqlstore.SQLite, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	now := func() time.Time { return time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC) }
	setup := New(st, now, 2)
	if _, err := setup.EnsureRealm(ctx, store.Realm{Name: "r", SigningAlg: "ES256", TokenLifetime: time.Minute}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"target", "bystander"} {
		if _, _, err := setup.CreateApp(ctx, "r", AppSpec{Name: id, ClientID: id, Secret: "chosen " + id, Source: "config"}); err != nil {
			t.Fatal(err)
		}
	}
	s := New(st, now, 2) // a fresh process: nothing known yet
	for i := range SlowPolicy.Threshold {
		if _, err := s.Authenticate(ctx, "r", "target", "guess"); !errors.Is(err, ErrInvalidClient) {
			t.Fatalf("guess %d: %v", i, err)
		}
	}
	runs := s.slowRuns.Load()
	_, err = s.Authenticate(ctx, "r", "target", "guess")
	var sd *SlowDownError
	if !errors.As(err, &sd) || !errors.Is(err, ErrSlowDown) || sd.RetryAfter <= 0 {
		t.Fatalf("beyond the budget: %v", err)
	}
	if n := s.slowRuns.Load(); n != runs {
		t.Errorf("a check beyond the budget ran argon2id")
	}
	if _, err := s.Authenticate(ctx, "r", "bystander", "chosen bystander"); err != nil {
		t.Errorf("another application: %v", err)
	}
}

// TestSeedSkipsArgon: with the master-key-derived key, declared secrets are stored as
// HMACs: neither a first start nor a restart runs argon2id, for seeding or for their
// first tokens. A secret stored as argon2id without the key (an offline import) is
// verified once and stored again in the fast form. A changed secret is stored anew; a
// secret of the generated format is stored as SHA-256.
func TestSeedSkipsArgon(t *testing.T) {
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, sqlstore.SQLite, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	now := func() time.Time { return time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC) }
	key := []byte("0123456789abcdef0123456789abcdef")
	start := func(key []byte) *Service {
		s := New(st, now, 2)
		s.DeclaredKey = key
		if _, err := s.EnsureRealm(ctx, store.Realm{Name: "r", SigningAlg: "ES256", TokenLifetime: time.Minute}); err != nil {
			t.Fatal(err)
		}
		return s
	}
	gen := GenerateSecret()
	specs := []ClientSpec{{ID: "generated", Secret: gen}}
	for i := range 8 {
		specs = append(specs, ClientSpec{ID: "declared-" + string(rune('a'+i)), Secret: "chosen secret " + string(rune('a'+i))})
	}
	seed := func(s *Service, want string) {
		t.Helper()
		res, err := s.Seed(ctx, "r", specs)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res {
			if r.Action != want {
				t.Fatalf("%s: %s, want %s", r.ClientID, r.Action, want)
			}
		}
	}
	tokens := func(s *Service) {
		t.Helper()
		for _, c := range specs {
			if _, err := s.Authenticate(ctx, "r", c.ID, c.Secret); err != nil {
				t.Fatalf("%s: %v", c.ID, err)
			}
		}
	}
	// Offline (no key): argon2id, hashed in parallel.
	offline := start(nil)
	seed(offline, "created")
	if a, _ := st.GetAppByClientID(ctx, "r", "generated"); a.Secrets[0].Kind != store.SecretSHA256 {
		t.Errorf("a secret of the generated format is stored as %s", a.Secrets[0].Kind)
	}
	if a, _ := st.GetAppByClientID(ctx, "r", "declared-a"); a.Secrets[0].Kind != store.SecretArgon2id {
		t.Errorf("without the key a declared secret is stored as %s", a.Secrets[0].Kind)
	}
	// The first start with the key: one argon2id check each, then the fast form.
	upgrade := start(key)
	seed(upgrade, "unchanged")
	if n := upgrade.slowRuns.Load(); n != 8 {
		t.Errorf("upgrading start: %d argon2id runs, want 8", n)
	}
	if a, _ := st.GetAppByClientID(ctx, "r", "declared-a"); a.Secrets[0].Kind != store.SecretHMAC {
		t.Errorf("after a start with the key a declared secret is stored as %s", a.Secrets[0].Kind)
	}
	restart := start(key)
	seed(restart, "unchanged")
	tokens(restart)
	if n := restart.slowRuns.Load(); n != 0 {
		t.Errorf("a restart ran argon2id %d times", n)
	}

	// A changed secret is stored anew: the old one is refused, the new one works.
	specs[1].Secret = "a new chosen secret"
	changed := start(key)
	res, err := changed.Seed(ctx, "r", specs)
	if err != nil || res[1].Action != "updated" || res[2].Action != "unchanged" {
		t.Fatalf("after a change: %+v %v", res, err)
	}
	if _, err := changed.Authenticate(ctx, "r", specs[1].ID, "chosen secret a"); !errors.Is(err, ErrInvalidClient) {
		t.Errorf("old secret after a change: %v", err)
	}
	tokens(changed)

	// A first start on an empty database with the key: no argon2id at all.
	st2, err := sqlstore.Open(ctx, sqlstore.SQLite, filepath.Join(t.TempDir(), "t2.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st2.Close() })
	st = st2
	fresh := start(key)
	seed(fresh, "created")
	tokens(fresh)
	if n := fresh.slowRuns.Load(); n != 0 {
		t.Errorf("a first start ran argon2id %d times", n)
	}
	// Without the key a service cannot check the fast form: nothing matches.
	if _, err := start(nil).Authenticate(ctx, "r", specs[1].ID, specs[1].Secret); !errors.Is(err, ErrInvalidClient) {
		t.Errorf("fast form checked without the key: %v", err)
	}
}
