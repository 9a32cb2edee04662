package outbound

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// ErrTooLarge means an answer was larger than the policy's MaxBytes.
var ErrTooLarge = errors.New("outbound: answer too large")

// CheckURL refuses a URL that is not absolute http or https with a host. The address
// itself is checked when it is dialled.
func CheckURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: not a URL", ErrRefused)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return nil, fmt.Errorf("%w: only http and https URLs with a host", ErrRefused)
	}
	return u, nil
}

// Client returns an HTTP client bound to the policy: every connection is checked at
// dial time, no proxy from the environment is used (it would hide the destination),
// redirects are followed only on the same scheme and host (at most 5), and each
// request is bounded by the policy's Timeout.
func (p *Policy) Client() *http.Client {
	tr := &http.Transport{
		Proxy:                 nil,
		DialContext:           p.dialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          64,
		MaxIdleConnsPerHost:   8,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   p.timeout(),
		ResponseHeaderTimeout: p.timeout(),
	}
	return &http.Client{Transport: &checked{next: tr, max: p.maxBytes()}, Timeout: p.timeout(), CheckRedirect: sameHost}
}

// checked refuses non-http(s) URLs before they reach the transport and bounds every
// answer body: reading past max fails with ErrTooLarge.
type checked struct {
	next http.RoundTripper
	max  int64
}

func (c *checked) RoundTrip(r *http.Request) (*http.Response, error) {
	if _, err := CheckURL(r.URL.String()); err != nil {
		return nil, err
	}
	resp, err := c.next.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	resp.Body = &limited{rc: resp.Body, left: c.max}
	return resp, nil
}

type limited struct {
	rc   io.ReadCloser
	left int64
}

func (l *limited) Read(b []byte) (int, error) {
	if l.left <= 0 {
		// One byte more tells a body of exactly max bytes from a longer one.
		var one [1]byte
		if n, _ := l.rc.Read(one[:]); n > 0 {
			return 0, ErrTooLarge
		}
		return 0, io.EOF
	}
	if int64(len(b)) > l.left {
		b = b[:l.left]
	}
	n, err := l.rc.Read(b)
	l.left -= int64(n)
	return n, err
}

func (l *limited) Close() error { return l.rc.Close() }

func sameHost(req *http.Request, via []*http.Request) error {
	if len(via) >= 5 {
		return fmt.Errorf("%w: too many redirects", ErrRefused)
	}
	first := via[0].URL
	if req.URL.Scheme != first.Scheme || req.URL.Host != first.Host {
		return fmt.Errorf("%w: redirect to another host", ErrRefused)
	}
	return nil
}
