package web

import (
	"crypto/tls"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
)

func TestSignInAndOut(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	// Anonymous: every page sends to sign-in, keeping where the user wanted to go.
	r := c.get("/applications?q=x")
	if r.status != http.StatusSeeOther || r.loc != "/signin?next=%2Fapplications%3Fq%3Dx" {
		t.Fatalf("anonymous: %d %q", r.status, r.loc)
	}
	page := c.get(r.loc)
	if page.status != http.StatusOK {
		t.Fatalf("sign-in page: %d", page.status)
	}
	mustContain(t, page.body, `name="next" value="/applications?q=x"`, `<label for="username">`, `<label for="password">`)

	r = c.post("/signin", url.Values{"username": {"ADMIN"}, "password": {password}, "next": {"/applications?q=x"}})
	if r.status != http.StatusSeeOther || r.loc != "/applications?q=x" {
		t.Fatalf("sign in: %d %q %s", r.status, r.loc, r.body)
	}
	page = c.get("/applications")
	if page.status != http.StatusOK {
		t.Fatalf("applications: %d", page.status)
	}
	mustContain(t, page.body, `title="Signed in as admin"`, "can change")

	// Signed in: the sign-in page sends on.
	if r := c.get("/signin"); r.status != http.StatusSeeOther {
		t.Errorf("sign-in page while signed in: %d", r.status)
	}
	evs := e.audit("console.signin")
	if len(evs) != 1 || evs[0].Outcome != "success" || evs[0].Actor != "admin" || evs[0].Target != e.users["admin"].ID {
		t.Fatalf("sign-in audit: %+v", evs)
	}

	old := c.cookie()
	r = c.post("/signout", nil)
	if r.status != http.StatusSeeOther || r.loc != "/signin" {
		t.Fatalf("sign out: %d %q", r.status, r.loc)
	}
	if c.cookie() != "" {
		t.Error("sign-out left the cookie")
	}
	if n := len(e.audit("console.signout")); n != 1 {
		t.Errorf("sign-out events: %d", n)
	}
	// The old cookie is worthless: the session ended on the server.
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/applications", nil)
	req.AddCookie(&http.Cookie{Name: cookieName, Value: old})
	if r := e.client().do(req); r.status != http.StatusSeeOther || !strings.HasPrefix(r.loc, "/signin") {
		t.Fatalf("old cookie after sign-out: %d %q", r.status, r.loc)
	}
	if _, err := e.st.GetSession(t.Context(), key(old)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("session left after sign-out: %v", err)
	}
}

func TestSignInFailures(t *testing.T) {
	e := newEnv(t)
	for _, tt := range []struct {
		name, user, pw string
		status         int
		msg, reason    string
	}{
		{"wrong password", "admin", "nope-nope-nope", http.StatusUnauthorized, "The username or password is wrong.", "wrong_password"},
		{"unknown user", "ghost", password, http.StatusUnauthorized, "The username or password is wrong.", "unknown_user"},
		{"no console role", "operator", password, http.StatusForbidden, "Your account has no console role", "no_role"},
		{"empty", "", "", http.StatusBadRequest, "Enter your username and password.", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := e.client()
			r := c.post("/signin", url.Values{"username": {tt.user}, "password": {tt.pw}})
			if r.status != tt.status {
				t.Fatalf("status %d, want %d", r.status, tt.status)
			}
			mustContain(t, r.body, tt.msg)
			if c.cookie() != "" {
				t.Error("a failed sign-in set a session cookie")
			}
			if tt.reason == "" {
				return
			}
			evs := e.audit("console.signin")
			last := evs[len(evs)-1]
			if last.Outcome != "failure" || last.Detail["reason"] != tt.reason {
				t.Errorf("audit %+v, want failure %s", last, tt.reason)
			}
		})
	}
	// A disabled user cannot sign in either.
	if _, err := e.setup().UpdateUser(t.Context(), testActor, realm, e.users["reader"].ID, patchEnabled(false)); err != nil {
		t.Fatal(err)
	}
	if r := e.client().post("/signin", url.Values{"username": {"reader"}, "password": {password}}); r.status != http.StatusUnauthorized {
		t.Errorf("disabled user: %d", r.status)
	}
	if strings.Contains(e.log.String(), password) {
		t.Error("the log holds a password")
	}
	for _, ev := range e.audit("") {
		for _, v := range ev.Detail {
			if strings.Contains(v, password) || strings.Contains(v, "nope-nope-nope") {
				t.Errorf("audit event %s holds a password", ev.Action)
			}
		}
	}
}

