// Package config holds Gatehouse's configuration: defaults, the optional YAML file
// (--config), GATEHOUSE_* environment variables and flags, applied in that order so
// that flags win. It also reads Camunda Identity's KEYCLOAK_CLIENTS_<n>_* variables.
// Validate checks the result; String prints it with secrets redacted.
package config

import (
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/accesstoken"
	"github.com/gatehouse/gatehouse/internal/clientip"
	"github.com/gatehouse/gatehouse/internal/outbound"
)

// Defaults of the connection and database limits (--max-connections, --idle-timeout,
// --db-read-timeout, --db-write-timeout).
const (
	DefaultMaxConnections = 4096
	DefaultIdleTimeout    = 30 * time.Second
	DefaultDrainDelay     = 5 * time.Second
	DefaultDBReadTimeout  = time.Second
	DefaultDBWriteTimeout = 3 * time.Second
)

// DefaultAuditRetention is how long audit events are kept (--audit-retention).
const DefaultAuditRetention = 90 * 24 * time.Hour

// DefaultRealm is the realm Camunda's charts use.
const DefaultRealm = "camunda-platform"

// MaxTokenLifetime is the hard upper bound of any token lifetime.
const MaxTokenLifetime = 24 * time.Hour

// Config is the whole server configuration.
type Config struct {
	IdentityAddr        string
	ConsoleAddr         string
	ModelerAddr         string
	ManagementAddr      string
	DataDir             string
	DatabaseURL         string
	IdentityPublicURL   string // empty: http://localhost:<identity port>
	ModelerPublicURL    string // empty: http://localhost:<modeler port>
	TokenLifetime       time.Duration
	SigningAlg          string
	TokenHeaderType     string
	TokenReuse          float64 // 0: off; else reuse a client's token while more than this fraction of its lifetime is left
	KeyRotationInterval time.Duration
	LogFormat           string
	LogLevel            string
	MasterKey           string // secret
	BootstrapClientID   string
	BootstrapSecret     string // secret
	TrustedProxies      string // comma-separated CIDRs whose X-Forwarded-For is believed
	DefaultRealm        string
	ModelerMaxBody      int64         // bytes; Web Modeler API request bodies above it get 413
	AuditRetention      time.Duration // audit events older than this are deleted; 0: kept forever
	OutboundAllow       string        // comma-separated CIDRs server-side requests may reach although internal

	// Limits of each listener and of each database call on a request path.
	MaxConnections int           // open connections per listener; more wait to be accepted
	IdleTimeout    time.Duration // a connection waiting for its (next) request is closed after this
	DBReadTimeout  time.Duration // deadline of one database read on a request path
	DBWriteTimeout time.Duration // deadline of one database write on a request path

	// Resource APIs (Administration API).
	ConsoleDisableAuth   bool          // no authentication on the Administration API (local use only)
	IssuerURL            string        // verify tokens of this remote issuer (discovery + JWKS) instead of the local realm
	ClockSkew            time.Duration // leeway on exp, nbf and iat at the resource APIs
	ClusterProbeInterval time.Duration
	ClusterProbeTimeout  time.Duration

	// Web console sessions (internal/web).
	ConsoleSessionIdle   time.Duration // a session unused this long ends
	ConsoleSessionMaxAge time.Duration // a session ends this long after sign-in
	SecureCookies        bool          // console session cookies always Secure (__Host- prefixed), even over plain HTTP

	// Single sign-on sessions of people (login page), for realms that set none.
	SSOSessionIdle time.Duration
	SSOSessionMax  time.Duration

	// Operations.
	AccessLog     bool          // one JSON line per request on stderr
	DrainDelay    time.Duration // after SIGTERM /readyz answers 503 and listeners keep serving this long
	AdminUsername string        // the console administrator the first start creates

	Realms  []Realm
	Clients []Client
	Users   []User // keycloak.users in the YAML file, then KEYCLOAK_USERS_<n>_*; seeded into the default realm
	// Clusters of the default realm (YAML clusters:), see clusters.go.
	Clusters []Cluster
}

// Realm configures one realm. Zero fields take the global settings.
type Realm struct {
	Name          string   `yaml:"name"`
	SigningAlg    string   `yaml:"signing-alg"`
	TokenLifetime Duration `yaml:"token-lifetime"`
	Organization  string   `yaml:"organization"`
	DisplayName   string   `yaml:"display-name"` // shown on the login page; empty: the realm's name
	HeaderType    string   `yaml:"header-type"`
	TokenReuse    *float64 `yaml:"token-reuse"` // nil: the global --token-reuse
	// Single sign-on session lifetimes (Keycloak's "SSO Session Idle/Max").
	SSOSessionIdle Duration `yaml:"sso-session-idle"`
	SSOSessionMax  Duration `yaml:"sso-session-max"`
}

