package store

import (
	"context"
	"time"
)

// SSOSession is a browser signed in to a realm through the login page (single sign-on).
// ID is the hex SHA-256 of the random value the browser's cookie holds.
type SSOSession struct {
	ID        string
	Realm     string
	UserID    string
	AuthTime  time.Time // when the password was checked
	LastSeen  time.Time
	ExpiresAt time.Time // the maximum lifetime's end
	EndedAt   time.Time // zero while the session lives
}

// AuthCode is an OpenID Connect authorization code. Digest is the hex SHA-256 of the
// code the client holds. UsedAt is set by the one redemption that wins.
type AuthCode struct {
	Digest      string
	Realm       string
	AppID       string
	UserID      string
	SessionID   string // SSOSession.ID
	RedirectURI string
	Challenge   string // PKCE S256 code challenge, "" none
	Nonce       string
	Scope       string
	Audiences   []string
	AuthTime    time.Time
	CreatedAt   time.Time
	ExpiresAt   time.Time
	UsedAt      time.Time
	Replayed    bool
	TokenIDs    []string // jti of the tokens issued from this code
}

// People is the storage of browser sign-in: single sign-on sessions and authorization
// codes. Neither moves the revision.
type People interface {
	CreateSSOSession(ctx context.Context, s SSOSession) error
	GetSSOSession(ctx context.Context, id string) (SSOSession, error)
	// UpdateSSOSession changes LastSeen, ExpiresAt and EndedAt in one transaction.
	UpdateSSOSession(ctx context.Context, id string, fn func(SSOSession) (SSOSession, error)) (SSOSession, error)
	// EndUserSSOSessions ends every live session of a user and says how many.
	EndUserSSOSessions(ctx context.Context, realm, userID string, at time.Time) (int, error)
	// PurgeSSOSessions deletes sessions whose ExpiresAt or EndedAt is before the time.
	PurgeSSOSessions(ctx context.Context, before time.Time) (int, error)

	CreateAuthCode(ctx context.Context, c AuthCode) error
	// RedeemAuthCode marks a code used and returns it. Exactly one of any number of
	// concurrent calls (on any replica) succeeds; every other call, and every later
	// one, marks the code replayed and gets the code with ErrConflict. An unknown
	// digest is ErrNotFound. Expiry is the caller's rule.
	RedeemAuthCode(ctx context.Context, digest string, at time.Time) (AuthCode, error)
	// AddAuthCodeTokens records token ids issued from a redeemed code and returns the
	// code: when Replayed is set, those tokens must be denied.
	AddAuthCodeTokens(ctx context.Context, digest string, jtis []string) (AuthCode, error)
	// PurgeAuthCodes deletes codes that expired before the time.
	PurgeAuthCodes(ctx context.Context, before time.Time) (int, error)
}
