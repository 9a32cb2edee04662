// Package replica supports running several Gatehouse replicas against one database
// and injecting database faults: a private PostgreSQL cluster that can be stopped and
// started (Cluster), fresh schemas and databases on an existing server (NewSchema,
// NewDatabase), and a small client of the HTTP surfaces a replica serves (Client).
//
// It holds no production code. Its own tests prove issue 6 (replicas on one PostgreSQL,
// database outages, SQLite busy/full/read-only); cmd/crashtest uses it for the kill -9
// durability harness. docs/reliability.md describes both and their results.
package replica
