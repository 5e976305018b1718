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
	if err := decodeJSON(c, &p, "actor", "account"); err != nil {
		return err
	}
	before, _ := s.st.Profile(c.Request().Context()) // nil before the first
	if err := s.node.SetProfile(c.Request().Context(), &p); err != nil {
		return err
	}
	noteAudit(c, "profile", changedFields(before, &p))
	return c.JSON(http.StatusOK, s.profileResponse(&p))
}

func (s *Server) adminListEvents(c echo.Context) error {
	return s.listEvents(c, "/api/v1/admin/events")
}

func (s *Server) adminCreateEvent(c echo.Context) error {
	var e store.Event
	if err := decodeJSON(c, &e, "url"); err != nil {
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
	if err := decodeJSON(c, &e, "url"); err != nil {
		return err
	}
	before, _ := s.st.Event(c.Request().Context(), id)
	if err := s.node.UpdateEvent(c.Request().Context(), id, &e); err != nil {
		return err
	}
	noteAudit(c, id, changedFields(before, &e))
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
// object, no unknown fields (a typo is an error, not silently ignored),
// except the read-only fields that GET returns, which are ignored.
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
			return problem(he.Code, "The request body is too large.")
		}
		return problem(http.StatusBadRequest, "Could not read the request body.")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return problem(http.StatusBadRequest, "The request body is empty; send a JSON document.")
	}
	// Drop the read-only keys GET adds, so GET -> edit -> PUT works.
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		return jsonProblem(err)
	}
	for _, k := range append(readOnly, "published", "updated") {
		delete(raw, k)
	}
	if _, ok := raw["id"]; ok {
		delete(raw, "id")
	}
	body, _ = json.Marshal(raw)
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonProblem(err)
	}
	return nil
}

// jsonProblem turns a decoding error into a 400 that names the field when it can.
func jsonProblem(err error) error {
	var (
		se *json.SyntaxError
		te *json.UnmarshalTypeError
	)
	p := &httpError{status: http.StatusBadRequest}
	switch {
	case errors.As(err, &se):
		p.detail = fmt.Sprintf("The body is not valid JSON (at byte %d).", se.Offset)
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "(document)"
		}
		p.detail = "A field has the wrong type."
		p.fields = []store.FieldError{{Field: field, Reason: "must be " + jsonKind(te.Type.Kind().String())}}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		p.detail = "The document has a field this node does not know."
		p.fields = []store.FieldError{{Field: name, Reason: "is not a known field (see docs/profile.md and docs/api.md)"}}
	default:
		p.detail = "The body could not be read as the expected document: " + err.Error()
	}
	return p
}

func jsonKind(k string) string {
	switch k {
	case "string":
		return "a string"
	case "slice", "array":
		return "an array"
	case "struct", "map", "ptr":
		return "an object"
	case "bool":
		return "true or false"
	default:
		return "a number"
	}
}
