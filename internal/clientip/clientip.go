// Package clientip decides which address a request comes from, for throttling and
// audit. By default that is the TCP peer. Behind load balancers or reverse proxies
// listed as trusted, it is the right-most X-Forwarded-For entry that is not itself a
// trusted proxy: entries further left were written by the client and prove nothing.
package clientip

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Resolver finds a request's client address. The zero Resolver trusts no proxy.
type Resolver struct {
	Trusted []netip.Prefix
}

// Parse reads a comma-separated list of CIDRs or single addresses.
func Parse(list string) (Resolver, error) {
	var r Resolver
	for _, f := range strings.Split(list, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !strings.Contains(f, "/") {
			a, err := netip.ParseAddr(f)
			if err != nil {
				return Resolver{}, fmt.Errorf("trusted proxy %q: not an address or CIDR", f)
			}
			r.Trusted = append(r.Trusted, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			return Resolver{}, fmt.Errorf("trusted proxy %q: not an address or CIDR", f)
		}
		r.Trusted = append(r.Trusted, p.Masked())
	}
	return r, nil
}

func (r Resolver) trusted(a netip.Addr) bool {
	for _, p := range r.Trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// IP returns the client address of req as text.
func (r Resolver) IP(req *http.Request) string {
	host, _, err := net.SplitHostPort(req.RemoteAddr)
	if err != nil {
		host = req.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil || len(r.Trusted) == 0 || !r.trusted(peer.Unmap()) {
		return host
	}
	var hops []string
	for _, h := range req.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(h, ",")...)
	}
	client := peer.Unmap()
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // garbage: trust nothing further left
		}
		client = a.Unmap()
		if !r.trusted(client) {
			break
		}
	}
	return client.String()
}

// Key returns the throttling key of req's client address (see ThrottleKey).
func (r Resolver) Key(req *http.Request) string { return ThrottleKey(r.IP(req)) }

// ThrottleKey maps a client address to the unit failure budgets are kept for: an IPv4
// address as it is, an IPv6 address by its /64. One host commonly holds a whole /64
// (SLAAC, privacy addresses), so keying on the full IPv6 address would give one
// attacker 2^64 fresh budgets. Text that is not an address is returned unchanged.
func ThrottleKey(addr string) string {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return addr
	}
	a = a.Unmap().WithZone("")
	if a.Is4() {
		return a.String()
	}
	return netip.PrefixFrom(a, 64).Masked().String()
}
