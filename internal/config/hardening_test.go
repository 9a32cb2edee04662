package config

import (
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestAuditRetentionAndOutboundAllow(t *testing.T) {
	file := filepath.Join(t.TempDir(), "g.yaml")
	os.WriteFile(file, []byte("audit-retention: 720h\noutbound-allow: 10.0.0.0/8\n"), 0o600)
	for _, tc := range []struct {
		name      string
		args      []string
		env       map[string]string
		retention time.Duration
		allow     []netip.Prefix
	}{
		{"defaults", nil, nil, 2160 * time.Hour, nil},
		{"file", []string{"--config", file}, nil, 720 * time.Hour, []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}},
		{"env", nil, map[string]string{"GATEHOUSE_AUDIT_RETENTION": "0", "GATEHOUSE_OUTBOUND_ALLOW": "127.0.0.0/8, fd00::/8"},
			0, []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("fd00::/8")}},
		{"flag", []string{"--audit-retention", "24h", "--outbound-allow", "192.168.1.10"}, nil,
			24 * time.Hour, []netip.Prefix{netip.MustParsePrefix("192.168.1.10/32")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := load(t, tc.args, tc.env)
			if err != nil {
				t.Fatal(err)
			}
			if c.AuditRetention != tc.retention {
				t.Errorf("retention %s, want %s", c.AuditRetention, tc.retention)
			}
			if d := cmp.Diff(tc.allow, c.Outbound().Allow, cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); d != "" {
				t.Errorf("allow (-want +got):\n%s", d)
			}
		})
	}
	for _, bad := range [][]string{{"--audit-retention", "-1h"}, {"--outbound-allow", "10.0.0.0/40"}, {"--outbound-allow", "intranet"}} {
		if _, err := load(t, bad, nil); err == nil || !strings.Contains(err.Error(), strings.TrimPrefix(bad[0], "--")) {
			t.Errorf("%v: %v", bad, err)
		}
	}
}

// TestOutboundSelf: the policy knows the server's own listeners.
func TestOutboundSelf(t *testing.T) {
	c, err := load(t, []string{"--console-addr", "", "--management-addr", "127.0.0.1:9999"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{":18080", ":8070", "127.0.0.1:9999"}, c.Outbound().Self); d != "" {
		t.Errorf("self (-want +got):\n%s", d)
	}
}

// TestLimits: the connection and database limits come from flags, environment and file,
// with their defaults, and nonsense is refused.
func TestLimits(t *testing.T) {
	file := filepath.Join(t.TempDir(), "g.yaml")
	os.WriteFile(file, []byte("max-connections: 100\ndb-write-timeout: 5s\n"), 0o600)
	type limits struct {
		Conns             int
		Idle, Read, Write time.Duration
	}
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want limits
	}{
		{"defaults", nil, nil, limits{4096, 30 * time.Second, time.Second, 3 * time.Second}},
		{"file", []string{"--config", file}, nil, limits{100, 30 * time.Second, time.Second, 5 * time.Second}},
		{"env", nil, map[string]string{"GATEHOUSE_MAX_CONNECTIONS": "10", "GATEHOUSE_IDLE_TIMEOUT": "5s", "GATEHOUSE_DB_READ_TIMEOUT": "250ms"},
			limits{10, 5 * time.Second, 250 * time.Millisecond, 3 * time.Second}},
		{"flag", []string{"--max-connections", "7", "--db-write-timeout", "2s", "--idle-timeout", "1m"}, nil,
			limits{7, time.Minute, time.Second, 2 * time.Second}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := load(t, tc.args, tc.env)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, limits{c.MaxConnections, c.IdleTimeout, c.DBReadTimeout, c.DBWriteTimeout}); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
	for _, bad := range [][]string{{"--max-connections", "0"}, {"--max-connections", "many"}, {"--idle-timeout", "0s"}, {"--db-read-timeout", "-1s"}, {"--db-write-timeout", "0"}} {
		if _, err := load(t, bad, nil); err == nil || !strings.Contains(err.Error(), strings.TrimPrefix(bad[0], "--")) {
			t.Errorf("%v: %v", bad, err)
		}
	}
}
