package observe

import (
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Unmatched is the route label of a request no pattern matched (the mux's 404, or a
// handler that is not a ServeMux).
const Unmatched = "unmatched"

// HTTP records request metrics and, with a Log, one access log line per request.
type HTTP struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	inflight *prometheus.GaugeVec

	// Log, when set, receives one line per request (--access-log).
	Log *slog.Logger
	// ClientIP names the client of a request for the access log (nil: the TCP peer).
	ClientIP func(*http.Request) string
}

// NewHTTP registers the HTTP metrics with reg.
func NewHTTP(reg prometheus.Registerer) *HTTP {
	m := &HTTP{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "gatehouse_http_requests_total",
			Help: "HTTP requests served, by listener, route pattern, method and status code."},
			[]string{"listener", "route", "method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "gatehouse_http_request_duration_seconds",
			Help: "Time to serve an HTTP request, by listener and route pattern.", Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14)},
			[]string{"listener", "route"}),
		inflight: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "gatehouse_http_requests_in_flight",
			Help: "HTTP requests being served, by listener."}, []string{"listener"}),
	}
	reg.MustRegister(m.requests, m.duration, m.inflight)
	return m
}

// Wrap observes h, the ServeMux of one listener. It must sit directly around the mux:
// the mux writes the matched pattern into the *http.Request it was given, and a
// middleware in between that copies the request (WithContext) would hide it.
func (m *HTTP) Wrap(listener string, h http.Handler) http.Handler {
	inflight := m.inflight.WithLabelValues(listener)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		inflight.Inc()
		rw := &recorder{ResponseWriter: w}
		defer func() {
			inflight.Dec()
			v := recover()
			if v != nil && rw.status == 0 {
				rw.status = http.StatusInternalServerError // what the recoverer outside writes
			}
			m.record(listener, r, rw, time.Since(start))
			if v != nil {
				panic(v)
			}
		}()
		h.ServeHTTP(rw, r)
	})
}

func (m *HTTP) record(listener string, r *http.Request, rw *recorder, d time.Duration) {
	route := r.Pattern
	if route == "" {
		route = Unmatched
	}
	status := rw.status
	if status == 0 {
		status = http.StatusOK
	}
	method := Method(r.Method)
	m.requests.WithLabelValues(listener, route, method, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(listener, route).Observe(d.Seconds())
	if m.Log == nil {
		return
	}
	ip := r.RemoteAddr
	if m.ClientIP != nil {
		ip = m.ClientIP(r)
	}
	m.Log.LogAttrs(r.Context(), slog.LevelInfo, "request",
		slog.String("listener", listener), slog.String("method", method), slog.String("route", route),
		slog.Int("status", status), slog.Float64("duration_seconds", d.Seconds()), slog.Int64("bytes", rw.bytes),
		slog.String("client_ip", ip))
}

// Method bounds the method label: a client may send any token as a method.
func Method(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
		return m
	}
	return "OTHER"
}

// recorder notes the status and body size; Unwrap keeps http.ResponseController
// (flush, deadlines) working through it.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// Flush passes a flush through (streamed answers).
func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
