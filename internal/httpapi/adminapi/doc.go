// Package adminapi serves the Administration API (Self-Managed) on the console
// listener, as camunda-apis.md §3 describes it: GET /admin-api/clusters,
// GET /admin-api/usage-metrics and the OpenAPI document at /admin-api/openapi/docs.
// Tokens need the console-api audience (or an alias) and read:* or write:* on
// console-api; bearer enforces that. Errors are RFC 9457 problem+json.
package adminapi
