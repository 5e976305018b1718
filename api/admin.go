package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/ospod/ospod/store"
)

// profileResponse is the profile as the APIs return it.
type profileResponse struct {
	*store.Profile
	Actor   string `json:"actor"`
	Account string `json:"account"`
}

// eventResponse is an event as the APIs return it.
type eventResponse struct {
	*store.Event
	URL string `json:"url"`
}

// pageResponse is one page of a list; a search's page carries its facet
// counts too (a plain list has none, and no "facets" member).
type pageResponse[T any] struct {
	Items  []T          `json:"items"`
	Total  int          `json:"total"`
	Page   int          `json:"page"`
	Limit  int          `json:"limit"`
	Next   string       `json:"next,omitempty"`
	Facets store.Facets `json:"facets,omitzero"`
}

func (s *Server) profileResponse(p *store.Profile) profileResponse {
	return profileResponse{Profile: p, Actor: s.node.URLs.Actor, Account: s.node.Account()}
}

func (s *Server) eventResponse(e *store.Event) eventResponse {
	return eventResponse{Event: e, URL: s.node.URLs.Event(e.ID)}
}

func (s *Server) adminGetProfile(c echo.Context) error {
	p, err := s.node.Profile(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.profileResponse(p))
}

func (s *Server) adminPutProfile(c echo.Context) error {
	var p store.Profile
	if err := decodeDocument(c, &p, func() error { p.Normalize(); return p.Validate() }, "actor", "account"); err != nil {
		return err
	}
	before, _ := s.st.Profile(c.Request().Context()) // nil before the first
	if err := s.node.SetProfile(c.Request().Context(), &p); err != nil {
		return err
	}
	auditChange(c, "profile", before != nil, changedFields(before, &p))
	return c.JSON(http.StatusOK, s.profileResponse(&p))
}

func (s *Server) adminListEvents(c echo.Context) error {
	return s.listEvents(c, "/api/v1/admin/events")
}

func (s *Server) adminCreateEvent(c echo.Context) error {
	var e store.Event
	if err := decodeDocument(c, &e, s.eventValidator(c, &e), "url"); err != nil {
		return err
	}
	if err := s.node.CreateEvent(c.Request().Context(), &e); err != nil {
		return err
	}
	noteAudit(c, e.ID, changedFields(nil, &e))
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/admin/events/"+e.ID)
	return c.JSON(http.StatusCreated, s.eventResponse(&e))
}

func (s *Server) adminGetEvent(c echo.Context) error {
	e, err := s.liveEvent(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.eventResponse(e))
}

func (s *Server) adminUpdateEvent(c echo.Context) error {
	id := c.Param("id")
	if !store.ValidID(id) {
		return store.ErrNotFound
	}
	var e store.Event
	if err := decodeDocument(c, &e, s.eventValidator(c, &e), "url"); err != nil {
		return err
	}
	before, _ := s.st.Event(c.Request().Context(), id)
	if err := s.node.UpdateEvent(c.Request().Context(), id, &e); err != nil {
		return err
	}
	auditChange(c, id, before != nil, changedFields(before, &e))
	return c.JSON(http.StatusOK, s.eventResponse(&e))
}

func (s *Server) adminDeleteEvent(c echo.Context) error {
	id := c.Param("id")
	if !store.ValidID(id) {
		return store.ErrNotFound
	}
	if err := s.node.DeleteEvent(c.Request().Context(), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// liveEvent loads the event named in the path; deleted ones are 404 here.
func (s *Server) liveEvent(c echo.Context) (*store.Event, error) {
	id := c.Param("id")
	if !store.ValidID(id) {
		return nil, store.ErrNotFound
	}
	e, err := s.st.Event(c.Request().Context(), id)
	if err != nil {
		return nil, err
	}
	if !e.Deleted.IsZero() {
		return nil, store.ErrNotFound
	}
	return e, nil
}

// decodeJSON reads a JSON request body strictly: application/json only, one
// object, no key twice, no unknown fields (a typo is an error, not silently
// ignored), except the read-only fields that GET returns, which are
// ignored. Every wrong field is reported at once (store.DecodeJSON).
func decodeJSON(c echo.Context, v any, readOnly ...string) error {
	if ct := c.Request().Header.Get(echo.HeaderContentType); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return problem(http.StatusUnsupportedMediaType, "Send the document as application/json.")
		}
	}
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		var he *echo.HTTPError
		if errors.As(err, &he) {
			return he // 413 from the body limit: handleError names the limit
		}
		return problem(http.StatusBadRequest, "Could not read the request body.")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return problem(http.StatusBadRequest, "The request body is empty; send a JSON document.")
	}
	// GET -> edit -> PUT works: the read-only keys GET adds are skipped.
	if err := store.DecodeJSON(body, v, append(readOnly, "id", "published", "updated")...); err != nil {
		return jsonProblem(err)
	}
	return nil
}

// decodeDocument is decodeJSON for a document with a Validate method: when
// some fields cannot be read, the others are still validated, so the answer
// names every invalid field at once.
func decodeDocument(c echo.Context, v any, validate func() error, readOnly ...string) error {
	err := decodeJSON(c, v, readOnly...)
	var he *httpError
	if !errors.As(err, &he) || len(he.fields) == 0 {
		return err
	}
	var ve *store.ValidationError
	if errors.As(validate(), &ve) {
		he.fields = mergeFieldErrors(he.fields, ve.Fields)
	}
	return he
}

// mergeFieldErrors adds to first the errors of more on fields it does not name yet.
func mergeFieldErrors(first, more []store.FieldError) []store.FieldError {
	named := map[string]bool{}
	for _, f := range first {
		named[f.Field] = true
	}
	for _, f := range more {
		if !named[f.Field] && !named[strings.SplitN(strings.SplitN(f.Field, ".", 2)[0], "[", 2)[0]] {
			first = append(first, f)
			named[f.Field] = true
		}
	}
	return first
}

// eventValidator validates an event as the node will (its default language
// from the profile).
func (s *Server) eventValidator(c echo.Context, e *store.Event) func() error {
	return func() error {
		p, err := s.node.Profile(c.Request().Context())
		if err != nil {
			return err
		}
		e.Normalize(p.DefaultLanguage())
		return e.Validate()
	}
}

// jsonProblem turns a decoding error into a 400 that names the fields when it can.
func jsonProblem(err error) error {
	var (
		se *json.SyntaxError
		ve *store.ValidationError
	)
	p := &httpError{status: http.StatusBadRequest}
	switch {
	case errors.As(err, &se):
		p.detail = fmt.Sprintf("The body is not valid JSON (at byte %d).", se.Offset)
	case errors.As(err, &ve):
		p.detail = "The document has fields of the wrong type, given twice or unknown; nothing was stored."
		p.fields = ve.Fields
	default:
		p.detail = "The body could not be read as the expected document: " + err.Error()
	}
	return p
}
