package config

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// setting is one scalar option, settable by file key, environment variable and flag.
type setting struct {
	name    string // flag name and YAML key
	help    string
	get     func(*Config) string
	apply   func(*Config, string) error
	boolean bool // a flag that may stand alone (--name means --name=true)
}

func str(p func(*Config) *string) (func(*Config) string, func(*Config, string) error) {
	return func(c *Config) string { return *p(c) }, func(c *Config, v string) error { *p(c) = v; return nil }
}

func boolean(name, help string, p func(*Config) *bool) setting {
	return setting{name: name, help: help, boolean: true,
		get: func(c *Config) string { return strconv.FormatBool(*p(c)) },
		apply: func(c *Config, v string) error {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return fmt.Errorf("%q is not true or false", v)
			}
			*p(c) = b
			return nil
		}}
}

func dur(p func(*Config) *time.Duration) (func(*Config) string, func(*Config, string) error) {
	return func(c *Config) string { return p(c).String() }, func(c *Config, v string) error {
		d, err := parseDuration(v)
		*p(c) = d
		return err
	}
}

var settings = func() []setting {
	mk := func(name, help string, g func(*Config) string, a func(*Config, string) error) setting {
		return setting{name: name, help: help, get: g, apply: a}
	}
	s := func(name, help string, p func(*Config) *string) setting {
		g, a := str(p)
		return mk(name, help, g, a)
	}
	d := func(name, help string, p func(*Config) *time.Duration) setting {
		g, a := dur(p)
		return mk(name, help, g, a)
	}
	return []setting{
		s("identity-addr", "listen address of the identity listener (tokens, discovery, JWKS, management API)", func(c *Config) *string { return &c.IdentityAddr }),
		s("console-addr", "listen address of the console listener (Administration API, web console); empty: off", func(c *Config) *string { return &c.ConsoleAddr }),
		s("modeler-addr", "listen address of the Web Modeler API listener; empty: off", func(c *Config) *string { return &c.ModelerAddr }),
		s("management-addr", "listen address of /healthz, /readyz and /metrics; empty: off", func(c *Config) *string { return &c.ManagementAddr }),
		s("data-dir", "directory of the embedded SQLite database and the generated master key", func(c *Config) *string { return &c.DataDir }),
		s("database-url", "PostgreSQL URL (postgres://…); empty: embedded SQLite in --data-dir", func(c *Config) *string { return &c.DatabaseURL }),
		s("identity-public-url", "public base URL of the identity listener; issuers are <url>/auth/realms/<realm> (default http://localhost:<identity port>)", func(c *Config) *string { return &c.IdentityPublicURL }),
		s("modeler-public-url", "public base URL of the Web Modeler API listener, the base of the links it returns (default http://localhost:<modeler port>)", func(c *Config) *string { return &c.ModelerPublicURL }),
		d("token-lifetime", "access token lifetime (expires_in), at most 24h", func(c *Config) *time.Duration { return &c.TokenLifetime }),
		s("signing-alg", "signing algorithm of realms that do not set their own: RS256, ES256 or EdDSA", func(c *Config) *string { return &c.SigningAlg }),
		s("token-header-type", "JOSE typ header of access tokens: JWT (Keycloak) or at+jwt (RFC 9068)", func(c *Config) *string { return &c.TokenHeaderType }),
		mk("token-reuse", "answer a client's repeated request (same audience and scope) with its last token while more than this fraction of the token's lifetime is left, e.g. 0.5; 0: off",
			func(c *Config) string { return strconv.FormatFloat(c.TokenReuse, 'g', -1, 64) },
			func(c *Config, v string) error {
				f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				if err != nil {
					return fmt.Errorf("invalid fraction %q (0 to turn off, e.g. 0.5)", v)
				}
				c.TokenReuse = f
				return nil
			}),
		d("key-rotation-interval", "rotate each realm's signing key after it has been active this long", func(c *Config) *time.Duration { return &c.KeyRotationInterval }),
		s("log-format", "log format: text or json", func(c *Config) *string { return &c.LogFormat }),
		s("log-level", "log level: debug, info, warn or error", func(c *Config) *string { return &c.LogLevel }),
		s("trusted-proxies", "comma-separated addresses or CIDRs of load balancers whose X-Forwarded-For names the client (for throttling and audit); empty: the TCP peer", func(c *Config) *string { return &c.TrustedProxies }),
		s("default-realm", "realm served by /oauth/token and created on first start", func(c *Config) *string { return &c.DefaultRealm }),
		mk("modeler-max-body", "largest Web Modeler API request body in bytes (413 above it)",
			func(c *Config) string { return strconv.FormatInt(c.ModelerMaxBody, 10) },
			func(c *Config, v string) error {
				n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
				if err != nil || n < 1 {
					return fmt.Errorf("invalid size %q (a positive number of bytes)", v)
				}
				c.ModelerMaxBody = n
				return nil
			}),
		boolean("console-disable-auth", "serve the Administration API without authentication (local use only; CAMUNDA_CONSOLE_DISABLE_AUTH=true does the same)", func(c *Config) *bool { return &c.ConsoleDisableAuth }),
		s("issuer-url", "resource APIs verify tokens of this remote issuer (discovery + JWKS) instead of the local default realm; empty: local", func(c *Config) *string { return &c.IssuerURL }),
		d("clock-skew", "clock skew the resource APIs allow on exp, nbf and iat", func(c *Config) *time.Duration { return &c.ClockSkew }),
		d("cluster-probe-interval", "how often every cluster component's readiness URL is probed", func(c *Config) *time.Duration { return &c.ClusterProbeInterval }),
		d("cluster-probe-timeout", "timeout of one readiness probe", func(c *Config) *time.Duration { return &c.ClusterProbeTimeout }),
		d("console-session-idle", "a web console session unused this long ends (sign in again)", func(c *Config) *time.Duration { return &c.ConsoleSessionIdle }),
		d("audit-retention", "audit events older than this are deleted (checked hourly); 0 keeps them forever", func(c *Config) *time.Duration { return &c.AuditRetention }),
		s("outbound-allow", "comma-separated CIDRs or addresses that server-side requests (cluster probes, usage metrics, remote issuer) may reach although loopback, link-local or private; e.g. the cluster's pod network", func(c *Config) *string { return &c.OutboundAllow }),
		mk("max-connections", "open connections each listener accepts; more wait in the listen queue until one closes",
			func(c *Config) string { return strconv.Itoa(c.MaxConnections) },
			func(c *Config, v string) error {
				n, err := strconv.Atoi(strings.TrimSpace(v))
				if err != nil || n < 1 {
					return fmt.Errorf("invalid count %q (a positive number)", v)
				}
				c.MaxConnections = n
				return nil
			}),
		d("idle-timeout", "a connection that has not sent its first request, or its next one on keep-alive, is closed after this", func(c *Config) *time.Duration { return &c.IdleTimeout }),
		d("db-read-timeout", "deadline of one database read made by a request (503 when it passes)", func(c *Config) *time.Duration { return &c.DBReadTimeout }),
		d("db-write-timeout", "deadline of one database write made by a request (503 when it passes)", func(c *Config) *time.Duration { return &c.DBWriteTimeout }),
		d("sso-session-idle", "a person's single sign-on session unused this long ends (realms may set their own)", func(c *Config) *time.Duration { return &c.SSOSessionIdle }),
		d("sso-session-max", "a person's single sign-on session ends this long after sign-in (realms may set their own)", func(c *Config) *time.Duration { return &c.SSOSessionMax }),
		boolean("secure-cookies", "always mark web console session cookies Secure, with the __Host- prefix (set it when a TLS proxy in front does not send X-Forwarded-Proto: https)", func(c *Config) *bool { return &c.SecureCookies }),
		d("console-session-max-age", "a web console session ends this long after sign-in, used or not", func(c *Config) *time.Duration { return &c.ConsoleSessionMaxAge }),
		boolean("access-log", "write one JSON line per request to stderr (listener, method, route, status, duration, bytes, client address; never query strings, headers or bodies)", func(c *Config) *bool { return &c.AccessLog }),
		d("drain-delay", "on SIGTERM /readyz answers 503 at once and the listeners keep serving this long before in-flight requests are drained", func(c *Config) *time.Duration { return &c.DrainDelay }),
		s("admin-username", "username of the console administrator the first start creates when no console user exists", func(c *Config) *string { return &c.AdminUsername }),
	}
}()

