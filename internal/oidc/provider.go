package oidc

import (
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/accesstoken"
	"github.com/gatehouse/gatehouse/internal/audit"
	"github.com/gatehouse/gatehouse/internal/clientip"
	"github.com/gatehouse/gatehouse/internal/identity"
	"github.com/gatehouse/gatehouse/internal/throttle"
)

// Realm is what the provider needs to know about one realm.
type Realm struct {
	Name        string
	Issuer      string
	DisplayName string // shown on the login page
	Lifetime    time.Duration
	HeaderType  string // access tokens' JOSE typ
}

// Keys gives each realm's active signing key and its published keys (keys.Manager).
type Keys interface {
	Signer(realm string) (accesstoken.SigningKey, error)
	KeySource(realm string) accesstoken.KeySource
}

// DenyList refuses revoked token ids (identity.DenyList).
type DenyList interface {
	Denied(c *accesstoken.Claims) bool
}

// Config is everything a Provider uses; the wiring (internal/server) fills it.
type Config struct {
	Identity *identity.Service
	Keys     Keys
	Realms   map[string]Realm
	Deny     map[string]DenyList // by realm; nil entries deny nothing
	// SecureCookies: the public URL is https, so cookies are Secure and __Host-.
	SecureCookies bool
	SignIn        *throttle.Limiter // per (username, source), as console sign-in
	IP            *throttle.Limiter // per source
	ClientIP      clientip.Resolver
	Log           *slog.Logger
	Now           func() time.Time
}

// Provider serves people's sign-in for every configured realm.
type Provider struct {
	c     Config
	pages *pages
}

// New returns a provider. Identity, Keys, Realms, SignIn and IP are required.
func New(c Config) (*Provider, error) {
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	p, err := loadPages()
	if err != nil {
		return nil, err
	}
	return &Provider{c: c, pages: p}, nil
}

// Paths under the realm base.
const (
	realmBase   = "/auth/realms/{realm}"
	oidcBase    = realmBase + "/protocol/openid-connect"
	loginAction = "/login-actions/authenticate"
	stylePath   = "/auth/resources/gatehouse/style.css"
	postJSPath  = "/auth/resources/gatehouse/form-post.js"
)

// Mount adds the provider's endpoints to mux. The token endpoint stays package
// oauth's; wrap it with CORS for public clients' web origins.
func (p *Provider) Mount(mux *http.ServeMux) {
	mux.HandleFunc("GET "+oidcBase+"/auth", p.Authorize)
	mux.HandleFunc("POST "+oidcBase+"/auth", p.Authorize)
	mux.Handle("POST "+realmBase+loginAction, http.NewCrossOriginProtection().Handler(http.HandlerFunc(p.Login)))
	mux.Handle(oidcBase+"/userinfo", p.CORS(http.HandlerFunc(p.UserInfo)))
	mux.Handle(oidcBase+"/logout", p.CORS(http.HandlerFunc(p.Logout)))
	mux.HandleFunc("GET "+stylePath, p.asset("text/css; charset=utf-8", p.pages.css))
	mux.HandleFunc("GET "+postJSPath, p.asset("text/javascript; charset=utf-8", []byte(formPostJS)))
}

func (p *Provider) realm(r *http.Request) (Realm, bool) {
	rc, ok := p.c.Realms[r.PathValue("realm")]
	return rc, ok
}

func (p *Provider) now() time.Time { return p.c.Now().UTC() }

func (p *Provider) actor(r *http.Request, username string) audit.Actor {
	return audit.Actor{Kind: audit.KindUser, ID: username, IP: p.c.ClientIP.IP(r), Source: "login"}
}

// Cookie names. With https the __Host- prefix pins them to this host, path / and
// Secure (RFC 6265bis §4.1.3.2); one session cookie per realm.
func (p *Provider) sessionCookie(realm string) string {
	if p.c.SecureCookies {
		return "__Host-GATEHOUSE_SSO_" + realm
	}
	return "GATEHOUSE_SSO_" + realm
}

func (p *Provider) csrfCookie() string {
	if p.c.SecureCookies {
		return "__Host-GATEHOUSE_LOGIN_CSRF"
	}
	return "GATEHOUSE_LOGIN_CSRF"
}

func (p *Provider) setCookie(w http.ResponseWriter, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		Secure: p.c.SecureCookies, SameSite: http.SameSiteLaxMode})
}

func cookieValue(r *http.Request, name string) string {
	c, err := r.Cookie(name)
	if err != nil {
		return ""
	}
	return c.Value
}

func (p *Provider) asset(ctype string, body []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", ctype)
		w.Header().Set("Cache-Control", "public, max-age=3600")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Write(body)
	}
}

// unavailable reports a store outage as 503, never as a refusal.
func (p *Provider) unavailable(w http.ResponseWriter, r *http.Request, rc Realm, op string, err error) {
	p.c.Log.Warn("oidc: "+op, "realm", rc.Name, "err", err)
	w.Header().Set("Retry-After", "5")
	p.errorPage(w, r, rc, http.StatusServiceUnavailable, "Sign-in is unavailable right now", "Try again in a few seconds.")
}

func splitScope(s string) []string { return strings.Fields(s) }

func hasScope(scope, want string) bool {
	for _, s := range splitScope(scope) {
		if s == want {
			return true
		}
	}
	return false
}
