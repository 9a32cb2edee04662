package bearer

import (
	"context"

	"github.com/gatehouse/gatehouse/internal/accesstoken"
)

type claimsKey struct{}

// WithClaims returns ctx carrying verified claims. The middleware uses it; handler
// tests use it to stand in for a verified token.
func WithClaims(ctx context.Context, c *accesstoken.Claims) context.Context {
	return context.WithValue(ctx, claimsKey{}, c)
}

// ClaimsFrom returns the verified claims of the request, if any.
func ClaimsFrom(ctx context.Context) (*accesstoken.Claims, bool) {
	c, ok := ctx.Value(claimsKey{}).(*accesstoken.Claims)
	return c, ok && c != nil
}
