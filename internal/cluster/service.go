package cluster

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
)

// App is an app of a cluster as the Administration API reports it.
type App struct {
	Type       string
	ID         string
	Status     Status
	URL        string
	Generation string
	Readiness  string
	Metrics    string
}

// Cluster is a cluster with its live health.
type Cluster struct {
	UUID       string
	Name       string
	Namespace  string
	Status     Status
	Generation string
	Type       string
	Apps       []App
}

// View is an immutable snapshot of a realm's clusters with their health. A new View
// replaces the old one whenever clusters or health change, so consumers may cache
// anything derived from a *View keyed by its pointer.
type View struct {
	Clusters []Cluster
	records  map[string]store.Cluster
}

// Record returns the stored cluster of id.
func (v *View) Record(id string) (store.Cluster, bool) {
	c, ok := v.records[id]
	return c, ok
}

// Service keeps one realm's cluster view current: it reloads clusters when the store's
// revision moves and rebuilds health after every probe round.
type Service struct {
	store   store.Store
	realm   string
	prober  *Prober
	metrics *Metrics
	log     *slog.Logger

	view atomic.Pointer[View]

	mu      sync.Mutex // serializes reloads
	rev     int64
	records []store.Cluster
}

// NewService returns the cluster service of realm. prober and metrics may be nil (no
// probing: every app unknown; default Metrics).
func NewService(st store.Store, realm string, prober *Prober, metrics *Metrics, log *slog.Logger) *Service {
	if prober == nil {
		prober = NewProber(ProberOptions{})
	}
	if metrics == nil {
		metrics = &Metrics{}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Service{store: st, realm: realm, prober: prober, metrics: metrics, log: log, rev: -1}
	s.view.Store(&View{Clusters: []Cluster{}, records: map[string]store.Cluster{}})
	return s
}

// View returns the current snapshot (never nil).
func (s *Service) View() *View { return s.view.Load() }

// Reload reads the realm's clusters if the store changed since the last reload.
func (s *Service) Reload(ctx context.Context) error {
	_, err := s.reload(ctx)
	return err
}

func (s *Service) reload(ctx context.Context) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rev, err := s.store.Revision(ctx)
	if err != nil {
		return false, err
	}
	if rev == s.rev {
		return false, nil
	}
	cs, err := s.store.ListClusters(ctx, s.realm)
	if err != nil {
		return false, err
	}
	changed := !slices.EqualFunc(cs, s.records, sameContent)
	s.rev, s.records = rev, cs
	if changed {
		s.rebuildLocked()
	}
	return changed, nil
}

// Probe runs one probe round over the current clusters and publishes the result.
func (s *Service) Probe(ctx context.Context) {
	s.mu.Lock()
	cs := s.records
	s.mu.Unlock()
	if !s.prober.Round(ctx, cs) {
		return
	}
	s.mu.Lock()
	s.rebuildLocked()
	s.mu.Unlock()
}

func (s *Service) rebuildLocked() {
	v := &View{Clusters: make([]Cluster, 0, len(s.records)), records: make(map[string]store.Cluster, len(s.records))}
	for _, r := range s.records {
		v.records[r.ID] = r
		c := Cluster{UUID: r.ID, Name: r.Name, Namespace: r.Namespace, Generation: r.Version,
			Type: ClusterType(r.Components), Apps: make([]App, 0, len(r.Components))}
		sts := make([]Status, 0, len(r.Components))
		for _, comp := range r.Components {
			st := s.prober.Status(r.ID, comp.ID)
			sts = append(sts, st)
			typ := comp.Type
			if typ == "" {
				typ = AppType(comp.ID)
			}
			c.Apps = append(c.Apps, App{Type: typ, ID: comp.ID, Status: st, URL: comp.URL, Generation: comp.Version,
				Readiness: comp.Readiness, Metrics: comp.Metrics})
		}
		c.Status = Aggregate(sts)
		v.Clusters = append(v.Clusters, c)
	}
	s.view.Store(v)
}

// Usage returns the usage of cluster id between start and end: store.ErrNotFound for
// an unknown cluster, an error wrapping ErrSourceDown when a source fails.
func (s *Service) Usage(ctx context.Context, id string, start, end time.Time) (Usage, error) {
	r, ok := s.View().Record(id)
	if !ok {
		return Usage{}, store.ErrNotFound
	}
	return s.metrics.Fetch(ctx, r, start, end)
}

// Run keeps the view current until ctx ends: it checks the store's revision every
// second and probes every interval (the first round at once).
func (s *Service) Run(ctx context.Context, interval time.Duration) {
	if interval <= 0 {
		interval = 15 * time.Second
	}
	check := time.NewTicker(time.Second)
	defer check.Stop()
	probe := time.NewTicker(interval)
	defer probe.Stop()
	if err := s.Reload(ctx); err != nil && ctx.Err() == nil {
		s.log.Warn("load clusters", "err", err)
	}
	s.Probe(ctx)
	for {
		select {
		case <-ctx.Done():
			return
		case <-check.C:
			changed, err := s.reload(ctx)
			if err != nil && ctx.Err() == nil {
				s.log.Warn("load clusters", "err", err)
			}
			if changed { // new or edited clusters: probe them now rather than next interval
				s.Probe(ctx)
			}
		case <-probe.C:
			s.Probe(ctx)
		}
	}
}
