package client

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

// Credentials of an M2M application.
type Credentials struct {
	TokenURL     string // e.g. http://localhost:18080/auth/realms/camunda-platform/protocol/openid-connect/token
	ClientID     string
	ClientSecret string
	Audience     string // optional
	Scope        string // optional
}

// Token is an access token and when it stops being valid.
type Token struct {
	AccessToken string
	Expiry      time.Time // from the token's exp claim
}

// TokenSource fetches, caches and refreshes tokens. Safe for concurrent use.
type TokenSource struct {
	creds     Credentials
	http      *http.Client
	threshold time.Duration
	now       func() time.Time
	backoff   Backoff

	mu       sync.Mutex
	tok      *Token
	inflight *call
	failures int
	retryAt  time.Time
	lastErr  error
}

type call struct {
	done chan struct{}
	tok  *Token
	err  error
}

// Backoff bounds the wait after consecutive failures: Base doubled per failure, capped
// at Max. During the wait Token returns the last error without a request.
type Backoff struct {
	Base time.Duration
	Max  time.Duration
}

// Option configures a TokenSource.
type Option func(*TokenSource)

// WithHTTPClient sets the HTTP client used for token requests.
func WithHTTPClient(c *http.Client) Option { return func(s *TokenSource) { s.http = c } }

// WithRefreshThreshold refreshes the token this long before it expires (default 30 s).
func WithRefreshThreshold(d time.Duration) Option { return func(s *TokenSource) { s.threshold = d } }

// WithBackoff sets the failure backoff (default 500 ms doubling up to 30 s).
func WithBackoff(b Backoff) Option { return func(s *TokenSource) { s.backoff = b } }

// WithClock injects the time (tests).
func WithClock(now func() time.Time) Option { return func(s *TokenSource) { s.now = now } }

// NewTokenSource returns a token source for creds.
func NewTokenSource(creds Credentials, opts ...Option) *TokenSource {
	s := &TokenSource{creds: creds, http: &http.Client{Timeout: 30 * time.Second}, threshold: 30 * time.Second,
		now: time.Now, backoff: Backoff{Base: 500 * time.Millisecond, Max: 30 * time.Second}}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Token returns a cached token that is valid for longer than the refresh threshold, or
// fetches a new one. Concurrent callers share one request.
func (s *TokenSource) Token(ctx context.Context) (Token, error) {
	s.mu.Lock()
	now := s.now()
	if s.tok != nil && now.Add(s.threshold).Before(s.tok.Expiry) {
		t := *s.tok
		s.mu.Unlock()
		return t, nil
	}
	if now.Before(s.retryAt) {
		err := s.lastErr
		s.mu.Unlock()
		return Token{}, fmt.Errorf("client: backing off after %d failed token requests: %w", s.failures, err)
	}
	c := s.inflight
	if c == nil {
		c = &call{done: make(chan struct{})}
		s.inflight = c
		go s.fetch(c)
	}
	s.mu.Unlock()
	select {
	case <-c.done:
		if c.err != nil {
			return Token{}, c.err
		}
		return *c.tok, nil
	case <-ctx.Done():
		return Token{}, ctx.Err()
	}
}

// Invalidate drops the cached token (e.g. after a 401 from an API).
func (s *TokenSource) Invalidate() {
	s.mu.Lock()
	s.tok = nil
	s.mu.Unlock()
}

func (s *TokenSource) fetch(c *call) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tok, err := s.request(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	c.tok, c.err = tok, err
	s.inflight = nil
	if err != nil {
		s.failures++
		d := s.backoff.Base << min(s.failures-1, 20)
		if d > s.backoff.Max || d <= 0 {
			d = s.backoff.Max
		}
		s.retryAt, s.lastErr = s.now().Add(d), err
	} else {
		s.failures, s.retryAt, s.lastErr, s.tok = 0, time.Time{}, nil, tok
	}
	close(c.done)
}

// TokenError is an error answer of the token endpoint.
type TokenError struct {
	Status      int
	Code        string
	Description string
}

func (e *TokenError) Error() string {
	return fmt.Sprintf("client: token endpoint answered %d %s: %s", e.Status, e.Code, e.Description)
}

func (s *TokenSource) request(ctx context.Context) (*Token, error) {
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {s.creds.ClientID}, "client_secret": {s.creds.ClientSecret}}
	if s.creds.Audience != "" {
		form.Set("audience", s.creds.Audience)
	}
	if s.creds.Scope != "" {
		form.Set("scope", s.creds.Scope)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.creds.TokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := s.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("client: token request: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("client: token response: %w", err)
	}
	var tr struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int64  `json:"expires_in"`
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if err := json.Unmarshal(body, &tr); err != nil || resp.StatusCode != http.StatusOK || tr.AccessToken == "" {
		return nil, &TokenError{Status: resp.StatusCode, Code: tr.Error, Description: tr.Description}
	}
	exp, err := expiry(tr.AccessToken)
	if err != nil { // not a JWT we can read: fall back to expires_in
		exp = s.now().Add(time.Duration(tr.ExpiresIn) * time.Second)
	}
	return &Token{AccessToken: tr.AccessToken, Expiry: exp}, nil
}

// expiry reads the exp claim of a JWT without verifying it (the client trusts the
// server it asked; verification is the resource server's job).
func expiry(jwt string) (time.Time, error) {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return time.Time{}, errors.New("not a JWT")
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return time.Time{}, err
	}
	var c struct {
		Exp int64 `json:"exp"`
	}
	if err := json.Unmarshal(b, &c); err != nil || c.Exp == 0 {
		return time.Time{}, errors.New("no exp claim")
	}
	return time.Unix(c.Exp, 0), nil
}

// OAuth2 adapts the token source to golang.org/x/oauth2.TokenSource.
func (s *TokenSource) OAuth2(ctx context.Context) oauth2.TokenSource { return oauth2TS{s, ctx} }

type oauth2TS struct {
	s   *TokenSource
	ctx context.Context
}

func (o oauth2TS) Token() (*oauth2.Token, error) {
	t, err := o.s.Token(o.ctx)
	if err != nil {
		return nil, err
	}
	return &oauth2.Token{AccessToken: t.AccessToken, TokenType: "Bearer", Expiry: t.Expiry}, nil
}

// Transport adds a bearer token to each request, refreshing it as needed; on a 401 it
// drops the cached token so the next request gets a new one.
type Transport struct {
	Source *TokenSource
	Base   http.RoundTripper // nil: http.DefaultTransport
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(r *http.Request) (*http.Response, error) {
	tok, err := t.Source.Token(r.Context())
	if err != nil {
		return nil, err
	}
	r2 := r.Clone(r.Context())
	r2.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	resp, err := base.RoundTrip(r2)
	if err == nil && resp.StatusCode == http.StatusUnauthorized {
		t.Source.Invalidate()
	}
	return resp, err
}