func TestSignInThrottled(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	for i := range SignInPolicy.Threshold {
		if r := c.post("/signin", url.Values{"username": {"admin"}, "password": {"wrong-password"}}); r.status != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i, r.status)
		}
	}
	// Now even the right password waits: throttled, told how long, audited.
	r := c.post("/signin", url.Values{"username": {"admin"}, "password": {password}})
	if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" {
		t.Fatalf("after %d failures: %d Retry-After=%q", SignInPolicy.Threshold, r.status, r.header.Get("Retry-After"))
	}
	mustContain(t, r.body, "Too many failed sign-ins. Wait")
	evs := e.audit("console.signin")
	if last := evs[len(evs)-1]; last.Detail["reason"] != "throttled" {
		t.Errorf("last event %+v", last)
	}
	// Another user from the same address is not blocked by admin's failures.
	if r := c.post("/signin", url.Values{"username": {"reader"}, "password": {password}}); r.status != http.StatusSeeOther {
		t.Errorf("other user: %d", r.status)
	}
	// Backoff over: the right password works again (never a permanent lockout).
	e.clk.Advance(SignInPolicy.Backoff + time.Second)
	if r := e.client().post("/signin", url.Values{"username": {"admin"}, "password": {password}}); r.status != http.StatusSeeOther {
		t.Fatalf("after the backoff: %d", r.status)
	}
}

func TestSignInThrottledPerAddress(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	// Guessing across many usernames from one address hits the per-IP limit.
	for i := range IPPolicy.Threshold {
		user := "guess" + string(rune('a'+i%26)) + string(rune('a'+i/26))
		if r := c.post("/signin", url.Values{"username": {user}, "password": {"x"}}); r.status != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i, r.status)
		}
	}
	if r := c.post("/signin", url.Values{"username": {"admin"}, "password": {password}}); r.status != http.StatusTooManyRequests {
		t.Fatalf("after %d failures from one address: %d", IPPolicy.Threshold, r.status)
	}
}

// TestSessionFixation: a session id planted before sign-in is never promoted; sign-in
// makes a new one.
func TestSessionFixation(t *testing.T) {
	e := newEnv(t)
	victim := e.signIn("admin")
	planted := victim.cookie() // an id the attacker knows (here: a real, live one)
	c := e.client()
	u, _ := url.Parse(e.srv.URL)
	c.hc.Jar.SetCookies(u, []*http.Cookie{{Name: cookieName, Value: planted, Path: "/"}})
	if r := c.post("/signin", url.Values{"username": {"reader"}, "password": {password}}); r.status != http.StatusSeeOther {
		t.Fatalf("sign in: %d", r.status)
	}
	fresh := c.cookie()
	if fresh == "" || fresh == planted {
		t.Fatalf("sign-in kept the planted session id")
	}
	if len(fresh) < 43 {
		t.Errorf("session id %q is short", fresh)
	}
	// The planted session ended; the new one is the reader's.
	if r := victim.get("/applications"); r.status != http.StatusSeeOther {
		t.Errorf("planted session still valid: %d", r.status)
	}
	page := c.get("/applications")
	mustContain(t, page.body, `title="Signed in as reader"`, "read-only")

	// An id that was never issued is not accepted either.
	x := e.client()
	x.hc.Jar.SetCookies(u, []*http.Cookie{{Name: cookieName, Value: "attacker-chosen-id", Path: "/"}})
	if r := x.get("/applications"); r.status != http.StatusSeeOther {
		t.Errorf("made-up session id: %d", r.status)
	}
}

func TestSessionTimeouts(t *testing.T) {
	e := newEnv(t)
	c := e.signIn("admin")
	// Used within the idle timeout, it lives on.
	for range 3 {
		e.clk.Advance(DefaultIdleTimeout - time.Minute)
		if r := c.get("/applications"); r.status != http.StatusOK {
			t.Fatalf("active session ended: %d", r.status)
		}
	}
	// Idle too long: ended.
	e.clk.Advance(DefaultIdleTimeout)
	if r := c.get("/applications"); r.status != http.StatusSeeOther {
		t.Fatalf("idle session still valid: %d", r.status)
	}
	// Absolute timeout: ends even when used all the time.
	c = e.signIn("admin")
	for elapsed := time.Duration(0); elapsed < DefaultMaxAge-20*time.Minute; elapsed += 20 * time.Minute {
		e.clk.Advance(20 * time.Minute)
		if r := c.get("/keys"); r.status != http.StatusOK {
			t.Fatalf("session ended after %s: %d", elapsed, r.status)
		}
	}
	e.clk.Advance(21 * time.Minute)
	if r := c.get("/keys"); r.status != http.StatusSeeOther {
		t.Fatalf("session outlived the absolute timeout: %d", r.status)
	}
}

