package client

import (
	"context"
	"net/http"
	"net/url"
	"time"
)

// API is a resource server: the audience tokens name it by, aliases, and the permission
// definitions applications can be given on it.
type API struct {
	ID          string          `json:"id"`
	Name        string          `json:"name"`
	Audience    string          `json:"audience"`
	Aliases     []string        `json:"aliases"`
	Permissions []PermissionDef `json:"permissions"`
	Preset      bool            `json:"preset"` // one of Camunda's, made at start: cannot be deleted
	CreatedAt   time.Time       `json:"createdAt"`
	UpdatedAt   time.Time       `json:"updatedAt"`
}

// PermissionDef is a permission definition of an API, e.g. "read:*".
type PermissionDef struct {
	Definition  string `json:"definition"`
	Description string `json:"description"`
}

// APICreate is what CreateAPI needs.
type APICreate struct {
	Name        string          `json:"name"`
	Audience    string          `json:"audience"`
	Aliases     []string        `json:"aliases,omitempty"`
	Permissions []PermissionDef `json:"permissions,omitempty"`
}

// APIUpdate changes an API; nil fields stay, lists replace the stored ones (a pointer
// to an empty list clears it). The audience never changes.
type APIUpdate struct {
	Name        *string          `json:"name,omitempty"`
	Aliases     *[]string        `json:"aliases,omitempty"`
	Permissions *[]PermissionDef `json:"permissions,omitempty"`
}

// ListAPIs answers one page of the realm's APIs, ordered by name.
func (m *Management) ListAPIs(ctx context.Context, opts ListOptions) (*Page[API], error) {
	var p Page[API]
	return &p, m.r.do(ctx, http.MethodGet, m.path("apis"), opts.values(), nil, &p)
}

// CreateAPI creates an API; a taken audience is ErrConflict.
func (m *Management) CreateAPI(ctx context.Context, in APICreate) (*API, error) {
	var a API
	return &a, m.r.do(ctx, http.MethodPost, m.path("apis"), nil, in, &a)
}

// GetAPI answers the API with this id.
func (m *Management) GetAPI(ctx context.Context, id string) (*API, error) {
	var a API
	return &a, m.r.do(ctx, http.MethodGet, m.path("apis", id), nil, nil, &a)
}

// UpdateAPI renames an API or replaces its aliases or permission definitions (dropping
// a definition drops its grants).
func (m *Management) UpdateAPI(ctx context.Context, id string, in APIUpdate) (*API, error) {
	var a API
	return &a, m.r.do(ctx, http.MethodPatch, m.path("apis", id), nil, in, &a)
}

// DeleteAPI deletes an API. While applications hold its permissions it is ErrConflict,
// unless cascade also removes those grants.
func (m *Management) DeleteAPI(ctx context.Context, id string, cascade bool) error {
	var q url.Values
	if cascade {
		q = url.Values{"cascade": {"true"}}
	}
	return m.r.do(ctx, http.MethodDelete, m.path("apis", id), q, nil, nil)
}