// EnvName is the environment variable of a setting: GATEHOUSE_ + upper snake case.
func EnvName(name string) string {
	return "GATEHOUSE_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
}

// FlagSet returns a flag set with every setting plus --config. Flags are registered as
// strings so Load can tell which were given.
func FlagSet(name string, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(out)
	def := Defaults()
	fs.String("config", "", "YAML configuration file (env GATEHOUSE_CONFIG)")
	for _, s := range settings {
		if s.boolean {
			fs.Bool(s.name, s.get(&def) == "true", s.help+" (env "+EnvName(s.name)+")")
			continue
		}
		fs.String(s.name, s.get(&def), s.help+" (env "+EnvName(s.name)+")")
	}
	return fs
}

// Load builds the configuration from defaults, the YAML file, the environment and the
// parsed flag set, in that order of increasing precedence, and validates it.
func Load(fs *flag.FlagSet, env func(string) string, environ []string) (Config, error) {
	c := Defaults()
	path := env("GATEHOUSE_CONFIG")
	if f := fs.Lookup("config"); f != nil && f.Value.String() != "" {
		path = f.Value.String()
	}
	if path != "" {
		if err := loadFile(&c, path); err != nil {
			return Config{}, err
		}
	}
	// Console's own switch; GATEHOUSE_CONSOLE_DISABLE_AUTH and the flag still win.
	if strings.EqualFold(env("CAMUNDA_CONSOLE_DISABLE_AUTH"), "true") {
		c.ConsoleDisableAuth = true
	}
	for _, s := range settings {
		if v, ok := lookup(env, EnvName(s.name)); ok {
			if err := s.apply(&c, v); err != nil {
				return Config{}, fmt.Errorf("%s: %w", EnvName(s.name), err)
			}
		}
	}
	c.MasterKey = env("GATEHOUSE_MASTER_KEY")
	if err := applySecretFiles(&c, env); err != nil {
		return Config{}, err
	}
	c.BootstrapClientID = env("GATEHOUSE_BOOTSTRAP_CLIENT_ID")
	c.BootstrapSecret = env("GATEHOUSE_BOOTSTRAP_CLIENT_SECRET")
	clients, err := keycloakClients(environ)
	if err != nil {
		return Config{}, err
	}
	c.Clients = append(c.Clients, clients...)
	users, err := keycloakUsers(environ)
	if err != nil {
		return Config{}, err
	}
	c.Users = append(c.Users, users...)
	var ferr error
	fs.Visit(func(f *flag.Flag) {
		for _, s := range settings {
			if s.name == f.Name && ferr == nil {
				if err := s.apply(&c, f.Value.String()); err != nil {
					ferr = fmt.Errorf("--%s: %w", f.Name, err)
				}
			}
		}
	})
	if ferr != nil {
		return Config{}, ferr
	}
	return c, c.Validate()
}