// TestCookieFlags: the session cookie is Secure behind TLS, a TLS proxy or when the
// option forces it, and then carries the __Host- prefix (Secure, path /, no Domain), so
// a sibling host or a plain-HTTP page cannot plant or overwrite it.
func TestCookieFlags(t *testing.T) {
	plain := newEnv(t)
	forced := plain.opts
	forced.SecureCookies = true
	h, err := New(forced)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name   string
		h      http.Handler
		tls    bool
		proto  string
		secure bool
	}{
		{"plain HTTP", plain.h, false, "", false},
		{"behind a TLS proxy", plain.h, false, "https", true},
		{"TLS", plain.h, true, "", true},
		{"forced by the option", h, false, "", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			secure := func(req *http.Request) *http.Request {
				if tt.proto != "" {
					req.Header.Set("X-Forwarded-Proto", tt.proto)
				}
				if tt.tls {
					req.TLS = &tls.ConnectionState{}
				}
				return req
			}
			req := secure(httptest.NewRequest(http.MethodPost, "/signin", strings.NewReader(url.Values{"username": {"admin"}, "password": {password}}.Encode())))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			rec := httptest.NewRecorder()
			tt.h.ServeHTTP(rec, req)
			if rec.Code != http.StatusSeeOther {
				t.Fatalf("sign in: %d", rec.Code)
			}
			cks := rec.Result().Cookies()
			if len(cks) != 1 {
				t.Fatalf("cookies %v", cks)
			}
			ck := cks[0]
			if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Secure != tt.secure || ck.Path != "/" || ck.Domain != "" {
				t.Errorf("cookie %+v", ck)
			}
			if want := map[bool]string{false: "gatehouse_console", true: "__Host-gatehouse_console"}[tt.secure]; ck.Name != want {
				t.Errorf("cookie name %q, want %q", ck.Name, want)
			}
			// The cookie signs in the next request made the same way.
			next := secure(httptest.NewRequest(http.MethodGet, "/applications", nil))
			next.AddCookie(&http.Cookie{Name: ck.Name, Value: ck.Value})
			rec = httptest.NewRecorder()
			tt.h.ServeHTTP(rec, next)
			if rec.Code != http.StatusOK {
				t.Errorf("next request: %d", rec.Code)
			}
			if !tt.secure {
				return
			}
			// A secure console ignores a cookie without the prefix (one a plain-HTTP page
			// or a sibling domain could have set).
			next = secure(httptest.NewRequest(http.MethodGet, "/applications", nil))
			next.AddCookie(&http.Cookie{Name: "gatehouse_console", Value: ck.Value})
			rec = httptest.NewRecorder()
			tt.h.ServeHTTP(rec, next)
			if rec.Code != http.StatusSeeOther {
				t.Errorf("unprefixed cookie on a secure console: %d", rec.Code)
			}
		})
	}
}

