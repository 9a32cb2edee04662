// Package chartcheck tests the Helm chart in deploy/helm/gatehouse: `helm lint` and
// `helm template` in SQLite and PostgreSQL modes, every rendered manifest strictly
// decoded into its Kubernetes API type (unknown fields refused), and the rendered
// output compared with golden files (go test -update rewrites them).
package chartcheck

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files")

const chart = "../../helm/gatehouse"

// helmVersion is the Helm the tools module pins (go.mod's tool directive).
const helmVersion = "v4.3.2"

// helm returns the helm binary: $HELM, or one built from the tools module and cached
// under the user cache directory, keyed by the Helm and Go versions and go.sum.
func helm(t *testing.T) string {
	t.Helper()
	if h := os.Getenv("HELM"); h != "" {
		return h
	}
	sum, err := os.ReadFile("../go.sum")
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256(sum)
	cache, err := os.UserCacheDir()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(cache, "gatehouse-deploy", fmt.Sprintf("helm-%s-%s-%s", helmVersion, runtime.Version(), hex.EncodeToString(h[:6])))
	if _, err := os.Stat(bin); err == nil {
		return bin
	}
	t.Logf("building helm %s (cached afterwards as %s)", helmVersion, bin)
	if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "build", "-trimpath", "-o", bin+".tmp", "helm.sh/helm/v4/cmd/helm")
	cmd.Dir = ".."
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build helm: %v\n%s", err, out)
	}
	if err := os.Rename(bin+".tmp", bin); err != nil {
		t.Fatal(err)
	}
	return bin
}

func run(t *testing.T, helmBin string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(helmBin, args...)
	// No repositories, plugins or cache of the user's: a clean, offline Helm.
	home := t.TempDir()
	cmd.Env = append(os.Environ(), "HELM_CACHE_HOME="+home+"/cache", "HELM_CONFIG_HOME="+home+"/config",
		"HELM_DATA_HOME="+home+"/data")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if err != nil {
		return out.String(), fmt.Errorf("helm %s: %w\n%s%s", strings.Join(args, " "), err, out.String(), errb.String())
	}
	return out.String(), nil
}

func TestChart(t *testing.T) {
	h := helm(t)
	for _, mode := range []string{"sqlite", "postgresql"} {
		t.Run(mode, func(t *testing.T) {
			values := filepath.Join("testdata", mode+".yaml")
			if _, err := run(t, h, "lint", "--strict", chart, "-f", values); err != nil {
				t.Fatal(err)
			}
			out, err := run(t, h, "template", "gatehouse", chart, "-f", values, "--namespace", "camunda")
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", mode+".golden.yaml")
			if *update {
				if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to write it)", err)
			}
			if d := cmp.Diff(string(want), out); d != "" {
				t.Errorf("rendered manifests differ from %s (-want +got):\n%s", golden, d)
			}
			kinds := validate(t, out)
			t.Logf("rendered %v", kinds)
			wantKinds := map[string]int{"Deployment": 1, "Service": 4, "PodDisruptionBudget": 1, "PersistentVolumeClaim": 1}
			if mode == "postgresql" {
				wantKinds = map[string]int{"Deployment": 1, "Service": 3, "PodDisruptionBudget": 1, "ServiceMonitor": 1, "NetworkPolicy": 1}
			}
			if d := cmp.Diff(wantKinds, kinds); d != "" {
				t.Errorf("kinds (-want +got):\n%s", d)
			}
		})
	}
}

// TestChartRefuses: values that cannot work fail at render time with a message saying
// what to set.
func TestChartRefuses(t *testing.T) {
	h := helm(t)
	for _, tc := range []struct {
		name string
		set  []string
		want string
	}{
		{"unknown mode", []string{"database.mode=mysql"}, "database.mode must be sqlite or postgresql"},
		{"postgresql without the URL secret", []string{"database.mode=postgresql", "masterKey.existingSecret=k"}, "database.postgresql.existingSecret"},
		{"postgresql without the master key", []string{"database.mode=postgresql", "database.postgresql.existingSecret=db"}, "masterKey.existingSecret"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := run(t, h, "template", "gatehouse", chart, "--set", strings.Join(tc.set, ","))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}
