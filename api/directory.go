package api

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ospod/ospod/store"
)

// directoryItem is an OSPO of the network directory as the API returns it.
type directoryItem struct {
	ID      string         `json:"id"`
	Kind    string         `json:"kind"`
	Account string         `json:"account,omitempty"`
	Host    string         `json:"host"`
	Page    string         `json:"page"`
	Source  string         `json:"source"`
	Updated time.Time      `json:"updated"`
	Profile *store.Profile `json:"profile"`
}

// calendarItem is an event of the network calendar as the API returns it.
type calendarItem struct {
	ID        string       `json:"id"`
	Page      string       `json:"page"`
	URL       string       `json:"url"`
	Organizer organizerRef `json:"organizer"`
	Updated   time.Time    `json:"updated"`
	Event     *store.Event `json:"event"`
}

type organizerRef struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Account string `json:"account,omitempty"`
	Page    string `json:"page"`
}

// DirectoryPage is the HTML page of a directory entry on this node.
func (s *Server) directoryPage(e *store.DirectoryEntry) string {
	if e.Kind == store.KindSelf {
		return s.node.URLs.Actor
	}
	return s.node.URLs.Base + "/directory/" + e.Slug
}

// calendarPage is the HTML page of a calendar event on this node.
func (s *Server) calendarPage(c *store.CalendarEntry) string {
	if c.OSPOID == s.node.URLs.Actor {
		return c.ID // our own events are pages at their id
	}
	return s.node.URLs.Base + "/calendar/" + c.Slug
}

func (s *Server) toDirectoryItem(e *store.DirectoryEntry) directoryItem {
	return directoryItem{ID: e.ID, Kind: e.Kind, Account: e.Account, Host: e.Host, Page: s.directoryPage(e),
		Source: e.Source, Updated: e.UpdatedAt, Profile: e.Profile}
}

func (s *Server) toCalendarItem(c *store.CalendarEntry) calendarItem {
	it := calendarItem{ID: c.ID, Page: s.calendarPage(c), URL: c.URL, Updated: c.UpdatedAt, Event: c.Event}
	if o := c.Organizer; o != nil {
		name, _ := o.Profile.Name.Best(o.Profile.DefaultLanguage(), o.Profile.DefaultLanguage())
		it.Organizer = organizerRef{ID: o.ID, Name: name, Account: o.Account, Page: s.directoryPage(o)}
	}
	return it
}

// directoryFilter reads ?q=&country=&level=&area=&lang=&kind=&page=&limit=.
func directoryFilter(c echo.Context) (store.DirectoryFilter, int, error) {
	f := store.DirectoryFilter{
		Query:   strings.TrimSpace(c.QueryParam("q")),
		Country: strings.ToUpper(strings.TrimSpace(c.QueryParam("country"))),
		Level:   strings.TrimSpace(c.QueryParam("level")),
		Area:    strings.TrimSpace(c.QueryParam("area")),
		Lang:    strings.TrimSpace(c.QueryParam("lang")),
		Kind:    strings.TrimSpace(c.QueryParam("kind")),
	}
	var errs []store.FieldError
	if len(f.Query) > 200 {
		errs = append(errs, store.FieldError{Field: "q", Reason: "is too long (at most 200 characters)"})
	}
	if f.Country != "" && !store.ValidCountry(f.Country) {
		errs = append(errs, store.FieldError{Field: "country", Reason: "is not an ISO 3166-1 alpha-2 code, EU or INT"})
	}
	if f.Level != "" && !oneOf(store.GovernmentLevels(), f.Level) {
		errs = append(errs, store.FieldError{Field: "level", Reason: "must be one of " + strings.Join(store.GovernmentLevels(), ", ")})
	}
	if f.Area != "" && !oneOf(store.SupportAreas(), f.Area) {
		errs = append(errs, store.FieldError{Field: "area", Reason: "must be one of " + strings.Join(store.SupportAreas(), ", ")})
	}
	if f.Lang != "" && !store.ValidLanguageTag(f.Lang) {
		errs = append(errs, store.FieldError{Field: "lang", Reason: "is not a BCP 47 language tag"})
	}
	if f.Kind != "" && !oneOf([]string{store.KindSelf, store.KindFollowed, store.KindFollower, store.KindDiscovered, store.KindListed}, f.Kind) {
		errs = append(errs, store.FieldError{Field: "kind", Reason: "must be self, followed, follower, discovered or listed"})
	}
	page, limit, perr := paging(c, 50)
	errs = append(errs, perr...)
	if len(errs) > 0 {
		return f, 0, &httpError{status: http.StatusBadRequest, detail: "Invalid query parameters.", fields: errs}
	}
	f.Limit, f.Offset = limit, (page-1)*limit
	return f, page, nil
}

