package server

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/gatehouse/gatehouse/internal/discovery"
	"github.com/gatehouse/gatehouse/internal/oauth"
	"github.com/gatehouse/gatehouse/internal/oidc"
)

func (s *Server) identityMux(tokens *oauth.Server, people *oidc.Provider) (http.Handler, error) {
	mux := http.NewServeMux()
	docs := map[string]discovery.Metadata{}
	for name, r := range s.realms {
		alg := ""
		for _, rc := range s.cfg.Realms {
			if rc.Name == name {
				alg = rc.SigningAlg
			}
		}
		docs[name] = discovery.Build(r.Issuer, alg, discovery.Endpoints{Introspection: true, Revocation: true, People: true})
	}
	disc, err := discovery.NewHandler(docs)
	if err != nil {
		return nil, err
	}
	const realm = "/auth/realms/{realm}"
	mountPeople(mux, people, tokens.RealmToken)
	mux.HandleFunc("/oauth/token", tokens.SaaSToken)
	mux.Handle("GET "+realm+"/.well-known/openid-configuration", disc)
	mux.Handle("GET "+realm+"/.well-known/oauth-authorization-server", disc)
	mux.Handle("GET /.well-known/oauth-authorization-server/auth/realms/{realm}", disc)
	mux.Handle("GET /.well-known/openid-configuration/auth/realms/{realm}", disc)
	mux.HandleFunc("GET "+realm+"/protocol/openid-connect/certs", s.jwks)
	s.mountIdentityAPIs(mux, tokens)
	return mux, nil
}

func (s *Server) jwks(w http.ResponseWriter, r *http.Request) {
	doc, err := s.Keys.JWKS(r.PathValue("realm"))
	if err != nil {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"error":"Realm does not exist"}`))
		return
	}
	w.Header().Set("Content-Type", "application/jwk-set+json")
	w.Header().Set("Cache-Control", "public, max-age=60")
	w.Write(doc)
}

func (s *Server) managementMux() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"status":"UP"}`))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
		defer cancel()
		w.Header().Set("Content-Type", "application/json")
		err := errDraining
		if !s.draining.Load() {
			err = s.ready(ctx)
		}
		if err != nil {
			w.Header().Set("Retry-After", "5")
			w.WriteHeader(http.StatusServiceUnavailable)
			b, _ := json.Marshal(map[string]string{"status": "DOWN", "reason": err.Error()})
			w.Write(b)
			return
		}
		w.Write([]byte(`{"status":"UP"}`))
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{}))
	return mux
}

// errDraining is /readyz's reason while the server shuts down (run.go).
var errDraining = errors.New("shutting down")

// secure sets headers every answer of every listener carries.
func secure(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		h.ServeHTTP(w, r)
	})
}

// recoverer turns a panic into a plain 500 without a stack on the wire; the stack goes
// to the log.
func recoverer(log *slog.Logger, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				log.Error("panic serving request", "path", r.URL.Path, "panic", v)
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusInternalServerError)
				w.Write([]byte(`{"error":"server_error","error_description":"Unexpected error while processing the request"}`))
			}
		}()
		h.ServeHTTP(w, r)
	})
}
