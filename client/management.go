package client

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"
)

// Management is a typed client for the management API of one realm
// (/manage/v1/realms/{realm}/… on the identity listener, docs/management-api.md). Its
// token needs the audience camunda-identity-resource-server (ask for it with
// Credentials.Audience = ManagementAudience: a token requested without an audience
// never carries it) with "read" to read and "write" to change. Safe for concurrent use.
type Management struct {
	r     *rest
	realm string
}

// NewManagement returns a management API client for realm ("" is DefaultRealm) of the
// server whose identity listener is at serverURL, e.g. http://localhost:18080. src
// supplies the tokens; nil sends none.
func NewManagement(serverURL, realm string, src *TokenSource, opts ...ClientOption) *Management {
	if realm == "" {
		realm = DefaultRealm
	}
	return &Management{r: newRest(serverURL, src, opts), realm: realm}
}

// Realm is the realm the client manages.
func (m *Management) Realm() string { return m.realm }

// path joins escaped segments under the realm's prefix.
func (m *Management) path(segs ...string) string {
	var b strings.Builder
	b.WriteString("/manage/v1/realms/" + seg(m.realm))
	for _, s := range segs {
		b.WriteString("/" + seg(s))
	}
	return b.String()
}

// Application is an application: M2M (client credentials), confidential or public
// (people sign in through it). It never carries the secret or its hash.
type Application struct {
	ID        string       `json:"id"`
	ClientID  string       `json:"clientId"`
	Name      string       `json:"name"`
	Type      string       `json:"type"` // "m2m", "confidential" or "public"
	Enabled   bool         `json:"enabled"`
	Source    string       `json:"source"` // api, config, bootstrap or import
	Secrets   []SecretInfo `json:"secrets"`
	CreatedAt time.Time    `json:"createdAt"`
	UpdatedAt time.Time    `json:"updatedAt"`
	// Browser sign-in settings of confidential and public applications.
	RootURL                string   `json:"rootUrl,omitempty"`
	RedirectURIs           []string `json:"redirectUris,omitempty"`
	PostLogoutRedirectURIs []string `json:"postLogoutRedirectUris,omitempty"`
	WebOrigins             []string `json:"webOrigins,omitempty"`
}

// SecretInfo describes a secret that is valid now: one, or two during a rotation's
// grace period (the old one then has ExpiresAt).
type SecretInfo struct {
	ID        string    `json:"id"`
	CreatedAt time.Time `json:"createdAt"`
	ExpiresAt time.Time `json:"expiresAt,omitzero"`
}

// ApplicationWithSecret is an application with its new secret, answered once by
// CreateApplication and RotateSecret: store the secret then, it is never shown again.
type ApplicationWithSecret struct {
	Application
	ClientSecret string `json:"clientSecret"`
}

// Credentials are the application's credentials for the token endpoint at tokenURL.
func (a *ApplicationWithSecret) Credentials(tokenURL string) Credentials {
	return Credentials{TokenURL: tokenURL, ClientID: a.ClientID, ClientSecret: a.ClientSecret}
}

// Permission names a permission definition on an API by the API's audience, e.g.
// {API: "console-api", Permission: "read:*"}.
type Permission struct {
	API        string `json:"api"`
	Permission string `json:"permission"`
}

// String is the "<api>:<permission>" form ParsePermission reads.
func (p Permission) String() string { return p.API + ":" + p.Permission }

// ParsePermission reads "<api audience>:<definition>", e.g.
// "web-modeler-public-api:read:*". The audience cannot hold a colon, so the first one
// separates the two.
func ParsePermission(s string) (Permission, error) {
	api, def, ok := strings.Cut(s, ":")
	if !ok || api == "" || def == "" {
		return Permission{}, errors.New("client: a permission is API:DEFINITION, e.g. console-api:read:*")
	}
	return Permission{API: api, Permission: def}, nil
}

// ApplicationCreate is what CreateApplication needs.
type ApplicationCreate struct {
	Name        string       `json:"name"`
	Permissions []Permission `json:"permissions,omitempty"`
	// Type is M2M (the default), CONFIDENTIAL or PUBLIC; a PUBLIC application gets no
	// secret. The settings below are for CONFIDENTIAL and PUBLIC applications.
	Type                   string   `json:"type,omitempty"`
	RootURL                string   `json:"rootUrl,omitempty"`
	RedirectURIs           []string `json:"redirectUris,omitempty"`
	PostLogoutRedirectURIs []string `json:"postLogoutRedirectUris,omitempty"`
	WebOrigins             []string `json:"webOrigins,omitempty"`
}

