package keys

import (
	"context"
	"log/slog"
	"time"
)

// Schedule configures Run.
type Schedule struct {
	// Rotate is how long a key stays active before scheduled rotation (--key-rotation-interval).
	Rotate time.Duration
	// Every is how often Run looks (default a minute); First is how long after start it
	// first looks (default 5 s: the next key, slow to make for RS256, is not needed to
	// serve the first tokens).
	Every, First time.Duration
	// Timeout bounds one round, so a hung database cannot stall it (default 30 s).
	Timeout time.Duration
	// Rotated is called after a scheduled rotation of realm (the server audits it).
	Rotated func(realm string)
	Log     *slog.Logger
}

// Run does the scheduled key work of every realm until ctx ends: rotate keys that are
// due, pre-generate next keys, and drop expired retired keys from the JWKS. Replicas may
// all run it: each step is serialized in the store. It returns nil when ctx ends.
func (m *Manager) Run(ctx context.Context, s Schedule) error {
	if s.Every <= 0 {
		s.Every = time.Minute
	}
	if s.First <= 0 {
		s.First = 5 * time.Second
	}
	if s.Timeout <= 0 {
		s.Timeout = 30 * time.Second
	}
	if s.Log == nil {
		s.Log = slog.New(slog.DiscardHandler)
	}
	wait := time.NewTimer(s.First)
	defer wait.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-wait.C:
		}
		rctx, cancel := context.WithTimeout(ctx, s.Timeout)
		m.maintain(rctx, s)
		cancel()
		wait.Reset(s.Every)
	}
}

// maintain is one round of Run.
func (m *Manager) maintain(ctx context.Context, s Schedule) {
	for _, r := range m.Realms() {
		rotated, err := m.RotateIfDue(ctx, r.Name, s.Rotate)
		if err != nil && ctx.Err() == nil {
			s.Log.Warn("scheduled key rotation", "realm", r.Name, "err", err)
			continue
		}
		if rotated {
			s.Log.Info("rotated signing key on schedule", "realm", r.Name)
			if s.Rotated != nil {
				s.Rotated(r.Name)
			}
		}
		if err := m.EnsureNext(ctx, r.Name); err != nil && ctx.Err() == nil {
			s.Log.Warn("prepare next signing key", "realm", r.Name, "err", err)
		}
		if m.Stale(r.Name) {
			m.Reload(ctx, r.Name)
		}
	}
}
