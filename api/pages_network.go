package api

import (
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ospod/ospod/api/i18n"
	"github.com/ospod/ospod/store"
)

// The network pages: the directory of every OSPO the node knows and the
// calendar of their upcoming events, searchable with plain GET forms.
//
// They take the JSON API's query parameters (directoryFilter,
// calendarFilter), except that the content-language filter is called
// "language" here: on every page "lang" chooses the interface language.

// maxPageLimit caps the entries of one page, so it stays under 100 KB.
const maxPageLimit = 50

var slugRe = regexp.MustCompile(`^[0-9a-f]{16}$`)

// filterContext hands the API's filter parsers the page's query, with
// "language" read as the API's "lang" and the calendar's "to" date made
// inclusive (to=2032-04-14 means up to the end of that day).
func (s *Server) filterContext(c echo.Context) echo.Context {
	q := url.Values{}
	for k, v := range c.QueryParams() {
		q[k] = v
	}
	q.Del("lang")
	if v := q.Get("language"); v != "" {
		q.Set("lang", v)
	}
	q.Del("language")
	if n, err := strconv.Atoi(q.Get("limit")); err == nil && n > maxPageLimit {
		q.Set("limit", strconv.Itoa(maxPageLimit)) // a page stays light
	}
	if v := q.Get("to"); len(v) == len("2006-01-02") {
		if t, err := time.Parse("2006-01-02", v); err == nil {
			q.Set("to", t.AddDate(0, 0, 1).Format("2006-01-02"))
		}
	}
	req := c.Request().Clone(c.Request().Context())
	req.URL.RawQuery = q.Encode()
	return s.e.NewContext(req, nil)
}

// pageFilterError names the page's parameters in a filter error.
func pageFilterError(err error) error {
	var he *httpError
	if errors.As(err, &he) {
		for i, f := range he.fields {
			if f.Field == "lang" {
				he.fields[i].Field = "language"
			}
		}
	}
	return err
}

// selectView is a filter with its choices and how many results each gives.
type selectView struct {
	ID, Label string
	Options   []optionView
}

type optionView struct {
	Value, Label string
	Selected     bool
}

// param is a query parameter a form carries over in a hidden field.
type param struct{ Name, Value string }

// activeFilters lists the filters in force, for the search form to keep.
func activeFilters(selects []selectView, more ...param) []param {
	var out []param
	for _, sv := range selects {
		for _, o := range sv.Options {
			if o.Selected && o.Value != "" {
				out = append(out, param{sv.ID, o.Value})
			}
		}
	}
	for _, p := range more {
		if p.Value != "" {
			out = append(out, p)
		}
	}
	return out
}

// facetSelect builds a filter's choices from its facet counts, in the given
// order (or by label when order is nil), keeping the current choice even
// when it has no result.
func facetSelect(r *reader, id, label string, counts map[string]int, current string, order []string, name func(string) string) selectView {
	if order == nil {
		for v := range counts {
			order = append(order, v)
		}
		sort.Slice(order, func(i, j int) bool { return name(order[i]) < name(order[j]) })
	}
	sv := selectView{ID: id, Label: label, Options: []optionView{{Value: "", Label: r.T("filters.any"), Selected: current == ""}}}
	seen := false
	for _, v := range order {
		n, ok := counts[v]
		if !ok && v != current {
			continue
		}
		if v == "" || v == store.UndeterminedLanguage {
			continue
		}
		seen = seen || v == current
		sv.Options = append(sv.Options, optionView{Value: v, Label: name(v) + " (" + r.L.Number(n) + ")", Selected: v == current})
	}
	if current != "" && !seen {
		sv.Options = append(sv.Options, optionView{Value: current, Label: name(current) + " (0)", Selected: true})
	}
	return sv
}

func languageLabel(r *reader) func(string) string {
	return func(tag string) string { return i18n.Capitalize(r.L.LanguageName(tag)) }
}

// directoryItem is one OSPO in the directory list.
type entryView struct {
	URL     string
	Name    ltext
	Summary ltext
	Country string
	Level   string
	Kind    string
	KindKey string
	Host    string
}

type directoryView struct {
	Query   string
	Selects []selectView
	Keep    []param // the filters in force, kept by a new search
	Count   string
	Entries []entryView
	Pager   pager
}