// User is a console user. It never carries the password or its hash.
type User struct {
	ID        string    `json:"id"`
	Username  string    `json:"username"`
	Email     string    `json:"email"`
	FirstName string    `json:"firstName"`
	LastName  string    `json:"lastName"`
	Enabled   bool      `json:"enabled"`
	Roles     []string  `json:"roles"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// UserCreate is what CreateUser needs: a username (stored lowercase) and a password of
// 8-1024 bytes (stored as argon2id).
type UserCreate struct {
	Username  string   `json:"username"`
	Password  string   `json:"password"`
	Email     string   `json:"email,omitempty"`
	FirstName string   `json:"firstName,omitempty"`
	LastName  string   `json:"lastName,omitempty"`
	Roles     []string `json:"roles,omitempty"`
}

// UserUpdate changes a user; nil fields stay.
type UserUpdate struct {
	Email     *string `json:"email,omitempty"`
	FirstName *string `json:"firstName,omitempty"`
	LastName  *string `json:"lastName,omitempty"`
	Password  *string `json:"password,omitempty"`
	Enabled   *bool   `json:"enabled,omitempty"`
}

// ListUsers answers one page of the realm's users, ordered by name.
func (m *Management) ListUsers(ctx context.Context, opts ListOptions) (*Page[User], error) {
	var p Page[User]
	return &p, m.r.do(ctx, http.MethodGet, m.path("users"), opts.values(), nil, &p)
}

// CreateUser creates a user; a taken username is ErrConflict.
func (m *Management) CreateUser(ctx context.Context, in UserCreate) (*User, error) {
	var u User
	return &u, m.r.do(ctx, http.MethodPost, m.path("users"), nil, in, &u)
}

// GetUser answers the user with this id.
func (m *Management) GetUser(ctx context.Context, id string) (*User, error) {
	var u User
	return &u, m.r.do(ctx, http.MethodGet, m.path("users", id), nil, nil, &u)
}

// UpdateUser changes a user's names, email, password or enabled state.
func (m *Management) UpdateUser(ctx context.Context, id string, in UserUpdate) (*User, error) {
	var u User
	return &u, m.r.do(ctx, http.MethodPatch, m.path("users", id), nil, in, &u)
}

// DeleteUser deletes a user.
func (m *Management) DeleteUser(ctx context.Context, id string) error {
	return m.r.do(ctx, http.MethodDelete, m.path("users", id), nil, nil, nil)
}

type roleList struct {
	Items []string `json:"items"`
}

// ListRoles answers a user's roles.
func (m *Management) ListRoles(ctx context.Context, userID string) ([]string, error) {
	var l roleList
	err := m.r.do(ctx, http.MethodGet, m.path("users", userID, "roles"), nil, nil, &l)
	return l.Items, err
}

// AddRoles gives a user roles (idempotent) and answers its roles afterwards.
func (m *Management) AddRoles(ctx context.Context, userID string, roles ...string) ([]string, error) {
	var l roleList
	err := m.r.do(ctx, http.MethodPut, m.path("users", userID, "roles"), nil, roles, &l)
	return l.Items, err
}

// RemoveRoles takes roles from a user and answers its roles afterwards.
func (m *Management) RemoveRoles(ctx context.Context, userID string, roles ...string) ([]string, error) {
	var l roleList
	err := m.r.do(ctx, http.MethodDelete, m.path("users", userID, "roles"), nil, roles, &l)
	return l.Items, err
}

// Cluster is a managed release as the Administration API reports it; its live health
// is the Admin client's business.
type Cluster struct {
	ID         string      `json:"id"`
	Name       string      `json:"name"`
	Namespace  string      `json:"namespace"`
	Version    string      `json:"version"`
	Tags       []string    `json:"tags"`
	Components []Component `json:"components"`
	Source     string      `json:"source"` // api or config (configured clusters are changed in the configuration)
	CreatedAt  time.Time   `json:"createdAt"`
	UpdatedAt  time.Time   `json:"updatedAt"`
}

// Component is an app of a cluster. URLs are absolute http(s) URLs without credentials
// (the server calls them).
type Component struct {
	ID        string `json:"id"`
	Name      string `json:"name,omitempty"`
	Type      string `json:"type,omitempty"` // zeebe-broker, zeebe-gateway, operate, tasklist, optimize, modeler, console, identity, unknown
	Version   string `json:"version,omitempty"`
	URL       string `json:"url,omitempty"`
	Readiness string `json:"readiness,omitempty"`
	Metrics   string `json:"metrics,omitempty"`
}

// ClusterCreate is what CreateCluster needs (only Name is required).
type ClusterCreate struct {
	Name       string      `json:"name"`
	Namespace  string      `json:"namespace,omitempty"`
	Version    string      `json:"version,omitempty"`
	Tags       []string    `json:"tags,omitempty"`
	Components []Component `json:"components,omitempty"`
}

// ClusterUpdate changes a cluster; nil fields stay, lists replace the stored ones.
type ClusterUpdate struct {
	Name       *string      `json:"name,omitempty"`
	Namespace  *string      `json:"namespace,omitempty"`
	Version    *string      `json:"version,omitempty"`
	Tags       *[]string    `json:"tags,omitempty"`
	Components *[]Component `json:"components,omitempty"`
}

// ListClusters answers one page of the realm's clusters, ordered by name.
func (m *Management) ListClusters(ctx context.Context, opts ListOptions) (*Page[Cluster], error) {
	var p Page[Cluster]
	return &p, m.r.do(ctx, http.MethodGet, m.path("clusters"), opts.values(), nil, &p)
}

// CreateCluster creates a cluster.
func (m *Management) CreateCluster(ctx context.Context, in ClusterCreate) (*Cluster, error) {
	var c Cluster
	return &c, m.r.do(ctx, http.MethodPost, m.path("clusters"), nil, in, &c)
}

// GetCluster answers the cluster with this id.
func (m *Management) GetCluster(ctx context.Context, id string) (*Cluster, error) {
	var c Cluster
	return &c, m.r.do(ctx, http.MethodGet, m.path("clusters", id), nil, nil, &c)
}

// UpdateCluster changes a cluster made through the API (configured ones: ErrConflict).
func (m *Management) UpdateCluster(ctx context.Context, id string, in ClusterUpdate) (*Cluster, error) {
	var c Cluster
	return &c, m.r.do(ctx, http.MethodPatch, m.path("clusters", id), nil, in, &c)
}

// DeleteCluster deletes a cluster made through the API (configured ones: ErrConflict).
func (m *Management) DeleteCluster(ctx context.Context, id string) error {
	return m.r.do(ctx, http.MethodDelete, m.path("clusters", id), nil, nil, nil)
}
