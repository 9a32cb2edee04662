package clientip

import (
	"net/http/httptest"
	"testing"
)

func TestIP(t *testing.T) {
	lb, err := Parse("10.0.0.0/8, 192.168.1.5")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, peer string
		xff        []string
		r          Resolver
		want       string
	}{
		{"no proxies trusted: peer", "203.0.113.9:1234", []string{"1.2.3.4"}, Resolver{}, "203.0.113.9"},
		{"untrusted peer ignores XFF", "203.0.113.9:1234", []string{"1.2.3.4"}, lb, "203.0.113.9"},
		{"trusted peer: right-most entry", "10.1.2.3:80", []string{"198.51.100.7"}, lb, "198.51.100.7"},
		{"spoofed left entries ignored", "10.1.2.3:80", []string{"6.6.6.6, 198.51.100.7"}, lb, "198.51.100.7"},
		{"chain of trusted proxies", "10.1.2.3:80", []string{"198.51.100.7, 192.168.1.5", "10.9.9.9"}, lb, "198.51.100.7"},
		{"garbage stops the walk", "10.1.2.3:80", []string{"198.51.100.7, nonsense"}, lb, "10.1.2.3"},
		{"trusted peer without XFF", "10.1.2.3:80", nil, lb, "10.1.2.3"},
		{"IPv6 peer", "[2001:db8::1]:443", nil, lb, "2001:db8::1"},
	} {
		r := httptest.NewRequest("POST", "/", nil)
		r.RemoteAddr = tc.peer
		for _, h := range tc.xff {
			r.Header.Add("X-Forwarded-For", h)
		}
		if got := tc.r.IP(r); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
	if _, err := Parse("10.0.0.0/33"); err == nil {
		t.Error("bad CIDR accepted")
	}
	if _, err := Parse("proxy.example.com"); err == nil {
		t.Error("host name accepted")
	}
}

func TestThrottleKey(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"IPv4 whole address", "203.0.113.9", "203.0.113.9"},
		{"IPv6 by /64", "2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"},
		{"same /64 same key", "2001:db8:1:2::1", "2001:db8:1:2::/64"},
		{"next /64 differs", "2001:db8:1:3::1", "2001:db8:1:3::/64"},
		{"IPv4-mapped is IPv4", "::ffff:198.51.100.7", "198.51.100.7"},
		{"zone dropped", "fe80::1%eth0", "fe80::/64"},
		{"loopback v6", "::1", "::/64"},
		{"not an address kept", "unix-socket", "unix-socket"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ThrottleKey(tc.in); got != tc.want {
				t.Errorf("ThrottleKey(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
	req := httptest.NewRequest("POST", "/", nil)
	req.RemoteAddr = "[2001:db8::5]:443"
	if got := (Resolver{}).Key(req); got != "2001:db8::/64" {
		t.Errorf("Key = %q", got)
	}
}
