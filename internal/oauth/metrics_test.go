package oauth

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// TestMetricLabelsBounded: label values come from fixed sets whatever a request names.
func TestMetricLabelsBounded(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := NewMetrics(reg, "r")
	m.denied("made-up", "", "invalid_request")
	m.denied("r", "password", "unsupported_grant_type")
	m.issued("r", grantClientCredentials, time.Millisecond)
	m.throttled("another-made-up", "ip")
	m.introspected("x", "refused")
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	allowed := map[string]bool{"r": true, "unknown": true, "none": true, "other": true, grantClientCredentials: true,
		"invalid_request": true, "unsupported_grant_type": true, "ip": true, "client": true, "refused": true}
	for _, mf := range mfs {
		for _, mt := range mf.GetMetric() {
			for _, l := range mt.GetLabel() {
				if !allowed[l.GetValue()] {
					t.Errorf("%s{%s=%q}", mf.GetName(), l.GetName(), l.GetValue())
				}
			}
		}
	}
}
