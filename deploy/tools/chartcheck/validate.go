package chartcheck

import (
	"maps"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"sigs.k8s.io/yaml"
)

// Kubernetes schemas are not reachable offline (kubeconform downloads them), so each
// manifest is strictly decoded into its k8s.io/api type: a misspelt or misplaced field
// is an error, as the API server's strict field validation would make it. A few
// cross-object rules the API server or the kubelet would reject later are checked by
// hand below.
func newObject(apiVersion, kind string) any {
	switch apiVersion + " " + kind {
	case "apps/v1 Deployment":
		return &appsv1.Deployment{}
	case "v1 Service":
		return &corev1.Service{}
	case "v1 PersistentVolumeClaim":
		return &corev1.PersistentVolumeClaim{}
	case "policy/v1 PodDisruptionBudget":
		return &policyv1.PodDisruptionBudget{}
	case "networking.k8s.io/v1 NetworkPolicy":
		return &networkingv1.NetworkPolicy{}
	case "monitoring.coreos.com/v1 ServiceMonitor":
		return &serviceMonitor{}
	}
	return nil
}

// serviceMonitor is the part of the Prometheus Operator's ServiceMonitor the chart
// writes (its Go types would pull the operator's module for one object).
type serviceMonitor struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name   string            `json:"name"`
		Labels map[string]string `json:"labels"`
	} `json:"metadata"`
	Spec struct {
		Selector struct {
			MatchLabels map[string]string `json:"matchLabels"`
		} `json:"selector"`
		Endpoints []struct {
			Port     string `json:"port"`
			Path     string `json:"path"`
			Interval string `json:"interval"`
		} `json:"endpoints"`
	} `json:"spec"`
}

// validate decodes every document of a rendered chart and returns the count per kind.
func validate(t *testing.T, rendered string) map[string]int {
	t.Helper()
	kinds := map[string]int{}
	var deploy *appsv1.Deployment
	var services []*corev1.Service
	for _, doc := range strings.Split(rendered, "\n---") {
		if strings.TrimSpace(stripComments(doc)) == "" {
			continue
		}
		var head struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
		}
		if err := yaml.Unmarshal([]byte(doc), &head); err != nil {
			t.Errorf("not YAML: %v\n%s", err, doc)
			continue
		}
		obj := newObject(head.APIVersion, head.Kind)
		if obj == nil {
			t.Errorf("unexpected object %s %s", head.APIVersion, head.Kind)
			continue
		}
		if err := yaml.UnmarshalStrict([]byte(doc), obj); err != nil {
			t.Errorf("%s: %v", head.Kind, err)
			continue
		}
		kinds[head.Kind]++
		switch o := obj.(type) {
		case *appsv1.Deployment:
			deploy = o
		case *corev1.Service:
			services = append(services, o)
		}
	}
	if deploy == nil {
		t.Fatal("no Deployment rendered")
	}
	checkDeployment(t, deploy)
	c := deploy.Spec.Template.Spec.Containers[0]
	for _, s := range services {
		for _, p := range s.Spec.Ports {
			if !slices.ContainsFunc(c.Ports, func(cp corev1.ContainerPort) bool { return cp.Name == p.TargetPort.StrVal }) {
				t.Errorf("Service %s targets port %q, which the container does not name", s.Name, p.TargetPort.StrVal)
			}
		}
		if !maps.Equal(s.Spec.Selector, deploy.Spec.Selector.MatchLabels) {
			t.Errorf("Service %s selects %v, the pods have %v", s.Name, s.Spec.Selector, deploy.Spec.Selector.MatchLabels)
		}
	}
	return kinds
}

func checkDeployment(t *testing.T, d *appsv1.Deployment) {
	t.Helper()
	spec := d.Spec.Template.Spec
	if len(spec.Containers) != 1 {
		t.Fatalf("%d containers", len(spec.Containers))
	}
	c := spec.Containers[0]
	names := map[string]bool{}
	for _, p := range c.Ports {
		if len(p.Name) > 15 || names[p.Name] {
			t.Errorf("port name %q too long or repeated", p.Name)
		}
		names[p.Name] = true
	}
	for _, pr := range []*corev1.Probe{c.StartupProbe, c.LivenessProbe, c.ReadinessProbe} {
		if pr == nil || pr.HTTPGet == nil || !names[pr.HTTPGet.Port.StrVal] {
			t.Errorf("probe %+v does not name a container port", pr)
		}
	}
	env := map[string]bool{}
	for _, e := range c.Env {
		if env[e.Name] {
			t.Errorf("environment variable %s set twice", e.Name)
		}
		env[e.Name] = true
	}
	vols := map[string]bool{}
	for _, v := range spec.Volumes {
		vols[v.Name] = true
	}
	for _, m := range c.VolumeMounts {
		if !vols[m.Name] {
			t.Errorf("volume mount %s has no volume", m.Name)
		}
	}
	if sc := c.SecurityContext; sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
		t.Error("the container's root file system is not read-only")
	}
	for k, v := range d.Spec.Selector.MatchLabels {
		if d.Spec.Template.Labels[k] != v {
			t.Errorf("pod template lacks selector label %s=%s", k, v)
		}
	}
}

func stripComments(doc string) string {
	var b strings.Builder
	for _, l := range strings.Split(doc, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "#") {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}
