package api

// openDataRoutes registers the open-data feeds and exports.
func (s *Server) openDataRoutes() {}
