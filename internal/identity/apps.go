package identity

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gatehouse/gatehouse/internal/fault"
	"github.com/gatehouse/gatehouse/internal/store"
)

// ErrInvalid marks input the domain refuses; the management API answers 400. The
// message of an *InvalidError names the field and the rule, never the input itself.
var ErrInvalid = fault.ErrInvalid

// InvalidError says which field broke which rule.
type InvalidError = fault.InvalidError

func invalid(field, rule string) error { return fault.Invalidf(field, rule) }

// ConflictError is a domain rule that refuses a change in the current state; it
// matches store.ErrConflict (409). Reason is a fixed text, safe to show.
type ConflictError = fault.ConflictError

func conflict(reason string) error { return &ConflictError{Reason: reason, Prefix: "identity"} }

// Limits of management input.
const (
	MaxNameLen    = 255                 // names of applications, APIs, users, roles
	MaxGrace      = 30 * 24 * time.Hour // longest rotation grace period
	MaxListInput  = 256                 // permissions, aliases or roles in one request
	MaxDescLen    = 1024                // permission descriptions
	maxTokenChars = 128                 // permission definitions
)

// HasBidiControl reports whether s holds a Unicode bidirectional formatting character
// (U+061C, U+200E-U+200F, U+202A-U+202E, U+2066-U+2069). No client id or username
// has one: "\u202enimda" would display as "admin" wherever it is shown (the audit page),
// so surfaces refuse such identifiers at input, before any lookup or audit write.
func HasBidiControl(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Bidi_Control, r) {
			return true
		}
	}
	return false
}

// checkText accepts 1..max characters of valid UTF-8 without control or bidirectional
// formatting characters (checklist D2: no U+202E tricks in names shown to people), and
// without leading or trailing white space.
func checkText(field, s string, max int) error {
	rule := fmt.Sprintf("must be 1-%d characters, without control characters or surrounding spaces", max)
	if s == "" || !utf8.ValidString(s) || utf8.RuneCountInString(s) > max {
		return invalid(field, rule)
	}
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) || r == '\u2028' || r == '\u2029' {
			return invalid(field, rule)
		}
	}
	first, _ := utf8.DecodeRuneInString(s)
	last, _ := utf8.DecodeLastRuneInString(s)
	if unicode.IsSpace(first) || unicode.IsSpace(last) {
		return invalid(field, rule)
	}
	return nil
}

// CheckName validates the name of an application, API, user or role.
func CheckName(field, name string) error { return checkText(field, name, MaxNameLen) }

// AppPatch changes an application; nil fields stay as they are.
type AppPatch struct {
	Name    *string
	Enabled *bool
	Type    *string // M2M ↔ CONFIDENTIAL only (webapps.go)
	Web     *WebPatch
}

// newApplication creates an M2M application for the management API and the console.
// Its client id and secret are generated: clients never choose their client_id (RFC
// 9700 §2, checklist C22). The secret is returned once and only its digest is stored.
func (s *Service) newApplication(ctx context.Context, realm, name string, perms []PermissionRef, kind ...webKind) (store.Application, string, error) {
	if err := CheckName("name", name); err != nil {
		return store.Application{}, "", err
	}
	perms, err := checkRefs(perms)
	if err != nil {
		return store.Application{}, "", err
	}
	spec := AppSpec{Name: name, Source: "api", Permissions: perms}
	for _, k := range kind {
		spec.Type, spec.Web = k.typ, k.web
	}
	app, secret, err := s.CreateApp(ctx, realm, spec)
	if errors.Is(err, store.ErrNotFound) {
		return store.Application{}, "", invalid("permissions", "every item must name an existing API audience and one of its permission definitions")
	}
	return app, secret, err
}

// GetApp returns an application of realm (store.ErrNotFound for another realm's).
func (s *Service) GetApp(ctx context.Context, realm, id string) (store.Application, error) {
	return s.store.GetApp(ctx, realm, id)
}

// ListApps pages the realm's applications by name.
func (s *Service) ListApps(ctx context.Context, realm string, opt store.ListOptions) ([]store.Application, int, error) {
	return s.store.ListApps(ctx, realm, opt)
}

// updateApp renames, enables or disables an application. A disabled application's
// token requests fail at once on this replica (the client cache is dropped).
// Applications declared in configuration keep their configured name.
func (s *Service) updateApp(ctx context.Context, realm, id string, p AppPatch) (store.Application, error) {
	if p.Name == nil && p.Enabled == nil && p.Type == nil && p.Web == nil {
		return store.Application{}, invalid("body", "must change at least one of name, enabled, type, rootUrl, redirectUris, postLogoutRedirectUris, webOrigins")
	}
	var typ string
	if p.Type != nil {
		var err error
		if typ, err = ParseAppType(*p.Type); err != nil {
			return store.Application{}, err
		}
	}
	if p.Name != nil {
		if err := CheckName("name", *p.Name); err != nil {
			return store.Application{}, err
		}
	}
	now := s.now().UTC()
	app, err := s.store.UpdateApp(ctx, realm, id, func(a store.Application) (store.Application, error) {
		if p.Name != nil && *p.Name != a.Name {
			if a.Source == "config" {
				return a, conflict("the application is declared in configuration; rename it there")
			}
			a.Name = *p.Name
		}
		if p.Enabled != nil {
			if !*p.Enabled {
				// Tokens issued until now stay refused when it is enabled again.
				a.NotBefore = notBeforeAt(now)
			}
			a.Enabled = *p.Enabled
		}
		if err := changeWeb(&a, typ, p.Web); err != nil {
			return a, err
		}
		a.UpdatedAt = now
		return a, nil
	})
	s.Invalidate()
	return app, err
}

