package cluster

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/gatehouse/gatehouse/internal/fault"
	"github.com/gatehouse/gatehouse/internal/identity"
	"github.com/gatehouse/gatehouse/internal/store"
)

// Input limits of a cluster made through the management API.
const (
	MaxTags       = 32
	MaxComponents = 64
	maxURL        = 2048
)

// AppTypes are the Administration API's app types (camunda-apis.md §3.2).
var AppTypes = []string{TypeZeebeBroker, TypeZeebeGateway, TypeOperate, TypeTasklist, TypeOptimize, TypeModeler,
	TypeConsole, TypeIdentity, TypeUnknown}

// Check validates a cluster made or changed through the management API. Its errors are
// *fault.InvalidError naming the field and the rule.
func Check(c store.Cluster) error {
	invalid := fault.Invalidf
	if err := identity.CheckName("name", c.Name); err != nil {
		return err
	}
	if c.Namespace != "" && !dnsLabel(c.Namespace) {
		return invalid("namespace", "must be a DNS label (1-63 of a-z, 0-9, '-', not starting or ending with '-')")
	}
	if c.Version != "" && !token(c.Version, 64) {
		return invalid("version", "must be 1-64 characters of A-Z, a-z, 0-9, '.', '_', '+', '-'")
	}
	if len(c.Tags) > MaxTags {
		return invalid("tags", "at most 32")
	}
	for i, t := range c.Tags {
		if !token(t, 64) || slices.Contains(c.Tags[:i], t) {
			return invalid("tags", "distinct, each 1-64 characters of A-Z, a-z, 0-9, '.', '_', '+', '-'")
		}
	}
	if len(c.Components) > MaxComponents {
		return invalid("components", "at most 64")
	}
	for i, comp := range c.Components {
		if !token(comp.ID, 64) || slices.ContainsFunc(c.Components[:i], func(o store.Component) bool { return o.ID == comp.ID }) {
			return invalid("components", "each needs a distinct id of 1-64 characters of A-Z, a-z, 0-9, '.', '_', '+', '-'")
		}
		if comp.Name != "" && identity.CheckName("components.name", comp.Name) != nil {
			return invalid("components.name", "1-255 characters without control characters")
		}
		if comp.Type != "" && !slices.Contains(AppTypes, comp.Type) {
			return invalid("components.type", "one of "+strings.Join(AppTypes, ", "))
		}
		if comp.Version != "" && !token(comp.Version, 64) {
			return invalid("components.version", "1-64 characters of A-Z, a-z, 0-9, '.', '_', '+', '-'")
		}
		for _, u := range []string{comp.URL, comp.Readiness, comp.Metrics} {
			if u != "" && !httpURL(u) {
				return invalid("component URL", "url, readiness and metrics must be absolute http(s) URLs without credentials")
			}
		}
	}
	return nil
}

// Validate checks the releases configuration declares for one realm: names present and
// unique, components with ids unique within their release, and probe URLs absolute
// http(s). Configuration loading and Seed both call it.
func Validate(rs []Release) error {
	seen := map[string]bool{}
	for i, r := range rs {
		if strings.TrimSpace(r.Name) == "" {
			return fmt.Errorf("clusters[%d]: name is required", i)
		}
		if seen[r.Name] {
			return fmt.Errorf("clusters: %q is declared twice", r.Name)
		}
		seen[r.Name] = true
		ids := map[string]bool{}
		for j, c := range r.Components {
			if c.ID == "" {
				return fmt.Errorf("cluster %s: components[%d]: id is required", r.Name, j)
			}
			if ids[c.ID] {
				return fmt.Errorf("cluster %s: component %q is declared twice", r.Name, c.ID)
			}
			ids[c.ID] = true
			for _, u := range []struct{ name, v string }{{"readiness", c.Readiness}, {"metrics", c.Metrics}} {
				if u.v == "" {
					continue
				}
				// Configuration is the operator's own file: only the shape is checked here,
				// not the credentials rule of the management API.
				p, err := url.Parse(u.v)
				if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
					return fmt.Errorf("cluster %s: component %s: %s %q must be an absolute http(s) URL", r.Name, c.ID, u.name, u.v)
				}
			}
		}
	}
	return nil
}

func dnsLabel(s string) bool {
	if len(s) > 63 || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func token(s string, max int) bool {
	if s == "" || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '+' || c == '-') {
			return false
		}
	}
	return true
}

// httpURL accepts an absolute http(s) URL with a host and no user info: the prober
// calls these URLs, and credentials in them would be secrets in the store.
func httpURL(s string) bool {
	if len(s) > maxURL {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.User == nil && u.Fragment == ""
}
