// Package api is the node's HTTP surface: routes, middleware, content
// negotiation, the admin and public JSON APIs, error mapping and HTML pages.
// Echo is used here and nowhere else.
package api

import (
	"context"
	"crypto/sha256"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/ospod/ospod/api/auth"
	"github.com/ospod/ospod/federation"
	"github.com/ospod/ospod/store"
)

// Options configures the HTTP server.
type Options struct {
	// AdminTokenHash is the SHA-256 of the admin bearer token. Without it the admin API answers 401.
	AdminTokenHash []byte
	// Logger receives request logs and errors (default slog.Default()).
	Logger *slog.Logger
	// BodyLimit caps request bodies (default "1M").
	BodyLimit string
	// InboxRate is the number of inbox requests per second allowed from one
	// remote host, with bursts of ten times as many (default 50; negative: no limit).
	InboxRate float64
	// DataLicence is the SPDX identifier of the licence under which the
	// operator publishes the node's own data in the open-data exports
	// (default "CC0-1.0"); peers' data is republished as received.
	DataLicence string
	// SessionIdle ends a staff session unused for this long (default 12h).
	SessionIdle time.Duration
	// OIDC turns on single sign-on with an OpenID Connect provider (off without an issuer).
	OIDC OIDCOptions
}

// Server serves one node over HTTP.
type Server struct {
	e     *echo.Echo
	node  *federation.Node
	st    *store.Store
	log   *slog.Logger
	opts  Options
	pages *pages

	inboxLimiter *hostLimiter
	crossOrigin  *http.CrossOriginProtection // admin forms (admin_session.go)

	// Single sign-on (admin_oidc.go); oidc is nil when it is off.
	oidc      *auth.OIDC
	oidcName  string
	oidcFlows *oidcFlows

	ready readiness // the last /readyz answer (health.go)
}

// New builds the server and its routes.
func New(node *federation.Node, o Options) *Server {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.BodyLimit == "" {
		o.BodyLimit = "1M"
	}
	if o.SessionIdle <= 0 {
		o.SessionIdle = 12 * time.Hour
	}
	s := &Server{e: echo.New(), node: node, st: node.Store(), log: o.Logger, opts: o, pages: newPages(),
		crossOrigin: http.NewCrossOriginProtection()}
	// Behind a proxy the Host header may not be the public one: the base
	// URL's origin is always trusted.
	if u, err := url.Parse(node.URLs.Base); err == nil {
		_ = s.crossOrigin.AddTrustedOrigin(u.Scheme + "://" + u.Host)
	}
	s.setupOIDC(o.OIDC)
	switch {
	case o.InboxRate == 0:
		s.inboxLimiter = newHostLimiter(50, 500)
	case o.InboxRate > 0:
		s.inboxLimiter = newHostLimiter(o.InboxRate, int(o.InboxRate*10)+1)
	}
	s.e.HideBanner, s.e.HidePort = true, true
	s.e.Pre(headAsGet)
	s.e.HTTPErrorHandler = s.handleError
	// Behind a reverse proxy the peer address is the proxy's; we never trust
	// client-sent X-Forwarded-For by default.
	s.e.IPExtractor = echo.ExtractIPDirect()
	s.e.Use(
		restoreHead,
		middleware.RequestID(),
		s.recoverer(),
		s.requestLogger(),
		middleware.SecureWithConfig(middleware.SecureConfig{
			XSSProtection: "0", ContentTypeNosniff: "nosniff", XFrameOptions: "DENY",
			ReferrerPolicy: "strict-origin-when-cross-origin",
		}),
		middleware.BodyLimit(o.BodyLimit),
		// What it compresses decides the ETag of a body (validators.go).
		middleware.GzipWithConfig(middleware.GzipConfig{MinLength: gzipMinLength, Skipper: gzipSkipped}),
	)
	s.routes()
	return s
}

// Handler returns the server as an http.Handler (for tests and embedding).
func (s *Server) Handler() http.Handler { return s.e }

// Serve answers requests on l until ctx ends, then shuts down gracefully.
func (s *Server) Serve(ctx context.Context, l net.Listener) error {
	hs := &http.Server{
		Handler:           s.e,
		ReadHeaderTimeout: 10 * time.Second, // slow-loris
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(l) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutCtx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// HashToken returns the SHA-256 of an admin token, the form in which it is stored.
func HashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}