// deleteApp removes an application with its secrets and grants.
func (s *Service) deleteApp(ctx context.Context, realm, id string) error {
	err := s.store.DeleteApp(ctx, realm, id)
	s.Invalidate()
	return err
}

// rotateSecret gives an application a new generated secret and returns it (the only
// time it exists in clear). The secret in use until now stays valid for grace (zero:
// it dies now); a secret still inside an earlier grace period dies now, so at most two
// secrets are ever valid. It runs in one store transaction, so a concurrent delete
// leaves either no application or one with coherent secrets.
func (s *Service) rotateSecret(ctx context.Context, realm, id string, grace time.Duration) (store.Application, string, error) {
	if grace < 0 || grace > MaxGrace {
		return store.Application{}, "", invalid("grace", "must be a duration between 0s and 720h")
	}
	plain := GenerateSecret()
	now := s.now().UTC()
	fresh := store.Secret{ID: NewID(), Kind: store.SecretSHA256, Hash: digestGenerated(plain), CreatedAt: now}
	app, err := s.store.UpdateApp(ctx, realm, id, func(a store.Application) (store.Application, error) {
		if a.Source == "config" {
			return a, conflict("the application is declared in configuration; change its secret there")
		}
		if a.Type == AppPublic {
			return a, conflict("a PUBLIC application has no secret")
		}
		var keep []store.Secret
		if cur, ok := currentSecret(a.Secrets, now); ok && grace > 0 {
			until := now.Add(grace)
			if cur.ExpiresAt.IsZero() || until.Before(cur.ExpiresAt) {
				cur.ExpiresAt = until
			}
			keep = append(keep, cur)
		}
		a.Secrets = append(keep, fresh)
		if grace == 0 {
			// The secret in use is revoked now: so are the tokens it got.
			a.NotBefore = notBeforeAt(now)
		}
		a.UpdatedAt = now
		return a, nil
	})
	s.Invalidate()
	if err != nil {
		return store.Application{}, "", err
	}
	return app, plain, nil
}

// SecretLive is the one rule of whether a secret still authenticates at now: it has no
// expiry, or its expiry (the end of a rotation grace period) is still ahead.
func SecretLive(sec store.Secret, now time.Time) bool {
	return sec.ExpiresAt.IsZero() || now.Before(sec.ExpiresAt)
}

// LiveSecrets are the secrets of secrets that still authenticate at now, in order.
func LiveSecrets(secrets []store.Secret, now time.Time) []store.Secret {
	out := make([]store.Secret, 0, len(secrets))
	for _, sec := range secrets {
		if SecretLive(sec, now) {
			out = append(out, sec)
		}
	}
	return out
}

// currentSecret is the secret in use at now: the newest that does not expire, else the
// live one that expires last.
func currentSecret(secrets []store.Secret, now time.Time) (store.Secret, bool) {
	best, ok := store.Secret{}, false
	for _, sec := range secrets {
		if !SecretLive(sec, now) {
			continue
		}
		switch {
		case !ok:
			best, ok = sec, true
		case sec.ExpiresAt.IsZero() && (!best.ExpiresAt.IsZero() || sec.CreatedAt.After(best.CreatedAt)):
			best = sec
		case !best.ExpiresAt.IsZero() && !sec.ExpiresAt.IsZero() && sec.ExpiresAt.After(best.ExpiresAt):
			best = sec
		}
	}
	return best, ok
}

// ClientActive reports whether the token of an application issued at issuedAt still
// counts: the application exists in realm under clientID, is the token's subject appID,
// is enabled, and the token is not from before its not-before. Introspection uses it;
// the answer follows local writes at once (cache invalidation).
func (s *Service) ClientActive(ctx context.Context, realm, clientID, appID string, issuedAt time.Time) (bool, error) {
	c, _, err := s.client(ctx, realm, clientID)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return c.app.Enabled && c.app.ID == appID && !issuedAt.Before(c.app.NotBefore), nil
}

// notBeforeAt is the not-before of a change made at now: the next whole second, since
// token times ("iat") have whole seconds and a token of now's second may have been
// issued just before the change. Authenticate makes a token request wait for it.
func notBeforeAt(now time.Time) time.Time { return now.Truncate(time.Second).Add(time.Second) }

// Holds reports whether client holds permission perm on the API whose audience is api.
func (c *Client) Holds(api, perm string) bool {
	for _, g := range c.Held {
		if g.Audience == api && slices.Contains(g.Permissions, perm) {
			return true
		}
	}
	return false
}
