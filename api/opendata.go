package api

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
)

// The open data: iCalendar and Atom feeds of the node's events and of the
// network calendar, and exports of the network directory (CSV, JSON,
// OSPOmeta YAML). Every body is built in memory (the sizes are capped), so
// each response carries a strong ETag (a hash of the body), a Last-Modified
// from the store, and answers conditional GETs with 304.

// Media types of the open data.
const (
	mediaICS  = "text/calendar; charset=utf-8"
	mediaAtom = "application/atom+xml; charset=utf-8"
	mediaCSV  = "text/csv; charset=utf-8"
	mediaJSON = "application/json; charset=utf-8"
	mediaYAML = "application/yaml; charset=utf-8"
)

// Caps on what one export holds, so a body stays a few megabytes at most.
const (
	maxOwnEvents      = 5000  // /events.ics
	maxAtomEvents     = 100   // /events.atom, /calendar.atom
	maxNetworkEvents  = 2000  // /calendar.ics: the first ones by start time
	maxDirectoryItems = 20000 // /directory.*
	storePage         = 500   // the largest page the store returns
)

// icsPastWindow is how far back /calendar.ics reaches without ?from=: events
// that just ended stay in subscribers' calendars instead of vanishing.
const icsPastWindow = 30 * 24 * time.Hour

// openDataRoutes registers the open-data feeds and exports.
func (s *Server) openDataRoutes() {
	e := s.e
	get := func(path string, h echo.HandlerFunc) {
		e.Match([]string{http.MethodGet, http.MethodHead}, path, h, openToAll)
	}
	get("/events.ics", s.icsOwnEvents)
	get("/events/:id/ics", s.icsOneEvent)
	get("/events.atom", s.atomOwnEvents)
	get("/calendar.ics", s.icsNetwork)
	get("/calendar.atom", s.atomNetwork)
	get("/directory.csv", s.exportDirectoryCSV)
	get("/directory.json", s.exportDirectoryJSON)
	get("/directory.ospometa.yml", s.exportDirectoryOSPOmeta)
	get("/api/v1/open-data", s.openDataIndex)
	// /events/{id}.ics is the address people expect, but /events/:id is the
	// event's ActivityPub id and page and Echo cannot route a suffix inside
	// a path segment: rewrite it, before routing, to /events/{id}/ics.
	e.Pre(rewriteEventICS)
}

// openToAll lets any origin read the answers (open data, WebFinger), errors included.
func openToAll(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set(echo.HeaderAccessControlAllowOrigin, "*")
		return next(c)
	}
}

var eventICSPath = regexp.MustCompile(`^/events/([0-9a-z]{26})\.ics$`)

func rewriteEventICS(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if m := eventICSPath.FindStringSubmatch(r.URL.Path); m != nil {
			r.URL.Path = "/events/" + m[1] + "/ics"
			r.URL.RawPath = ""
		}
		return next(c)
	}
}

// dataLicence states the terms of the exported data.
type dataLicence struct {
	ID   string `json:"id"`            // SPDX identifier, or NOASSERTION
	URL  string `json:"url,omitempty"` // the licence text
	Note string `json:"note"`
}