// lookup treats an empty variable as unset.
func lookup(env func(string) string, k string) (string, bool) {
	v := env(k)
	return v, v != ""
}

type fileConfig struct {
	Settings map[string]string `yaml:",inline"`
	Realms   []Realm           `yaml:"realms"`
	Clusters []Cluster         `yaml:"clusters"`
	Keycloak struct {
		Clients []Client `yaml:"clients"`
		Users   []User   `yaml:"users"`
	} `yaml:"keycloak"`
}

func loadFile(c *Config, path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config file: %w", err)
	}
	var f fileConfig
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("config file %s: %w", path, err)
	}
	keys := make([]string, 0, len(f.Settings))
	for k := range f.Settings {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		i := indexSetting(k)
		if i < 0 {
			return fmt.Errorf("config file %s: unknown setting %q", path, k)
		}
		if err := settings[i].apply(c, f.Settings[k]); err != nil {
			return fmt.Errorf("config file %s: %s: %w", path, k, err)
		}
	}
	c.Realms = f.Realms
	c.Clusters = f.Clusters
	c.Clients = f.Keycloak.Clients
	for i, u := range f.Keycloak.Users {
		if u.Username == "" || u.Password == "" {
			return fmt.Errorf("config file %s: keycloak.users[%d] needs both username and password", path, i)
		}
	}
	c.Users = f.Keycloak.Users
	return nil
}

func indexSetting(name string) int {
	for i, s := range settings {
		if s.name == name {
			return i
		}
	}
	return -1
}

