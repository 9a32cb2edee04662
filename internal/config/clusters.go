package config

import (
	"fmt"
	"net/url"
	"strings"
	"time"
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
	seen := map[string]bool{}
	for i, cl := range c.Clusters {
		if strings.TrimSpace(cl.Name) == "" {
			return fmt.Errorf("clusters[%d]: name is required", i)
		}
		if seen[cl.Name] {
			return fmt.Errorf("clusters: %q is declared twice", cl.Name)
		}
		seen[cl.Name] = true
		ids := map[string]bool{}
		for j, comp := range cl.Components {
			if comp.ID == "" {
				return fmt.Errorf("cluster %s: components[%d]: id is required", cl.Name, j)
			}
			if ids[comp.ID] {
				return fmt.Errorf("cluster %s: component %q is declared twice", cl.Name, comp.ID)
			}
			ids[comp.ID] = true
			for _, u := range []struct{ name, v string }{{"readiness", comp.Readiness}, {"metrics", comp.Metrics}} {
				if u.v == "" {
					continue
				}
				p, err := url.Parse(u.v)
				if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
					return fmt.Errorf("cluster %s: component %s: %s %q must be an absolute http(s) URL", cl.Name, comp.ID, u.name, u.v)
				}
			}
		}
	}
	return nil
}
