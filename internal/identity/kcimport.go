package identity

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/gatehouse/gatehouse/internal/store"
)

// KeycloakRealm is the part of a Keycloak realm export (kc.sh export, or the admin
// console's partial export with secrets) that Gatehouse imports.
type KeycloakRealm struct {
	Realm   string           `json:"realm"`
	Clients []KeycloakClient `json:"clients"`
	Roles   struct {
		Client map[string][]KeycloakRole `json:"client"`
	} `json:"roles"`
	Users []KeycloakUser `json:"users"`
}

// KeycloakClient is one client of the export.
type KeycloakClient struct {
	ClientID               string `json:"clientId"`
	Name                   string `json:"name"`
	Enabled                *bool  `json:"enabled"`
	PublicClient           bool   `json:"publicClient"`
	BearerOnly             bool   `json:"bearerOnly"`
	ServiceAccountsEnabled bool   `json:"serviceAccountsEnabled"`
	ClientAuthenticator    string `json:"clientAuthenticatorType"`
	Secret                 string `json:"secret"`
}

// KeycloakRole is a client role: a permission of the API that client stands for.
type KeycloakRole struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

// KeycloakUser is a user of the export; service-account users carry the client roles
// granted to their client.
type KeycloakUser struct {
	Username               string              `json:"username"`
	ServiceAccountClientID string              `json:"serviceAccountClientId"`
	ClientRoles            map[string][]string `json:"clientRoles"`
}

// ImportReport says what an import did and what it skipped, and why.
type ImportReport struct {
	APIs    []ImportItem `json:"apis"`
	Apps    []ImportItem `json:"applications"`
	Grants  int          `json:"grants"`
	Skipped []ImportItem `json:"skipped"`
}

// ImportItem names one imported or skipped object.
type ImportItem struct {
	Kind   string `json:"kind"`
	ID     string `json:"id"`
	Action string `json:"action,omitempty"` // created, updated, unchanged
	Reason string `json:"reason,omitempty"` // why it was skipped
}

// builtinClients are Keycloak's own clients: nothing to import.
var builtinClients = []string{"account", "account-console", "admin-cli", "broker", "realm-management", "security-admin-console"}

// ParseKeycloakRealm reads a realm export (at most 64 MiB).
func ParseKeycloakRealm(r io.Reader) (KeycloakRealm, error) {
	var kr KeycloakRealm
	dec := json.NewDecoder(io.LimitReader(r, 64<<20))
	if err := dec.Decode(&kr); err != nil {
		return KeycloakRealm{}, fmt.Errorf("identity: not a Keycloak realm export: %w", err)
	}
	if kr.Realm == "" && len(kr.Clients) == 0 {
		return KeycloakRealm{}, errors.New("identity: not a Keycloak realm export: no realm and no clients")
	}
	return kr, nil
}

