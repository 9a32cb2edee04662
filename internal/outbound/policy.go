// Package outbound is the one policy for HTTP requests the server makes on its own
// (cluster readiness probes, usage metrics, a remote issuer's discovery and JWKS).
// Those URLs come from configuration or from API callers, so a request could be aimed
// at the server itself, its management listener, cloud metadata (169.254.169.254) or
// other internal services (SSRF). The policy allows only http and https, and refuses
// loopback, link-local, private (RFC 1918, ULA), unspecified and multicast addresses
// and the server's own listeners unless an address lies in an allowed CIDR
// (--outbound-allow). The address is checked when the connection is dialled, after
// name resolution, so a name that resolves differently the second time (DNS
// rebinding) cannot slip past. Redirects stay on the same host; answers are bounded
// in size and time.
package outbound

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"syscall"
	"time"
)

// Defaults of a Policy.
const (
	DefaultMaxBytes = 1 << 20
	DefaultTimeout  = 10 * time.Second
)

// ErrRefused is wrapped by every refusal of the policy.
var ErrRefused = errors.New("outbound: destination refused")

// Policy decides where server-side requests may go. The zero value refuses every
// internal address and allows public ones.
type Policy struct {
	Allow    []netip.Prefix // ranges allowed although internal (in-cluster components)
	Self     []string       // the server's own listen addresses (host:port); never allowed
	MaxBytes int64          // largest answer body read by Get; default DefaultMaxBytes
	Timeout  time.Duration  // whole request; default DefaultTimeout

	// interfaces lists this host's addresses, for listeners on every interface;
	// tests replace it.
	interfaces func() []netip.Addr
}

// ParseAllow reads a comma-separated list of CIDRs or single addresses.
func ParseAllow(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(list, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !strings.Contains(f, "/") {
			a, err := netip.ParseAddr(f)
			if err != nil {
				return nil, fmt.Errorf("outbound allow %q: not an address or CIDR", f)
			}
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			return nil, fmt.Errorf("outbound allow %q: not an address or CIDR", f)
		}
		if p.Addr().Is4In6() {
			p = netip.PrefixFrom(p.Addr().Unmap(), max(p.Bits()-96, 0))
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

var (
	sharedSpace = netip.MustParsePrefix("100.64.0.0/10")  // carrier-grade NAT; Alibaba's metadata is 100.100.100.200
	nat64       = netip.MustParsePrefix("64:ff9b::/96")   // RFC 6052: an IPv4 address behind a NAT64 gateway
	nat64Local  = netip.MustParsePrefix("64:ff9b:1::/48") // RFC 8215
)

// internal reports why a is not a public destination ("" when it is).
func internal(a netip.Addr) string {
	if nat64.Contains(a) {
		b := a.As16()
		if why := internal(netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]})); why != "" {
			return why + " (through NAT64)"
		}
	}
	switch {
	case nat64Local.Contains(a):
		return "private"
	case sharedSpace.Contains(a):
		return "shared (RFC 6598)"
	case a.IsLoopback():
		return "loopback"
	case a.IsLinkLocalUnicast(), a.IsLinkLocalMulticast():
		return "link-local" // 169.254.0.0/16 (cloud metadata), fe80::/10
	case a.IsPrivate():
		return "private" // 10/8, 172.16/12, 192.168/16, fc00::/7
	case a.IsUnspecified():
		return "unspecified"
	case a.IsMulticast(), a.IsInterfaceLocalMulticast():
		return "multicast"
	case a == netip.IPv4Unspecified() || a.Is4() && a.As4()[0] == 0:
		return "unspecified" // 0.0.0.0/8 reaches the local host on Linux
	case a.Is4() && a == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
		return "broadcast"
	}
	return ""
}

// CheckAddr decides one destination address and port.
func (p *Policy) CheckAddr(dst netip.AddrPort) error {
	a := dst.Addr().Unmap().WithZone("")
	if p.isSelf(a, dst.Port()) {
		return fmt.Errorf("%w: %s is this server's own listener", ErrRefused, dst)
	}
	why := internal(a)
	if why == "" {
		return nil
	}
	for _, pr := range p.Allow {
		if pr.Contains(a) {
			return nil
		}
	}
	return fmt.Errorf("%w: %s is a %s address (allow it with --outbound-allow)", ErrRefused, a, why)
}

func (p *Policy) isSelf(a netip.Addr, port uint16) bool {
	for _, s := range p.Self {
		host, sport, err := net.SplitHostPort(s)
		if err != nil || sport != fmt.Sprint(port) {
			continue
		}
		if host == "" || host == "0.0.0.0" || host == "::" {
			if a.IsLoopback() || a.IsUnspecified() {
				return true
			}
			for _, own := range p.localAddrs() {
				if own == a {
					return true
				}
			}
			continue
		}
		if h, err := netip.ParseAddr(host); err == nil && h.Unmap() == a {
			return true
		}
		if host == "localhost" && a.IsLoopback() {
			return true
		}
	}
	return false
}

func (p *Policy) localAddrs() []netip.Addr {
	if p.interfaces != nil {
		return p.interfaces()
	}
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return nil
	}
	var out []netip.Addr
	for _, a := range addrs {
		if pn, ok := a.(*net.IPNet); ok {
			if ip, ok := netip.AddrFromSlice(pn.IP); ok {
				out = append(out, ip.Unmap())
			}
		}
	}
	return out
}

// control runs for every connection after name resolution, with the address that is
// about to be dialled: the check cannot be raced by a second DNS answer.
func (p *Policy) control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: %q is not an address", ErrRefused, address)
	}
	return p.CheckAddr(ap)
}

// dialContext dials with the policy's check on the resolved address.
func (p *Policy) dialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	d := &net.Dialer{Timeout: p.timeout(), KeepAlive: 30 * time.Second, Control: p.control}
	return d.DialContext(ctx, network, addr)
}

func (p *Policy) timeout() time.Duration {
	if p.Timeout > 0 {
		return p.Timeout
	}
	return DefaultTimeout
}

func (p *Policy) maxBytes() int64 {
	if p.MaxBytes > 0 {
		return p.MaxBytes
	}
	return DefaultMaxBytes
}
