package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
)

// cookieName is the session cookie. It holds only the random session id.
const cookieName = "gatehouse_console"

// revealTTL is how long a new secret waits for the page that shows it.
const revealTTL = 2 * time.Minute

// purgeEvery bounds how often a replica deletes expired sessions (at sign-in).
const purgeEvery = time.Minute

// SessionStore keeps console sessions where every replica finds them (the store).
type SessionStore interface {
	CreateSession(ctx context.Context, s store.ConsoleSession) error
	GetSession(ctx context.Context, key string) (store.ConsoleSession, error)
	UpdateSession(ctx context.Context, key string, fn func(store.ConsoleSession) (store.ConsoleSession, error)) (store.ConsoleSession, error)
	DeleteSession(ctx context.Context, key string) error
	DeleteUserSessions(ctx context.Context, realm, userID string) (int, error)
	PurgeSessions(ctx context.Context, idleBefore, createdBefore time.Time) (int, error)
}

// Sealer encrypts a new client secret while it waits in the session for the page that
// shows it (*keys.KEK: AES-GCM under the master key every replica shares).
type Sealer interface {
	Seal(plaintext []byte, aad string) []byte
	Open(sealed []byte, aad string) ([]byte, error)
}

// reveal is a client secret waiting to be shown once, on the next credentials page of
// its application.
type reveal struct {
	AppID   string    `json:"appId"`
	Secret  string    `json:"secret"`
	Rotated bool      `json:"rotated,omitempty"`
	Expires time.Time `json:"expires"`
}

// session is one signed-in browser, as get found it.
type session struct {
	userID   string
	username string
	flash    bool // a notice waits for the next page
}

// sessions keeps console sessions in the store, keyed by the SHA-256 of the id the
// browser holds: the database holds no usable cookie. Any replica serves any request,
// so no sticky load balancing is needed.
type sessions struct {
	st     SessionStore
	seal   Sealer
	realm  string
	idle   time.Duration
	maxAge time.Duration
	touch  time.Duration // last use is written when older than this (not at every request)
	now    func() time.Time

	mu        sync.Mutex
	lastPurge time.Time
}

func newSessions(st SessionStore, seal Sealer, realm string, idle, maxAge time.Duration, now func() time.Time) *sessions {
	return &sessions{st: st, seal: seal, realm: realm, idle: idle, maxAge: maxAge, touch: min(time.Minute, idle/30), now: now}
}

func key(id string) string {
	k := sha256.Sum256([]byte(id))
	return hex.EncodeToString(k[:])
}

// create starts a session for a user and returns its id (256 random bits).
func (s *sessions) create(ctx context.Context, userID, username string) (string, error) {
	s.purge(ctx)
	var b [32]byte
	rand.Read(b[:])
	id := base64.RawURLEncoding.EncodeToString(b[:])
	now := s.now()
	err := s.st.CreateSession(ctx, store.ConsoleSession{Key: key(id), Realm: s.realm, UserID: userID, Username: username,
		CreatedAt: now, LastSeen: now})
	if err != nil {
		return "", err
	}
	return id, nil
}

// purge deletes expired sessions, at most once a minute per replica.
func (s *sessions) purge(ctx context.Context) {
	now := s.now()
	s.mu.Lock()
	due := now.Sub(s.lastPurge) >= purgeEvery
	if due {
		s.lastPurge = now
	}
	s.mu.Unlock()
	if due {
		_, _ = s.st.PurgeSessions(ctx, now.Add(-s.idle), now.Add(-s.maxAge)) // best effort: the next sign-in tries again
	}
}

// get returns the live session of id and records its use (to the touch interval, so a
// page view is not always a write). An expired session is deleted. An error means the
// store could not answer.
func (s *sessions) get(ctx context.Context, id string) (session, bool, error) {
	if id == "" || len(id) > 128 {
		return session{}, false, nil
	}
	k := key(id)
	cs, err := s.st.GetSession(ctx, k)
	if errors.Is(err, store.ErrNotFound) {
		return session{}, false, nil
	}
	if err != nil {
		return session{}, false, err
	}
	now := s.now()
	if cs.Realm != s.realm {
		return session{}, false, nil
	}
	if now.Sub(cs.LastSeen) >= s.idle || now.Sub(cs.CreatedAt) >= s.maxAge {
		if err := s.st.DeleteSession(ctx, k); err != nil && !errors.Is(err, store.ErrNotFound) {
			return session{}, false, err
		}
		return session{}, false, nil
	}
	if now.Sub(cs.LastSeen) >= s.touch {
		cs, err = s.st.UpdateSession(ctx, k, func(c store.ConsoleSession) (store.ConsoleSession, error) {
			c.LastSeen = now
			return c, nil
		})
		if errors.Is(err, store.ErrNotFound) { // signed out meanwhile
			return session{}, false, nil
		}
		if err != nil {
			return session{}, false, err
		}
	}
	return session{userID: cs.UserID, username: cs.Username, flash: cs.Flash != ""}, true, nil
}

