package store

import "time"

// Realm is an issuer: its own applications, APIs, users, keys and organization.
type Realm struct {
	Name          string // path segment, e.g. "camunda-platform"
	Organization  string // UUID reported as authorizedOrganization; scopes modeler data
	SigningAlg    string // RS256 | ES256 | EdDSA
	TokenLifetime time.Duration
	CreatedAt     time.Time
}

// Application is a client. ID is a UUID and is a machine token's "sub".
type Application struct {
	ID        string
	Realm     string
	ClientID  string
	Name      string
	Type      string // "m2m", "confidential" or "public" (identity.AppType…)
	Enabled   bool
	Source    string // how it was made: "api", "config", "bootstrap", "import"
	Secrets   []Secret
	CreatedAt time.Time
	UpdatedAt time.Time
	Web       WebSettings // browser sign-in settings of confidential and public apps
	// NotBefore: tokens of the application issued before it are refused, whatever its
	// state now (set when it is disabled or its secret revoked); zero: none.
	NotBefore time.Time
}

// WebSettings are what an application that signs people in registers (OpenID Connect).
type WebSettings struct {
	RootURL                string   // relative redirect URIs resolve against it
	RedirectURIs           []string // exact, or ending in "/*" for sub-paths
	PostLogoutRedirectURIs []string
	WebOrigins             []string // CORS origins of public clients
}

// AppState is what the deny lists need of an application.
type AppState struct {
	Enabled   bool
	NotBefore time.Time // zero: none
}

// Secret kinds.
const (
	SecretSHA256   = "sha256"   // generated 256-bit secret, domain-separated SHA-256 digest
	SecretArgon2id = "argon2id" // operator-chosen secret, slow KDF (PHC string in Hash)
	SecretHMAC     = "hmac"     // declared secret, HMAC-SHA256 under a key derived from the master key
)

// Secret is one verifier of an application's client secret. An application has one
// current secret and, during a rotation grace period, the previous one with ExpiresAt set.
type Secret struct {
	ID        string
	Kind      string
	Hash      []byte
	CreatedAt time.Time
	ExpiresAt time.Time // zero: does not expire
}

// Permission is a definition on an API, e.g. "read:*".
type Permission struct {
	Definition  string
	Description string
}

// API is a resource server: tokens name its Audience (or an alias) in "aud" and carry
// its granted permissions under permissions[Audience].
type API struct {
	ID          string
	Realm       string
	Name        string
	Audience    string
	Aliases     []string
	Permissions []Permission
	Preset      bool
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Grant gives an application one permission on an API.
type Grant struct {
	Realm      string
	AppID      string
	APIID      string
	Permission string
	CreatedAt  time.Time
}

// GrantFilter selects grants; empty fields match everything.
type GrantFilter struct {
	AppID string
	APIID string
}

// User is a human who signs in to the console.
type User struct {
	ID           string
	Realm        string
	Username     string
	Email        string
	FirstName    string
	LastName     string
	PasswordHash string // argon2id PHC string
	Enabled      bool
	Roles        []string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// KeyState is a signing key's place in its life cycle.
type KeyState string

const (
	KeyNext    KeyState = "next"    // published in JWKS, not yet signing
	KeyActive  KeyState = "active"  // signs new tokens; exactly one per realm
	KeyRetired KeyState = "retired" // published until PublishUntil, never signs
	KeyRevoked KeyState = "revoked" // withdrawn in an emergency: not published
)

// SigningKey is one realm key. PrivateKey is sealed (AES-GCM under the master key);
// PublicKey is the PKIX DER encoding.
type SigningKey struct {
	ID           string // kid
	Realm        string
	Alg          string
	State        KeyState
	PublicKey    []byte
	PrivateKey   []byte
	CreatedAt    time.Time
	ActivatedAt  time.Time // zero until active
	RetiredAt    time.Time // zero until retired or revoked
	PublishUntil time.Time // retired keys leave the JWKS after this
}

// Revocation denies one token (by jti) until it would have expired anyway.
type Revocation struct {
	JTI       string
	Realm     string
	AppID     string
	ExpiresAt time.Time
	CreatedAt time.Time
}

// AuditEvent is an append-only record of a change or decision. Detail never holds
// a secret or a token.
type AuditEvent struct {
	ID      int64 // assigned by the store, increasing
	Realm   string
	Time    time.Time
	Actor   string // client id or username that acted; "system" for the server itself
	Action  string // e.g. "app.create", "token.issue", "token.deny", "key.rotate"
	Target  string // id of the object acted on
	Outcome string // "success" | "failure"
	Detail  map[string]string
}

// AuditQuery filters the audit trail; zero values match everything. Results are
// newest first; BeforeID pages backwards (0 = from the newest).
type AuditQuery struct {
	Realm    string
	Action   string // exact, or a prefix ending in "." (e.g. "app.")
	Exclude  string // an exact action left out (e.g. "token.issue"); empty: none
	Actor    string
	Target   string
	Outcome  string
	Since    time.Time
	Until    time.Time
	BeforeID int64
	Limit    int
}

// Cluster is a managed Camunda release (Console's "managed releases").
type Cluster struct {
	ID         string // UUID, the Administration API's "uuid"
	Realm      string
	Name       string
	Namespace  string
	Version    string
	Tags       []string
	Components []Component
	Source     string // "config" | "api"
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Component is one app of a cluster.
type Component struct {
	ID        string // e.g. "zeebeGateway", "operate"
	Name      string
	Type      string // Administration API app type, e.g. "operate", "zeebe-gateway"
	Version   string
	URL       string
	Readiness string
	Metrics   string
}

// ListOptions pages a listing ordered by name (then id). Query, when set, keeps items
// whose name contains it (case-insensitive, literal).
type ListOptions struct {
	Offset int
	Limit  int
	Query  string
}

// ConsoleSession is a browser signed in to the web console. Key is the hex SHA-256 of
// the random session id the browser holds: the id itself is never stored. Sessions are
// in the store so that any replica serves any request.
type ConsoleSession struct {
	Key       string
	Realm     string
	UserID    string
	Username  string
	CreatedAt time.Time
	LastSeen  time.Time
	Flash     string // a one-time notice for the next page; "" none
	Reveal    []byte // a new client secret waiting for the one page that shows it, sealed by the console; nil none
}
