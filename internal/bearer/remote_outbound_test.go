package bearer

import (
	"context"
	"errors"
	"net/netip"
	"testing"

	"github.com/gatehouse/gatehouse/internal/outbound"
)

var loopback = &outbound.Policy{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}

// TestRemoteOutbound: discovery and JWKS go through the outbound policy, which by
// default refuses a loopback issuer; allowed, the same issuer works.
func TestRemoteOutbound(t *testing.T) {
	fi := newFakeIssuer(t)
	fi.addKey(t, "r1")
	rem, err := NewRemote(fi.issuer, RemoteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := rem.Refresh(context.Background()); !errors.Is(err, outbound.ErrRefused) {
		t.Fatalf("loopback issuer without allow: %v", err)
	}
	rem, err = NewRemote(fi.issuer, RemoteOptions{Outbound: loopback})
	if err != nil {
		t.Fatal(err)
	}
	if err := rem.Refresh(context.Background()); err != nil {
		t.Fatalf("allowed loopback issuer: %v", err)
	}
}