// Client is an application declared in configuration (Camunda Identity's
// keycloak.clients[] shape): M2M, CONFIDENTIAL or PUBLIC.
type Client struct {
	Realm                  string       `yaml:"realm"`
	Name                   string       `yaml:"name"`
	ID                     string       `yaml:"id"`
	Secret                 string       `yaml:"secret"`
	Type                   string       `yaml:"type"`
	Permissions            []Permission `yaml:"permissions"`
	RootURL                string       `yaml:"rootUrl"`
	RedirectURIs           []string     `yaml:"redirectUris"`
	PostLogoutRedirectURIs []string     `yaml:"postLogoutRedirectUris"`
	WebOrigins             []string     `yaml:"webOrigins"`
}

// Permission of a declared client.
type Permission struct {
	ResourceServerID string `yaml:"resource-server-id"`
	Definition       string `yaml:"definition"`
}

// Duration reads "300s", "5m" or a bare number of seconds.
type Duration time.Duration

// UnmarshalText implements encoding.TextUnmarshaler (YAML and flags).
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := parseDuration(string(b))
	*d = Duration(v)
	return err
}

func parseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s != "" && strings.Trim(s, "0123456789") == "" {
		s += "s"
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("invalid duration %q (use e.g. 300s, 5m or a number of seconds)", s)
	}
	return d, nil
}

// Defaults returns the built-in configuration.
func Defaults() Config {
	return Config{
		IdentityAddr:        ":18080",
		ConsoleAddr:         ":8080",
		ModelerAddr:         ":8070",
		ManagementAddr:      ":9100",
		DataDir:             "./gatehouse-data",
		TokenLifetime:       300 * time.Second,
		SigningAlg:          accesstoken.RS256,
		TokenHeaderType:     accesstoken.TypeJWT,
		KeyRotationInterval: 30 * 24 * time.Hour,
		LogFormat:           "text",
		LogLevel:            "info",
		DefaultRealm:        DefaultRealm,
		ModelerMaxBody:      10 << 20,
		AuditRetention:      DefaultAuditRetention,
		MaxConnections:      DefaultMaxConnections,
		IdleTimeout:         DefaultIdleTimeout,
		DBReadTimeout:       DefaultDBReadTimeout,
		DBWriteTimeout:      DefaultDBWriteTimeout,

		ClockSkew:            DefaultClockSkew,
		ClusterProbeInterval: DefaultClusterProbeInterval,
		ClusterProbeTimeout:  DefaultClusterProbeTimeout,
		ConsoleSessionIdle:   30 * time.Minute,
		ConsoleSessionMaxAge: 12 * time.Hour,
		SSOSessionIdle:       30 * time.Minute,
		SSOSessionMax:        10 * time.Hour,
		DrainDelay:           DefaultDrainDelay,
		AdminUsername:        "admin",
	}
}

