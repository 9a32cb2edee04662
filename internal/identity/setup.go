package identity

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
)

// NewID returns a random (version 4) UUID. It is on the token endpoint's hot path (jti),
// so it formats by hand.
func NewID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:36], b[10:16])
	return string(out[:])
}

// NewClientID returns a random client id: 32 characters from [a-zA-Z0-9].
func NewClientID() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, 32)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)] // 256 % 62 bias is irrelevant for an identifier
	}
	return string(b)
}

// EnsureRealm creates the realm, or brings its algorithm, token lifetime and (when set)
// organization in line with configuration. It returns the stored realm.
func (s *Service) EnsureRealm(ctx context.Context, want store.Realm) (store.Realm, error) {
	r, err := s.store.GetRealm(ctx, want.Name)
	if errors.Is(err, store.ErrNotFound) {
		if want.Organization == "" {
			want.Organization = NewID()
		}
		want.CreatedAt = s.now().UTC()
		if err := s.store.CreateRealm(ctx, want); err != nil && !errors.Is(err, store.ErrAlreadyExists) {
			return store.Realm{}, err
		}
		return s.store.GetRealm(ctx, want.Name)
	}
	if err != nil {
		return store.Realm{}, err
	}
	if r.SigningAlg == want.SigningAlg && r.TokenLifetime == want.TokenLifetime &&
		(want.Organization == "" || r.Organization == want.Organization) {
		return r, nil
	}
	return s.store.UpdateRealm(ctx, want.Name, func(r store.Realm) (store.Realm, error) {
		r.SigningAlg, r.TokenLifetime = want.SigningAlg, want.TokenLifetime
		if want.Organization != "" {
			r.Organization = want.Organization
		}
		return r, nil
	})
}

// EnsurePresets creates the preset APIs that are missing and adds missing preset
// permissions and aliases to those that exist.
func (s *Service) EnsurePresets(ctx context.Context, realm string) error {
	have, err := s.store.ListAPIs(ctx, realm)
	if err != nil {
		return err
	}
	now := s.now().UTC()
	for _, p := range PresetAPIs() {
		i := slices.IndexFunc(have, func(a store.API) bool { return a.Audience == p.Audience })
		if i < 0 {
			p.ID, p.Realm, p.Preset, p.CreatedAt, p.UpdatedAt = NewID(), realm, true, now, now
			if err := s.store.CreateAPI(ctx, p); err != nil && !errors.Is(err, store.ErrAlreadyExists) {
				return err
			}
			continue
		}
		if missingPreset(have[i], p) {
			_, err := s.store.UpdateAPI(ctx, realm, have[i].ID, func(a store.API) (store.API, error) {
				for _, perm := range p.Permissions {
					if !slices.ContainsFunc(a.Permissions, func(x store.Permission) bool { return x.Definition == perm.Definition }) {
						a.Permissions = append(a.Permissions, perm)
					}
				}
				for _, al := range p.Aliases {
					if !slices.Contains(a.Aliases, al) {
						a.Aliases = append(a.Aliases, al)
					}
				}
				a.UpdatedAt = s.now().UTC()
				return a, nil
			})
			if err != nil {
				return err
			}
		}
	}
	s.Invalidate()
	return nil
}

func missingPreset(have, want store.API) bool {
	for _, p := range want.Permissions {
		if !slices.ContainsFunc(have.Permissions, func(x store.Permission) bool { return x.Definition == p.Definition }) {
			return true
		}
	}
	for _, al := range want.Aliases {
		if !slices.Contains(have.Aliases, al) {
			return true
		}
	}
	return false
}

// PermissionRef names a permission by API audience, e.g. "console-api" + "read:*".
type PermissionRef struct {
	Audience   string
	Definition string
}

// ParsePermissionRef reads "<audience>:<definition>", e.g. "web-modeler-public-api:read:*".
func ParsePermissionRef(s string) (PermissionRef, error) {
	aud, def, ok := strings.Cut(s, ":")
	if !ok || aud == "" || def == "" {
		return PermissionRef{}, fmt.Errorf("identity: permission %q is not of the form <api audience>:<definition>", s)
	}
	return PermissionRef{Audience: aud, Definition: def}, nil
}

func (p PermissionRef) String() string { return p.Audience + ":" + p.Definition }

