package cluster

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse/gatehouse/internal/audit"
	"github.com/gatehouse/gatehouse/internal/fault"
	"github.com/gatehouse/gatehouse/internal/store"
)

type events []store.AuditEvent

func (e *events) Write(_ context.Context, ev store.AuditEvent) error {
	*e = append(*e, ev)
	return nil
}

// TestRegistryAudit: every cluster change writes exactly one event with its action,
// outcome and detail, and the domain decides validity and the configuration rule.
func TestRegistryAudit(t *testing.T) {
	t.Parallel()
	const realm = "camunda-platform"
	admin := audit.Actor{Kind: audit.KindClient, ID: "admin", Source: audit.SourceAPI}
	name := "renamed"
	for _, tc := range []struct {
		name    string
		do      func(ctx context.Context, g *Registry, apiID, configID string) error
		kind    fault.Kind
		action  string
		outcome string
		detail  map[string]string
	}{
		{"create", func(ctx context.Context, g *Registry, _, _ string) error {
			_, err := g.Create(ctx, admin, realm, store.Cluster{Name: "c2", Namespace: "prod"})
			return err
		}, fault.Unknown, "cluster.create", "success", map[string]string{"name": "c2"}},
		{"create bad namespace", func(ctx context.Context, g *Registry, _, _ string) error {
			_, err := g.Create(ctx, admin, realm, store.Cluster{Name: "c2", Namespace: "-x"})
			return err
		}, fault.Invalid, "cluster.create", "failure", map[string]string{"name": "c2", "reason": "invalid"}},
		{"update", func(ctx context.Context, g *Registry, id, _ string) error {
			_, err := g.Update(ctx, admin, realm, id, Patch{Name: &name})
			return err
		}, fault.Unknown, "cluster.update", "success", map[string]string{"name": "renamed"}},
		{"update nothing", func(ctx context.Context, g *Registry, id, _ string) error {
			_, err := g.Update(ctx, admin, realm, id, Patch{})
			return err
		}, fault.Invalid, "cluster.update", "failure", map[string]string{"reason": "invalid"}},
		{"update declared", func(ctx context.Context, g *Registry, _, id string) error {
			_, err := g.Update(ctx, admin, realm, id, Patch{Name: &name})
			return err
		}, fault.Conflict, "cluster.update", "failure", map[string]string{"reason": "conflict"}},
		{"delete declared", func(ctx context.Context, g *Registry, _, id string) error {
			return g.Delete(ctx, admin, realm, id)
		}, fault.Conflict, "cluster.delete", "failure", map[string]string{"reason": "conflict"}},
		{"delete", func(ctx context.Context, g *Registry, id, _ string) error {
			return g.Delete(ctx, admin, realm, id)
		}, fault.Unknown, "cluster.delete", "success", nil},
		{"delete missing", func(ctx context.Context, g *Registry, _, _ string) error {
			return g.Delete(ctx, admin, realm, "nope")
		}, fault.NotFound, "cluster.delete", "failure", map[string]string{"reason": "not_found"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			st := newMemStore()
			declared := record(realm, Release{Name: "declared"}, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
			if err := st.CreateCluster(ctx, declared); err != nil {
				t.Fatal(err)
			}
			setup := NewRegistry(st, nil, nil)
			api, err := setup.Create(ctx, admin, realm, store.Cluster{Name: "c1"})
			if err != nil {
				t.Fatal(err)
			}
			var evs events
			g := NewRegistry(st, audit.NewTrail(&evs, nil, nil), nil)
			err = tc.do(ctx, g, api.ID, declared.ID)
			if got := fault.KindOf(err); got != tc.kind {
				t.Errorf("error %v: kind %v, want %v", err, got, tc.kind)
			}
			if tc.kind == fault.Conflict && !errors.Is(err, ErrDeclared) {
				t.Errorf("error %v, want ErrDeclared", err)
			}
			if len(evs) != 1 {
				t.Fatalf("%d events, want exactly 1", len(evs))
			}
			ev := evs[0]
			if ev.Action != tc.action || ev.Outcome != tc.outcome || ev.Actor != "admin" {
				t.Errorf("event %+v", ev)
			}
			if diff := cmp.Diff(tc.detail, ev.Detail); diff != "" {
				t.Errorf("detail (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		c     store.Cluster
		field string // "" when valid
	}{
		{"minimal", store.Cluster{Name: "c"}, ""},
		{"no name", store.Cluster{}, "name"},
		{"namespace", store.Cluster{Name: "c", Namespace: "Prod"}, "namespace"},
		{"version", store.Cluster{Name: "c", Version: "8.6 beta"}, "version"},
		{"duplicate tag", store.Cluster{Name: "c", Tags: []string{"a", "a"}}, "tags"},
		{"duplicate component", store.Cluster{Name: "c", Components: []store.Component{{ID: "zeebe"}, {ID: "zeebe"}}}, "components"},
		{"component type", store.Cluster{Name: "c", Components: []store.Component{{ID: "x", Type: "bogus"}}}, "components.type"},
		{"credentials in URL", store.Cluster{Name: "c", Components: []store.Component{{ID: "x", URL: "http://u:p@h"}}}, "component URL"},
		{"good URL", store.Cluster{Name: "c", Components: []store.Component{{ID: "x", Readiness: "https://h/ready"}}}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := Check(tc.c)
			var ie *fault.InvalidError
			switch {
			case tc.field == "" && err != nil:
				t.Errorf("Check: %v", err)
			case tc.field != "" && (!errors.As(err, &ie) || ie.Field != tc.field):
				t.Errorf("Check: %v, want an invalid %s", err, tc.field)
			}
		})
	}
}
