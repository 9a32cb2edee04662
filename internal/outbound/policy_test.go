package outbound

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
)

func TestCheckAddr(t *testing.T) {
	allow, err := ParseAllow("127.0.0.0/8, 10.1.0.0/16, fd00::/8, 169.254.169.254, ::ffff:192.168.7.0/120")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		addr               string
		refused, byDefault bool // refused with the allow list above; refused with none
	}{
		{"203.0.113.9", false, false},
		{"2001:db8::1", false, false},
		{"127.0.0.1", false, true},
		{"127.1.2.3", false, true},
		{"::1", true, true},
		{"169.254.169.254", false, true},
		{"169.254.1.1", true, true},
		{"fe80::1", true, true},
		{"10.1.2.3", false, true},
		{"10.2.0.1", true, true},
		{"172.16.0.1", true, true},
		{"172.31.255.255", true, true},
		{"192.168.1.1", true, true},
		{"192.168.7.9", false, true},
		{"fc00::1", true, true},
		{"fd12::1", false, true},
		{"0.0.0.0", true, true},
		{"0.1.2.3", true, true},
		{"::", true, true},
		{"224.0.0.1", true, true},
		{"ff02::1", true, true},
		{"255.255.255.255", true, true},
		{"::ffff:127.0.0.1", false, true},
		{"::ffff:10.2.0.1", true, true},
		{"100.100.100.200", true, true},
		{"64:ff9b::a9fe:a9fe", true, true},
		{"64:ff9b::7f00:1", true, true},
		{"64:ff9b::cb00:7109", false, false},
		{"64:ff9b:1::1", true, true},
	} {
		t.Run(tc.addr, func(t *testing.T) {
			dst := netip.AddrPortFrom(netip.MustParseAddr(tc.addr), 80)
			for _, c := range []struct {
				p    *Policy
				want bool
			}{{&Policy{Allow: allow}, tc.refused}, {&Policy{}, tc.byDefault}} {
				err := c.p.CheckAddr(dst)
				if (err != nil) != c.want || (err != nil && !errors.Is(err, ErrRefused)) {
					t.Errorf("allow %v: err %v, want refused %v", c.p.Allow, err, c.want)
				}
			}
		})
	}
}

// TestSelf: the server's own listeners stay refused even inside an allowed range.
func TestSelf(t *testing.T) {
	p := &Policy{Allow: []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0"), netip.MustParsePrefix("::/0")},
		Self:       []string{":9100", "10.0.0.5:18080"},
		interfaces: func() []netip.Addr { return []netip.Addr{netip.MustParseAddr("10.0.0.7")} }}
	for _, tc := range []struct {
		dst     string
		refused bool
	}{
		{"127.0.0.1:9100", true},
		{"10.0.0.7:9100", true},
		{"[::1]:9100", true},
		{"10.0.0.5:18080", true},
		{"10.0.0.5:9200", false},
		{"10.0.0.8:9100", false},
		{"10.0.0.7:18080", false},
	} {
		if err := p.CheckAddr(netip.MustParseAddrPort(tc.dst)); (err != nil) != tc.refused {
			t.Errorf("%s: %v, want refused %v", tc.dst, err, tc.refused)
		}
	}
}

func TestParseAllow(t *testing.T) {
	for _, bad := range []string{"x", "10.0.0.0/33", "10.0.0.0/8,nope"} {
		if _, err := ParseAllow(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if got, err := ParseAllow(" "); err != nil || len(got) != 0 {
		t.Errorf("empty: %v %v", got, err)
	}
}

func get(c *http.Client, u string) (int, string, error) {
	resp, err := c.Get(u)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

// TestClient: a loopback server is refused at dial time (also by name), reached with
// the range allowed; a redirect to another host is refused; bodies are bounded.
func TestClient(t *testing.T) {
	var other *httptest.Server
	other = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "other") }))
	defer other.Close()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/same":
			http.Redirect(w, r, "/ok", http.StatusFound)
		case "/away":
			http.Redirect(w, r, strings.Replace(other.URL, "127.0.0.1", "localhost", 1)+"/x", http.StatusFound)
		case "/big":
			io.WriteString(w, strings.Repeat("a", 2048))
		case "/exact":
			io.WriteString(w, strings.Repeat("a", 1024))
		default:
			io.WriteString(w, "ok")
		}
	}))
	defer ts.Close()
	port := ts.URL[strings.LastIndex(ts.URL, ":")+1:]

	strict := (&Policy{}).Client()
	for _, u := range []string{ts.URL + "/ok", "http://localhost:" + port + "/ok"} {
		if _, _, err := get(strict, u); !errors.Is(err, ErrRefused) {
			t.Errorf("%s without allow: %v, want refused", u, err)
		}
	}
	for _, u := range []string{"file:///etc/passwd", "gopher://127.0.0.1/", "http://user:pw@example.com/"} {
		if _, _, err := get(strict, u); !errors.Is(err, ErrRefused) {
			t.Errorf("%s: %v, want refused", u, err)
		}
	}

	c := (&Policy{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, MaxBytes: 1024}).Client()
	for _, tc := range []struct {
		path, body string
		err        error
	}{
		{"/ok", "ok", nil},
		{"/same", "ok", nil},
		{"/away", "", ErrRefused},
		{"/big", "", ErrTooLarge},
		{"/exact", strings.Repeat("a", 1024), nil},
	} {
		_, body, err := get(c, ts.URL+tc.path)
		if !errors.Is(err, tc.err) || (tc.err == nil && body != tc.body) {
			t.Errorf("%s: %q %v, want %q %v", tc.path, body, err, tc.body, tc.err)
		}
	}
	if _, _, err := get(c, other.URL); err != nil {
		t.Errorf("direct: %v", fmt.Sprint(err))
	}
}
