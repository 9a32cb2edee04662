// Package cluster owns the clusters the Administration API reports: Console's "managed
// releases" declared in configuration and kept in the store (Seed), their health from a
// background prober that calls every component's readiness URL (Prober), the
// in-memory view the API serves (Service), and usage metrics fetched from the
// clusters' Operate and Tasklist usage-metrics endpoints (Metrics). No HTTP handlers.
package cluster
