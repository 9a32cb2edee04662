package config

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func loadWith(t *testing.T, args []string, env map[string]string, file string) (Config, error) {
	t.Helper()
	fs := FlagSet("test", io.Discard)
	if file != "" {
		p := filepath.Join(t.TempDir(), "gatehouse.yaml")
		if err := os.WriteFile(p, []byte(file), 0o600); err != nil {
			t.Fatal(err)
		}
		args = append([]string{"--config", p}, args...)
	}
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return Load(fs, func(k string) string { return env[k] }, nil)
}

func TestClustersFromYAML(t *testing.T) {
	c, err := loadWith(t, nil, nil, `
clusters:
  - name: camunda-prod
    namespace: prod
    version: 8.6.0
    tags: [prod]
    custom-properties:
      description: the production cluster
    components:
      - id: zeebeGateway
        name: Zeebe Gateway
        version: 8.6.0
        urls:
          grpc: grpc://zeebe:26500
          http: http://zeebe:8080
        readiness: http://zeebe:9600/actuator/health/readiness
        metrics: http://zeebe:9600/actuator/prometheus
      - id: operate
        url: https://operate.example
        readiness: http://operate:9600/actuator/health/readiness
`)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Clusters) != 1 || len(c.Clusters[0].Components) != 2 || c.Clusters[0].Tags[0] != "prod" {
		t.Fatalf("clusters %+v", c.Clusters)
	}
	if got := c.Clusters[0].Components[0].PublicURL(); got != "http://zeebe:8080" {
		t.Fatalf("public url %q", got)
	}
	if c.ClockSkew != 60*time.Second || c.ClusterProbeInterval != 15*time.Second || c.ConsoleDisableAuth {
		t.Fatalf("defaults %+v", c)
	}
	for name, file := range map[string]string{
		"no name":         "clusters:\n  - namespace: x\n",
		"twice":           "clusters:\n  - name: a\n  - name: a\n",
		"component no id": "clusters:\n  - name: a\n    components:\n      - name: x\n",
		"bad readiness":   "clusters:\n  - name: a\n    components:\n      - id: x\n        readiness: file:///etc/passwd\n",
		"unknown field":   "clusters:\n  - name: a\n    colour: blue\n",
	} {
		if _, err := loadWith(t, nil, nil, file); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestConsoleDisableAuth(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
		env  map[string]string
		want bool
	}{
		{"default off", nil, nil, false},
		{"bare flag", []string{"--console-disable-auth"}, nil, true},
		{"gatehouse env", nil, map[string]string{"GATEHOUSE_CONSOLE_DISABLE_AUTH": "true"}, true},
		{"camunda env", nil, map[string]string{"CAMUNDA_CONSOLE_DISABLE_AUTH": "true"}, true},
		{"camunda env false", nil, map[string]string{"CAMUNDA_CONSOLE_DISABLE_AUTH": "false"}, false},
		{"flag overrides camunda env", []string{"--console-disable-auth=false"}, map[string]string{"CAMUNDA_CONSOLE_DISABLE_AUTH": "true"}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := loadWith(t, tt.args, tt.env, "")
			if err != nil {
				t.Fatal(err)
			}
			if c.ConsoleDisableAuth != tt.want {
				t.Fatalf("ConsoleDisableAuth = %v", c.ConsoleDisableAuth)
			}
			if !strings.Contains(c.String(), "console-disable-auth=") {
				t.Fatal("String omits console-disable-auth")
			}
		})
	}
	if _, err := loadWith(t, nil, map[string]string{"GATEHOUSE_CONSOLE_DISABLE_AUTH": "maybe"}, ""); err == nil {
		t.Fatal("non-boolean accepted")
	}
}

func TestResourceSettings(t *testing.T) {
	c, err := loadWith(t, []string{"--issuer-url", "https://kc.example/auth/realms/camunda-platform", "--clock-skew", "30s"}, nil, "")
	if err != nil || c.IssuerURL != "https://kc.example/auth/realms/camunda-platform" || c.ClockSkew != 30*time.Second {
		t.Fatalf("%+v %v", c, err)
	}
	for _, args := range [][]string{
		{"--issuer-url", "not a url"}, {"--issuer-url", "ftp://x"}, {"--clock-skew", "1h"},
		{"--cluster-probe-interval", "10ms"}, {"--cluster-probe-timeout", "1m"},
	} {
		if _, err := loadWith(t, args, nil, ""); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}

// TestSecureCookies: --secure-cookies (GATEHOUSE_SECURE_COOKIES) forces Secure console
// cookies; off by default.
func TestSecureCookies(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
		env  map[string]string
		want bool
	}{
		{"default off", nil, nil, false},
		{"bare flag", []string{"--secure-cookies"}, nil, true},
		{"env", nil, map[string]string{"GATEHOUSE_SECURE_COOKIES": "true"}, true},
		{"flag overrides env", []string{"--secure-cookies=false"}, map[string]string{"GATEHOUSE_SECURE_COOKIES": "true"}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := loadWith(t, tt.args, tt.env, "")
			if err != nil {
				t.Fatal(err)
			}
			if c.SecureCookies != tt.want {
				t.Fatalf("SecureCookies = %v", c.SecureCookies)
			}
			if !strings.Contains(c.String(), "secure-cookies=") {
				t.Fatal("String omits secure-cookies")
			}
		})
	}
}
