package oauth

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics counts token endpoint outcomes. A nil *Metrics records nothing.
type Metrics struct {
	issuedTotal    *prometheus.CounterVec
	deniedTotal    *prometheus.CounterVec
	throttledTotal *prometheus.CounterVec
	reusedTotal    *prometheus.CounterVec
	latency        prometheus.Histogram
}

// NewMetrics registers the token endpoint's metrics with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		issuedTotal: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "gatehouse_tokens_issued_total",
			Help: "Access tokens issued."}, []string{"realm"}),
		deniedTotal: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "gatehouse_token_requests_denied_total",
			Help: "Token requests answered with an error, by RFC 6749 error code."}, []string{"realm", "error"}),
		throttledTotal: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "gatehouse_token_requests_throttled_total",
			Help: "Token requests refused by the failed-authentication throttle."}, []string{"realm"}),
		reusedTotal: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "gatehouse_tokens_reused_total",
			Help: "Token requests answered with the client's previous, still fresh token (token reuse); not counted in gatehouse_tokens_issued_total."}, []string{"realm"}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "gatehouse_token_issue_seconds",
			Help: "Time to issue an access token.", Buckets: prometheus.ExponentialBuckets(0.0001, 2, 14)}),
	}
	reg.MustRegister(m.issuedTotal, m.deniedTotal, m.throttledTotal, m.reusedTotal, m.latency)
	return m
}

func (m *Metrics) issued(realm string, d time.Duration) {
	if m == nil {
		return
	}
	m.issuedTotal.WithLabelValues(realm).Inc()
	m.latency.Observe(d.Seconds())
}

func (m *Metrics) denied(realm, code string) {
	if m == nil {
		return
	}
	m.deniedTotal.WithLabelValues(realm, code).Inc()
}

func (m *Metrics) throttled(realm string) {
	if m == nil {
		return
	}
	m.throttledTotal.WithLabelValues(realm).Inc()
}

func (m *Metrics) reused(realm string, d time.Duration) {
	if m == nil {
		return
	}
	m.reusedTotal.WithLabelValues(realm).Inc()
	m.latency.Observe(d.Seconds())
}
