package api

import (
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// requireAdmin checks "Authorization: Bearer <token>" against the stored
// hash (checkBearer: constant time, throttled per address).
func (s *Server) requireAdmin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := s.checkBearer(c); err != nil {
			return err
		}
		return next(c)
	}
}

// recoverer turns a panic into a logged 500 without detail for the client.
func (s *Server) recoverer() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) (err error) {
			defer func() {
				if r := recover(); r != nil {
					if r == http.ErrAbortHandler {
						panic(r)
					}
					s.log.Error("panic", "request_id", requestID(c), "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
					err = fmt.Errorf("panic: %v", r)
				}
			}()
			return next(c)
		}
	}
}

func (s *Server) requestLogger() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			err := next(c)
			if err != nil {
				c.Error(err)
			}
			req := c.Request()
			s.log.LogAttrs(req.Context(), slog.LevelDebug, "request",
				slog.String("method", req.Method), slog.String("path", req.URL.Path),
				slog.Int("status", c.Response().Status), slog.Duration("took", time.Since(start)),
				slog.String("request_id", requestID(c)))
			return nil
		}
	}
}

func requestID(c echo.Context) string {
	return c.Response().Header().Get(echo.HeaderXRequestID)
}

// wantsActivityJSON reports whether the Accept header asks for ActivityStreams:
// application/activity+json, or application/ld+json with the AS profile (or none).
func wantsActivityJSON(accept string) bool {
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch mt {
		case "application/activity+json":
			return true
		case "application/ld+json":
			if p := params["profile"]; p == "" || strings.Contains(p, "https://www.w3.org/ns/activitystreams") {
				return true
			}
		}
	}
	return false
}

// wantsPlainJSON reports whether the Accept header asks for application/json
// and not for HTML: a JSON client (a script, a validator) gets the JSON
// document of a page's URL; browsers always name text/html.
func wantsPlainJSON(accept string) bool {
	json, html := false, false
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil || params["q"] == "0" {
			continue
		}
		switch mt {
		case "application/json":
			json = true
		case "text/html", "application/xhtml+xml":
			html = true
		}
	}
	return json && !html
}
