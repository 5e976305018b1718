package api

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/ospod/ospod/store"
)

func (s *Server) publicProfile(c echo.Context) error {
	p, err := s.node.Profile(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.profileResponse(p))
}

func (s *Server) publicEvents(c echo.Context) error {
	return s.listEvents(c, "/api/v1/events")
}

func (s *Server) publicEvent(c echo.Context) error {
	e, err := s.liveEvent(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.eventResponse(e))
}

// listEvents answers ?when=upcoming|past|all&page=N&limit=M with a page of events.
func (s *Server) listEvents(c echo.Context, path string) error {
	f, page, err := eventFilter(c)
	if err != nil {
		return err
	}
	events, total, err := s.st.ListEvents(c.Request().Context(), f)
	if err != nil {
		return err
	}
	res := pageResponse[eventResponse]{Items: []eventResponse{}, Total: total, Page: page, Limit: f.Limit}
	for _, e := range events {
		res.Items = append(res.Items, s.eventResponse(e))
	}
	if f.Offset+len(events) < total {
		q := url.Values{"when": {c.QueryParam("when")}, "page": {strconv.Itoa(page + 1)}, "limit": {strconv.Itoa(f.Limit)}}
		if q.Get("when") == "" {
			q.Del("when")
		}
		res.Next = s.node.URLs.Base + path + "?" + q.Encode()
	}
	return c.JSON(http.StatusOK, res)
}

func eventFilter(c echo.Context) (store.EventFilter, int, error) {
	f := store.EventFilter{Limit: 20}
	switch c.QueryParam("when") {
	case "", "all":
		f.When = store.EventsAll
	case "upcoming":
		f.When = store.EventsUpcoming
	case "past":
		f.When = store.EventsPast
	default:
		return f, 0, fieldProblem("when", "must be upcoming, past or all")
	}
	page, err := intParam(c, "page", 1, 1, 100000)
	if err != nil {
		return f, 0, err
	}
	if f.Limit, err = intParam(c, "limit", 20, 1, 100); err != nil {
		return f, 0, err
	}
	f.Offset = (page - 1) * f.Limit
	return f, page, nil
}

func intParam(c echo.Context, name string, def, min, max int) (int, error) {
	v := c.QueryParam(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < min || n > max {
		return 0, fieldProblem(name, fmt.Sprintf("must be an integer from %d to %d", min, max))
	}
	return n, nil
}

func fieldProblem(field, reason string) error {
	return &httpError{status: http.StatusBadRequest, detail: "Invalid parameter: " + field + ".",
		fields: []store.FieldError{{Field: field, Reason: reason}}}
}

// jsonAs writes v as JSON with the given content type.
func jsonAs(c echo.Context, status int, contentType string, v any) error {
	c.Response().Header().Set(echo.HeaderContentType, contentType)
	return c.JSON(status, v)
}
