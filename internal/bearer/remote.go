package bearer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gatehouse/gatehouse/internal/accesstoken"
	"github.com/gatehouse/gatehouse/internal/keys"
	"github.com/gatehouse/gatehouse/internal/outbound"
)

// Remote is the key source of a remote issuer (--issuer-url): the JWKS named by the
// issuer's discovery document (OpenID Connect Discovery §4, RFC 8414 §3). Keys are
// bound to that issuer. A lookup of an unknown kid refreshes the set at most once per
// MinInterval, however many requests carry unknown kids (checklist C5: no refetch
// storm). The token's own jku, x5u, jwk and x5c headers are never read, so no request
// can make Gatehouse fetch anything (checklist C6).
type Remote struct {
	issuer string
	opt    RemoteOptions

	keys atomic.Pointer[map[string]accesstoken.PublicKey]

	mu        sync.Mutex // serializes fetches
	jwksURI   string
	lastTry   time.Time
	lastFetch time.Time
	lastErr   error
}

// RemoteOptions tune a Remote. Zero values take the defaults.
type RemoteOptions struct {
	Client      *http.Client     // default: Outbound's client, 5 s timeout, no redirects
	Outbound    *outbound.Policy // where fetches may go; default: no internal address (SSRF)
	MinInterval time.Duration    // least time between two fetches; default 60 s
	MaxAge      time.Duration    // Run refreshes a set this old; default 5 min
	Now         func() time.Time // default time.Now
}

// maxDocument bounds a discovery document or JWKS.
const maxDocument = 1 << 20

// NewRemote returns the key source of issuer. It fetches nothing until the first lookup
// or Refresh.
func NewRemote(issuer string, opt RemoteOptions) (*Remote, error) {
	u, err := url.Parse(issuer)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("bearer: issuer URL %q must be an absolute http(s) URL", issuer)
	}
	if opt.Client == nil {
		pol := opt.Outbound
		if pol == nil {
			pol = &outbound.Policy{}
		}
		opt.Client = pol.Client()
		opt.Client.Timeout = 5 * time.Second
		opt.Client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	}
	if opt.MinInterval <= 0 {
		opt.MinInterval = 60 * time.Second
	}
	if opt.MaxAge <= 0 {
		opt.MaxAge = 5 * time.Minute
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	r := &Remote{issuer: issuer, opt: opt}
	empty := map[string]accesstoken.PublicKey{}
	r.keys.Store(&empty)
	return r, nil
}

// Issuer is the issuer the keys are bound to.
func (r *Remote) Issuer() string { return r.issuer }

// Key returns the key kid names. On a miss it refreshes the set, unless a fetch was
// tried less than MinInterval ago.
func (r *Remote) Key(kid string) (accesstoken.PublicKey, bool) {
	if k, ok := (*r.keys.Load())[kid]; ok {
		return k, true
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if k, ok := (*r.keys.Load())[kid]; ok { // another caller fetched meanwhile
		return k, true
	}
	if !r.lastTry.IsZero() && r.opt.Now().Sub(r.lastTry) < r.opt.MinInterval {
		return accesstoken.PublicKey{}, false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r.fetchLocked(ctx)
	k, ok := (*r.keys.Load())[kid]
	return k, ok
}

// Refresh fetches the key set now, subject to MinInterval.
func (r *Remote) Refresh(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.lastTry.IsZero() && r.opt.Now().Sub(r.lastTry) < r.opt.MinInterval {
		return r.lastErr
	}
	return r.fetchLocked(ctx)
}

// Run refreshes the set whenever it is older than MaxAge, until ctx ends, so that keys
// the issuer withdrew stop verifying.
func (r *Remote) Run(ctx context.Context) {
	t := time.NewTicker(min(r.opt.MaxAge, time.Minute))
	defer t.Stop()
	for {
		r.mu.Lock()
		stale := r.opt.Now().Sub(r.lastFetch) >= r.opt.MaxAge
		r.mu.Unlock()
		if stale {
			r.Refresh(ctx)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (r *Remote) fetchLocked(ctx context.Context) error {
	r.lastTry = r.opt.Now()
	err := r.fetch(ctx)
	r.lastErr = err
	if err == nil {
		r.lastFetch = r.lastTry
	}
	return err
}

func (r *Remote) fetch(ctx context.Context) error {
	if r.jwksURI == "" {
		var doc struct {
			Issuer  string `json:"issuer"`
			JWKSURI string `json:"jwks_uri"`
		}
		if err := r.getJSON(ctx, strings.TrimRight(r.issuer, "/")+"/.well-known/openid-configuration", &doc); err != nil {
			return fmt.Errorf("bearer: discovery: %w", err)
		}
		// RFC 8414 §3.3 / OIDC Discovery §4.3: the document must name the issuer exactly.
		if doc.Issuer != r.issuer {
			return errors.New("bearer: discovery document names another issuer")
		}
		u, err := url.Parse(doc.JWKSURI)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return errors.New("bearer: discovery document has no usable jwks_uri")
		}
		r.jwksURI = doc.JWKSURI
	}
	body, err := r.get(ctx, r.jwksURI)
	if err != nil {
		return fmt.Errorf("bearer: jwks: %w", err)
	}
	ks, err := keys.ParseSet(body, r.issuer)
	if err != nil {
		return fmt.Errorf("bearer: jwks: %w", err)
	}
	m := make(map[string]accesstoken.PublicKey, len(ks))
	for _, k := range ks {
		m[k.ID] = k
	}
	r.keys.Store(&m)
	return nil
}

func (r *Remote) getJSON(ctx context.Context, u string, v any) error {
	b, err := r.get(ctx, u)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

func (r *Remote) get(ctx context.Context, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := r.opt.Client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxDocument+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxDocument {
		return nil, fmt.Errorf("GET %s: document too large", u)
	}
	return b, nil
}
