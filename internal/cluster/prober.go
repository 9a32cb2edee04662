package cluster

import (
	"context"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/internal/outbound"
	"github.com/gatehouse/gatehouse/internal/store"
)

// Status is the health of an app or a cluster.
type Status string

// Health values of the Administration API.
const (
	Healthy   Status = "healthy"
	Unhealthy Status = "unhealthy"
	Unknown   Status = "unknown"
)

// Prober calls readiness URLs. A 2xx answer is healthy; any other answer, a timeout or
// no answer is unhealthy; a component never probed (or without a readiness URL) is
// unknown. Rounds run the probes concurrently, at most Concurrency at a time, each
// bounded by Timeout. Safe for concurrent use.
type Prober struct {
	client      *http.Client
	timeout     time.Duration
	concurrency int

	mu     sync.RWMutex
	status map[probeKey]Status
	counts probeCounts // metrics.go
}

type probeKey struct{ cluster, component string }

// ProberOptions tune a Prober; zero values take the defaults.
type ProberOptions struct {
	Client      *http.Client     // default: Outbound's client
	Outbound    *outbound.Policy // where probes may go; default: no internal address (SSRF)
	Timeout     time.Duration    // per probe; default 2 s
	Concurrency int              // default 8
}

// NewProber returns a prober.
func NewProber(o ProberOptions) *Prober {
	if o.Client == nil {
		if o.Outbound == nil {
			o.Outbound = &outbound.Policy{}
		}
		o.Client = noRedirects(o.Outbound)
	}
	if o.Timeout <= 0 {
		o.Timeout = 2 * time.Second
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 8
	}
	return &Prober{client: o.Client, timeout: o.Timeout, concurrency: o.Concurrency, status: map[probeKey]Status{}}
}

// noRedirects is the policy's client without redirects: a component's readiness and
// usage endpoints answer directly, and a 3xx is an answer (unhealthy), not a hop.
func noRedirects(p *outbound.Policy) *http.Client {
	c := p.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return c
}

// Status returns the last result for a cluster's component.
func (p *Prober) Status(clusterID, componentID string) Status {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if s, ok := p.status[probeKey{clusterID, componentID}]; ok {
		return s
	}
	return Unknown
}

// Round probes every component of clusters that has a readiness URL and forgets results
// of components that are gone. It returns when every probe has finished (or ctx ended)
// and reports whether any status changed.
func (p *Prober) Round(ctx context.Context, clusters []store.Cluster) bool {
	type job struct {
		k   probeKey
		url string
	}
	var jobs []job
	live := map[probeKey]bool{}
	for _, c := range clusters {
		for _, comp := range c.Components {
			k := probeKey{c.ID, comp.ID}
			live[k] = true
			if comp.Readiness != "" {
				jobs = append(jobs, job{k, comp.Readiness})
			}
		}
	}
	results := make([]Status, len(jobs))
	sem := make(chan struct{}, p.concurrency)
	var wg sync.WaitGroup
	for i, j := range jobs {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			results[i] = ""
			continue
		}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			results[i] = p.probe(ctx, j.url)
			if ctx.Err() == nil {
				p.counts.add(results[i])
			}
		}()
	}
	wg.Wait()
	p.mu.Lock()
	defer p.mu.Unlock()
	changed := false
	for k := range p.status {
		if !live[k] {
			delete(p.status, k)
			changed = true
		}
	}
	if ctx.Err() != nil {
		return changed // a cancelled round says nothing about health
	}
	for i, j := range jobs {
		if results[i] != "" && p.status[j.k] != results[i] {
			p.status[j.k] = results[i]
			changed = true
		}
	}
	return changed
}

func (p *Prober) probe(ctx context.Context, url string) Status {
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return Unhealthy
	}
	req.Header.Set("User-Agent", "gatehouse-prober")
	resp, err := p.client.Do(req)
	if err != nil {
		return Unhealthy
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10)) // let the connection be reused
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return Healthy
	}
	return Unhealthy
}

// Aggregate is a cluster's health: healthy only when every app is healthy, unhealthy
// when any app is, else unknown (including a cluster without apps).
func Aggregate(apps []Status) Status {
	if len(apps) == 0 {
		return Unknown
	}
	all := true
	for _, s := range apps {
		if s == Unhealthy {
			return Unhealthy
		}
		if s != Healthy {
			all = false
		}
	}
	if all {
		return Healthy
	}
	return Unknown
}