// ImportKeycloak turns a Keycloak realm export into Gatehouse objects of realm:
//   - every client with client roles becomes an API (audience = client id, permissions =
//     its roles with their descriptions), or gains the permissions it lacks;
//   - every enabled confidential client with a service account and a secret becomes an
//     M2M application with that client id; the secret is stored as a declared one
//     (SHA-256 for the generated format, else argon2id offline or the master-key HMAC
//     in a server: seed.go);
//   - every service-account user's client roles become grants.
//
// It is idempotent: importing the same export again changes nothing. Public and
// browser-only clients, Keycloak's built-in clients, clients whose secret the export
// masks, and roles of unknown APIs are skipped with a reason.
func (s *Service) ImportKeycloak(ctx context.Context, realm string, kr KeycloakRealm) (ImportReport, error) {
	var rep ImportReport
	apiClients := make([]string, 0, len(kr.Roles.Client))
	for id := range kr.Roles.Client {
		apiClients = append(apiClients, id)
	}
	sort.Strings(apiClients)
	names := map[string]string{}
	for _, c := range kr.Clients {
		names[c.ClientID] = c.Name
	}
	audiences := map[string]bool{}
	for _, id := range apiClients {
		if slices.Contains(builtinClients, id) {
			continue
		}
		item, err := s.importAPI(ctx, realm, id, names[id], kr.Roles.Client[id])
		if err != nil {
			return rep, err
		}
		if item.Reason != "" {
			rep.Skipped = append(rep.Skipped, item)
			continue
		}
		audiences[id] = true
		rep.APIs = append(rep.APIs, item)
	}
	// Roles of APIs the realm already has (the presets) can be granted too.
	existing, err := s.store.ListAPIs(ctx, realm)
	if err != nil {
		return rep, err
	}
	for _, a := range existing {
		audiences[a.Audience] = true
	}
	grants := map[string][]PermissionRef{}
	for _, u := range kr.Users {
		if u.ServiceAccountClientID == "" {
			continue
		}
		for api, roles := range u.ClientRoles {
			for _, role := range roles {
				if !audiences[api] {
					if !slices.Contains(builtinClients, api) {
						rep.Skipped = append(rep.Skipped, ImportItem{Kind: "grant", ID: u.ServiceAccountClientID + " " + api + ":" + role, Reason: "no API " + api + " in the export or in Gatehouse"})
					}
					continue
				}
				grants[u.ServiceAccountClientID] = append(grants[u.ServiceAccountClientID], PermissionRef{Audience: api, Definition: role})
			}
		}
	}
	var specs []ClientSpec
	for _, c := range kr.Clients {
		if reason := skipClient(c); reason != "" {
			if !audiences[c.ClientID] { // an API's own client is not an application: nothing to report
				rep.Skipped = append(rep.Skipped, ImportItem{Kind: "client", ID: c.ClientID, Reason: reason})
			}
			continue
		}
		name := c.Name
		if name == "" || strings.HasPrefix(name, "${") {
			name = c.ClientID
		}
		specs = append(specs, ClientSpec{Name: name, ID: c.ClientID, Secret: c.Secret, Type: "M2M", Permissions: grants[c.ClientID]})
		rep.Grants += len(grants[c.ClientID])
	}
	res, err := s.Seed(ctx, realm, specs)
	for _, r := range res {
		rep.Apps = append(rep.Apps, ImportItem{Kind: "application", ID: r.ClientID, Action: r.Action})
	}
	return rep, err
}

func skipClient(c KeycloakClient) string {
	switch {
	case slices.Contains(builtinClients, c.ClientID):
		return "Keycloak built-in client"
	case c.Enabled != nil && !*c.Enabled:
		return "disabled in Keycloak"
	case c.PublicClient:
		return "public client: browser login only, no secret"
	case c.BearerOnly:
		return "bearer-only client"
	case !c.ServiceAccountsEnabled:
		return "no service account"
	case c.ClientAuthenticator != "" && c.ClientAuthenticator != "client-secret":
		return "client authenticator " + c.ClientAuthenticator + " is not supported"
	case c.Secret == "" || strings.Trim(c.Secret, "*") == "":
		return "secret not in the export (export with secrets, or set it with a configured client)"
	}
	return ""
}

// importAPI makes the API of a Keycloak client with roles exist with every role as a
// permission.
func (s *Service) importAPI(ctx context.Context, realm, audience, name string, roles []KeycloakRole) (ImportItem, error) {
	item := ImportItem{Kind: "api", ID: audience}
	var perms []store.Permission
	for _, r := range roles {
		if checkDefinition("permission", r.Name) != nil {
			continue
		}
		perms = append(perms, store.Permission{Definition: r.Name, Description: r.Description})
	}
	if checkAudience("audience", audience) != nil || len(perms) == 0 {
		item.Reason = "not a valid API audience or no usable roles"
		return item, nil
	}
	apis, err := s.store.ListAPIs(ctx, realm)
	if err != nil {
		return item, err
	}
	i := slices.IndexFunc(apis, func(a store.API) bool { return a.Audience == audience })
	if i < 0 {
		if name == "" || strings.HasPrefix(name, "${") {
			name = audience
		}
		if _, err := s.createAPI(ctx, realm, APISpec{Name: name, Audience: audience, Permissions: perms}); err != nil {
			return item, fmt.Errorf("identity: import API %s: %w", audience, err)
		}
		item.Action = "created"
		return item, nil
	}
	merged := slices.Clone(apis[i].Permissions)
	for _, p := range perms {
		if !slices.ContainsFunc(merged, func(x store.Permission) bool { return x.Definition == p.Definition }) {
			merged = append(merged, p)
		}
	}
	if len(merged) == len(apis[i].Permissions) {
		item.Action = "unchanged"
		return item, nil
	}
	if _, err := s.updateAPI(ctx, realm, apis[i].ID, APIPatch{Permissions: &merged}); err != nil {
		return item, fmt.Errorf("identity: import API %s: %w", audience, err)
	}
	item.Action = "updated"
	return item, nil
}
