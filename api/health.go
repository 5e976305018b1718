package api

import (
	"net/http"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
)

// readyCacheFor is how long one readiness answer is reused: the check
// writes to the database, and /readyz is open to anyone.
const readyCacheFor = time.Second

// readiness remembers the last readiness check.
type readiness struct {
	mu  sync.Mutex
	at  time.Time
	err error
}

// healthz answers 200 while the process serves HTTP (liveness).
func (s *Server) healthz(c echo.Context) error {
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return c.String(http.StatusOK, "ok\n")
}

// readyz answers 200 when the node can do its work (federation.Node.Ready:
// database migrated and writable, delivery worker running), else 503 with
// the reason.
func (s *Server) readyz(c echo.Context) error {
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	s.ready.mu.Lock()
	if time.Since(s.ready.at) >= readyCacheFor {
		s.ready.err = s.node.Ready(c.Request().Context())
		s.ready.at = time.Now()
	}
	err := s.ready.err
	s.ready.mu.Unlock()
	if err != nil {
		s.log.Warn("not ready", "err", err)
		return c.String(http.StatusServiceUnavailable, "not ready: "+err.Error()+"\n")
	}
	return c.String(http.StatusOK, "ok\n")
}
