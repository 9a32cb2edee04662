// Package server is Gatehouse's one composition root: it opens the store, checks the
// master key, builds the domain services, mounts every HTTP surface on its listener,
// runs the background loops (cache refresh, key rotation, audit batches) and shuts all
// of it down gracefully. Nothing else wires components together, and only this package
// (and cmd) imports database drivers.
package server
