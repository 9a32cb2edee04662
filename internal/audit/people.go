package audit

// Actions of people signing in to applications (OpenID Connect).
const (
	ActionLogin      = "login"       // a password sign-in at the login page
	ActionLogout     = "logout"      // a single sign-on session ended
	ActionCodeReplay = "code.replay" // an authorization code used twice: its tokens are revoked
)
