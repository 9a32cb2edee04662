package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DefaultRealm is the realm Camunda's Helm charts use.
const DefaultRealm = "camunda-platform"

// Audiences of the APIs the typed clients call: request a token for one of them with
// Credentials.Audience, or leave it empty for a token for every API the application
// holds permissions on except the management API, whose audience is only ever in a
// token that asked for it (NewManagement's token source must set ManagementAudience).
const (
	ManagementAudience = "camunda-identity-resource-server"
	AdminAudience      = "console-api"
	ModelerAudience    = "web-modeler-public-api"
)

// TokenURL is the token endpoint of realm on the identity listener at serverURL, e.g.
// TokenURL("http://localhost:18080", "camunda-platform").
func TokenURL(serverURL, realm string) string {
	if realm == "" {
		realm = DefaultRealm
	}
	return strings.TrimRight(serverURL, "/") + "/auth/realms/" + url.PathEscape(realm) + "/protocol/openid-connect/token"
}

// ClientOption configures a typed API client (Management, Admin, Modeler).
type ClientOption func(*rest)

// WithTransport sets the HTTP transport of an API client (default http.DefaultTransport).
// Tokens are added by the client itself; the transport must not add its own.
func WithTransport(rt http.RoundTripper) ClientOption {
	return func(r *rest) { r.http.Transport = rt }
}

// WithTimeout bounds each request of an API client (default 30 s); the token source has
// its own timeout.
func WithTimeout(d time.Duration) ClientOption {
	return func(r *rest) { r.http.Timeout = d }
}

// WithUserAgent sets the User-Agent header of an API client's requests.
func WithUserAgent(ua string) ClientOption { return func(r *rest) { r.userAgent = ua } }

// maxResponse bounds a response body read into memory.
const maxResponse = 64 << 20

// rest sends JSON requests with a bearer token and decodes JSON answers or problems.
type rest struct {
	base      string
	src       *TokenSource
	http      *http.Client
	userAgent string
}

func newRest(baseURL string, src *TokenSource, opts []ClientOption) *rest {
	r := &rest{base: strings.TrimRight(baseURL, "/"), src: src, http: &http.Client{Timeout: 30 * time.Second},
		userAgent: "gatehouse-go-client"}
	for _, o := range opts {
		o(r)
	}
	return r
}

// do sends method base+path?query with in as the JSON body (nil: no body) and decodes a
// 2xx answer into out (nil: the body is discarded). Any other answer is an *Error. A 401
// for a token the server calls invalid drops the cached token and retries once with a
// new one (the signing key may have been rotated away or revoked).
func (r *rest) do(ctx context.Context, method, path string, query url.Values, in, out any) error {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return fmt.Errorf("client: encode %s %s: %w", method, path, err)
		}
	}
	for attempt := 0; ; attempt++ {
		resp, err := r.send(ctx, method, path, query, body)
		if err != nil {
			return err
		}
		data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
		resp.Body.Close()
		if err != nil {
			return fmt.Errorf("client: %s %s: read answer: %w", method, path, err)
		}
		if resp.StatusCode >= 200 && resp.StatusCode < 300 {
			if out == nil || resp.StatusCode == http.StatusNoContent {
				return nil
			}
			if err := json.Unmarshal(data, out); err != nil {
				return fmt.Errorf("client: %s %s: decode answer: %w", method, path, err)
			}
			return nil
		}
		e := decodeError(resp, data)
		if e.Status == http.StatusUnauthorized && e.AuthError == "invalid_token" && r.src != nil && attempt == 0 {
			r.src.Invalidate()
			continue
		}
		return e
	}
}

func (r *rest) send(ctx context.Context, method, path string, query url.Values, body []byte) (*http.Response, error) {
	u := r.base + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, fmt.Errorf("client: %w", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json, application/problem+json")
	if r.userAgent != "" {
		req.Header.Set("User-Agent", r.userAgent)
	}
	if r.src != nil {
		tok, err := r.src.Token(ctx)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	}
	resp, err := r.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("client: %s %s: %w", method, path, err)
	}
	return resp, nil
}

// seg escapes one path segment.
func seg(s string) string { return url.PathEscape(s) }

// ListOptions page and filter a management API list. Zero values leave the server's
// defaults (offset 0, limit 50, no filter).
type ListOptions struct {
	Offset int    // items to skip
	Limit  int    // 1-500
	Query  string // case-insensitive substring of the name
}

func (o ListOptions) values() url.Values {
	v := url.Values{}
	if o.Offset > 0 {
		v.Set("offset", fmt.Sprint(o.Offset))
	}
	if o.Limit > 0 {
		v.Set("limit", fmt.Sprint(o.Limit))
	}
	if o.Query != "" {
		v.Set("q", o.Query)
	}
	return v
}

// Page is one page of a management API list.
type Page[T any] struct {
	Items  []T `json:"items"`
	Total  int `json:"total"`  // items matching, on every page
	Offset int `json:"offset"` // of the first item
	Limit  int `json:"limit"`
}

// All iterates over every item of a management API list, page after page, starting at
// opts.Offset with pages of opts.Limit items. It stops at the first error, which it
// yields. For example:
//
//	for app, err := range client.All(ctx, m.ListApplications, client.ListOptions{Query: "billing"}) { … }
func All[T any](ctx context.Context, list func(context.Context, ListOptions) (*Page[T], error), opts ListOptions) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for {
			p, err := list(ctx, opts)
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, it := range p.Items {
				if !yield(it, nil) {
					return
				}
			}
			opts.Offset = p.Offset + len(p.Items)
			if len(p.Items) == 0 || opts.Offset >= p.Total {
				return
			}
		}
	}
}
