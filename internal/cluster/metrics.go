package cluster

import (
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
)

var (
	probesDesc = prometheus.NewDesc("gatehouse_cluster_probes_total",
		"Readiness probes of cluster components, by result (healthy or unhealthy).", []string{"result"}, nil)
	componentsDesc = prometheus.NewDesc("gatehouse_cluster_components",
		"Probed cluster components, by their last status (healthy or unhealthy).", []string{"status"}, nil)
)

// probeCounts counts probe results (the metric's labels are the two statuses only).
type probeCounts struct{ healthy, unhealthy atomic.Uint64 }

func (c *probeCounts) add(s Status) {
	switch s {
	case Healthy:
		c.healthy.Add(1)
	case Unhealthy:
		c.unhealthy.Add(1)
	}
}

// Collector reports the prober's results when scraped.
func (p *Prober) Collector() prometheus.Collector { return proberCollector{p} }

type proberCollector struct{ p *Prober }

func (c proberCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- probesDesc
	ch <- componentsDesc
}

func (c proberCollector) Collect(ch chan<- prometheus.Metric) {
	ch <- prometheus.MustNewConstMetric(probesDesc, prometheus.CounterValue, float64(c.p.counts.healthy.Load()), string(Healthy))
	ch <- prometheus.MustNewConstMetric(probesDesc, prometheus.CounterValue, float64(c.p.counts.unhealthy.Load()), string(Unhealthy))
	n := map[Status]int{}
	c.p.mu.RLock()
	for _, s := range c.p.status {
		n[s]++
	}
	c.p.mu.RUnlock()
	for _, s := range []Status{Healthy, Unhealthy} {
		ch <- prometheus.MustNewConstMetric(componentsDesc, prometheus.GaugeValue, float64(n[s]), string(s))
	}
}
