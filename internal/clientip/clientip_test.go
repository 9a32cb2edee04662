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