// Validate reports the first problem in c.
func (c *Config) Validate() error {
	for _, a := range []struct{ name, v string }{{"identity-addr", c.IdentityAddr}, {"console-addr", c.ConsoleAddr},
		{"modeler-addr", c.ModelerAddr}, {"management-addr", c.ManagementAddr}} {
		if a.v == "" {
			continue // listener switched off
		}
		if _, _, err := net.SplitHostPort(a.v); err != nil {
			return fmt.Errorf("--%s: %q is not host:port", a.name, a.v)
		}
	}
	if c.IdentityAddr == "" {
		return fmt.Errorf("--identity-addr must be set")
	}
	if c.IdentityPublicURL != "" {
		u, err := url.Parse(c.IdentityPublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return fmt.Errorf("--identity-public-url: %q must be an absolute http(s) URL", c.IdentityPublicURL)
		}
		c.IdentityPublicURL = strings.TrimRight(c.IdentityPublicURL, "/")
	}
	if c.ModelerPublicURL != "" {
		u, err := url.Parse(c.ModelerPublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return fmt.Errorf("--modeler-public-url: %q must be an absolute http(s) URL", c.ModelerPublicURL)
		}
		c.ModelerPublicURL = strings.TrimRight(c.ModelerPublicURL, "/")
	}
	if c.DataDir == "" && c.DatabaseURL == "" {
		return fmt.Errorf("--data-dir must be set")
	}
	if err := checkLifetime("--token-lifetime", c.TokenLifetime); err != nil {
		return err
	}
	if !accesstoken.Supported(c.SigningAlg) {
		return fmt.Errorf("--signing-alg: %q is not one of RS256, ES256, EdDSA", c.SigningAlg)
	}
	if err := checkReuse("--token-reuse", c.TokenReuse); err != nil {
		return err
	}
	if c.TokenHeaderType != accesstoken.TypeJWT && c.TokenHeaderType != accesstoken.TypeAtJWT {
		return fmt.Errorf("--token-header-type: %q is not JWT or at+jwt", c.TokenHeaderType)
	}
	if c.KeyRotationInterval < time.Minute {
		return fmt.Errorf("--key-rotation-interval: must be at least 1m")
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return fmt.Errorf("--log-format: %q is not text or json", c.LogFormat)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("--log-level: %q is not debug, info, warn or error", c.LogLevel)
	}
	if _, err := clientip.Parse(c.TrustedProxies); err != nil {
		return fmt.Errorf("--trusted-proxies: %w", err)
	}
	if c.MaxConnections < 1 {
		return fmt.Errorf("--max-connections: must be at least 1")
	}
	if c.DrainDelay < 0 {
		return fmt.Errorf("--drain-delay: must not be negative (0: drain at once)")
	}
	if c.AdminUsername == "" {
		return fmt.Errorf("--admin-username: must not be empty")
	}
	for name, d := range map[string]time.Duration{"idle-timeout": c.IdleTimeout, "db-read-timeout": c.DBReadTimeout, "db-write-timeout": c.DBWriteTimeout} {
		if d <= 0 {
			return fmt.Errorf("--%s: must be positive", name)
		}
	}
	if c.AuditRetention < 0 {
		return fmt.Errorf("--audit-retention: must not be negative (0 keeps events forever)")
	}
	if _, err := outbound.ParseAllow(c.OutboundAllow); err != nil {
		return fmt.Errorf("--outbound-allow: %w", err)
	}
	if (c.BootstrapClientID == "") != (c.BootstrapSecret == "") {
		return fmt.Errorf("GATEHOUSE_BOOTSTRAP_CLIENT_ID and GATEHOUSE_BOOTSTRAP_CLIENT_SECRET go together")
	}
	if err := c.validateConsole(); err != nil {
		return err
	}
	return c.validateRealms()
}

// checkReuse accepts 0 (off) and fractions below 1: at 1 no token would ever qualify.
func checkReuse(name string, f float64) error {
	if !(f >= 0 && f < 1) {
		return fmt.Errorf("%s: %v is outside 0 (off) ..< 1", name, f)
	}
	return nil
}

func checkLifetime(name string, d time.Duration) error {
	if d < time.Second || d > MaxTokenLifetime {
		return fmt.Errorf("%s: %s is outside 1s..24h", name, d)
	}
	return nil
}

func (c *Config) validateRealms() error {
	seen := map[string]bool{}
	for i := range c.Realms {
		r := &c.Realms[i]
		if !validRealmName(r.Name) {
			return fmt.Errorf("realms[%d]: name %q must be 1-64 characters of a-z, 0-9, '-', '_'", i, r.Name)
		}
		if seen[r.Name] {
			return fmt.Errorf("realms: %q is configured twice", r.Name)
		}
		seen[r.Name] = true
		if r.SigningAlg != "" && !accesstoken.Supported(r.SigningAlg) {
			return fmt.Errorf("realm %s: signing-alg %q is not one of RS256, ES256, EdDSA", r.Name, r.SigningAlg)
		}
		if r.TokenLifetime != 0 {
			if err := checkLifetime("realm "+r.Name+": token-lifetime", time.Duration(r.TokenLifetime)); err != nil {
				return err
			}
		}
		if r.HeaderType != "" && r.HeaderType != accesstoken.TypeJWT && r.HeaderType != accesstoken.TypeAtJWT {
			return fmt.Errorf("realm %s: header-type %q is not JWT or at+jwt", r.Name, r.HeaderType)
		}
		if r.TokenReuse != nil {
			if err := checkReuse("realm "+r.Name+": token-reuse", *r.TokenReuse); err != nil {
				return err
			}
		}
	}
	if !seen[c.DefaultRealm] {
		c.Realms = append([]Realm{{Name: c.DefaultRealm}}, c.Realms...)
	}
	for i := range c.Realms {
		r := &c.Realms[i]
		if r.SigningAlg == "" {
			r.SigningAlg = c.SigningAlg
		}
		if r.TokenLifetime == 0 {
			r.TokenLifetime = Duration(c.TokenLifetime)
		}
		if r.HeaderType == "" {
			r.HeaderType = c.TokenHeaderType
		}
		if r.TokenReuse == nil {
			reuse := c.TokenReuse
			r.TokenReuse = &reuse
		}
		if r.SSOSessionIdle == 0 {
			r.SSOSessionIdle = Duration(c.SSOSessionIdle)
		}
		if r.SSOSessionMax == 0 {
			r.SSOSessionMax = Duration(c.SSOSessionMax)
		}
	}
	for i, cl := range c.Clients {
		if cl.Realm == "" {
			c.Clients[i].Realm = c.DefaultRealm
		} else if !seen[cl.Realm] && cl.Realm != c.DefaultRealm {
			return fmt.Errorf("client %q: realm %q is not configured", cl.ID, cl.Realm)
		}
		public := strings.EqualFold(cl.Type, "public")
		switch {
		case cl.Type != "" && !strings.EqualFold(cl.Type, "m2m") && !strings.EqualFold(cl.Type, "confidential") && !public:
			return fmt.Errorf("client %q: type %q is not M2M, CONFIDENTIAL or PUBLIC", cl.ID, cl.Type)
		case cl.ID == "":
			return fmt.Errorf("client %q: id is required", cl.Name)
		case public && cl.Secret != "":
			return fmt.Errorf("client %q: a PUBLIC client has no secret", cl.ID)
		case !public && cl.Secret == "":
			return fmt.Errorf("client %q: a secret is required (only PUBLIC clients have none)", cl.ID)
		}
	}
	return nil
}

