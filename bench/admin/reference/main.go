// Command reference is the yardstick of bench/admin: the least an Administration API
// can do. It verifies the bearer token of every request with golang-jwt/jwt/v5 against
// the same JWKS (signature with an algorithm allow-list, iss, aud, exp with 60 s leeway,
// permission read:* or write:* on console-api) and writes the same clusters body. No
// token cache, deny-list, problem details or store.
package main

import (
	"errors"
	"flag"
	"log"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/gatehouse/gatehouse/internal/keys"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:18998", "listen address")
	jwksFile := flag.String("jwks", "", "JWKS document of the issuer")
	issuer := flag.String("issuer", "http://localhost:18080/auth/realms/camunda-platform", "expected iss")
	bodyFile := flag.String("body", "", "the clusters body to answer")
	flag.Parse()
	doc, err := os.ReadFile(*jwksFile)
	if err != nil {
		log.Fatal(err)
	}
	body, err := os.ReadFile(*bodyFile)
	if err != nil {
		log.Fatal(err)
	}
	set, err := keys.ParseSet(doc, *issuer)
	if err != nil {
		log.Fatal(err)
	}
	byKid := map[string]any{}
	for _, k := range set {
		byKid[k.ID] = k.Key
	}
	parser := jwt.NewParser(jwt.WithValidMethods([]string{"RS256", "ES256", "EdDSA"}), jwt.WithIssuer(*issuer),
		jwt.WithAudience("console-api"), jwt.WithExpirationRequired(), jwt.WithLeeway(60*time.Second))
	keyfunc := func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		if k, ok := byKid[kid]; ok {
			return k, nil
		}
		return nil, errors.New("unknown kid")
	}
	http.HandleFunc("GET /admin-api/clusters", func(w http.ResponseWriter, r *http.Request) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="camunda-platform"`)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		var claims struct {
			jwt.RegisteredClaims
			Permissions map[string][]string `json:"permissions"`
		}
		if _, err := parser.ParseWithClaims(tok, &claims, keyfunc); err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="camunda-platform", error="invalid_token"`)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		p := claims.Permissions["console-api"]
		if !slices.Contains(p, "read:*") && !slices.Contains(p, "write:*") {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		w.Write(body)
	})
	http.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) {})
	srv := &http.Server{Addr: *addr, ReadHeaderTimeout: 10 * time.Second}
	log.Fatal(srv.ListenAndServe())
}
