package observe_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gatehouse/gatehouse/internal/observe"
)

func TestWrapLabels(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := observe.NewHTTP(reg)
	var log bytes.Buffer
	m.Log = slog.New(slog.NewJSONHandler(&log, nil))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /things/{id}", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("thing")) })
	mux.HandleFunc("POST /boom", func(http.ResponseWriter, *http.Request) { panic("boom") })
	h := m.Wrap("test", mux)
	for _, tc := range []struct{ method, path string }{
		{"GET", "/things/1"}, {"GET", "/things/secret-id-2?token=abc"}, {"BREW", "/things/3"}, {"GET", "/nowhere/x"},
	} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(tc.method, tc.path, nil))
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("the panic did not reach the recoverer outside")
			}
		}()
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/boom", nil))
	}()
	want := []string{
		`code=200 listener=test method=GET route=GET /things/{id}: 2`,
		`code=404 listener=test method=GET route=unmatched: 1`,
		`code=405 listener=test method=OTHER route=unmatched: 1`,
		`code=500 listener=test method=POST route=POST /boom: 1`,
	}
	if d := cmp.Diff(want, series(t, reg, "gatehouse_http_requests_total")); d != "" {
		t.Errorf("series (-want +got):\n%s", d)
	}
	if got := series(t, reg, "gatehouse_http_requests_in_flight"); !slices.Equal(got, []string{"listener=test: 0"}) {
		t.Errorf("in flight after the requests: %v", got)
	}
	if strings.Contains(log.String(), "secret-id") || strings.Contains(log.String(), "token=") {
		t.Errorf("the access log holds a path or query:\n%s", log.String())
	}
	if n := strings.Count(log.String(), "\n"); n != 5 {
		t.Errorf("%d access log lines, want 5:\n%s", n, log.String())
	}
}

// series lists a family's series as "label=value …: value", sorted.
func series(t *testing.T, reg *prometheus.Registry, name string) []string {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, l.GetName()+"="+l.GetValue())
			}
			v := m.GetCounter().GetValue() + m.GetGauge().GetValue()
			out = append(out, fmt.Sprintf("%s: %g", strings.Join(labels, " "), v))
		}
	}
	slices.Sort(out)
	return out
}

func TestRealmsLabel(t *testing.T) {
	r := observe.NewRealms("camunda-platform")
	if r.Label("camunda-platform") != "camunda-platform" || r.Label("made-up") != observe.UnknownRealm || r.Label("") != observe.UnknownRealm {
		t.Error("realm label not bounded to the configured realms")
	}
}
