// Package identity holds the domain rules of realms, M2M applications, their secrets,
// APIs (audiences) with permission definitions, grants and users. It has no HTTP: the
// token endpoint, the management API, the CLI and the console all act through it.
package identity
