package oidc

import (
	"net/http"
)

// CORS lets browser code of public clients call the token, userinfo and logout
// endpoints: a request whose Origin is a web origin registered by an enabled PUBLIC
// application of the realm gets Access-Control-Allow-Origin; preflights are answered
// here. Credentials (cookies) are never allowed cross-origin.
func (p *Provider) CORS(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if origin == "" {
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Add("Vary", "Origin")
		rc, ok := p.realm(r)
		allowed := false
		if ok {
			var err error
			allowed, err = p.c.Identity.WebOriginAllowed(r.Context(), rc.Name, origin)
			if err != nil {
				p.c.Log.Warn("oidc: cors lookup", "realm", rc.Name, "err", err)
			}
		}
		if allowed {
			h := w.Header()
			h.Set("Access-Control-Allow-Origin", origin)
			h.Set("Access-Control-Expose-Headers", "WWW-Authenticate, Retry-After")
		}
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			if allowed {
				h := w.Header()
				h.Set("Access-Control-Allow-Methods", "GET, POST")
				h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type")
				h.Set("Access-Control-Max-Age", "600")
			}
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}
