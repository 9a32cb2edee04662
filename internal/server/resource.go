package server

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"slices"

	"github.com/gatehouse/gatehouse/internal/accesstoken"
	"github.com/gatehouse/gatehouse/internal/bearer"
	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/httpapi/adminapi"
	"github.com/gatehouse/gatehouse/internal/identity"
	"github.com/gatehouse/gatehouse/internal/problem"
	"github.com/gatehouse/gatehouse/internal/store"
)

// resourceOptions describe a resource API of this process (the Administration API, the
// Web Modeler API). Both are built by resourceAPI from these options and the shared
// configuration, so they verify tokens alike: the leeway is --clock-skew; with
// --issuer-url tokens come from that remote issuer (its JWKS, no deny list), otherwise
// from the default realm (its keys, its deny list); the accepted audiences follow the
// API record's aliases (refreshAudiences).
type resourceOptions struct {
	audience string // the API's audience; its aliases come from its API record
	listener string // the listener it is served on (its public URL)
	// publicURL is the configured public base URL; empty: http://localhost:<port>.
	publicURL string
	disabled  bool // authentication off (--console-disable-auth)
	// onError writes refusals (the API's error format); nil: problem+json.
	onError func(w http.ResponseWriter, r *http.Request, status int, code, desc string)
}

func adminOptions(c config.Config) resourceOptions {
	return resourceOptions{audience: adminapi.Audience, listener: ConsoleListener, disabled: c.ConsoleDisableAuth}
}

func modelerOptions(c config.Config) resourceOptions {
	return resourceOptions{audience: identity.AudienceModeler, listener: ModelerListener, publicURL: c.ModelerPublicURL,
		onError: func(w http.ResponseWriter, r *http.Request, status int, code, desc string) {
			detail := desc
			if status == http.StatusForbidden {
				detail = "Operation not allowed."
			}
			problem.Write(w, r, status, detail)
		}}
}

// resourceAPI is a resource API of this process, ready to mount: its authenticator
// accepts the API's audience and the aliases stored on the API record.
type resourceAPI struct {
	realm, audience string
	auth            *bearer.Authenticator
	publicURL       string
}

// resourceAPI builds the authenticator of a resource API of the default realm.
func (s *Server) resourceAPI(ctx context.Context, o resourceOptions) (resourceAPI, error) {
	realm := s.cfg.DefaultRealm
	audiences, err := s.audiencesOf(ctx, realm, o.audience)
	if err != nil {
		return resourceAPI{}, fmt.Errorf("%s API: %w", o.audience, err)
	}
	cfg := bearer.Config{Realm: realm, Audiences: audiences, Disabled: o.disabled, OnError: o.onError}
	if s.remote != nil {
		cfg.Verifier = &accesstoken.Verifier{Issuer: s.cfg.IssuerURL, Keys: s.remote, Leeway: s.cfg.ClockSkew, Now: s.now}
	} else {
		cfg.Verifier = &accesstoken.Verifier{Issuer: s.Issuer(realm), Keys: s.Keys.KeySource(realm), Leeway: s.cfg.ClockSkew, Now: s.now}
		d := s.deny.realm(realm)
		if d == nil {
			return resourceAPI{}, fmt.Errorf("deny-list: realm %s has none", realm)
		}
		cfg.Deny = d
	}
	return resourceAPI{realm: realm, audience: o.audience, auth: bearer.New(cfg), publicURL: s.publicURL(o.listener, o.publicURL)}, nil
}

// publicURL is a listener's public base URL: the configured one, else
// http://localhost:<bound port> (its default port when the listener is off).
func (s *Server) publicURL(listener, configured string) string {
	if configured != "" {
		return configured
	}
	addr := s.Addr(listener)
	if addr == "" {
		d := config.Defaults()
		addr = map[string]string{IdentityListener: d.IdentityAddr, ConsoleListener: d.ConsoleAddr, ModelerListener: d.ModelerAddr}[listener]
	}
	_, port, _ := net.SplitHostPort(addr)
	return "http://localhost:" + port
}

// audiencesOf returns an API's audience followed by its aliases (the preset console-api
// has api.cloud.camunda.io).
func (s *Server) audiencesOf(ctx context.Context, realm, audience string) ([]string, error) {
	apis, err := s.store.ListAPIs(ctx, realm)
	if err != nil {
		return nil, fmt.Errorf("list APIs: %w", err)
	}
	return audiencesIn(apis, audience), nil
}

func audiencesIn(apis []store.API, audience string) []string {
	out := []string{audience}
	for _, a := range apis {
		if a.Audience == audience {
			for _, al := range a.Aliases {
				if !slices.Contains(out, al) {
					out = append(out, al)
				}
			}
		}
	}
	return out
}

// refreshAudiences gives every resource API the aliases its API record holds now. The
// revision poll calls it after any change, so an alias added or removed through the
// management API (on any replica) takes effect within about a second.
func (s *Server) refreshAudiences(ctx context.Context) error {
	byRealm := map[string][]store.API{}
	for _, r := range s.resources {
		apis, ok := byRealm[r.realm]
		if !ok {
			var err error
			if apis, err = s.store.ListAPIs(ctx, r.realm); err != nil {
				return fmt.Errorf("list APIs: %w", err)
			}
			byRealm[r.realm] = apis
		}
		r.auth.SetAudiences(audiencesIn(apis, r.audience))
	}
	return nil
}
