package cluster

import (
	"context"
	"time"

	"github.com/gatehouse/gatehouse/internal/audit"
	"github.com/gatehouse/gatehouse/internal/fault"
	"github.com/gatehouse/gatehouse/internal/identity"
	"github.com/gatehouse/gatehouse/internal/store"
)

// ErrDeclared refuses a change to a cluster declared in configuration: the next start
// would undo it.
var ErrDeclared error = &fault.ConflictError{Reason: "the cluster is declared in configuration; change it there", Prefix: "cluster"}

// Records is the part of the store the cluster use cases change.
type Records interface {
	CreateCluster(ctx context.Context, c store.Cluster) error
	GetCluster(ctx context.Context, realm, id string) (store.Cluster, error)
	UpdateCluster(ctx context.Context, realm, id string, fn func(store.Cluster) (store.Cluster, error)) (store.Cluster, error)
	DeleteCluster(ctx context.Context, realm, id string) error
}

// Registry owns the use cases that change clusters: each validates (Check), makes its
// change in one store call and records exactly one audit event whatever the outcome.
type Registry struct {
	st    Records
	trail *audit.Trail
	now   func() time.Time
}

// NewRegistry returns the cluster use cases over st. now may be nil (time.Now).
func NewRegistry(st Records, trail *audit.Trail, now func() time.Time) *Registry {
	if now == nil {
		now = time.Now
	}
	return &Registry{st: st, trail: trail, now: now}
}

// Patch changes a cluster; nil fields stay as they are.
type Patch struct {
	Name, Namespace, Version *string
	Tags                     *[]string
	Components               *[]store.Component
}

// Create stores a new cluster (Source "api") made of c's name, namespace, version,
// tags and components.
func (g *Registry) Create(ctx context.Context, a audit.Actor, realm string, c store.Cluster) (store.Cluster, error) {
	ch := audit.Change{Realm: realm, Action: audit.ActionClusterCreate, Detail: map[string]string{"name": c.Name}}
	now := g.now().UTC()
	c.ID, c.Realm, c.Source, c.CreatedAt, c.UpdatedAt = identity.NewID(), realm, "api", now, now
	if c.Tags == nil {
		c.Tags = []string{}
	}
	err := Check(c)
	if err == nil {
		err = g.st.CreateCluster(ctx, c)
	}
	if err == nil {
		ch.Target = c.ID
	}
	g.trail.Record(ctx, a, ch, err)
	return c, err
}

// Update changes a cluster made through the management API.
func (g *Registry) Update(ctx context.Context, a audit.Actor, realm, id string, p Patch) (store.Cluster, error) {
	ch := audit.Change{Realm: realm, Action: audit.ActionClusterUpdate, Target: id, Detail: map[string]string{}}
	c, err := g.update(ctx, realm, id, p)
	if err == nil {
		ch.Detail["name"] = c.Name
	}
	g.trail.Record(ctx, a, ch, err)
	return c, err
}

func (g *Registry) update(ctx context.Context, realm, id string, p Patch) (store.Cluster, error) {
	if p.Name == nil && p.Namespace == nil && p.Version == nil && p.Tags == nil && p.Components == nil {
		return store.Cluster{}, fault.Invalidf("body", "must change at least one of name, namespace, version, tags, components")
	}
	now := g.now().UTC()
	return g.st.UpdateCluster(ctx, realm, id, func(c store.Cluster) (store.Cluster, error) {
		if c.Source == "config" {
			return c, ErrDeclared
		}
		setIf(&c.Name, p.Name)
		setIf(&c.Namespace, p.Namespace)
		setIf(&c.Version, p.Version)
		if p.Tags != nil {
			c.Tags = *p.Tags
			if c.Tags == nil {
				c.Tags = []string{}
			}
		}
		setIf(&c.Components, p.Components)
		c.UpdatedAt = now
		return c, Check(c)
	})
}

// Delete removes a cluster made through the management API.
func (g *Registry) Delete(ctx context.Context, a audit.Actor, realm, id string) error {
	c, err := g.st.GetCluster(ctx, realm, id)
	switch {
	case err != nil:
	case c.Source == "config":
		err = ErrDeclared
	default:
		err = g.st.DeleteCluster(ctx, realm, id)
	}
	g.trail.Record(ctx, a, audit.Change{Realm: realm, Action: audit.ActionClusterDelete, Target: id}, err)
	return err
}

func setIf[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}
