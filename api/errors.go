package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/ospod/ospod/federation"
	"github.com/ospod/ospod/store"
)

// Problem is an RFC 9457 problem details body.
type Problem struct {
	Type      string             `json:"type"`
	Title     string             `json:"title"`
	Status    int                `json:"status"`
	Detail    string             `json:"detail,omitempty"`
	Errors    []store.FieldError `json:"errors,omitempty"`
	RequestID string             `json:"requestId,omitempty"`
}

// httpError is an error with a status and a message safe to show the client.
type httpError struct {
	status int
	detail string
	fields []store.FieldError
}

func (e *httpError) Error() string { return e.detail }

func problem(status int, detail string) error { return &httpError{status: status, detail: detail} }

const contentTypeProblem = "application/problem+json"

// handleError maps every error a handler returns to a status and a body:
// problem+json for API clients, a readable page for browsers. Internal
// details are logged with the request id, never sent.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	p := Problem{Type: "about:blank", RequestID: requestID(c)}
	var (
		he *httpError
		ee *echo.HTTPError
		ve *store.ValidationError
	)
	if fe, ok := federationError(err); ok {
		err = fe
	}
	switch {
	case errors.As(err, &ve):
		p.Status, p.Detail, p.Errors = http.StatusBadRequest, "The document has invalid fields; nothing was stored.", ve.Fields
	case errors.As(err, &he):
		p.Status, p.Detail, p.Errors = he.status, he.detail, he.fields
	case errors.Is(err, store.ErrNotFound):
		p.Status, p.Detail = http.StatusNotFound, "No such resource."
	case errors.Is(err, federation.ErrGone):
		p.Status, p.Detail = http.StatusGone, "This resource was deleted."
	case errors.As(err, &ee):
		p.Status = ee.Code
		if msg, ok := ee.Message.(string); ok && ee.Code < 500 {
			p.Detail = msg
		}
		if ee.Code == http.StatusRequestEntityTooLarge {
			p.Detail = "The request body is larger than the limit of " + limitText(s.opts.BodyLimit) + "."
		}
	default:
		p.Status = http.StatusInternalServerError
	}
	if p.Status >= 500 {
		s.log.Error("request failed", "request_id", p.RequestID, "method", c.Request().Method,
			"path", c.Request().URL.Path, "err", err)
		p.Detail = "Internal error; it has been logged with the request id."
	}
	p.Title = http.StatusText(p.Status)
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(p.Status)
		return
	}
	if s.wantsHTML(c) {
		s.renderErrorPage(c, p)
		return
	}
	body, _ := json.Marshal(p)
	c.Response().Header().Set(echo.HeaderContentType, contentTypeProblem)
	_ = c.Blob(p.Status, contentTypeProblem, body)
}

// limitText writes a body limit in Echo's notation ("1M", "512K") for
// people: Echo counts in powers of 1024.
func limitText(limit string) string {
	l := strings.ToUpper(strings.TrimSpace(limit))
	for _, u := range []struct{ suffix, unit string }{{"G", "GiB"}, {"M", "MiB"}, {"K", "KiB"}} {
		if n, ok := strings.CutSuffix(strings.TrimSuffix(l, "B"), u.suffix); ok {
			return n + " " + u.unit
		}
	}
	return limit + " bytes"
}
