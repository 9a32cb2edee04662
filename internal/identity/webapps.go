package identity

import (
	"context"
	"slices"

	"github.com/gatehouse/gatehouse/internal/audit"
	"github.com/gatehouse/gatehouse/internal/store"
)

// WebPatch changes an application's browser settings; nil fields stay.
type WebPatch struct {
	RootURL                *string
	RedirectURIs           *[]string
	PostLogoutRedirectURIs *[]string
	WebOrigins             *[]string
}

type webKind struct {
	typ string
	web store.WebSettings
}

// NewWebApplication creates an application of any type with a generated client id and,
// unless it is PUBLIC, a generated secret (returned once). NewApplication is its M2M
// form.
func (s *Service) NewWebApplication(ctx context.Context, a audit.Actor, realm, name, typ string, web store.WebSettings, perms []PermissionRef) (store.Application, string, error) {
	c := audit.Change{Realm: realm, Action: audit.ActionAppCreate,
		Detail: map[string]string{"name": name, "permissions": joinRefs(perms), "type": typ}}
	t, err := ParseAppType(typ)
	var app store.Application
	var secret string
	if err == nil {
		app, secret, err = s.newApplication(ctx, realm, name, perms, webKind{typ: t, web: web})
	}
	if err == nil {
		c.Target, c.Detail["clientId"] = app.ID, app.ClientID
	}
	s.done(ctx, a, c, err, false)
	return app, secret, err
}

// changeWeb applies a type change and browser settings to a (inside the store
// transaction). Type changes are allowed only where no secret appears or disappears:
// M2M ↔ CONFIDENTIAL (both hold a secret). A PUBLIC application never becomes
// confidential (it has no secret to authenticate with) and a confidential or M2M one
// never becomes PUBLIC (its secret, perhaps in use, would be dropped): create a new
// application instead. Becoming M2M drops the browser settings, which M2M has no use
// for. Applications declared in configuration change there.
func changeWeb(a *store.Application, typ string, p *WebPatch) error {
	if typ == "" && p == nil {
		return nil
	}
	if a.Source == "config" {
		return conflict("the application is declared in configuration; change it there")
	}
	if typ != "" && typ != a.Type {
		if typ == AppPublic || a.Type == AppPublic {
			return conflict("an application cannot change to or from PUBLIC: create a new application")
		}
		a.Type = typ
		if typ == AppM2M {
			a.Web = store.WebSettings{}
		}
	}
	if p != nil {
		w := a.Web
		if p.RootURL != nil {
			w.RootURL = *p.RootURL
		}
		for _, f := range []struct {
			dst *[]string
			src *[]string
		}{{&w.RedirectURIs, p.RedirectURIs}, {&w.PostLogoutRedirectURIs, p.PostLogoutRedirectURIs}, {&w.WebOrigins, p.WebOrigins}} {
			if f.src != nil {
				*f.dst = slices.Clone(*f.src)
			}
		}
		a.Web = w
	}
	return CheckWeb(a.Type, a.Web)
}
