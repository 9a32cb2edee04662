package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime/debug"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/internal/audit"
	"github.com/gatehouse/gatehouse/internal/keys"
	"github.com/gatehouse/gatehouse/internal/store"
)

// runner is a background loop: each package owns its loop, and the server only starts
// the list of them and stops them on shutdown. run returns when ctx ends.
type runner struct {
	name string
	run  func(ctx context.Context) error
}

// background lists the loops Run starts.
func (s *Server) background() []runner {
	rs := []runner{
		{"audit", func(ctx context.Context) error { s.audit.Run(ctx); return nil }},
		{"revision poll", s.pollLoop},
		{"key schedule", func(ctx context.Context) error {
			return s.Keys.Run(ctx, keys.Schedule{Rotate: s.cfg.KeyRotationInterval, Timeout: keyMaintenanceTimeout,
				Rotated: s.keyRotated, Log: s.log})
		}},
		{"deny lists", s.deny.run},
		{"people purge", s.purgePeople},
		{"audit retention", func(ctx context.Context) error {
			audit.NewRetention(s.store, s.cfg.AuditRetention, s.log).Run(ctx)
			return nil
		}},
	}
	if s.Addr(ConsoleListener) != "" {
		rs = append(rs, runner{"cluster prober", func(ctx context.Context) error {
			s.clusters.Run(ctx, s.cfg.ClusterProbeInterval)
			return nil
		}})
	}
	if s.remote != nil && (s.Addr(ConsoleListener) != "" || s.Addr(ModelerListener) != "") {
		rs = append(rs, runner{"remote issuer keys", func(ctx context.Context) error { s.remote.Run(ctx); return nil }})
	}
	return rs
}

// keyRotated audits a scheduled key rotation.
func (s *Server) keyRotated(realm string) {
	s.audit.Record(store.AuditEvent{Realm: realm, Time: s.now().UTC(), Actor: "system", Action: "key.rotate", Outcome: "success",
		Detail: map[string]string{"trigger": "schedule"}})
}

// pollLoop polls the store's revision every second until ctx ends (fault.go).
func (s *Server) pollLoop(ctx context.Context) error {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	var last int64 = -1
	for {
		last = s.pollRevision(ctx, last)
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// Run serves every listener and runs the background loops until ctx ends, then shuts
// down gracefully: /readyz answers 503 at once while the listeners keep serving for
// --drain-delay (so load balancers stop sending before connections are refused), then
// in-flight requests get up to 10 s, then the loops stop (the audit writer last flushes
// what those requests recorded).
func (s *Server) Run(ctx context.Context) error {
	if s.cfg.ConsoleDisableAuth && s.Addr(ConsoleListener) != "" {
		s.log.Warn("AUTHENTICATION IS DISABLED on the Administration API (--console-disable-auth / CAMUNDA_CONSOLE_DISABLE_AUTH=true): "+
			"anyone who reaches the console listener reads every cluster and its usage metrics; use this only on a trusted machine",
			"listener", ConsoleListener, "addr", s.Addr(ConsoleListener))
	}
	// The loops keep ctx's values but outlive its cancellation until the listeners are
	// shut down: requests still in flight record audit events and read the key sets.
	bg, stopBG := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	for _, r := range s.runners {
		wg.Go(func() {
			if err := r.run(bg); err != nil {
				s.log.Error("background loop stopped", "loop", r.name, "err", err)
			}
		})
	}

	errc := make(chan error, len(s.servers))
	for name, ln := range s.listeners {
		srv := s.servers[name]
		s.log.Info("listening", "listener", name, "addr", ln.Addr().String())
		go func() {
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errc <- fmt.Errorf("%s listener: %w", name, err)
			}
		}()
	}
	// Start-up leaves transient garbage (migrations, key generation, an argon2id hash
	// of a configured secret allocates 19 MiB): return it to the OS once, so an idle
	// server stays small.
	debug.FreeOSMemory()
	var runErr error
	select {
	case <-ctx.Done():
	case runErr = <-errc:
	}
	s.drain(errc, runErr != nil)
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	for _, srv := range s.servers {
		if err := srv.Shutdown(sctx); err != nil {
			s.log.Warn("shutdown", "err", err)
		}
	}
	stopBG()
	wg.Wait()
	s.closeAll()
	return runErr
}

// drain marks the server not ready and keeps serving for the drain delay. A listener
// that failed (failed) ends the wait at once, as does a second listener failure.
func (s *Server) drain(errc <-chan error, failed bool) {
	s.draining.Store(true)
	d := s.cfg.DrainDelay
	if failed || d <= 0 {
		s.log.Info("shutting down")
		return
	}
	s.log.Info("shutting down: not ready, serving until the drain delay ends", "drain_delay", d.String())
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case err := <-errc:
		s.log.Error("listener failed while draining", "err", err)
	}
}
