package identity

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
)

// ClientSpec is one application declared in configuration, in the shape of Camunda
// Identity's KEYCLOAK_CLIENTS_<n>_* variables.
type ClientSpec struct {
	Name        string
	ID          string // client id
	Secret      string
	Type        string // "M2M", "CONFIDENTIAL" or "PUBLIC" (case-insensitive; "" is M2M)
	Permissions []PermissionRef
	Web         store.WebSettings
}

// SeedResult says what seeding did with one client.
type SeedResult struct {
	ClientID string
	Action   string // "created", "updated", "unchanged"
}

// seedPrep is what Seed works out for one declaration before it writes anything: the
// slow part (argon2id hashing and verification), done for all declarations at once.
type seedPrep struct {
	typ     string // the declaration's application type (AppM2M, …)
	app     store.Application
	exists  bool
	same    bool          // the stored secret is the declared one
	upgrade bool          // ... but stored as argon2id where the fast form is possible
	fresh   *store.Secret // the declared secret's verifier, when it must be stored (never for PUBLIC)
	err     error
}

// Seed makes the declared clients exist with their secrets and permissions. It is
// idempotent: an unchanged declaration changes nothing, a changed secret replaces the
// stored one, declared permissions are added (never removed: they may have been granted
// through the management API since). Secrets are hashed and checked in parallel (at
// most GOMAXPROCS at once); the writes follow in declaration order.
func (s *Service) Seed(ctx context.Context, realm string, specs []ClientSpec) ([]SeedResult, error) {
	for _, c := range specs {
		typ, err := ParseAppType(c.Type)
		if err != nil {
			return nil, fmt.Errorf("identity: configured client %q: %w", c.ID, err)
		}
		if c.ID == "" || (c.Secret == "") != (typ == AppPublic) {
			return nil, fmt.Errorf("identity: configured client %q needs an id, and a secret unless it is PUBLIC", c.Name)
		}
		if err := CheckWeb(typ, c.Web); err != nil {
			return nil, fmt.Errorf("identity: configured client %q: %w", c.ID, err)
		}
	}
	preps := s.prepareSeed(ctx, realm, specs)
	var out []SeedResult
	b := seedBatch{s: s, realm: realm}
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
			if err := b.add(ctx, name, c, p); err != nil {
				return out, fmt.Errorf("identity: seed client %q: %w", c.ID, err)
			}
			if len(b.apps) >= seedBatchSize {
				var err error
				if out, err = b.flush(ctx, out); err != nil {
					return out, err
				}
			}
			continue
		}
		var err error
		if out, err = b.flush(ctx, out); err != nil {
			return out, err
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
	return b.flush(ctx, out)
}

// seedBatchSize is how many new applications one store transaction creates: a bulk
// import commits (and syncs) once per batch instead of twice per application.
const seedBatchSize = 500

// seedBatch collects new applications of one Seed call for CreateApps.
type seedBatch struct {
	s       *Service
	realm   string
	apis    []store.API // read once, at the first new application
	read    bool
	apps    []store.Application
	grants  []store.Grant
	secrets []string // each application's secret in clear, to remember argon2id ones
}

func (b *seedBatch) add(ctx context.Context, name string, c ClientSpec, p seedPrep) error {
	if !b.read {
		apis, err := b.s.store.ListAPIs(ctx, b.realm)
		if err != nil {
			return err
		}
		b.apis, b.read = apis, true
	}
	now := b.s.now().UTC()
	app := store.Application{ID: NewID(), Realm: b.realm, ClientID: c.ID, Name: name, Type: p.typ, Enabled: true,
		Source: "config", CreatedAt: now, UpdatedAt: now, Web: c.Web}
	if p.fresh != nil {
		app.Secrets = []store.Secret{*p.fresh}
	}
	gs, err := b.s.grantsIn(b.apis, b.realm, app.ID, c.Permissions)
	if err != nil {
		return err
	}
	b.apps, b.grants, b.secrets = append(b.apps, app), append(b.grants, gs...), append(b.secrets, c.Secret)
	return nil
}

