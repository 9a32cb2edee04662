package web

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"sync"
	"time"
)

// cookieName is the session cookie. It holds only the random session id.
const cookieName = "gatehouse_console"

// maxSessions bounds memory: beyond it the least recently used sessions go first.
const maxSessions = 10_000

// revealTTL is how long a new secret waits in memory for the page that shows it.
const revealTTL = 2 * time.Minute

// reveal is a client secret waiting to be shown once, on the next credentials page of
// its application.
type reveal struct {
	appID   string
	secret  string
	rotated bool
	expires time.Time
}

// session is one signed-in browser. Its id is known only to the browser: the store
// keys sessions by the id's SHA-256, so a memory dump holds no usable cookie.
type session struct {
	userID   string
	username string
	created  time.Time
	lastSeen time.Time
	flash    string
	reveal   *reveal
}

// sessions keeps sessions in memory. Safe for concurrent use.
type sessions struct {
	idle   time.Duration
	maxAge time.Duration
	now    func() time.Time

	mu    sync.Mutex
	byKey map[[32]byte]*session
	sweep time.Time
}

func newSessions(idle, maxAge time.Duration, now func() time.Time) *sessions {
	return &sessions{idle: idle, maxAge: maxAge, now: now, byKey: map[[32]byte]*session{}}
}

func key(id string) [32]byte { return sha256.Sum256([]byte(id)) }

// create starts a session for a user and returns its id (256 random bits).
func (s *sessions) create(userID, username string) string {
	var b [32]byte
	rand.Read(b[:])
	id := base64.RawURLEncoding.EncodeToString(b[:])
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweepLocked(now)
	s.byKey[key(id)] = &session{userID: userID, username: username, created: now, lastSeen: now}
	return id
}

// get returns a copy of the live session of id and marks it used; an expired session
// is removed.
func (s *sessions) get(id string) (session, bool) {
	if id == "" || len(id) > 128 {
		return session{}, false
	}
	k := key(id)
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	ss, ok := s.byKey[k]
	if !ok {
		return session{}, false
	}
	if s.expired(ss, now) {
		delete(s.byKey, k)
		return session{}, false
	}
	ss.lastSeen = now
	return *ss, true
}

func (s *sessions) expired(ss *session, now time.Time) bool {
	return now.Sub(ss.lastSeen) >= s.idle || now.Sub(ss.created) >= s.maxAge
}

// destroy ends a session (sign-out, or an account that is gone).
func (s *sessions) destroy(id string) {
	s.mu.Lock()
	delete(s.byKey, key(id))
	s.mu.Unlock()
}

// destroyUser ends every session of a user (deleted or disabled account).
func (s *sessions) destroyUser(userID string) {
	s.mu.Lock()
	for k, ss := range s.byKey {
		if ss.userID == userID {
			delete(s.byKey, k)
		}
	}
	s.mu.Unlock()
}

// setFlash leaves a one-time notice for the next page of the session.
func (s *sessions) setFlash(id, msg string) {
	s.mu.Lock()
	if ss, ok := s.byKey[key(id)]; ok {
		ss.flash = msg
	}
	s.mu.Unlock()
}

// takeFlash returns and forgets the session's notice.
func (s *sessions) takeFlash(id string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ss, ok := s.byKey[key(id)]
	if !ok {
		return ""
	}
	msg := ss.flash
	ss.flash = ""
	return msg
}

// setReveal holds a new secret for the one page that shows it.
func (s *sessions) setReveal(id string, r reveal) {
	r.expires = s.now().Add(revealTTL)
	s.mu.Lock()
	if ss, ok := s.byKey[key(id)]; ok {
		ss.reveal = &r
	}
	s.mu.Unlock()
}

// takeReveal returns the secret waiting for appID and forgets it: a second call, a
// reload or another tab finds nothing.
func (s *sessions) takeReveal(id, appID string) (reveal, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ss, ok := s.byKey[key(id)]
	if !ok || ss.reveal == nil || ss.reveal.appID != appID {
		return reveal{}, false
	}
	r := *ss.reveal
	ss.reveal = nil
	if !s.now().Before(r.expires) {
		return reveal{}, false
	}
	return r, true
}

// count is the number of sessions held (tests).
func (s *sessions) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.byKey)
}

// sweepLocked drops expired sessions at most once a minute, and the least recently
// used ones while over maxSessions.
func (s *sessions) sweepLocked(now time.Time) {
	if now.Sub(s.sweep) >= time.Minute || len(s.byKey) >= maxSessions {
		s.sweep = now
		for k, ss := range s.byKey {
			if s.expired(ss, now) {
				delete(s.byKey, k)
			}
		}
	}
	for len(s.byKey) >= maxSessions {
		var oldest [32]byte
		var t time.Time
		first := true
		for k, ss := range s.byKey {
			if first || ss.lastSeen.Before(t) {
				oldest, t, first = k, ss.lastSeen, false
			}
		}
		delete(s.byKey, oldest)
	}
}

// sessionID reads the session cookie.
func sessionID(r *http.Request) string {
	c, err := r.Cookie(cookieName)
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

func setSessionCookie(w http.ResponseWriter, r *http.Request, id string, force bool) {
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: id, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: force || secureRequest(r)})
}

func clearSessionCookie(w http.ResponseWriter, r *http.Request, force bool) {
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: force || secureRequest(r)})
}
