package identity

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"runtime"
	"sync"

	"github.com/gatehouse/gatehouse/internal/store"
)

// ClientSpec is one application declared in configuration, in the shape of Camunda
// Identity's KEYCLOAK_CLIENTS_<n>_* variables.
type ClientSpec struct {
	Name        string
	ID          string // client id
	Secret      string
	Type        string // "M2M" (case-insensitive)
	Permissions []PermissionRef
}

// SeedResult says what seeding did with one client.
type SeedResult struct {
	ClientID string
	Action   string // "created", "updated", "unchanged"
}

// seedPrep is what Seed works out for one declaration before it writes anything: the
// slow part (argon2id hashing and verification), done for all declarations at once.
type seedPrep struct {
	app    store.Application
	exists bool
	same   bool          // the stored secret is the declared one
	fresh  *store.Secret // the declared secret's verifier, when it must be stored
	err    error
}

// Seed makes the declared clients exist with their secrets and permissions. It is
// idempotent: an unchanged declaration changes nothing, a changed secret replaces the
// stored one, declared permissions are added (never removed: they may have been granted
// through the management API since). Secrets are hashed and checked in parallel (at
// most GOMAXPROCS at once); the writes follow in declaration order.
func (s *Service) Seed(ctx context.Context, realm string, specs []ClientSpec) ([]SeedResult, error) {
	for _, c := range specs {
		if c.ID == "" || c.Secret == "" {
			return nil, fmt.Errorf("identity: configured client %q needs an id and a secret", c.Name)
		}
	}
	preps := s.prepareSeed(ctx, realm, specs)
	var out []SeedResult
	for i, c := range specs {
		p := preps[i]
		if p.err != nil {
			return out, fmt.Errorf("identity: seed client %q: %w", c.ID, p.err)
		}
		name := c.Name
		if name == "" {
			name = c.ID
		}
		if !p.exists {
			app, _, err := s.CreateApp(ctx, realm, AppSpec{Name: name, ClientID: c.ID, Secret: c.Secret, Source: "config",
				Permissions: c.Permissions, verifier: p.fresh})
			if err != nil {
				return out, fmt.Errorf("identity: seed client %q: %w", c.ID, err)
			}
			s.keepDeclared(ctx, app.Secrets[0], c.Secret)
			out = append(out, SeedResult{ClientID: c.ID, Action: "created"})
			continue
		}
		changed, err := s.reseed(ctx, realm, p, name, c)
		if err != nil {
			return out, fmt.Errorf("identity: seed client %q: %w", c.ID, err)
		}
		action := "unchanged"
		if changed {
			action = "updated"
		}
		out = append(out, SeedResult{ClientID: c.ID, Action: action})
	}
	return out, nil
}

// prepareSeed looks every declaration up and hashes or checks its secret, in parallel.
func (s *Service) prepareSeed(ctx context.Context, realm string, specs []ClientSpec) []seedPrep {
	preps := make([]seedPrep, len(specs))
	work := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(specs)) {
		wg.Go(func() {
			for i := range work {
				preps[i] = s.prepareOne(ctx, realm, specs[i])
			}
		})
	}
	for i := range specs {
		work <- i
	}
	close(work)
	wg.Wait()
	return preps
}

func (s *Service) prepareOne(ctx context.Context, realm string, c ClientSpec) seedPrep {
	var p seedPrep
	app, err := s.store.GetAppByClientID(ctx, realm, c.ID)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return seedPrep{err: err}
	default:
		p.app, p.exists = app, true
		if p.same = s.declaredUnchanged(ctx, app, c.Secret); !p.same {
			if p.same, err = s.checkSecret(ctx, app, c.Secret); err != nil {
				return seedPrep{err: err}
			}
		}
	}
	if !p.same {
		v := verifier(c.Secret, s.now().UTC())
		p.fresh = &v
	}
	return p
}

// With Service.DeclaredKey set (the wiring derives it from the master key), a restart
// recognises an unchanged declared secret by an HMAC kept in the store's meta values
// instead of verifying it with argon2id. Keyed with the master key, the stored HMAC
// tells nothing to someone who holds only a copy of the database.
func (s *Service) declaredMetaKey(secretID string) string { return "declared-secret:" + secretID }

