package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gatehouse/gatehouse/internal/store"
)

// hungStore is a database that never answers a ping.
type hungStore struct {
	store.Store
	deadline time.Duration // how long the ping was given
}

func (h *hungStore) Ping(ctx context.Context) error {
	if dl, ok := ctx.Deadline(); ok {
		h.deadline = time.Until(dl)
	}
	<-ctx.Done()
	return ctx.Err()
}

// TestReadyzBounded: /readyz gives the database at most half a second, so a probe with
// the usual one-second timeout gets a 503 from a replica whose database hangs instead of
// timing out itself.
func TestReadyzBounded(t *testing.T) {
	h := &hungStore{}
	s := &Server{store: h, registry: prometheus.NewRegistry()}
	w := httptest.NewRecorder()
	s.managementMux().ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	if w.Code != http.StatusServiceUnavailable {
		t.Errorf("status %d, want 503", w.Code)
	}
	if h.deadline <= 0 || h.deadline > readyTimeout || readyTimeout > 500*time.Millisecond {
		t.Errorf("the database ping got %v (readyTimeout %v), want at most 500ms", h.deadline, readyTimeout)
	}
}
