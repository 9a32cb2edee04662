package replica

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Client calls one replica's HTTP surfaces: the token, revocation and management
// endpoints on the identity listener, the Administration API on the console listener
// and the Web Modeler API on the modeler listener. Base URLs have no trailing slash.
type Client struct {
	HTTP     *http.Client
	Identity string
	Console  string
	Modeler  string
	Health   string // the management listener (/readyz)
	Realm    string
}

// Response is a finished exchange. Err is set when no answer arrived (connection
// refused or reset, timeout); Status is 0 then.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
	Err    error
}

// OK reports a 2xx answer.
func (r Response) OK() bool { return r.Err == nil && r.Status/100 == 2 }

func (r Response) String() string {
	if r.Err != nil {
		return "error: " + r.Err.Error()
	}
	return fmt.Sprintf("%d %s", r.Status, bytes.TrimSpace(r.Body))
}

// JSON decodes the body into v.
func (r Response) JSON(v any) error {
	if r.Err != nil {
		return r.Err
	}
	return json.Unmarshal(r.Body, v)
}

// Do sends one request. body is sent as JSON unless it is url.Values (a form) or nil.
func (c *Client) Do(ctx context.Context, method, u, bearer string, body any) Response {
	var rd io.Reader
	ctype := ""
	switch b := body.(type) {
	case nil:
	case url.Values:
		rd, ctype = strings.NewReader(b.Encode()), "application/x-www-form-urlencoded"
	default:
		j, err := json.Marshal(b)
		if err != nil {
			return Response{Err: err}
		}
		rd, ctype = bytes.NewReader(j), "application/json"
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return Response{Err: err}
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return Response{Err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return Response{Err: err} // the answer did not arrive whole: not acknowledged
	}
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

func (c *Client) oidc(path string) string {
	return c.Identity + "/auth/realms/" + c.Realm + "/protocol/openid-connect" + path
}

func (c *Client) manage(path string) string {
	return c.Identity + "/manage/v1/realms/" + c.Realm + path
}

// Token requests a client_credentials token (client_secret_post). The token is
// returned with a 200 answer only.
func (c *Client) Token(ctx context.Context, clientID, secret, audience string) (string, Response) {
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {clientID}, "client_secret": {secret}}
	if audience != "" {
		form.Set("audience", audience)
	}
	r := c.Do(ctx, http.MethodPost, c.oidc("/token"), "", form)
	if r.Status != http.StatusOK {
		return "", r
	}
	var tr struct {
		AccessToken string `json:"access_token"`
	}
	if err := r.JSON(&tr); err != nil || tr.AccessToken == "" {
		r.Err = fmt.Errorf("replica: token answer without access_token: %v", err)
		r.Status = 0
		return "", r
	}
	return tr.AccessToken, r
}

// Revoke revokes token with the credentials of the client it was issued to.
func (c *Client) Revoke(ctx context.Context, clientID, secret, token string) Response {
	return c.Do(ctx, http.MethodPost, c.oidc("/revoke"), "", url.Values{"client_id": {clientID}, "client_secret": {secret}, "token": {token}})
}

// Introspect asks whether token is active, authenticated as clientID.
func (c *Client) Introspect(ctx context.Context, clientID, secret, token string) (bool, Response) {
	r := c.Do(ctx, http.MethodPost, c.oidc("/token/introspect"), "", url.Values{"client_id": {clientID}, "client_secret": {secret}, "token": {token}})
	var v struct {
		Active bool `json:"active"`
	}
	if r.OK() {
		if err := r.JSON(&v); err != nil {
			r.Err = err
		}
	}
	return v.Active, r
}

// Permission names a permission of an API, as the management API does.
type Permission struct {
	API        string `json:"api"`
	Permission string `json:"permission"`
}

// App is an application as the management API answers it.
type App struct {
	ID           string `json:"id"`
	ClientID     string `json:"clientId"`
	ClientSecret string `json:"clientSecret"` // create and rotate-secret answers only
	Enabled      bool   `json:"enabled"`
	Secrets      []struct {
		ID string `json:"id"`
	} `json:"secrets"`
}

// CreateApp creates an application through the management API.
func (c *Client) CreateApp(ctx context.Context, admin, name string, perms ...Permission) (App, Response) {
	body := map[string]any{"name": name}
	if len(perms) > 0 {
		body["permissions"] = perms
	}
	return c.app(c.Do(ctx, http.MethodPost, c.manage("/applications"), admin, body))
}

// GetApp reads an application.
func (c *Client) GetApp(ctx context.Context, admin, id string) (App, Response) {
	return c.app(c.Do(ctx, http.MethodGet, c.manage("/applications/"+id), admin, nil))
}

// RotateSecret gives an application a new secret; the old one stays valid for grace.
func (c *Client) RotateSecret(ctx context.Context, admin, id string, grace time.Duration) (App, Response) {
	return c.app(c.Do(ctx, http.MethodPost, c.manage("/applications/"+id+"/rotate-secret"), admin, map[string]string{"grace": grace.String()}))
}

// SetEnabled enables or disables an application.
func (c *Client) SetEnabled(ctx context.Context, admin, id string, enabled bool) (App, Response) {
	return c.app(c.Do(ctx, http.MethodPatch, c.manage("/applications/"+id), admin, map[string]bool{"enabled": enabled}))
}

func (c *Client) app(r Response) (App, Response) {
	var a App
	if r.OK() {
		if err := r.JSON(&a); err != nil {
			r.Err = err
		}
	}
	return a, r
}

// Grant adds permissions to an application (idempotent).
func (c *Client) Grant(ctx context.Context, admin, id string, perms ...Permission) Response {
	return c.Do(ctx, http.MethodPut, c.manage("/applications/"+id+"/permissions"), admin, perms)
}

// Permissions lists what an application holds.
func (c *Client) Permissions(ctx context.Context, admin, id string) ([]Permission, Response) {
	r := c.Do(ctx, http.MethodGet, c.manage("/applications/"+id+"/permissions"), admin, nil)
	var out struct {
		Items []Permission `json:"items"`
	}
	if r.OK() {
		if err := r.JSON(&out); err != nil {
			r.Err = err
		}
	}
	return out.Items, r
}

// RotateKeys rotates the realm's signing key.
func (c *Client) RotateKeys(ctx context.Context, admin string) Response {
	return c.Do(ctx, http.MethodPost, c.manage("/keys/rotate"), admin, nil)
}

// Key is a signing key as the management API lists it.
type Key struct {
	ID    string `json:"kid"`
	State string `json:"state"`
}

// Keys lists the realm's signing keys, active first.
func (c *Client) Keys(ctx context.Context, admin string) ([]Key, Response) {
	r := c.Do(ctx, http.MethodGet, c.manage("/keys"), admin, nil)
	var out struct {
		Items []Key `json:"items"`
	}
	if r.OK() {
		if err := r.JSON(&out); err != nil {
			r.Err = err
		}
	}
	return out.Items, r
}

// JWKSKids lists the kids the realm's JWKS publishes.
func (c *Client) JWKSKids(ctx context.Context) ([]string, Response) {
	r := c.Do(ctx, http.MethodGet, c.oidc("/certs"), "", nil)
	var set struct {
		Keys []struct {
			Kid string `json:"kid"`
		} `json:"keys"`
	}
	var out []string
	if r.OK() {
		if err := r.JSON(&set); err != nil {
			r.Err = err
		}
		for _, k := range set.Keys {
			out = append(out, k.Kid)
		}
	}
	return out, r
}

// Clusters calls the Administration API (GET /admin-api/clusters), which needs a
// console-api token and answers from memory: the way to check that a token verifies
// at a resource API without the database.
func (c *Client) Clusters(ctx context.Context, token string) Response {
	return c.Do(ctx, http.MethodGet, c.Console+"/admin-api/clusters", token, nil)
}

// CreateProject creates a Web Modeler project and returns its id.
func (c *Client) CreateProject(ctx context.Context, token, name string) (string, Response) {
	r := c.Do(ctx, http.MethodPost, c.Modeler+"/api/v1/projects", token, map[string]string{"name": name})
	var p struct {
		ID string `json:"id"`
	}
	if r.OK() {
		if err := r.JSON(&p); err != nil {
			r.Err = err
		}
	}
	return p.ID, r
}

// CreateFile creates a file in a project's root and returns its id.
func (c *Client) CreateFile(ctx context.Context, token, projectID, name, content string) (string, Response) {
	r := c.Do(ctx, http.MethodPost, c.Modeler+"/api/v1/files", token,
		map[string]string{"name": name, "projectId": projectID, "content": content, "fileType": "bpmn"})
	var f struct {
		ID string `json:"id"`
	}
	if r.OK() {
		if err := r.JSON(&f); err != nil {
			r.Err = err
		}
	}
	return f.ID, r
}

// GetFile reads a file's content.
func (c *Client) GetFile(ctx context.Context, token, id string) (string, Response) {
	r := c.Do(ctx, http.MethodGet, c.Modeler+"/api/v1/files/"+id, token, nil)
	var f struct {
		Content string `json:"content"`
	}
	if r.OK() {
		if err := r.JSON(&f); err != nil {
			r.Err = err
		}
	}
	return f.Content, r
}

// Ready calls /readyz on the management listener.
func (c *Client) Ready(ctx context.Context) Response {
	return c.Do(ctx, http.MethodGet, c.Health+"/readyz", "", nil)
}

// BPMN returns a small valid BPMN document whose process id is id (letters, digits).
func BPMN(id string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d-` + id +
		`"><bpmn:process id="p-` + id + `" isExecutable="true"/></bpmn:definitions>`
}
