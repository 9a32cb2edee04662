// Command importgen writes a Keycloak realm export with many M2M clients, for timing
// `gatehouse import keycloak`:
//
//	go run ./bench/importgen -clients 50000 -secrets generated > /tmp/export.json
//	time gatehouse import keycloak /tmp/export.json --data-dir DIR
//
// -secrets generated gives each client a secret of Gatehouse's generated format
// (stored as SHA-256); -secrets chosen gives 32-character secrets of another form
// (stored as argon2id). Each client holds read:* on operate-api (a preset).
package main

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
)

func main() {
	n := flag.Int("clients", 5000, "clients to write")
	kind := flag.String("secrets", "generated", "generated or chosen")
	flag.Parse()
	type client struct {
		ClientID               string `json:"clientId"`
		Enabled                bool   `json:"enabled"`
		ServiceAccountsEnabled bool   `json:"serviceAccountsEnabled"`
		ClientAuthenticator    string `json:"clientAuthenticatorType"`
		Secret                 string `json:"secret"`
	}
	type user struct {
		Username               string              `json:"username"`
		ServiceAccountClientID string              `json:"serviceAccountClientId"`
		ClientRoles            map[string][]string `json:"clientRoles"`
	}
	export := struct {
		Realm   string   `json:"realm"`
		Clients []client `json:"clients"`
		Users   []user   `json:"users"`
	}{Realm: "camunda-platform"}
	for i := range *n {
		b := make([]byte, 32)
		rand.Read(b)
		secret := "gh_cs_" + base64.RawURLEncoding.EncodeToString(b)
		if *kind == "chosen" {
			secret = base64.RawURLEncoding.EncodeToString(b)[:32]
		}
		id := fmt.Sprintf("client-%06d", i)
		export.Clients = append(export.Clients, client{ClientID: id, Enabled: true, ServiceAccountsEnabled: true,
			ClientAuthenticator: "client-secret", Secret: secret})
		export.Users = append(export.Users, user{Username: "service-account-" + id, ServiceAccountClientID: id,
			ClientRoles: map[string][]string{"operate-api": {"read:*"}}})
	}
	if err := json.NewEncoder(os.Stdout).Encode(export); err != nil {
		log.Fatal(err)
	}
}