// flush creates the collected applications and appends their results to out.
func (b *seedBatch) flush(ctx context.Context, out []SeedResult) ([]SeedResult, error) {
	if len(b.apps) == 0 {
		return out, nil
	}
	if err := b.s.store.CreateApps(ctx, b.apps, b.grants); err != nil {
		return out, fmt.Errorf("identity: seed clients %q…: %w", b.apps[0].ClientID, err)
	}
	for i, a := range b.apps {
		if len(a.Secrets) > 0 && a.Secrets[0].Kind == store.SecretArgon2id {
			b.s.remember(a.Secrets[0].ID, b.secrets[i]) // its first token costs no argon2id
		}
		out = append(out, SeedResult{ClientID: a.ClientID, Action: "created"})
	}
	b.s.Invalidate()
	b.apps, b.grants, b.secrets = b.apps[:0], b.grants[:0], b.secrets[:0]
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
	typ, _ := ParseAppType(c.Type) // checked by Seed
	p := seedPrep{typ: typ}
	app, err := s.store.GetAppByClientID(ctx, realm, c.ID)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return seedPrep{err: err}
	case typ == AppPublic:
		// No secret to check: the stored application is the declared one when it has none.
		p.app, p.exists, p.same = app, true, len(app.Secrets) == 0
		return p
	default:
		p.app, p.exists = app, true
		if p.same, err = s.checkSecret(ctx, app, c.Secret); err != nil {
			return seedPrep{err: err}
		}
		// Unchanged, but stored as argon2id by an offline import or an older version:
		// stored again in the fast form, so later starts skip argon2id.
		p.upgrade = p.same && len(s.DeclaredKey) > 0 && len(app.Secrets) == 1 && app.Secrets[0].Kind == store.SecretArgon2id
	}
	if typ != AppPublic && (!p.same || p.upgrade) {
		v := s.declaredVerifier(c.Secret, s.now().UTC())
		p.fresh = &v
	}
	return p
}

// declaredMAC is the stored verifier of a declared secret when the service has
// DeclaredKey: HMAC-SHA256 under a key derived from the master key. It costs
// microseconds, so declared clients add nothing measurable to a start, first or not.
// Someone with a copy of the database but not the master key can test no guess
// against it; someone with both can already sign any token with the realm's keys.
func (s *Service) declaredMAC(secret string) []byte {
	m := hmac.New(sha256.New, s.DeclaredKey)
	m.Write([]byte("gatehouse declared client secret v1\x00"))
	m.Write([]byte(secret))
	return m.Sum(nil)
}

// declaredVerifier is the stored form of a declared secret.
func (s *Service) declaredVerifier(secret string, now time.Time) store.Secret {
	if len(s.DeclaredKey) > 0 && !IsGeneratedSecret(secret) {
		return store.Secret{ID: NewID(), Kind: store.SecretHMAC, Hash: s.declaredMAC(secret), CreatedAt: now}
	}
	return verifier(secret, now)
}

func (s *Service) reseed(ctx context.Context, realm string, p seedPrep, name string, c ClientSpec) (bool, error) {
	app, ok := p.app, p.same
	changed := !ok || app.Name != name || app.Type != p.typ || !sameWeb(app.Web, c.Web)
	if changed || p.upgrade {
		now := s.now().UTC()
		_, err := s.store.UpdateApp(ctx, realm, app.ID, func(a store.Application) (store.Application, error) {
			a.Name, a.UpdatedAt, a.Type, a.Web = name, now, p.typ, c.Web
			switch {
			case p.fresh != nil:
				a.Secrets = []store.Secret{*p.fresh}
			case p.typ == AppPublic:
				a.Secrets = nil
			}
			return a, nil
		})
		if err != nil {
			return false, err
		}
		if p.fresh != nil && p.fresh.Kind == store.SecretArgon2id {
			s.remember(p.fresh.ID, c.Secret)
		}
		s.Invalidate()
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

func sameWeb(a, b store.WebSettings) bool {
	return a.RootURL == b.RootURL && slices.Equal(a.RedirectURIs, b.RedirectURIs) &&
		slices.Equal(a.PostLogoutRedirectURIs, b.PostLogoutRedirectURIs) && slices.Equal(a.WebOrigins, b.WebOrigins)
}
