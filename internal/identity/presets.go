package identity

import "github.com/gatehouse/gatehouse/internal/store"

// Well-known audiences.
const (
	AudienceIdentity  = "camunda-identity-resource-server"
	AudienceConsole   = "console-api"
	AudienceModeler   = "web-modeler-public-api"
	AudienceSaaSAlias = "api.cloud.camunda.io"
)

func perms(defs ...string) []store.Permission {
	out := make([]store.Permission, 0, len(defs)/2)
	for i := 0; i+1 < len(defs); i += 2 {
		out = append(out, store.Permission{Definition: defs[i], Description: defs[i+1]})
	}
	return out
}

// PresetAPIs are the APIs Camunda Identity creates (camunda-apis.md §2.1), with the
// Console API presented as the Administration Self-Managed API, and the SaaS audience
// as an alias of the two APIs that SaaS serves under it.
func PresetAPIs() []store.API {
	return []store.API{
		{Name: "Camunda Identity Resource Server", Audience: AudienceIdentity, Permissions: perms(
			"read", "Read access to Identity and the Gatehouse management API",
			"read:users", "Read users",
			"write", "Write access to Identity and the Gatehouse management API")},
		{Name: "Administration Self-Managed API", Audience: AudienceConsole, Aliases: []string{AudienceSaaSAlias}, Permissions: perms(
			"read:*", "Read clusters and usage metrics",
			"write:*", "Full access to Console and the Administration API")},
		{Name: "Operate API", Audience: "operate-api", Permissions: perms(
			"read:*", "Read access to Operate", "write:*", "Write access to Operate")},
		{Name: "Tasklist API", Audience: "tasklist-api", Permissions: perms(
			"read:*", "Read access to Tasklist", "write:*", "Write access to Tasklist")},
		{Name: "Optimize API", Audience: "optimize-api", Permissions: perms(
			"write:*", "Full access to Optimize")},
		{Name: "Web Modeler Internal API", Audience: "web-modeler-api", Permissions: perms(
			"write:*", "Access the Web Modeler UI", "admin:*", "Web Modeler super-user")},
		{Name: "Web Modeler API", Audience: AudienceModeler, Aliases: []string{AudienceSaaSAlias}, Permissions: perms(
			"create:*", "POST endpoints of the Web Modeler API",
			"read:*", "GET and search endpoints of the Web Modeler API",
			"update:*", "PATCH and PUT endpoints of the Web Modeler API",
			"delete:*", "DELETE endpoints of the Web Modeler API")},
		{Name: "Zeebe API", Audience: "zeebe-api", Permissions: perms(
			"write:*", "Access the Zeebe API")},
	}
}
