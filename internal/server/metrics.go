package server

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/gatehouse/gatehouse/internal/cluster"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
)

// registerMetrics adds what the components report at scrape time: signing keys, deny
// lists, the database (call latency by kind, pool use), the resource APIs' verified-
// token caches and the cluster prober. Every label value is from a fixed set (configured
// realms, pool names, API names, statuses).
func (s *Server) registerMetrics(prober *cluster.Prober) {
	s.registry.MustRegister(s.Keys.Collector(), prober.Collector(), denyCollector{s.deny, s.now}, bearerCollector{s})
	if db, ok := s.store.(*sqlstore.Store); ok {
		calls := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "gatehouse_db_call_duration_seconds",
			Help:    "Time of one database call (with the wait for a connection), by kind (read or write).",
			Buckets: prometheus.ExponentialBuckets(0.0001, 2, 16)}, []string{"kind"})
		s.registry.MustRegister(calls)
		read, write := calls.WithLabelValues("read"), calls.WithLabelValues("write")
		db.ObserveCalls(func(kind string, d time.Duration) {
			if kind == "write" {
				write.Observe(d.Seconds())
				return
			}
			read.Observe(d.Seconds())
		})
		for name, pool := range db.Pools() {
			s.registry.MustRegister(collectors.NewDBStatsCollector(pool, name))
		}
	}
}

var (
	denyRevokedDesc = prometheus.NewDesc("gatehouse_deny_list_revoked_tokens",
		"Revoked token ids in the realm's deny list.", []string{"realm"}, nil)
	denyDisabledDesc = prometheus.NewDesc("gatehouse_deny_list_disabled_applications",
		"Disabled applications in the realm's deny list.", []string{"realm"}, nil)
	denyLoadDesc = prometheus.NewDesc("gatehouse_deny_list_reload_seconds",
		"How long the realm's last full deny-list reload took.", []string{"realm"}, nil)
	denyAgeDesc = prometheus.NewDesc("gatehouse_deny_list_age_seconds",
		"Seconds since the realm's deny list last followed the store (normally below 2).", []string{"realm"}, nil)
	bearerCacheDesc = prometheus.NewDesc("gatehouse_bearer_cache_requests_total",
		"Bearer tokens checked by a resource API, by whether the verified-token cache held them (hit) or they were verified (miss).",
		[]string{"api", "result"}, nil)
)

type denyCollector struct {
	d   denyLists
	now func() time.Time
}

func (c denyCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- denyRevokedDesc
	ch <- denyDisabledDesc
	ch <- denyLoadDesc
	ch <- denyAgeDesc
}

func (c denyCollector) Collect(ch chan<- prometheus.Metric) {
	now := c.now()
	for realm, l := range c.d.byRealm {
		st := l.Stats()
		if !st.Loaded {
			continue
		}
		ch <- prometheus.MustNewConstMetric(denyRevokedDesc, prometheus.GaugeValue, float64(st.Revoked), realm)
		ch <- prometheus.MustNewConstMetric(denyDisabledDesc, prometheus.GaugeValue, float64(st.Disabled), realm)
		ch <- prometheus.MustNewConstMetric(denyLoadDesc, prometheus.GaugeValue, st.LoadTook.Seconds(), realm)
		ch <- prometheus.MustNewConstMetric(denyAgeDesc, prometheus.GaugeValue, max(0, now.Sub(st.AsOf).Seconds()), realm)
	}
}

// bearerCollector reports the verified-token caches of the resource APIs, labelled by
// their audience (the Administration API's and the Web Modeler API's, fixed names).
type bearerCollector struct{ s *Server }

func (c bearerCollector) Describe(ch chan<- *prometheus.Desc) { ch <- bearerCacheDesc }

func (c bearerCollector) Collect(ch chan<- prometheus.Metric) {
	for _, api := range c.s.resources {
		hits, misses := api.auth.CacheStats()
		ch <- prometheus.MustNewConstMetric(bearerCacheDesc, prometheus.CounterValue, float64(hits), api.audience, "hit")
		ch <- prometheus.MustNewConstMetric(bearerCacheDesc, prometheus.CounterValue, float64(misses), api.audience, "miss")
	}
}