// grantsFor turns permission references into grants for app, checking each exists.
func (s *Service) grantsFor(ctx context.Context, realm, appID string, refs []PermissionRef) ([]store.Grant, error) {
	if len(refs) == 0 {
		return nil, nil
	}
	apis, err := s.store.ListAPIs(ctx, realm)
	if err != nil {
		return nil, err
	}
	return s.grantsIn(apis, realm, appID, refs)
}

// grantsIn is grantsFor against the realm's APIs already read.
func (s *Service) grantsIn(apis []store.API, realm, appID string, refs []PermissionRef) ([]store.Grant, error) {
	out := make([]store.Grant, 0, len(refs))
	for _, r := range refs {
		i := slices.IndexFunc(apis, func(a store.API) bool { return a.Audience == r.Audience })
		if i < 0 {
			return nil, fmt.Errorf("identity: no API with audience %q: %w", r.Audience, store.ErrNotFound)
		}
		if !slices.ContainsFunc(apis[i].Permissions, func(p store.Permission) bool { return p.Definition == r.Definition }) {
			return nil, fmt.Errorf("identity: API %q has no permission %q: %w", r.Audience, r.Definition, store.ErrNotFound)
		}
		out = append(out, store.Grant{Realm: realm, AppID: appID, APIID: apis[i].ID, Permission: r.Definition, CreatedAt: s.now().UTC()})
	}
	return out, nil
}

// AppSpec describes an application to create.
type AppSpec struct {
	Name        string
	ClientID    string // empty: generated
	Secret      string // empty: generated (and returned); else an operator-chosen secret
	Source      string
	Permissions []PermissionRef
	Type        string            // AppM2M ("" too), AppConfidential or AppPublic
	Web         store.WebSettings // redirect URIs and the rest, for confidential and public apps
}

// CreateApp creates an enabled M2M application with its grants and returns it with its
// secret in clear: the only time the secret exists outside the caller's hands.
func (s *Service) CreateApp(ctx context.Context, realm string, spec AppSpec) (store.Application, string, error) {
	if strings.TrimSpace(spec.Name) == "" {
		return store.Application{}, "", errors.New("identity: application name is required")
	}
	typ, err := ParseAppType(spec.Type)
	if err != nil {
		return store.Application{}, "", err
	}
	if err := CheckWeb(typ, spec.Web); err != nil {
		return store.Application{}, "", err
	}
	now := s.now().UTC()
	app := store.Application{ID: NewID(), Realm: realm, ClientID: spec.ClientID, Name: spec.Name, Type: typ,
		Enabled: true, Source: spec.Source, CreatedAt: now, UpdatedAt: now, Web: spec.Web}
	if app.ClientID == "" {
		app.ClientID = NewClientID()
	}
	secret := spec.Secret
	switch {
	case typ == AppPublic:
		// A public client holds no secret (it could not keep one).
		if secret != "" {
			return store.Application{}, "", invalid("secret", "a PUBLIC application has no secret")
		}
	case secret == "":
		secret = GenerateSecret()
	}
	if typ != AppPublic {
		app.Secrets = []store.Secret{verifier(secret, now)}
	}
	grants, err := s.grantsFor(ctx, realm, app.ID, spec.Permissions)
	if err != nil {
		return store.Application{}, "", err
	}
	if err := s.store.CreateApp(ctx, app); err != nil {
		return store.Application{}, "", err
	}
	if len(grants) > 0 {
		if err := s.store.AddGrants(ctx, realm, grants); err != nil {
			return store.Application{}, "", err
		}
	}
	if len(app.Secrets) > 0 && app.Secrets[0].Kind == store.SecretArgon2id {
		s.remember(app.Secrets[0].ID, secret) // its first token costs no argon2id
	}
	s.Invalidate()
	return app, secret, nil
}

// verifier is the stored form of a client secret: a domain-separated SHA-256 for a
// secret of the generated format (256 random bits: a slow hash adds nothing), argon2id
// for anything else an operator chose.
func verifier(secret string, now time.Time) store.Secret {
	if IsGeneratedSecret(secret) {
		return store.Secret{ID: NewID(), Kind: store.SecretSHA256, Hash: digestGenerated(secret), CreatedAt: now}
	}
	return store.Secret{ID: NewID(), Kind: store.SecretArgon2id, Hash: []byte(HashPassword(secret)), CreatedAt: now}
}
