package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestREADMEListsEverySetting keeps the README's configuration table true to the code:
// every setting appears with its flag and its environment variable.
func TestREADMEListsEverySetting(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	for _, s := range settings {
		for _, want := range []string{"`--" + s.name + "`", "`" + EnvName(s.name) + "`"} {
			if !strings.Contains(readme, want) {
				t.Errorf("README.md does not mention %s", want)
			}
		}
	}
}

// TestREADMEYAMLExampleLoads: the README's YAML example is a valid configuration file
// that declares what it shows.
func TestREADMEYAMLExampleLoads(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), "YAML example:\n\n```yaml\n")
	example, _, ok2 := strings.Cut(rest, "```")
	if !ok || !ok2 {
		t.Fatal("README.md has no YAML example block")
	}
	file := filepath.Join(t.TempDir(), "gatehouse.yaml")
	if err := os.WriteFile(file, []byte(example), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := load(t, []string{"--config", file}, nil)
	if err != nil {
		t.Fatalf("README example: %v", err)
	}
	if len(c.Realms) == 0 || len(c.Clients) == 0 || len(c.Users) == 0 {
		t.Fatalf("README example declares realms %d, clients %d, users %d", len(c.Realms), len(c.Clients), len(c.Users))
	}
}
