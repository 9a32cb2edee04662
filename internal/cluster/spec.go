package cluster

import (
	"context"
	"crypto/sha1"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
)

// Release is a cluster as configuration declares it, in the shape of Console
// Self-Managed's managed releases (camunda-apis.md §3.3).
type Release struct {
	Name       string
	Namespace  string
	Version    string
	Tags       []string
	Components []Component
}

// Component is one app of a release.
type Component struct {
	ID        string // console, keycloak, identity, operate, optimize, tasklist, webModelerWebApp, zeebeGateway, zeebe
	Name      string
	Version   string
	URL       string
	Readiness string
	Metrics   string
}

// Administration API app types (spec §3.2).
const (
	TypeZeebeBroker  = "zeebe-broker"
	TypeZeebeGateway = "zeebe-gateway"
	TypeOperate      = "operate"
	TypeTasklist     = "tasklist"
	TypeOptimize     = "optimize"
	TypeModeler      = "modeler"
	TypeConsole      = "console"
	TypeIdentity     = "identity"
	TypeUnknown      = "unknown"
)

// Cluster types.
const (
	Automation = "automation"
	Management = "management"
)

// AppType maps a Console component id to an Administration API app type. Keycloak has
// no type of its own in the API's enum; it is the identity provider, so it reports as
// identity.
func AppType(componentID string) string {
	switch componentID {
	case "console":
		return TypeConsole
	case "keycloak", "identity":
		return TypeIdentity
	case "operate":
		return TypeOperate
	case "optimize":
		return TypeOptimize
	case "tasklist":
		return TypeTasklist
	case "webModelerWebApp", "webModeler", "modeler":
		return TypeModeler
	case "zeebeGateway":
		return TypeZeebeGateway
	case "zeebe":
		return TypeZeebeBroker
	}
	return TypeUnknown
}

// ClusterType is automation when the cluster runs Zeebe, Operate, Tasklist or Optimize,
// else management (Console, Web Modeler, Identity only).
func ClusterType(comps []store.Component) string {
	for _, c := range comps {
		switch c.Type {
		case TypeZeebeBroker, TypeZeebeGateway, TypeOperate, TypeTasklist, TypeOptimize:
			return Automation
		}
	}
	return Management
}

// StableID is the cluster's UUID: a name-based (version 5 style) UUID of realm and
// release name, so it survives restarts, re-seeding and other replicas.
func StableID(realm, name string) string {
	h := sha1.New()
	h.Write([]byte("gatehouse/cluster\x00" + realm + "\x00" + name))
	b := h.Sum(nil)[:16]
	b[6] = b[6]&0x0f | 0x50
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// record turns a release into the stored cluster.
func record(realm string, r Release, now time.Time) store.Cluster {
	c := store.Cluster{ID: StableID(realm, r.Name), Realm: realm, Name: r.Name, Namespace: r.Namespace,
		Version: r.Version, Tags: slices.Clone(r.Tags), Source: "config", CreatedAt: now, UpdatedAt: now}
	for _, comp := range r.Components {
		c.Components = append(c.Components, store.Component{ID: comp.ID, Name: comp.Name, Type: AppType(comp.ID),
			Version: comp.Version, URL: comp.URL, Readiness: comp.Readiness, Metrics: comp.Metrics})
	}
	return c
}

func sameContent(a, b store.Cluster) bool {
	return a.Name == b.Name && a.Namespace == b.Namespace && a.Version == b.Version && a.Source == b.Source &&
		slices.Equal(a.Tags, b.Tags) && slices.Equal(a.Components, b.Components)
}

// SeedResult counts what Seed did.
type SeedResult struct{ Created, Updated, Deleted, Unchanged int }

// Seed makes the store's configuration-sourced clusters of realm equal the declared
// releases: missing ones are created, changed ones updated (keeping their creation
// time), and config clusters no longer declared are deleted. Clusters made through the
// management API (Source "api") are left alone. It is idempotent.
func Seed(ctx context.Context, st store.Store, realm string, releases []Release, now time.Time) (SeedResult, error) {
	var res SeedResult
	if err := Validate(releases); err != nil {
		return res, err
	}
	now = now.UTC()
	want := map[string]bool{}
	for _, r := range releases {
		c := record(realm, r, now)
		want[c.ID] = true
		old, err := st.GetCluster(ctx, realm, c.ID)
		switch {
		case errors.Is(err, store.ErrNotFound):
			if err := st.CreateCluster(ctx, c); err != nil && !errors.Is(err, store.ErrAlreadyExists) {
				return res, fmt.Errorf("cluster %s: %w", r.Name, err)
			}
			res.Created++
			continue
		case err != nil:
			return res, fmt.Errorf("cluster %s: %w", r.Name, err)
		}
		c.CreatedAt = old.CreatedAt
		if sameContent(old, c) {
			res.Unchanged++
			continue
		}
		if _, err := st.UpdateCluster(ctx, realm, c.ID, func(store.Cluster) (store.Cluster, error) { return c, nil }); err != nil {
			return res, fmt.Errorf("cluster %s: %w", r.Name, err)
		}
		res.Updated++
	}
	have, err := st.ListClusters(ctx, realm)
	if err != nil {
		return res, err
	}
	for _, c := range have {
		if c.Source == "config" && !want[c.ID] {
			if err := st.DeleteCluster(ctx, realm, c.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
				return res, fmt.Errorf("cluster %s: %w", c.Name, err)
			}
			res.Deleted++
		}
	}
	return res, nil
}