// destroy ends a session (sign-out, or an account that is gone).
func (s *sessions) destroy(ctx context.Context, id string) error {
	err := s.st.DeleteSession(ctx, key(id))
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return err
}

// destroyUser ends every session of a user (deleted or disabled account), on every
// replica.
func (s *sessions) destroyUser(ctx context.Context, userID string) error {
	_, err := s.st.DeleteUserSessions(ctx, s.realm, userID)
	return err
}

// setFlash leaves a one-time notice for the next page of the session.
func (s *sessions) setFlash(ctx context.Context, id, msg string) error {
	return s.update(ctx, id, func(c store.ConsoleSession) (store.ConsoleSession, error) {
		c.Flash = msg
		return c, nil
	})
}

// takeFlash returns and forgets the session's notice.
func (s *sessions) takeFlash(ctx context.Context, id string) (string, error) {
	var msg string
	err := s.update(ctx, id, func(c store.ConsoleSession) (store.ConsoleSession, error) {
		msg, c.Flash = c.Flash, ""
		return c, nil
	})
	return msg, err
}

// setReveal holds a new secret, sealed, for the one page that shows it.
func (s *sessions) setReveal(ctx context.Context, id string, r reveal) error {
	r.Expires = s.now().Add(revealTTL)
	plain, err := json.Marshal(r)
	if err != nil {
		return err
	}
	k := key(id)
	sealed := s.seal.Seal(plain, revealAAD(k))
	return s.update(ctx, id, func(c store.ConsoleSession) (store.ConsoleSession, error) {
		c.Reveal = sealed
		return c, nil
	})
}

// takeReveal returns the secret waiting for appID and forgets it, in one locked
// update: a second call, a reload, another tab or another replica finds nothing.
func (s *sessions) takeReveal(ctx context.Context, id, appID string) (reveal, bool, error) {
	k := key(id)
	var got reveal
	var ok bool
	err := s.update(ctx, id, func(c store.ConsoleSession) (store.ConsoleSession, error) {
		got, ok = reveal{}, false
		if c.Reveal == nil {
			return c, nil
		}
		plain, err := s.seal.Open(c.Reveal, revealAAD(k))
		var r reveal
		if err != nil || json.Unmarshal(plain, &r) != nil {
			c.Reveal = nil // unreadable (another master key): drop it
			return c, nil
		}
		if r.AppID != appID {
			return c, nil // it waits for its own application's page
		}
		c.Reveal = nil
		got, ok = r, s.now().Before(r.Expires)
		return c, nil
	})
	if err != nil || !ok {
		return reveal{}, false, err
	}
	return got, true, nil
}

// revealAAD binds a sealed secret to its session: copied to another session's row, it
// does not open.
func revealAAD(sessionKey string) string { return "console-reveal:" + sessionKey }

// update changes the session of id; a session that is gone is no error (the next
// page signs the browser out).
func (s *sessions) update(ctx context.Context, id string, fn func(store.ConsoleSession) (store.ConsoleSession, error)) error {
	_, err := s.st.UpdateSession(ctx, key(id), fn)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return err
}

// secureCookieName is the session cookie's name when it is Secure: the __Host- prefix
// makes browsers accept it only with Secure, path / and no Domain, so a sibling host or
// a plain-HTTP page cannot plant or overwrite it (RFC 6265bis §4.1.3.2).
const secureCookieName = "__Host-" + cookieName

// sessionID reads the session cookie. A secure console reads only the prefixed name.
func (h *Handler) sessionID(r *http.Request) string {
	c, err := r.Cookie(h.cookieName(r))
	if err != nil {
		return ""
	}
	return c.Value
}

// secureRequest reports whether the browser reached us over TLS, directly or through
// a proxy that terminated it. A forged X-Forwarded-Proto can only make the cookie
// Secure, which never weakens it.
func secureRequest(r *http.Request) bool {
	return r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https"
}

// secure reports whether the session cookie of r is Secure: always with the
// SecureCookies option (--secure-cookies), else when the browser came over TLS.
func (h *Handler) secure(r *http.Request) bool { return h.o.SecureCookies || secureRequest(r) }

func (h *Handler) cookieName(r *http.Request) string {
	if h.secure(r) {
		return secureCookieName
	}
	return cookieName
}

func (h *Handler) setSessionCookie(w http.ResponseWriter, r *http.Request, id string) {
	http.SetCookie(w, &http.Cookie{Name: h.cookieName(r), Value: id, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: h.secure(r)})
}

func (h *Handler) clearSessionCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: h.cookieName(r), Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: h.secure(r)})
}
