// Package store owns Gatehouse's persistent records, the one Store interface every
// backend implements, and the sentinel errors callers inspect with errors.Is.
//
// Records are plain structs. Backends (sqlstore: SQLite and PostgreSQL) must pass the
// conformance suite in storetest. Times are stored with millisecond precision in UTC.
// Every read and write is scoped by realm: an object of another realm is ErrNotFound.
package store