func TestDisabledOrDeletedUserLosesSession(t *testing.T) {
	e := newEnv(t)
	admin := e.signIn("admin")
	reader := e.signIn("reader")
	// Disabled through the console: signed out at once.
	r := admin.post("/users/"+e.users["reader"].ID+"/enabled", url.Values{"enabled": {"false"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("disable: %d %s", r.status, r.body)
	}
	if r := reader.get("/applications"); r.status != http.StatusSeeOther {
		t.Fatalf("disabled user still signed in: %d", r.status)
	}
	// Roles taken elsewhere (the management API): the next request has no access.
	op := e.signIn("admin")
	if _, err := e.setup().RemoveRoles(t.Context(), testActor, realm, e.users["admin"].ID, []string{"admin"}); err != nil {
		t.Fatal(err)
	}
	if r := op.get("/applications"); r.status != http.StatusSeeOther {
		t.Fatalf("user without a console role still signed in: %d", r.status)
	}
}

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"":                     "/applications",
		"/users?q=a":           "/users?q=a",
		"//evil.example/x":     "/applications",
		"/\\evil.example":      "/applications",
		"https://evil.example": "/applications",
		"/a\r\nSet-Cookie: x":  "/applications",
		"javascript:alert(1)":  "/applications",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestSessionsAcrossReplicas: two consoles on one store behind a load balancer that
// does not stick sessions. A session started on A works on B; a secret created on A is
// shown once on B and then on neither; a notice set on B shows on A; disabling a user
// on A signs them out on B; sign-out on B ends the session on A.
func TestSessionsAcrossReplicas(t *testing.T) {
	a := newEnv(t)
	b := a.replica()
	onA := a.signIn("admin")
	onB := onA.via(b)
	if r := onB.get("/applications"); r.status != http.StatusOK {
		t.Fatalf("session of A on B: %d %q", r.status, r.loc)
	}

	r := onA.post("/applications", url.Values{"name": {"Replicated"}})
	if r.status != http.StatusSeeOther || !strings.HasSuffix(r.loc, "/credentials") {
		t.Fatalf("create on A: %d %q\n%s", r.status, r.loc, r.body)
	}
	page := onB.get(r.loc)
	if page.status != http.StatusOK || !strings.Contains(page.body, "gh_cs_") {
		t.Fatalf("credentials on B: %d\n%s", page.status, page.body)
	}
	for _, c := range []*client{onA, onB} {
		if again := c.get(r.loc); again.status != http.StatusOK || strings.Contains(again.body, "gh_cs_") {
			t.Fatalf("secret shown twice (%s): %d", c.e.srv.URL, again.status)
		}
	}
	// No secret in the session row: it waits sealed, and is gone once shown.
	cs, err := a.st.GetSession(t.Context(), key(onA.cookie()))
	if err != nil || cs.Reveal != nil {
		t.Fatalf("session after the reveal: %+v %v", cs, err)
	}

	// A notice left by a change on B is shown by A's next page.
	id := r.loc[len("/applications/") : len(r.loc)-len("/credentials")]
	if r := onB.post("/applications/"+id+"/name", url.Values{"name": {"Renamed"}}); r.status != http.StatusSeeOther {
		t.Fatalf("rename on B: %d\n%s", r.status, r.body)
	}
	if p := onA.get("/applications/" + id); !strings.Contains(p.body, "Renamed") || !strings.Contains(p.body, `role="status"`) {
		t.Errorf("notice from B not shown on A:\n%s", p.body)
	}

	// The reader signs in on B; the admin disables them on A: B signs them out.
	reader := b.signIn("reader")
	if r := reader.get("/applications"); r.status != http.StatusOK {
		t.Fatalf("reader on B: %d", r.status)
	}
	if r := onA.post("/users/"+a.users["reader"].ID+"/enabled", url.Values{"enabled": {"false"}}); r.status != http.StatusSeeOther {
		t.Fatalf("disable on A: %d\n%s", r.status, r.body)
	}
	if r := reader.get("/applications"); r.status != http.StatusSeeOther || !strings.HasPrefix(r.loc, "/signin") {
		t.Fatalf("disabled reader still signed in on B: %d %q", r.status, r.loc)
	}

	// Sign-out on B ends the session everywhere.
	old := onA.cookie()
	if r := onB.post("/signout", nil); r.status != http.StatusSeeOther {
		t.Fatalf("sign out on B: %d", r.status)
	}
	stale := a.client()
	u, _ := url.Parse(a.srv.URL)
	stale.hc.Jar.SetCookies(u, []*http.Cookie{{Name: cookieName, Value: old}})
	if r := stale.get("/applications"); r.status != http.StatusSeeOther || !strings.HasPrefix(r.loc, "/signin") {
		t.Fatalf("session signed out on B still works on A: %d %q", r.status, r.loc)
	}
}

// TestSignInSuccessKeepsAddressBudget: a valid sign-in every few dozen failures does not
// reset the per-address failure budget; only that username's counter starts afresh.
func TestSignInSuccessKeepsAddressBudget(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	guess := func(i int) int {
		user := "guess" + string(rune('a'+i%26)) + string(rune('a'+i/26))
		return c.post("/signin", url.Values{"username": {user}, "password": {"x"}}).status
	}
	for i := range 45 {
		if s := guess(i); s != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i, s)
		}
	}
	if r := e.client().post("/signin", url.Values{"username": {"admin"}, "password": {password}}); r.status != http.StatusSeeOther {
		t.Fatalf("valid sign-in: %d", r.status)
	}
	status := 0
	for i := 45; i < IPPolicy.Threshold+1; i++ {
		if status = guess(i); status == http.StatusTooManyRequests {
			break
		}
	}
	if status != http.StatusTooManyRequests {
		t.Fatalf("after %d failures and one success from one address: %d, want 429", IPPolicy.Threshold, status)
	}
}

// TestPasswordChangeEndsSessions: a reset ends every session of the user; changing
// one's own password keeps only the session it was done from.
func TestPasswordChangeEndsSessions(t *testing.T) {
	e := newEnv(t)
	admin, admin2 := e.signIn("admin"), e.signIn("admin")
	reader := e.signIn("reader")
	form := url.Values{"password": {"a brand new one"}, "confirm": {"a brand new one"}}
	if r := admin.post("/users/"+e.users["reader"].ID+"/password", form); r.status != http.StatusSeeOther {
		t.Fatalf("reset: %d %s", r.status, r.body)
	}
	if r := reader.get("/applications"); r.status != http.StatusSeeOther {
		t.Errorf("the reader's session survived a reset: %d", r.status)
	}
	if r := admin.post("/users/"+e.users["admin"].ID+"/password", form); r.status != http.StatusSeeOther {
		t.Fatalf("own change: %d %s", r.status, r.body)
	}
	if r := admin.get("/applications"); r.status != http.StatusOK {
		t.Errorf("the session the change came from ended: %d", r.status)
	}
	if r := admin2.get("/applications"); r.status != http.StatusSeeOther {
		t.Errorf("another session of the user survived the change: %d", r.status)
	}
}