func validRealmName(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// Outbound is the policy of server-side requests (cluster probes, usage metrics, a
// remote issuer): internal addresses only inside --outbound-allow, never the server's
// own listeners. Call it on a validated configuration.
func (c Config) Outbound() *outbound.Policy {
	allow, _ := outbound.ParseAllow(c.OutboundAllow)
	var self []string
	for _, a := range []string{c.IdentityAddr, c.ConsoleAddr, c.ModelerAddr, c.ManagementAddr} {
		if a != "" {
			self = append(self, a)
		}
	}
	return &outbound.Policy{Allow: allow, Self: self}
}

// Issuer returns the issuer of realm, given the identity listener's public base URL.
func Issuer(publicURL, realm string) string {
	return strings.TrimRight(publicURL, "/") + "/auth/realms/" + realm
}

// String prints the configuration with secrets redacted.
func (c Config) String() string {
	redact := func(s string) string {
		if s == "" {
			return ""
		}
		return "[redacted]"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "identity-addr=%s console-addr=%s modeler-addr=%s management-addr=%s data-dir=%s database-url=%s ",
		c.IdentityAddr, c.ConsoleAddr, c.ModelerAddr, c.ManagementAddr, c.DataDir, redactURL(c.DatabaseURL))
	fmt.Fprintf(&b, "identity-public-url=%s modeler-public-url=%s token-lifetime=%s signing-alg=%s token-header-type=%s key-rotation-interval=%s ",
		c.IdentityPublicURL, c.ModelerPublicURL, c.TokenLifetime, c.SigningAlg, c.TokenHeaderType, c.KeyRotationInterval)
	fmt.Fprintf(&b, "log-format=%s log-level=%s master-key=%s bootstrap-client-id=%s bootstrap-secret=%s realms=%d clients=%d",
		c.LogFormat, c.LogLevel, redact(c.MasterKey), c.BootstrapClientID, redact(c.BootstrapSecret), len(c.Realms), len(c.Clients))
	fmt.Fprintf(&b, " console-disable-auth=%t issuer-url=%s clock-skew=%s clusters=%d",
		c.ConsoleDisableAuth, c.IssuerURL, c.ClockSkew, len(c.Clusters))
	fmt.Fprintf(&b, " audit-retention=%s outbound-allow=%s", c.AuditRetention, c.OutboundAllow)
	fmt.Fprintf(&b, " max-connections=%d idle-timeout=%s db-read-timeout=%s db-write-timeout=%s",
		c.MaxConnections, c.IdleTimeout, c.DBReadTimeout, c.DBWriteTimeout)
	fmt.Fprintf(&b, " secure-cookies=%t", c.SecureCookies)
	fmt.Fprintf(&b, " access-log=%t drain-delay=%s admin-username=%s", c.AccessLog, c.DrainDelay, c.AdminUsername)
	return b.String()
}

// redactURL prints a database URL as scheme://host:port/database and nothing else:
// credentials can sit in the user info and in query parameters (password=,
// sslpassword=, …), so everything but the location is dropped. A URL that does not
// parse is never printed.
func redactURL(s string) string {
	if s == "" {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return "[unparsable URL]"
	}
	return (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()
}
