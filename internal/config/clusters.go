package config

import (
	"fmt"
	"net/url"
	"time"

	"github.com/gatehouse/gatehouse/internal/cluster"
)

// Cluster is a managed release in the shape of Console Self-Managed's configuration
// (camunda.console.managed.releases[]), listed under clusters: in the YAML file. The
// clusters belong to the default realm.
type Cluster struct {
	Name       string             `yaml:"name"`
	Namespace  string             `yaml:"namespace"`
	Version    string             `yaml:"version"`
	Tags       []string           `yaml:"tags"`
	Components []ClusterComponent `yaml:"components"`
	// CustomProperties (description, links) is accepted for compatibility with
	// Console's file and not used.
	CustomProperties map[string]any `yaml:"custom-properties"`
}

// ClusterComponent is one app of a release. Console writes either url or urls
// (grpc/http); the http URL wins, then grpc.
type ClusterComponent struct {
	ID      string `yaml:"id"`
	Name    string `yaml:"name"`
	Version string `yaml:"version"`
	URL     string `yaml:"url"`
	URLs    struct {
		HTTP string `yaml:"http"`
		GRPC string `yaml:"grpc"`
	} `yaml:"urls"`
	Readiness string `yaml:"readiness"`
	Metrics   string `yaml:"metrics"`
}

// PublicURL is the component's URL as the Administration API reports it.
func (c ClusterComponent) PublicURL() string {
	switch {
	case c.URL != "":
		return c.URL
	case c.URLs.HTTP != "":
		return c.URLs.HTTP
	}
	return c.URLs.GRPC
}

// Defaults of the resource-side settings.
const (
	DefaultClockSkew            = 60 * time.Second
	DefaultClusterProbeInterval = 15 * time.Second
	DefaultClusterProbeTimeout  = 2 * time.Second
)

// validateConsole checks the resource-side settings and the clusters.
func (c *Config) validateConsole() error {
	if c.IssuerURL != "" {
		u, err := url.Parse(c.IssuerURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return fmt.Errorf("--issuer-url: %q must be an absolute http(s) URL", c.IssuerURL)
		}
	}
	if c.ClockSkew < 0 || c.ClockSkew > 10*time.Minute {
		return fmt.Errorf("--clock-skew: %s is outside 0..10m", c.ClockSkew)
	}
	if c.ClusterProbeInterval < time.Second {
		return fmt.Errorf("--cluster-probe-interval: must be at least 1s")
	}
	if c.ClusterProbeTimeout <= 0 || c.ClusterProbeTimeout > c.ClusterProbeInterval {
		return fmt.Errorf("--cluster-probe-timeout: must be positive and at most --cluster-probe-interval")
	}
	return cluster.Validate(c.Releases())
}

// Releases are the declared clusters as the cluster domain takes them.
func (c *Config) Releases() []cluster.Release {
	out := make([]cluster.Release, 0, len(c.Clusters))
	for _, cl := range c.Clusters {
		r := cluster.Release{Name: cl.Name, Namespace: cl.Namespace, Version: cl.Version, Tags: cl.Tags}
		for _, comp := range cl.Components {
			r.Components = append(r.Components, cluster.Component{ID: comp.ID, Name: comp.Name, Version: comp.Version,
				URL: comp.PublicURL(), Readiness: comp.Readiness, Metrics: comp.Metrics})
		}
		out = append(out, r)
	}
	return out
}
