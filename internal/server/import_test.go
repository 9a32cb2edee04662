package server_test

import (
	"context"
	"os"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse/gatehouse/internal/identity"
	"github.com/gatehouse/gatehouse/internal/server/servertest"
)

// TestImportKeycloak imports a realm export shaped like the Camunda Helm chart's
// Keycloak realm; the imported clients' secrets then obtain tokens with the right
// permissions, and a second import changes nothing.
func TestImportKeycloak(t *testing.T) {
	in := servertest.Start(t, servertest.Options{})
	f, err := os.Open("testdata/keycloak-realm-export.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	kr, err := identity.ParseKeycloakRealm(f)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	rep, err := in.Identity.ImportKeycloak(ctx, realm, kr)
	if err != nil {
		t.Fatal(err)
	}
	actions := func(items []identity.ImportItem) map[string]string {
		m := map[string]string{}
		for _, i := range items {
			m[i.ID] = i.Action + i.Reason
		}
		return m
	}
	wantApps := map[string]string{"camunda-identity": "created", "operate": "created", "zeebe": "created", "connectors": "created"}
	if d := cmp.Diff(wantApps, actions(rep.Apps)); d != "" {
		t.Errorf("applications (-want +got):\n%s", d)
	}
	wantAPIs := map[string]string{"analytics-api": "created", "camunda-identity-resource-server": "unchanged", "operate-api": "unchanged", "zeebe-api": "unchanged"}
	if d := cmp.Diff(wantAPIs, actions(rep.APIs)); d != "" {
		t.Errorf("APIs (-want +got):\n%s", d)
	}
	skipped := actions(rep.Skipped)
	for _, id := range []string{"billing-export", "signed-jwt-job", "old-job", "web-modeler", "console", "connectors reports-api:read:*"} {
		if skipped[id] == "" {
			t.Errorf("%s not reported as skipped: %v", id, skipped)
		}
	}
	if rep.Grants != 8 {
		t.Errorf("grants %d, want 8", rep.Grants)
	}
	for _, tc := range []struct {
		id, secret, audience string
		want                 map[string][]string
	}{
		{"zeebe", "zeebe-secret-from-keycloak", "", map[string][]string{"zeebe-api": {"write:*"}}},
		{"connectors", "connectors-secret-from-keycloak", "", map[string][]string{"operate-api": {"read:*"}, "analytics-api": {"read:reports"}, "tasklist-api": {"read:*"}}},
		// The management API's audience is only in a token that asks for it.
		{"camunda-identity", "identity-secret-from-keycloak", "camunda-identity-resource-server", map[string][]string{"camunda-identity-resource-server": {"read", "write"}}},
	} {
		claims := decodeClaims(t, in.Token(t, realm, tc.id, tc.secret, tc.audience))
		got := map[string][]string{}
		for api, ps := range claims["permissions"].(map[string]any) {
			for _, p := range ps.([]any) {
				got[api] = append(got[api], p.(string))
			}
			slices.Sort(got[api])
		}
		if d := cmp.Diff(tc.want, got); d != "" {
			t.Errorf("%s permissions (-want +got):\n%s", tc.id, d)
		}
	}
	again, err := in.Identity.ImportKeycloak(ctx, realm, kr)
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range append(again.Apps, again.APIs...) {
		if i.Action != "unchanged" {
			t.Errorf("second import: %s %s %s", i.Kind, i.ID, i.Action)
		}
	}
	app, _ := in.Store().GetAppByClientID(ctx, realm, "zeebe")
	for _, s := range app.Secrets {
		if string(s.Hash) == "zeebe-secret-from-keycloak" {
			t.Fatal("secret stored in plain text")
		}
	}
}