var spdxID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9.+-]{0,63}$`)

// licenceURLs are the canonical addresses of licences common for open data;
// others point to the SPDX list.
var licenceURLs = map[string]string{
	"CC0-1.0":      "https://creativecommons.org/publicdomain/zero/1.0/",
	"CC-BY-4.0":    "https://creativecommons.org/licenses/by/4.0/",
	"CC-BY-SA-4.0": "https://creativecommons.org/licenses/by-sa/4.0/",
	"ODbL-1.0":     "https://opendatacommons.org/licenses/odbl/1-0/",
	"etalab-2.0":   "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
}

// ValidDataLicence reports whether id has the shape of an SPDX licence identifier.
func ValidDataLicence(id string) bool { return spdxID.MatchString(id) }

// dataLicence is the licence statement of every export. An identifier that
// is not SPDX-shaped is never guessed into a more permissive one: the
// statement then says NOASSERTION.
func (s *Server) dataLicence() dataLicence {
	id := s.opts.DataLicence
	switch {
	case id == "":
		id = "CC0-1.0"
	case !ValidDataLicence(id):
		id = "NOASSERTION"
	}
	const peers = " Profiles and events of other OSPOs are republished as received from their own nodes, " +
		"each with its source URL; the terms set at the source apply to them."
	if id == "NOASSERTION" {
		return dataLicence{ID: id, Note: "The operator of this node states no licence for the profile and events of its own OSPO (" +
			s.node.URLs.Actor + ")." + peers}
	}
	u, ok := licenceURLs[id]
	if !ok {
		u = "https://spdx.org/licenses/" + id + ".html"
	}
	return dataLicence{ID: id, URL: u, Note: "The profile and events of this node's own OSPO (" + s.node.URLs.Actor +
		") are published by its operator under " + id + " (" + u + ")." + peers}
}

// serveOpenData writes an open-data body with its validators and caching headers,
// or 304 when the client's copy is current. Bodies never depend on the time
// of the request (DTSTAMP, "updated" come from the data), so equal data
// gives an equal ETag.
func (s *Server) serveOpenData(c echo.Context, mediaType string, body []byte, modified time.Time) error {
	if lic := s.dataLicence(); lic.URL != "" {
		c.Response().Header().Set("Link", "<"+lic.URL+`>; rel="license"`)
	}
	return serveValidated(c, mediaType, body, modified, "public, max-age=300")
}

// serveValidated writes a body built in memory with a strong ETag (a hash of
// the body, validators.go), Last-Modified when modified is known, and cacheControl; or 304
// when the client's copy is current. Every document that clients poll goes
// through it: the open data, the search API, NodeInfo, OSPOmeta.
func serveValidated(c echo.Context, mediaType string, body []byte, modified time.Time, cacheControl string) error {
	etag, sent := bodyETags(c, body)
	h := c.Response().Header()
	h.Set(echo.HeaderCacheControl, cacheControl)
	h.Set("ETag", sent)
	modified = modified.UTC().Truncate(time.Second)
	if !modified.IsZero() {
		h.Set(echo.HeaderLastModified, modified.Format(http.TimeFormat))
	}
	if notModified(c.Request(), etag, modified) {
		return c.NoContent(http.StatusNotModified)
	}
	return c.Blob(http.StatusOK, mediaType, body)
}

// serveJSONValidated is serveValidated for a value written as Echo's c.JSON
// writes it (compact, with a final newline).
func serveJSONValidated(c echo.Context, v any, modified time.Time, cacheControl string) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return serveValidated(c, echo.MIMEApplicationJSON, append(body, '\n'), modified, cacheControl)
}

// notModified evaluates If-None-Match, or else If-Modified-Since (RFC 9110
// §13.2.2): a matching tag, or no change since the given date, means 304.
func notModified(r *http.Request, etag string, modified time.Time) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		return etagMatches(inm, etag) // weak comparison, as GET requires
	}
	ims := r.Header.Get(echo.HeaderIfModifiedSince)
	if ims == "" || modified.IsZero() {
		return false
	}
	t, err := http.ParseTime(ims)
	return err == nil && !modified.After(t)
}

// latestTime returns the latest of the times.
func latestTime(ts ...time.Time) time.Time {
	var out time.Time
	for _, t := range ts {
		if t.After(out) {
			out = t
		}
	}
	return out
}

// openDataFeed describes one feed or export in the open-data index.
type openDataFeed struct {
	URL         string   `json:"url"`
	MediaType   string   `json:"mediaType"`
	Title       string   `json:"title"`
	Description string   `json:"description"`
	Filters     []string `json:"filters,omitempty"`
}

type openDataIndex struct {
	Licence dataLicence    `json:"licence"`
	Feeds   []openDataFeed `json:"feeds"`
}

var (
	calendarFilters  = []string{"q", "from", "to", "online", "country", "lang"}
	directoryFilters = []string{"q", "country", "level", "area", "lang", "kind"}
)

// openDataIndex lists every feed and export, for pages and machines.
func (s *Server) openDataIndex(c echo.Context) error {
	b := s.node.URLs.Base
	idx := openDataIndex{Licence: s.dataLicence(), Feeds: []openDataFeed{
		{b + "/events.ics", mediaICS, "Our events (iCalendar)",
			"Every event of this OSPO, upcoming and past, for calendar applications.", nil},
		{b + "/events/{id}.ics", mediaICS, "One event (iCalendar)",
			"A single event of this OSPO; {id} is the last segment of the event's address.", nil},
		{b + "/events.atom", mediaAtom, "Our events (Atom)",
			"The latest events announced by this OSPO, for feed readers.", nil},
		{b + "/calendar.ics", mediaICS, "Network calendar (iCalendar)",
			"Events of every OSPO this node knows, from " + strconv.Itoa(int(icsPastWindow.Hours()/24)) +
				" days ago unless from= is given, soonest first, at most " + strconv.Itoa(maxNetworkEvents) +
				"; filters as /api/v1/calendar.", calendarFilters},
		{b + "/calendar.atom", mediaAtom, "Network calendar (Atom)",
			"The next upcoming events of every OSPO this node knows; filters as /api/v1/calendar.", calendarFilters},
		{b + "/directory.csv", mediaCSV, "Network directory (CSV)",
			"One row per OSPO this node knows, with a header row; multiple values are separated by semicolons. " +
				"?bom=1 starts it with the UTF-8 byte order mark, for spreadsheets that need it (Excel).", directoryFilters},
		{b + "/directory.json", mediaJSON, "Network directory (JSON)",
			"Every OSPO this node knows, as the items of /api/v1/directory, with the licence.", directoryFilters},
		{b + "/directory.ospometa.yml", mediaYAML, "Network directory (OSPOmeta YAML)",
			"Every OSPO this node knows in FLOSS-PSO's OSPOmeta format, keyed by the OSPO's website.", directoryFilters},
		{s.node.URLs.OSPOmeta, mediaYAML, "Our OSPO (OSPOmeta YAML)", "This node's own OSPO in OSPOmeta format.", nil},
		{b + "/api/v1/directory", mediaJSON, "Directory search API",
			"Paged, ranked search of the network directory with facet counts.", directoryFilters},
		{b + "/api/v1/calendar", mediaJSON, "Calendar search API",
			"Paged search of the network calendar with facet counts.", calendarFilters},
	}}
	body, err := marshalExport(idx)
	if err != nil {
		return err
	}
	return s.serveOpenData(c, mediaJSON, body, time.Time{})
}