func (s *Server) directoryHTML(c echo.Context) error {
	r := s.reader(c)
	f, page, err := directoryFilter(s.filterContext(c))
	if err != nil {
		return pageFilterError(err)
	}
	res, err := s.st.SearchDirectory(c.Request().Context(), f)
	if err != nil {
		return err
	}
	v := directoryView{Query: f.Query, Count: r.N("directory.results", res.Total)}
	v.Selects = []selectView{
		facetSelect(r, "country", r.T("filters.country"), res.Facets["country"], f.Country, nil, r.L.Country),
		facetSelect(r, "level", r.T("filters.level"), res.Facets["level"], f.Level, store.GovernmentLevels(), r.L.Level),
		facetSelect(r, "area", r.T("filters.area"), res.Facets["area"], f.Area, store.SupportAreas(), r.L.Area),
		facetSelect(r, "language", r.T("filters.language"), res.Facets["lang"], f.Lang, nil, languageLabel(r)),
		facetSelect(r, "kind", r.T("filters.kind"), res.Facets["kind"], f.Kind,
			[]string{store.KindSelf, store.KindFollowed, store.KindFollower, store.KindDiscovered, store.KindListed}, r.L.Kind),
	}
	v.Keep = activeFilters(v.Selects)
	for _, e := range res.Entries {
		def := e.Profile.DefaultLanguage()
		sum := r.text(e.Profile.Summary, def)
		sum.Text = truncate(sum.Text, 240)
		v.Entries = append(v.Entries, entryView{URL: s.localPath(s.directoryPage(e)), Name: r.text(e.Profile.Name, def),
			Summary: sum, Country: r.L.Country(e.Profile.Country), Level: r.L.Level(e.Profile.GovernmentLevel),
			Kind: r.L.Kind(e.Kind), KindKey: e.Kind, Host: e.Host})
	}
	v.Pager = newPager(c, r, page, f.Limit, res.Total)
	return s.render(c, http.StatusOK, "directory.html", pageData{reader: r, Title: r.T("directory.title"),
		Section: "directory", Data: v, Feeds: []feedLink{{"text/csv", "/directory.csv", r.T("feed.directoryCSV")}}})
}

// entryPageView is one OSPO of the directory with its origin and events.
type entryPageView struct {
	OSPO     ospoView
	Kind     string
	Host     string
	Account  string
	Source   string
	Updated  string
	UpdatedT string
	Events   []eventView
}

func (s *Server) directoryEntryHTML(c echo.Context) error {
	ctx := c.Request().Context()
	r := s.reader(c)
	slug := c.Param("slug")
	if !slugRe.MatchString(slug) {
		return echo.ErrNotFound
	}
	e, err := s.st.DirectoryEntry(ctx, slug)
	if err != nil {
		return err
	}
	if e.Kind == store.KindSelf {
		return c.Redirect(http.StatusSeeOther, "/actor")
	}
	v := entryPageView{OSPO: r.ospo(e.Profile), Kind: r.L.Kind(e.Kind), Host: e.Host, Account: e.Account,
		Source: webURL(e.Source), Updated: r.L.DateTime(e.UpdatedAt.UTC()), UpdatedT: e.UpdatedAt.UTC().Format(time.RFC3339)}
	v.OSPO.Account = e.Account
	res, err := s.st.SearchCalendar(ctx, store.CalendarFilter{OSPO: e.ID, Limit: 20})
	if err != nil {
		return err
	}
	v.Events = s.calendarEvents(r, res.Entries)
	return s.render(c, http.StatusOK, "entry.html", pageData{reader: r, Title: v.OSPO.Name.Text, Section: "directory", Data: v})
}

// calendarEvents builds the views of calendar entries.
func (s *Server) calendarEvents(r *reader, entries []*store.CalendarEntry) []eventView {
	out := make([]eventView, 0, len(entries))
	for _, ce := range entries {
		out = append(out, s.calendarEvent(r, ce, ce.Organizer))
	}
	return out
}

