// Command reference is the yardstick of bench/token: the least a token endpoint can do.
// It parses the same form, compares the client secret, signs a token of the same shape
// with the same key type (golang-jwt/jwt/v5) and writes the same JSON fields. No
// storage, throttling, audit or metrics.
package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/subtle"
	"encoding/json"
	"flag"
	"log"
	"net/http"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:18999", "listen address")
	alg := flag.String("alg", "RS256", "RS256, ES256 or EdDSA")
	id := flag.String("client-id", "bench", "client id")
	secret := flag.String("client-secret", "bench-secret", "client secret")
	flag.Parse()
	var key crypto.Signer
	var method jwt.SigningMethod
	var err error
	switch *alg {
	case "RS256":
		key, err = rsa.GenerateKey(rand.Reader, 2048)
		method = jwt.SigningMethodRS256
	case "ES256":
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		method = jwt.SigningMethodES256
	case "EdDSA":
		_, key, err = ed25519.GenerateKey(rand.Reader)
		method = jwt.SigningMethodEdDSA
	default:
		log.Fatalf("unknown alg %q", *alg)
	}
	if err != nil {
		log.Fatal(err)
	}
	http.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "client_credentials" ||
			r.PostForm.Get("client_id") != *id ||
			subtle.ConstantTimeCompare([]byte(r.PostForm.Get("client_secret")), []byte(*secret)) != 1 {
			http.Error(w, `{"error":"invalid_client"}`, http.StatusUnauthorized)
			return
		}
		now := time.Now()
		t := jwt.NewWithClaims(method, jwt.MapClaims{
			"exp": now.Add(5 * time.Minute).Unix(), "iat": now.Unix(), "jti": rand.Text(),
			"iss": "http://localhost:18080/auth/realms/camunda-platform", "aud": "console-api", "sub": "f5b8d544-7c28-4f44-b1ff-c2a6ca7a9567",
			"typ": "Bearer", "azp": *id, "scope": "email profile", "client_id": *id, "preferred_username": "service-account-" + *id,
			"permissions": map[string][]string{"console-api": {"read:*"}},
		})
		t.Header["kid"] = "reference"
		s, err := t.SignedString(key)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		json.NewEncoder(w).Encode(map[string]any{"access_token": s, "expires_in": 300, "refresh_expires_in": 0,
			"token_type": "Bearer", "not-before-policy": 0, "scope": "email profile"})
	})
	log.Fatal(http.ListenAndServe(*addr, nil))
}