// calendarFilter reads ?q=&from=&to=&online=&country=&lang=&page=&limit=.
func calendarFilter(c echo.Context) (store.CalendarFilter, int, error) {
	f := store.CalendarFilter{
		Query:   strings.TrimSpace(c.QueryParam("q")),
		Country: strings.ToUpper(strings.TrimSpace(c.QueryParam("country"))),
		Lang:    strings.TrimSpace(c.QueryParam("lang")),
	}
	var errs []store.FieldError
	if len(f.Query) > 200 {
		errs = append(errs, store.FieldError{Field: "q", Reason: "is too long (at most 200 characters)"})
	}
	var err error
	if f.From, err = dateParam(c.QueryParam("from")); err != nil {
		errs = append(errs, store.FieldError{Field: "from", Reason: err.Error()})
	}
	if f.To, err = dateParam(c.QueryParam("to")); err != nil {
		errs = append(errs, store.FieldError{Field: "to", Reason: err.Error()})
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.To.After(f.From) {
		errs = append(errs, store.FieldError{Field: "to", Reason: "must be after from"})
	}
	switch v := c.QueryParam("online"); v {
	case "":
	case "true", "1", "yes":
		t := true
		f.Online = &t
	case "false", "0", "no":
		b := false
		f.Online = &b
	default:
		errs = append(errs, store.FieldError{Field: "online", Reason: "must be true or false"})
	}
	if f.Country != "" && !store.ValidCountry(f.Country) {
		errs = append(errs, store.FieldError{Field: "country", Reason: "is not an ISO 3166-1 alpha-2 code, EU or INT"})
	}
	if f.Lang != "" && !store.ValidLanguageTag(f.Lang) {
		errs = append(errs, store.FieldError{Field: "lang", Reason: "is not a BCP 47 language tag"})
	}
	page, limit, perr := paging(c, 50)
	errs = append(errs, perr...)
	if len(errs) > 0 {
		return f, 0, &httpError{status: http.StatusBadRequest, detail: "Invalid query parameters.", fields: errs}
	}
	f.Limit, f.Offset = limit, (page-1)*limit
	return f, page, nil
}

// dateParam reads an RFC 3339 time or a YYYY-MM-DD date (midnight UTC).
func dateParam(v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, strings.ToUpper(v)); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse("2006-01-02", v); err == nil {
		return t, nil
	}
	return time.Time{}, errBadDate
}

type dateError struct{}

func (dateError) Error() string { return "must be a date (2026-03-05) or an RFC 3339 time" }

var errBadDate = dateError{}

func paging(c echo.Context, defLimit int) (page, limit int, errs []store.FieldError) {
	page, limit = 1, defLimit
	if v := c.QueryParam("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100000 {
			errs = append(errs, store.FieldError{Field: "page", Reason: "must be an integer from 1 to 100000"})
		} else {
			page = n
		}
	}
	if v := c.QueryParam("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 200 {
			errs = append(errs, store.FieldError{Field: "limit", Reason: "must be an integer from 1 to 200"})
		} else {
			limit = n
		}
	}
	return page, limit, errs
}

func oneOf(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// nextURL is the URL of the next page of the current query.
func (s *Server) nextURL(c echo.Context, page int) string {
	q := url.Values{}
	for k, v := range c.QueryParams() {
		q[k] = v
	}
	q.Set("page", strconv.Itoa(page+1))
	return s.node.URLs.Base + c.Request().URL.Path + "?" + q.Encode()
}

// searchCacheControl lets caches keep a search answer briefly; the
// validators make the re-fetch after that cheap.
const searchCacheControl = "public, max-age=60"

func (s *Server) apiDirectory(c echo.Context) error {
	f, page, err := directoryFilter(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	res, err := s.st.SearchDirectory(ctx, f)
	if err != nil {
		return err
	}
	modified, err := s.st.DirectoryLastModified(ctx)
	if err != nil {
		return err
	}
	return serveJSONValidated(c, listPage(s, c, page, f.Limit, f.Offset, res.Total, res.Facets, res.Entries, s.toDirectoryItem),
		modified, searchCacheControl)
}

func (s *Server) apiCalendar(c echo.Context) error {
	f, page, err := calendarFilter(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	res, err := s.st.SearchCalendar(ctx, f)
	if err != nil {
		return err
	}
	modified, err := s.feedsModified(ctx)
	if err != nil {
		return err
	}
	return serveJSONValidated(c, listPage(s, c, page, f.Limit, f.Offset, res.Total, res.Facets, res.Entries, s.toCalendarItem),
		modified, searchCacheControl)
}

// listPage is one page of a search answer, with the link to the next page.
func listPage[E, T any](s *Server, c echo.Context, page, limit, offset, total int, facets store.Facets,
	entries []E, convert func(E) T) pageResponse[T] {
	out := pageResponse[T]{Items: make([]T, 0, len(entries)), Total: total, Page: page, Limit: limit, Facets: facets}
	for _, e := range entries {
		out.Items = append(out.Items, convert(e))
	}
	if offset+len(entries) < total {
		out.Next = s.nextURL(c, page)
	}
	return out
}

func (s *Server) apiDirectoryEntry(c echo.Context) error {
	e, err := s.st.DirectoryEntry(c.Request().Context(), c.Param("slug"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.toDirectoryItem(e))
}
