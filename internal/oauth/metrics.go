package oauth

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gatehouse/gatehouse/internal/observe"
)

// Metrics counts token endpoint outcomes. A nil *Metrics records nothing. Every label
// value is from a fixed set: the realm label names a configured realm or "unknown" (the
// realm comes from the URL), the grant type label a supported grant or "other", the
// error label an RFC 6749 code this package writes.
type Metrics struct {
	realms         observe.Realms
	issuedTotal    *prometheus.CounterVec
	deniedTotal    *prometheus.CounterVec
	throttledTotal *prometheus.CounterVec
	reusedTotal    *prometheus.CounterVec
	introspections *prometheus.CounterVec
	latency        prometheus.Histogram
}

// NewMetrics registers the token endpoint's metrics with reg; realms are the configured
// realms, the only realm label values besides "unknown".
func NewMetrics(reg prometheus.Registerer, realms ...string) *Metrics {
	m := &Metrics{
		realms: observe.NewRealms(realms...),
		issuedTotal: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "gatehouse_tokens_issued_total",
			Help: "Access tokens issued, by realm and grant type."}, []string{"realm", "grant_type"}),
		deniedTotal: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "gatehouse_token_requests_denied_total",
			Help: "Token requests answered with an error, by realm, grant type and RFC 6749 error code."}, []string{"realm", "grant_type", "error"}),
		throttledTotal: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "gatehouse_token_requests_throttled_total",
			Help: "Token requests refused (429) by the failed-authentication throttle, by realm and limiter (ip, client, or app: an application's budget of slow secret checks)."}, []string{"realm", "limiter"}),
		reusedTotal: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "gatehouse_tokens_reused_total",
			Help: "Token requests answered with the client's previous, still fresh token (token reuse); not counted in gatehouse_tokens_issued_total."}, []string{"realm"}),
		introspections: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "gatehouse_introspections_total",
			Help: "Token introspection requests, by realm and result (active, inactive, refused, error)."}, []string{"realm", "result"}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "gatehouse_token_issue_seconds",
			Help: "Time to issue an access token.", Buckets: prometheus.ExponentialBuckets(0.0001, 2, 14)}),
	}
	reg.MustRegister(m.issuedTotal, m.deniedTotal, m.throttledTotal, m.reusedTotal, m.introspections, m.latency)
	// Series at zero for every configured realm, so rate() and alerts see them from
	// the start and every family is on /metrics before its first event.
	for _, r := range realms {
		m.issuedTotal.WithLabelValues(r, grantClientCredentials)
		m.throttledTotal.WithLabelValues(r, "ip")
		m.throttledTotal.WithLabelValues(r, "client")
		m.reusedTotal.WithLabelValues(r)
	}
	return m
}

// grantLabel bounds the grant type label.
func grantLabel(g string) string {
	switch g {
	case "":
		return "none"
	case grantClientCredentials, GrantAuthorizationCode:
		return g
	}
	return "other"
}

func (m *Metrics) issued(realm, grant string, d time.Duration) {
	if m == nil {
		return
	}
	m.issuedTotal.WithLabelValues(m.realms.Label(realm), grantLabel(grant)).Inc()
	m.latency.Observe(d.Seconds())
}

func (m *Metrics) denied(realm, grant, code string) {
	if m == nil {
		return
	}
	m.deniedTotal.WithLabelValues(m.realms.Label(realm), grantLabel(grant), code).Inc()
}

func (m *Metrics) throttled(realm, limiter string) {
	if m == nil {
		return
	}
	m.throttledTotal.WithLabelValues(m.realms.Label(realm), limiter).Inc()
}

func (m *Metrics) reused(realm string, d time.Duration) {
	if m == nil {
		return
	}
	m.reusedTotal.WithLabelValues(m.realms.Label(realm)).Inc()
	m.latency.Observe(d.Seconds())
}

func (m *Metrics) introspected(realm, result string) {
	if m == nil {
		return
	}
	m.introspections.WithLabelValues(m.realms.Label(realm), result).Inc()
}
