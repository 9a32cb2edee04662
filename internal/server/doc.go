// Package server is Gatehouse's one composition root: it opens the store, checks the
// master key, builds the domain services, mounts every HTTP surface on its listener,
// runs the background loops and shuts all of it down gracefully. Nothing else wires
// components together, and only this package (and cmd) imports database drivers.
//
// New builds everything in one explicit order (build.go: realms, keys, configured data,
// audit, deny lists, clusters, the resource APIs' authenticators, handlers, runners).
// Run serves the listeners and starts the runners (run.go): each package's own loop
// (keys.Manager.Run, identity.DenyList.Run, cluster.Service.Run, bearer.Remote.Run,
// audit.Recorder.Run) and the revision poll (fault.go), and stops them after the
// listeners have shut down. Both resource APIs are built by resourceAPI (resource.go)
// from the same options. OpenOffline (offline.go) gives the CLI's offline commands the
// store and services without listeners.
package server
