package config

import (
	"fmt"
	"os"
	"strings"
)

// secretFiles are the settings that may also come from a file named by <VAR>_FILE, as
// container platforms mount secrets (a Kubernetes Secret volume, Docker secrets): the
// PostgreSQL URL carries a password and the master key encrypts the signing keys, so
// neither needs to sit in the process environment.
var secretFiles = []struct {
	env   string
	apply func(*Config, string)
}{
	{"GATEHOUSE_DATABASE_URL", func(c *Config, v string) { c.DatabaseURL = v }},
	{"GATEHOUSE_MASTER_KEY", func(c *Config, v string) { c.MasterKey = v }},
}

// applySecretFiles reads each <VAR>_FILE that is set. Giving both the variable and its
// _FILE is an error (which should win is a guess), and so is a missing or empty file:
// starting without the database or the key the operator pointed at would silently
// fall back to SQLite or a generated key.
func applySecretFiles(c *Config, env func(string) string) error {
	for _, s := range secretFiles {
		path := env(s.env + "_FILE")
		if path == "" {
			continue
		}
		if env(s.env) != "" {
			return fmt.Errorf("%s_FILE: set %s or %s_FILE, not both", s.env, s.env, s.env)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("%s_FILE: %w", s.env, err)
		}
		v := strings.TrimSpace(string(b))
		if v == "" {
			return fmt.Errorf("%s_FILE: %s is empty", s.env, path)
		}
		s.apply(c, v)
	}
	return nil
}