// ApplicationUpdate changes an application; nil fields stay as they are.
type ApplicationUpdate struct {
	Name    *string `json:"name,omitempty"`
	Enabled *bool   `json:"enabled,omitempty"`
	// Type changes only between M2M and CONFIDENTIAL (409 otherwise).
	Type *string `json:"type,omitempty"`
	// Lists replace the stored ones whole; an empty list clears.
	RootURL                *string   `json:"rootUrl,omitempty"`
	RedirectURIs           *[]string `json:"redirectUris,omitempty"`
	PostLogoutRedirectURIs *[]string `json:"postLogoutRedirectUris,omitempty"`
	WebOrigins             *[]string `json:"webOrigins,omitempty"`
}

// ListApplications answers one page of the realm's applications, ordered by name.
func (m *Management) ListApplications(ctx context.Context, opts ListOptions) (*Page[Application], error) {
	var p Page[Application]
	return &p, m.r.do(ctx, http.MethodGet, m.path("applications"), opts.values(), nil, &p)
}

// CreateApplication creates an M2M application holding the given permissions. The
// answer holds its client secret, this once.
func (m *Management) CreateApplication(ctx context.Context, in ApplicationCreate) (*ApplicationWithSecret, error) {
	var a ApplicationWithSecret
	return &a, m.r.do(ctx, http.MethodPost, m.path("applications"), nil, in, &a)
}

// GetApplication answers the application with this id (not its client id).
func (m *Management) GetApplication(ctx context.Context, id string) (*Application, error) {
	var a Application
	return &a, m.r.do(ctx, http.MethodGet, m.path("applications", id), nil, nil, &a)
}

// UpdateApplication renames, enables or disables an application.
func (m *Management) UpdateApplication(ctx context.Context, id string, in ApplicationUpdate) (*Application, error) {
	var a Application
	return &a, m.r.do(ctx, http.MethodPatch, m.path("applications", id), nil, in, &a)
}

// RenameApplication gives an application a new name.
func (m *Management) RenameApplication(ctx context.Context, id, name string) (*Application, error) {
	return m.UpdateApplication(ctx, id, ApplicationUpdate{Name: &name})
}

// EnableApplication lets a disabled application obtain tokens again; its unexpired
// tokens work again too.
func (m *Management) EnableApplication(ctx context.Context, id string) (*Application, error) {
	t := true
	return m.UpdateApplication(ctx, id, ApplicationUpdate{Enabled: &t})
}

// DisableApplication stops an application at once: the token endpoint refuses it and
// Gatehouse's APIs refuse its live tokens.
func (m *Management) DisableApplication(ctx context.Context, id string) (*Application, error) {
	f := false
	return m.UpdateApplication(ctx, id, ApplicationUpdate{Enabled: &f})
}

// DeleteApplication deletes an application with its secrets and grants.
func (m *Management) DeleteApplication(ctx context.Context, id string) error {
	return m.r.do(ctx, http.MethodDelete, m.path("applications", id), nil, nil, nil)
}

// RotateSecret gives an application a new secret (in the answer, this once) and keeps
// the secret in use until now valid for grace (0: it stops working now; at most 720h).
func (m *Management) RotateSecret(ctx context.Context, id string, grace time.Duration) (*ApplicationWithSecret, error) {
	var a ApplicationWithSecret
	body := struct {
		Grace string `json:"grace"`
	}{grace.String()}
	return &a, m.r.do(ctx, http.MethodPost, m.path("applications", id, "rotate-secret"), nil, body, &a)
}

type permissionList struct {
	Items []Permission `json:"items"`
}

// ListPermissions answers the permissions an application holds, sorted by API and
// definition.
func (m *Management) ListPermissions(ctx context.Context, appID string) ([]Permission, error) {
	var l permissionList
	err := m.r.do(ctx, http.MethodGet, m.path("applications", appID, "permissions"), nil, nil, &l)
	return l.Items, err
}

// AddPermissions gives an application permissions (idempotent) and answers what it
// holds afterwards. New tokens carry them at once.
func (m *Management) AddPermissions(ctx context.Context, appID string, perms ...Permission) ([]Permission, error) {
	var l permissionList
	err := m.r.do(ctx, http.MethodPut, m.path("applications", appID, "permissions"), nil, perms, &l)
	return l.Items, err
}

// RemovePermissions takes permissions from an application (removing one it does not
// hold is no error) and answers what it holds afterwards.
func (m *Management) RemovePermissions(ctx context.Context, appID string, perms ...Permission) ([]Permission, error) {
	var l permissionList
	err := m.r.do(ctx, http.MethodDelete, m.path("applications", appID, "permissions"), nil, perms, &l)
	return l.Items, err
}
