package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSecretFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	dsn := write("dsn", "postgres://gatehouse:pw@db:5432/gatehouse\n")
	key := write("key", "  "+strings.Repeat("ab", 32)+"\n")
	empty := write("empty", " \n")
	missing := filepath.Join(dir, "missing")

	c, err := load(t, nil, map[string]string{"GATEHOUSE_DATABASE_URL_FILE": dsn, "GATEHOUSE_MASTER_KEY_FILE": key})
	if err != nil {
		t.Fatal(err)
	}
	if c.DatabaseURL != "postgres://gatehouse:pw@db:5432/gatehouse" || c.MasterKey != strings.Repeat("ab", 32) {
		t.Errorf("from files (trimmed): database %q, key %q", c.DatabaseURL, c.MasterKey)
	}
	// A flag still wins over the environment, _FILE included.
	c, err = load(t, []string{"--database-url", "postgres://flag@db/g"}, map[string]string{"GATEHOUSE_DATABASE_URL_FILE": dsn})
	if err != nil || c.DatabaseURL != "postgres://flag@db/g" {
		t.Errorf("flag over _FILE: %q, %v", c.DatabaseURL, err)
	}

	for _, tc := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"missing database file", map[string]string{"GATEHOUSE_DATABASE_URL_FILE": missing}, "GATEHOUSE_DATABASE_URL_FILE: "},
		{"empty database file", map[string]string{"GATEHOUSE_DATABASE_URL_FILE": empty}, "GATEHOUSE_DATABASE_URL_FILE: " + empty + " is empty"},
		{"missing key file", map[string]string{"GATEHOUSE_MASTER_KEY_FILE": missing}, "GATEHOUSE_MASTER_KEY_FILE: "},
		{"empty key file", map[string]string{"GATEHOUSE_MASTER_KEY_FILE": empty}, "GATEHOUSE_MASTER_KEY_FILE: " + empty + " is empty"},
		{"both", map[string]string{"GATEHOUSE_MASTER_KEY_FILE": key, "GATEHOUSE_MASTER_KEY": "x"}, "not both"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := load(t, nil, tc.env)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}