func (s *Server) calendarEvent(r *reader, ce *store.CalendarEntry, org *store.DirectoryEntry) eventView {
	own := ce.OSPOID == s.node.URLs.Actor
	fallback := ""
	if org != nil {
		fallback = org.Profile.DefaultLanguage()
	}
	v := r.event(ce.Event, fallback)
	v.URL = s.localPath(s.calendarPage(ce))
	if !own {
		v.Original = webURL(ce.URL)
		v.Updated = r.T("event.updated", "date", r.L.DateTime(ce.UpdatedAt.UTC()))
	}
	if org != nil {
		v.Organizer = &orgView{Name: r.text(org.Profile.Name, org.Profile.DefaultLanguage()), URL: s.localPath(s.directoryPage(org))}
	}
	return v
}

// dayView is the calendar's events of one day (in each event's time zone).
type dayView struct {
	Date   string // YYYY-MM-DD
	Label  string
	Events []eventView
}

type calendarView struct {
	Query    string
	From, To string
	Selects  []selectView
	Keep     []param
	Count    string
	Days     []dayView
	Pager    pager
}

func (s *Server) calendarHTML(c echo.Context) error {
	r := s.reader(c)
	f, page, err := calendarFilter(s.filterContext(c))
	if err != nil {
		return pageFilterError(err)
	}
	res, err := s.st.SearchCalendar(c.Request().Context(), f)
	if err != nil {
		return err
	}
	v := calendarView{Query: f.Query, From: c.QueryParam("from"), To: c.QueryParam("to"), Count: r.N("calendar.results", res.Total)}
	online := ""
	if f.Online != nil {
		online = strconv.FormatBool(*f.Online)
	}
	// The store counts "online" and "in-person"; the parameter is online=true|false.
	attendance := map[string]int{}
	if n, ok := res.Facets["online"]["online"]; ok {
		attendance["true"] = n
	}
	if n, ok := res.Facets["online"]["in-person"]; ok {
		attendance["false"] = n
	}
	v.Selects = []selectView{
		facetSelect(r, "online", r.T("filters.attendance"), attendance, online, []string{"true", "false"}, func(v string) string {
			if v == "true" {
				return r.T("filters.online")
			}
			return r.T("filters.inPerson")
		}),
		facetSelect(r, "country", r.T("filters.country"), res.Facets["country"], f.Country, nil, r.L.Country),
		facetSelect(r, "language", r.T("filters.language"), res.Facets["lang"], f.Lang, nil, languageLabel(r)),
	}
	v.Keep = activeFilters(v.Selects, param{"from", v.From}, param{"to", v.To})
	events := s.calendarEvents(r, res.Entries)
	// A page is shown by day even when ranked by relevance.
	sort.SliceStable(events, func(i, j int) bool { return events[i].start.Before(events[j].start) })
	index := map[string]int{}
	for _, e := range events {
		local := e.start.In(e.loc)
		key := local.Format("2006-01-02")
		i, ok := index[key]
		if !ok {
			i = len(v.Days)
			index[key] = i
			v.Days = append(v.Days, dayView{Date: key, Label: r.L.Date(local)})
		}
		v.Days[i].Events = append(v.Days[i].Events, e)
	}
	v.Pager = newPager(c, r, page, f.Limit, res.Total)
	return s.render(c, http.StatusOK, "calendar.html", pageData{reader: r, Title: r.T("calendar.title"), Section: "calendar", Data: v,
		Feeds: []feedLink{{"application/atom+xml", "/calendar.atom", r.T("feed.calendarAtom")}}})
}

func (s *Server) calendarEntryHTML(c echo.Context) error {
	ctx := c.Request().Context()
	r := s.reader(c)
	slug := c.Param("slug")
	if !slugRe.MatchString(slug) {
		return echo.ErrNotFound
	}
	ce, err := s.st.CalendarEntry(ctx, slug)
	if err != nil {
		return err
	}
	if ce.OSPOID == s.node.URLs.Actor {
		return c.Redirect(http.StatusSeeOther, s.localPath(ce.ID))
	}
	org, err := s.st.DirectoryEntry(ctx, ce.OSPOID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	v := s.calendarEvent(r, ce, org)
	return s.render(c, http.StatusOK, "event.html", pageData{reader: r, Title: v.Name.Text, Section: "calendar", Data: v})
}
