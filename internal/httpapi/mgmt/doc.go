// Package mgmt serves Gatehouse's management REST API on the identity listener under
// /manage/v1/realms/{realm}/…: applications (with their secrets and permissions),
// APIs, users, clusters, signing keys and the audit trail. docs/management-api.md
// describes it and openapi.json (served at /manage/v1/openapi.json) specifies it.
//
// Every request carries a Gatehouse access token of that realm for the audience
// camunda-identity-resource-server: "read" to read, "write" to change (bearer
// middleware, deny-list included). Errors are RFC 9457 problem details. Request bodies
// are JSON objects of at most 1 MiB whose unknown members are refused; ids are made by
// the server. Every change — successful or not — writes exactly one audit event (actor =
// the token's client_id) through the synchronous audit writer, and never a secret.
// Objects of another realm answer 404.
package mgmt
