package keys

import (
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
)

var (
	keyAgeDesc = prometheus.NewDesc("gatehouse_signing_key_age_seconds",
		"Seconds since the realm's active signing key became active.", []string{"realm"}, nil)
	rotationsDesc = prometheus.NewDesc("gatehouse_signing_key_rotations_total",
		"Changes of the realm's active signing key this replica has loaded (scheduled and manual rotations, revocations, rotations by other replicas).",
		[]string{"realm"}, nil)
)

// changed counts a change of realm's active key.
func (m *Manager) changed(realm string) {
	c, _ := m.changes.LoadOrStore(realm, new(atomic.Int64))
	c.(*atomic.Int64).Add(1)
}

// Collector reports each configured realm's key age and active key changes when
// scraped; realm label values are the configured realms only.
func (m *Manager) Collector() prometheus.Collector { return collector{m} }

type collector struct{ m *Manager }

func (c collector) Describe(ch chan<- *prometheus.Desc) {
	ch <- keyAgeDesc
	ch <- rotationsDesc
}

func (c collector) Collect(ch chan<- prometheus.Metric) {
	now := c.m.now()
	for _, r := range c.m.Realms() {
		var n int64
		if v, ok := c.m.changes.Load(r.Name); ok {
			n = v.(*atomic.Int64).Load()
		}
		ch <- prometheus.MustNewConstMetric(rotationsDesc, prometheus.CounterValue, float64(n), r.Name)
		_, p, err := c.m.realm(r.Name)
		if err != nil {
			continue
		}
		if v := p.Load(); v != nil && !v.active.IsZero() {
			ch <- prometheus.MustNewConstMetric(keyAgeDesc, prometheus.GaugeValue, now.Sub(v.active).Seconds(), r.Name)
		}
	}
}
