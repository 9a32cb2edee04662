package server

import "context"

// RefreshAudiences applies the APIs' audiences and aliases in the store to the resource
// APIs now, as the one-second revision poll does, so that -short tests need not wait for
// the poll (the full suite waits for the poll itself).
func (s *Server) RefreshAudiences(ctx context.Context) error { return s.refreshAudiences(ctx) }
