package config

import (
	"os"
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