// keycloakClients reads Camunda Identity's KEYCLOAK_CLIENTS_<n>_NAME, _ID, _SECRET, _TYPE,
// _PERMISSIONS_<m>_RESOURCE_SERVER_ID and _PERMISSIONS_<m>_DEFINITION variables.
func keycloakClients(environ []string) ([]Client, error) {
	groups, err := indexed(envMap(environ), "KEYCLOAK_CLIENTS_")
	if err != nil {
		return nil, err
	}
	out := make([]Client, 0, len(groups))
	for _, g := range groups {
		c := Client{Name: g.fields["NAME"], ID: g.fields["ID"], Secret: g.fields["SECRET"], Type: g.fields["TYPE"],
			RootURL: g.fields["ROOT_URL"]}
		rest := map[string]string{}
		lists := map[string]map[string]string{"REDIRECT_URIS_": {}, "POST_LOGOUT_REDIRECT_URIS_": {}, "WEB_ORIGINS_": {}}
	fields:
		for f, v := range g.fields {
			switch f {
			case "NAME", "ID", "SECRET", "TYPE", "ROOT_URL":
				continue
			case "REDIRECT_URIS": // one URI without an index
				lists["REDIRECT_URIS_"]["REDIRECT_URIS_-1"] = v
				continue
			}
			for prefix, m := range lists {
				if strings.HasPrefix(f, prefix) {
					m[f] = v
					continue fields
				}
			}
			if !strings.HasPrefix(f, "PERMISSIONS_") {
				return nil, fmt.Errorf("KEYCLOAK_CLIENTS_%d_%s: unknown client field", g.n, f)
			}
			rest[f] = v
		}
		for prefix, dst := range map[string]*[]string{"REDIRECT_URIS_": &c.RedirectURIs,
			"POST_LOGOUT_REDIRECT_URIS_": &c.PostLogoutRedirectURIs, "WEB_ORIGINS_": &c.WebOrigins} {
			if v, ok := lists[prefix][prefix+"-1"]; ok {
				*dst = append(*dst, v)
				delete(lists[prefix], prefix+"-1")
			}
			items, err := indexed(lists[prefix], prefix)
			if err != nil {
				return nil, fmt.Errorf("KEYCLOAK_CLIENTS_%d_%w", g.n, err)
			}
			for _, it := range items {
				if len(it.fields) != 1 || it.fields[""] == "" {
					return nil, fmt.Errorf("KEYCLOAK_CLIENTS_%d_%s%d: expected one value", g.n, prefix, it.n)
				}
				*dst = append(*dst, it.fields[""])
			}
		}
		perms, err := indexed(rest, "PERMISSIONS_")
		if err != nil {
			return nil, fmt.Errorf("KEYCLOAK_CLIENTS_%d_%w", g.n, err)
		}
		for _, p := range perms {
			rs, def := p.fields["RESOURCE_SERVER_ID"], p.fields["DEFINITION"]
			if rs == "" || def == "" || len(p.fields) != 2 {
				return nil, fmt.Errorf("KEYCLOAK_CLIENTS_%d_PERMISSIONS_%d needs exactly RESOURCE_SERVER_ID and DEFINITION", g.n, p.n)
			}
			c.Permissions = append(c.Permissions, Permission{ResourceServerID: rs, Definition: def})
		}
		out = append(out, c)
	}
	return out, nil
}

// group is the variables sharing one index: fields["NAME"] of KEYCLOAK_CLIENTS_3_NAME.
type group struct {
	n      int
	fields map[string]string
}

// indexed groups the keys <prefix><n>_<FIELD> (or <prefix><n> alone, field "") by n,
// in increasing order of n. Keys without the prefix are ignored.
func indexed(kv map[string]string, prefix string) ([]group, error) {
	byN := map[int]map[string]string{}
	for k, v := range kv {
		rest, ok := strings.CutPrefix(k, prefix)
		if !ok {
			continue
		}
		nStr, field, _ := strings.Cut(rest, "_")
		n, err := strconv.Atoi(nStr)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("%s: expected %s<n>_<FIELD>", k, prefix)
		}
		if byN[n] == nil {
			byN[n] = map[string]string{}
		}
		byN[n][field] = v
	}
	out := make([]group, 0, len(byN))
	for n, f := range byN {
		out = append(out, group{n: n, fields: f})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].n < out[j].n })
	return out, nil
}

// envMap turns KEY=value pairs into a map.
func envMap(environ []string) map[string]string {
	m := make(map[string]string, len(environ))
	for _, kv := range environ {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
	return m
}