func (s *Service) declaredMAC(secretID, secret string) string {
	m := hmac.New(sha256.New, s.DeclaredKey)
	m.Write([]byte(secretID + "\x00" + secret))
	return hex.EncodeToString(m.Sum(nil))
}

// keepDeclared stores the HMAC of a declared secret just stored as argon2id.
func (s *Service) keepDeclared(ctx context.Context, sec store.Secret, secret string) {
	if len(s.DeclaredKey) == 0 || sec.Kind != store.SecretArgon2id {
		return
	}
	// Best effort: without it the next start verifies with argon2id, as before.
	s.store.PutMetaIfAbsent(ctx, s.declaredMetaKey(sec.ID), s.declaredMAC(sec.ID, secret))
}

// declaredUnchanged reports whether app's one secret is the declared secret, known by
// its stored HMAC; the secret is then remembered, so its first token is fast too.
func (s *Service) declaredUnchanged(ctx context.Context, app store.Application, secret string) bool {
	if len(s.DeclaredKey) == 0 || len(app.Secrets) != 1 || app.Secrets[0].Kind != store.SecretArgon2id ||
		!SecretLive(app.Secrets[0], s.now()) {
		return false
	}
	sec := app.Secrets[0]
	stored, err := s.store.GetMeta(ctx, s.declaredMetaKey(sec.ID))
	if err != nil || !hmac.Equal([]byte(stored), []byte(s.declaredMAC(sec.ID, secret))) {
		return false
	}
	s.remember(sec.ID, secret)
	return true
}

func (s *Service) reseed(ctx context.Context, realm string, p seedPrep, name string, c ClientSpec) (bool, error) {
	app, ok := p.app, p.same
	changed := !ok || app.Name != name
	if changed {
		now := s.now().UTC()
		_, err := s.store.UpdateApp(ctx, realm, app.ID, func(a store.Application) (store.Application, error) {
			a.Name, a.UpdatedAt = name, now
			if !ok {
				a.Secrets = []store.Secret{*p.fresh}
			}
			return a, nil
		})
		if err != nil {
			return false, err
		}
		if !ok {
			if p.fresh.Kind == store.SecretArgon2id {
				s.remember(p.fresh.ID, c.Secret)
			}
			s.keepDeclared(ctx, *p.fresh, c.Secret)
		}
	} else if len(app.Secrets) == 1 {
		s.keepDeclared(ctx, app.Secrets[0], c.Secret) // a database from before the HMACs
	}
	grants, err := s.grantsFor(ctx, realm, app.ID, c.Permissions)
	if err != nil {
		return false, err
	}
	have, err := s.store.ListGrants(ctx, realm, store.GrantFilter{AppID: app.ID})
	if err != nil {
		return false, err
	}
	var missing []store.Grant
	for _, g := range grants {
		found := false
		for _, h := range have {
			if h.APIID == g.APIID && h.Permission == g.Permission {
				found = true
				break
			}
		}
		if !found {
			missing = append(missing, g)
		}
	}
	if len(missing) > 0 {
		if err := s.store.AddGrants(ctx, realm, missing); err != nil {
			return false, err
		}
		changed = true
	}
	if changed {
		s.Invalidate()
	}
	return changed, nil
}

// BootstrapName is the name and client id of the administrator application made on a
// first start. The id is fixed so that replicas starting together on an empty database
// make one administrator between them; its secret is generated.
const BootstrapName = "bootstrap-admin"

// AdminPermissions are what the administrator application holds: the management API.
var AdminPermissions = []PermissionRef{{AudienceIdentity, "read"}, {AudienceIdentity, "write"}}

// Bootstrap creates an administrator application with a generated secret when the realm
// has no application at all. created is false when the realm already had applications.
func (s *Service) Bootstrap(ctx context.Context, realm string) (app store.Application, plain string, created bool, err error) {
	_, total, err := s.store.ListApps(ctx, realm, store.ListOptions{Limit: 1})
	if err != nil || total > 0 {
		return store.Application{}, "", false, err
	}
	app, plain, err = s.CreateApp(ctx, realm, AppSpec{Name: BootstrapName, ClientID: BootstrapName, Source: "bootstrap", Permissions: AdminPermissions})
	if errors.Is(err, store.ErrAlreadyExists) { // another replica made it a moment ago
		return store.Application{}, "", false, nil
	}
	return app, plain, err == nil, err
}
