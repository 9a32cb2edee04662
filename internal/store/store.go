package store

import (
	"context"
	"time"
)

// Store is the one persistence interface. Update methods run fn inside one transaction
// on the current record and store what it returns; if fn returns an error nothing is
// written and that error is returned. fn must be pure: it may run more than once (a
// PostgreSQL serialization retry) and must not call the store (on SQLite the single
// writer connection is fn's until it returns). Update functions cannot change an
// object's ID or realm. Methods return ErrUnavailable (wrapped) when the database
// cannot serve them.
type Store interface {
	Modeler // Web Modeler projects, folders, files, versions, collaborators (modeler.go)
	People  // single sign-on sessions and authorization codes (people.go)

	// Realms.
	CreateRealm(ctx context.Context, r Realm) error
	GetRealm(ctx context.Context, name string) (Realm, error)
	ListRealms(ctx context.Context) ([]Realm, error)
	UpdateRealm(ctx context.Context, name string, fn func(Realm) (Realm, error)) (Realm, error)

	// Applications, with their secrets.
	CreateApp(ctx context.Context, a Application) error
	// CreateApps creates applications of one realm with their secrets, and grants, in
	// one transaction (bulk import).
	CreateApps(ctx context.Context, apps []Application, grants []Grant) error
	GetApp(ctx context.Context, realm, id string) (Application, error)
	GetAppByClientID(ctx context.Context, realm, clientID string) (Application, error)
	ListApps(ctx context.Context, realm string, opt ListOptions) (apps []Application, total int, err error)
	UpdateApp(ctx context.Context, realm, id string, fn func(Application) (Application, error)) (Application, error)
	// AppStates returns the id of every application of realm with its state (Enabled,
	// NotBefore): what the deny-list needs, without secrets, names or paging. The map may
	// be shared with the store and later callers: do not modify it; it never changes
	// once returned.
	AppStates(ctx context.Context, realm string) (map[string]AppState, error)
	// DeleteApp removes the application, its secrets and its grants.
	DeleteApp(ctx context.Context, realm, id string) error

	// APIs and their permission definitions.
	CreateAPI(ctx context.Context, a API) error
	GetAPI(ctx context.Context, realm, id string) (API, error)
	ListAPIs(ctx context.Context, realm string) ([]API, error)
	// UpdateAPI also removes grants of permissions that fn dropped.
	UpdateAPI(ctx context.Context, realm, id string, fn func(API) (API, error)) (API, error)
	// DeleteAPI fails with ErrConflict while the API is granted, unless cascade.
	DeleteAPI(ctx context.Context, realm, id string, cascade bool) error

	// Grants. AddGrants is idempotent; every grant must name an existing app, API and
	// a permission the API defines (else ErrNotFound).
	ListGrants(ctx context.Context, realm string, f GrantFilter) ([]Grant, error)
	AddGrants(ctx context.Context, realm string, gs []Grant) error
	RemoveGrants(ctx context.Context, realm string, gs []Grant) error

	// Users.
	CreateUser(ctx context.Context, u User) error
	GetUser(ctx context.Context, realm, id string) (User, error)
	GetUserByUsername(ctx context.Context, realm, username string) (User, error)
	ListUsers(ctx context.Context, realm string, opt ListOptions) (users []User, total int, err error)
	UpdateUser(ctx context.Context, realm, id string, fn func(User) (User, error)) (User, error)
	DeleteUser(ctx context.Context, realm, id string) error

	// Signing keys. UpdateKeys replaces a realm's whole key set with what fn returns,
	// serialized against every other UpdateKeys of that realm on any replica.
	ListKeys(ctx context.Context, realm string) ([]SigningKey, error)
	UpdateKeys(ctx context.Context, realm string, fn func([]SigningKey) ([]SigningKey, error)) ([]SigningKey, error)

	// Web console sessions. They do not change the revision (a page view is no identity
	// change), and UpdateSession, unlike the other Update methods, may run often.
	// Deleting a user deletes their sessions.
	CreateSession(ctx context.Context, s ConsoleSession) error
	GetSession(ctx context.Context, key string) (ConsoleSession, error)
	UpdateSession(ctx context.Context, key string, fn func(ConsoleSession) (ConsoleSession, error)) (ConsoleSession, error)
	DeleteSession(ctx context.Context, key string) error
	// DeleteUserSessions ends every session of a user and returns how many there were.
	DeleteUserSessions(ctx context.Context, realm, userID string) (int, error)
	// DeleteUserSessionsExcept ends every session of a user but the one keyed keep.
	DeleteUserSessionsExcept(ctx context.Context, realm, userID, keep string) (int, error)
	// PurgeSessions deletes sessions last seen before idleBefore or created before
	// createdBefore, and returns how many it deleted.
	PurgeSessions(ctx context.Context, idleBefore, createdBefore time.Time) (int, error)

	// Revocations (the deny-list of token ids). AddRevocation is idempotent.
	AddRevocation(ctx context.Context, r Revocation) error
	ListRevocations(ctx context.Context, liveAt time.Time) ([]Revocation, error)
	PurgeRevocations(ctx context.Context, expiredBefore time.Time) (int, error)

	// Audit trail (append-only).
	AppendAudit(ctx context.Context, events ...AuditEvent) error
	ListAudit(ctx context.Context, q AuditQuery) ([]AuditEvent, error)
	// PurgeAudit deletes events that occurred before the given time (retention) and
	// says how many. It does not change the revision.
	PurgeAudit(ctx context.Context, before time.Time) (int, error)

	// Clusters.
	CreateCluster(ctx context.Context, c Cluster) error
	GetCluster(ctx context.Context, realm, id string) (Cluster, error)
	ListClusters(ctx context.Context, realm string) ([]Cluster, error)
	UpdateCluster(ctx context.Context, realm, id string, fn func(Cluster) (Cluster, error)) (Cluster, error)
	DeleteCluster(ctx context.Context, realm, id string) error

	// Meta holds small server-wide values (e.g. the master-key check value).
	// PutMetaIfAbsent stores value unless key exists, and returns the stored value.
	GetMeta(ctx context.Context, key string) (string, error)
	PutMetaIfAbsent(ctx context.Context, key, value string) (string, error)

	// Revision increases with every committed change to realms, applications, secrets,
	// APIs, grants, users, keys, revocations and clusters (not audit, not modeler data,
	// not console sessions).
	// Replicas poll it to know when to reload their caches.
	Revision(ctx context.Context) (int64, error)

	Ping(ctx context.Context) error
	Close() error
}
