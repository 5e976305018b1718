package api_test

import (
	"bytes"
	"encoding/xml"
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/ospod/ospod/api/nodetest"
)

// odResponse is an HTTP answer with its body read.
type odResponse struct {
	*http.Response
	body []byte
}

// odGet requests url with the given header pairs (name, value, ...).
func odGet(t *testing.T, method, url string, headers ...string) odResponse {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return odResponse{resp, b}
}

// odFetch GETs url, wants 200 and the media type, and returns the body.
func odFetch(t *testing.T, url, mediaType string) []byte {
	t.Helper()
	r := odGet(t, http.MethodGet, url)
	if r.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", url, r.StatusCode, r.body)
	}
	if ct := r.Header.Get("Content-Type"); ct != mediaType {
		t.Errorf("GET %s: Content-Type %q, want %q", url, ct, mediaType)
	}
	return r.body
}

// postEvent creates docs/examples/event.json, changed by mutate, and returns its id.
func postEvent(t *testing.T, n *nodetest.Node, mutate func(map[string]any)) string {
	t.Helper()
	ev := exampleDoc(t, "event.json")
	if mutate != nil {
		mutate(ev)
	}
	var res struct{ ID string }
	if code := n.Admin(http.MethodPost, "/api/v1/admin/events", ev, &res); code != http.StatusCreated {
		t.Fatalf("create event: %d", code)
	}
	return res.ID
}

func parseICS(t *testing.T, body []byte) *ics.Calendar {
	t.Helper()
	cal, err := ics.ParseCalendar(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("iCalendar does not parse: %v\n%s", err, body)
	}
	return cal
}

// vevents indexes a calendar's events by UID.
func vevents(cal *ics.Calendar) map[string]*ics.VEvent {
	out := map[string]*ics.VEvent{}
	for _, e := range cal.Events() {
		out[e.Id()] = e
	}
	return out
}

func prop(c *ics.ComponentBase, name string) string {
	if p := c.GetProperty(ics.ComponentProperty(name)); p != nil {
		return p.Value
	}
	return ""
}

func param(c *ics.ComponentBase, name, param string) string {
	if p := c.GetProperty(ics.ComponentProperty(name)); p != nil && len(p.ICalParameters[param]) == 1 {
		return p.ICalParameters[param][0]
	}
	return ""
}

func calProp(cal *ics.Calendar, name string) string {
	for _, p := range cal.CalendarProperties {
		if p.IANAToken == name {
			return p.Value
		}
	}
	return ""
}

// zoneOffset resolves a local DATE-TIME with the calendar's own VTIMEZONE
// (the latest observance whose onset is not after it), independently of
// Go's time zone database: it checks the VTIMEZONE we wrote.
func zoneOffset(t *testing.T, cal *ics.Calendar, tzid, local string) time.Duration {
	t.Helper()
	for _, tz := range cal.Timezones() {
		if prop(&tz.ComponentBase, "TZID") != tzid {
			continue
		}
		best, offset := "", ""
		for _, sub := range tz.SubComponents() {
			var cb *ics.ComponentBase
			switch o := sub.(type) {
			case *ics.Standard:
				cb = &o.ComponentBase
			case *ics.Daylight:
				cb = &o.ComponentBase
			default:
				continue
			}
			onset := prop(cb, "DTSTART")
			if onset <= local && onset > best {
				best, offset = onset, prop(cb, "TZOFFSETTO")
			}
		}
		if offset == "" {
			t.Fatalf("VTIMEZONE %s has no observance for %s", tzid, local)
		}
		d, err := time.ParseDuration(offset[1:3] + "h" + offset[3:5] + "m")
		if err != nil {
			t.Fatal(err)
		}
		if offset[0] == '-' {
			d = -d
		}
		return d
	}
	t.Fatalf("no VTIMEZONE %s", tzid)
	return 0
}

// instant reads DTSTART or DTEND: UTC, or local time in a TZID resolved
// through the calendar's VTIMEZONE.
func instant(t *testing.T, cal *ics.Calendar, e *ics.VEvent, name string) time.Time {
	t.Helper()
	v, tzid := prop(&e.ComponentBase, name), param(&e.ComponentBase, name, "TZID")
	if tzid == "" {
		u, err := time.Parse("20060102T150405Z", v)
		if err != nil {
			t.Fatalf("%s %q: %v", name, v, err)
		}
		return u
	}
	l, err := time.Parse("20060102T150405", v)
	if err != nil {
		t.Fatalf("%s %q: %v", name, v, err)
	}
	return l.Add(-zoneOffset(t, cal, tzid, v))
}

// TestOpenDataEventsICS: the node's own events, upcoming and past, read back
// with golang-ical: every property the issue asks for, status mapping, UTC
// events, time zones through the VTIMEZONE we wrote, text escaping.
func TestOpenDataEventsICS(t *testing.T) {
	n := nodetest.Start(t, nodetest.Options{})
	setProfile(t, n, nil)
	id := postEvent(t, n, nil)
	past := postEvent(t, n, func(e map[string]any) {
		e["name"] = map[string]string{"fr": "Atelier, passé; fini"}
		e["description"] = map[string]string{"fr": "Ligne 1\nLigne 2 \\ fin"}
		e["language"] = "fr"
		e["startTime"], e["endTime"] = "2021-01-20T14:00:00+01:00", "2021-01-20T16:00:00+01:00"
		e["status"] = "cancelled"
		delete(e, "online")
	})
	utc := postEvent(t, n, func(e map[string]any) {
		e["timezone"] = "UTC"
		e["startTime"], e["endTime"] = "2032-06-01T09:00:00Z", "2032-06-01T10:00:00Z"
		e["status"] = "postponed"
		delete(e, "location")
	})
	online := postEvent(t, n, func(e map[string]any) {
		e["timezone"] = "America/New_York"
		e["startTime"], e["endTime"] = "2032-11-07T01:30:00-04:00", "2032-11-07T01:30:00-05:00" // across the DST change
		e["status"] = "moved-online"
	})

	body := odFetch(t, n.URL+"/events.ics", "text/calendar; charset=utf-8")
	cal := parseICS(t, body)
	for name, want := range map[string]string{"VERSION": "2.0", "PRODID": "-//ospod//ospod open data//EN",
		"X-WR-CALNAME": "Open Source Program Office of the City of Exampleton", "X-LICENSE": "CC0-1.0"} {
		if got := calProp(cal, name); got != want {
			t.Errorf("calendar %s = %q, want %q", name, got, want)
		}
	}
	events := vevents(cal)
	if len(events) != 4 {
		t.Fatalf("%d VEVENTs, want 4:\n%s", len(events), body)
	}
	url := n.URL + "/events/" + id
	e := events[url]
	if e == nil {
		t.Fatalf("no VEVENT with UID %s:\n%s", url, body)
	}
	c := &e.ComponentBase
	checks := []struct{ what, got, want string }{
		{"DTSTART", prop(c, "DTSTART"), "20320414T100000"},
		{"DTSTART;TZID", param(c, "DTSTART", "TZID"), "Europe/Paris"},
		{"DTEND", prop(c, "DTEND"), "20320414T113000"},
		{"DTEND;TZID", param(c, "DTEND", "TZID"), "Europe/Paris"},
		{"SUMMARY", prop(c, "SUMMARY"), "Webinar: choosing a licence for public code"},
		{"SUMMARY;LANGUAGE", param(c, "SUMMARY", "LANGUAGE"), "en"},
		{"GEO", prop(c, "GEO"), "48.8566;2.3522"},
		{"STATUS", prop(c, "STATUS"), "CONFIRMED"},
		{"URL", prop(c, "URL"), url},
		{"LOCATION", prop(c, "LOCATION"), "Exampleton City Hall, room 2, 1 Place de l'Hôtel de Ville, 99000 Exampleton, FR"},
		{"ORGANIZER", prop(c, "ORGANIZER"), "mailto:ospo@exampleton.example"},
		{"ORGANIZER;CN", param(c, "ORGANIZER", "CN"), "Open Source Program Office of the City of Exampleton"},
		{"CONFERENCE", prop(c, "CONFERENCE"), "https://visio.exampleton.example/licensing-webinar"},
		{"SEQUENCE", prop(c, "SEQUENCE"), "0"},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %q, want %q", ch.what, ch.got, ch.want)
		}
	}
	var cats []string
	for _, p := range c.GetProperties(ics.ComponentPropertyCategories) {
		cats = append(cats, p.Value)
	}
	if strings.Join(cats, ",") != "licensing,EUPL,opensource" {
		t.Errorf("CATEGORIES = %v", cats)
	}
	if d := prop(c, "DESCRIPTION"); !strings.Contains(d, "EUPL, MPL, GPL or Apache?") || !strings.Contains(d, "Online: https://visio.exampleton.example/licensing-webinar") {
		t.Errorf("DESCRIPTION = %q", d)
	}
	for _, p := range []string{"DTSTAMP", "LAST-MODIFIED", "CREATED"} {
		if _, err := time.Parse("20060102T150405Z", prop(c, p)); err != nil {
			t.Errorf("%s = %q: %v", p, prop(c, p), err)
		}
	}
	if got, want := instant(t, cal, e, "DTSTART"), time.Date(2032, 4, 14, 8, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("DTSTART through the VTIMEZONE = %v, want %v", got, want)
	}
	if got, err := e.GetStartAt(); err != nil || !got.Equal(time.Date(2032, 4, 14, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("golang-ical DTSTART = %v, %v", got, err)
	}

	// The past event: text with , ; \ and a newline survives; cancelled.
	pe := events[n.URL+"/events/"+past]
	if pe == nil {
		t.Fatal("the past event is missing")
	}
	if got := prop(&pe.ComponentBase, "SUMMARY"); got != "Atelier, passé; fini" {
		t.Errorf("SUMMARY = %q", got)
	}
	if got := param(&pe.ComponentBase, "SUMMARY", "LANGUAGE"); got != "fr" {
		t.Errorf("SUMMARY;LANGUAGE = %q", got)
	}
	if got := prop(&pe.ComponentBase, "DESCRIPTION"); !strings.HasPrefix(got, "Ligne 1\nLigne 2 \\ fin") {
		t.Errorf("DESCRIPTION = %q", got)
	}
	if got := prop(&pe.ComponentBase, "STATUS"); got != "CANCELLED" {
		t.Errorf("cancelled: STATUS = %q", got)
	}
	if got, want := instant(t, cal, pe, "DTSTART"), time.Date(2021, 1, 20, 13, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("past DTSTART = %v, want %v", got, want)
	}

	// UTC: no TZID; postponed is TENTATIVE; no place, no GEO.
	ue := &events[n.URL+"/events/"+utc].ComponentBase
	if prop(ue, "DTSTART") != "20320601T090000Z" || param(ue, "DTSTART", "TZID") != "" {
		t.Errorf("UTC DTSTART = %q TZID %q", prop(ue, "DTSTART"), param(ue, "DTSTART", "TZID"))
	}
	if prop(ue, "STATUS") != "TENTATIVE" || prop(ue, "GEO") != "" {
		t.Errorf("postponed: STATUS %q GEO %q", prop(ue, "STATUS"), prop(ue, "GEO"))
	}
	if prop(ue, "LOCATION") != "https://visio.exampleton.example/licensing-webinar" {
		t.Errorf("online-only LOCATION = %q", prop(ue, "LOCATION"))
	}

	// Moved online: CONFIRMED, the video room as LOCATION, no GEO; the
	// times straddle New York's return to standard time.
	oe := events[n.URL+"/events/"+online]
	oc := &oe.ComponentBase
	if prop(oc, "STATUS") != "CONFIRMED" || prop(oc, "GEO") != "" || !strings.HasPrefix(prop(oc, "LOCATION"), "https://") {
		t.Errorf("moved online: STATUS %q GEO %q LOCATION %q", prop(oc, "STATUS"), prop(oc, "GEO"), prop(oc, "LOCATION"))
	}
	if prop(oc, "DTSTART") != "20321107T013000" || prop(oc, "DTEND") != "20321107T013000" {
		t.Errorf("New York local times %q %q", prop(oc, "DTSTART"), prop(oc, "DTEND"))
	}
	// 01:30 happens twice that night; local time alone cannot tell them
	// apart, so only the first is checked through the VTIMEZONE.
	if got, want := instant(t, cal, oe, "DTSTART"), time.Date(2032, 11, 7, 5, 30, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("New York DTSTART = %v, want %v", got, want)
	}
	var tzids []string
	for _, tz := range cal.Timezones() {
		tzids = append(tzids, prop(&tz.ComponentBase, "TZID"))
	}
	sort.Strings(tzids)
	if strings.Join(tzids, " ") != "America/New_York Europe/Paris" {
		t.Errorf("VTIMEZONEs %v", tzids)
	}

	// Same data, same body: DTSTAMP is the revision, not the request time.
	if again := odFetch(t, n.URL+"/events.ics", "text/calendar; charset=utf-8"); !bytes.Equal(again, body) {
		t.Error("two requests gave different bodies")
	}
	if !bytes.HasSuffix(body, []byte("END:VCALENDAR\r\n")) || bytes.Contains(bytes.ReplaceAll(body, []byte("\r\n"), nil), []byte("\n")) {
		t.Error("lines do not all end in CRLF")
	}
	for _, line := range strings.Split(string(body), "\r\n") {
		if len(line) > 75 {
			t.Errorf("line longer than 75 octets: %q", line)
		}
	}
}

// TestOpenDataOneEventICS: /events/{id}.ics and /events/{id}/ics serve one
// event; /events/{id} is still the event's ActivityPub object and page.
func TestOpenDataOneEventICS(t *testing.T) {
	n := nodetest.Start(t, nodetest.Options{})
	setProfile(t, n, nil)
	id := postEvent(t, n, nil)
	other := postEvent(t, n, nil)
	for _, path := range []string{"/events/" + id + ".ics", "/events/" + id + "/ics"} {
		r := odGet(t, http.MethodGet, n.URL+path)
		if r.StatusCode != http.StatusOK || r.Header.Get("Content-Type") != "text/calendar; charset=utf-8" {
			t.Fatalf("GET %s: %d %q", path, r.StatusCode, r.Header.Get("Content-Type"))
		}
		if cd := r.Header.Get("Content-Disposition"); cd != `attachment; filename="`+id+`.ics"` {
			t.Errorf("Content-Disposition %q", cd)
		}
		events := vevents(parseICS(t, r.body))
		if len(events) != 1 || events[n.URL+"/events/"+id] == nil {
			t.Fatalf("GET %s: UIDs %v", path, slices.Collect(mapKeys(events)))
		}
	}
	var obj struct{ ID, Type string }
	getAS(t, n.URL+"/events/"+id, &obj)
	if obj.ID != n.URL+"/events/"+id || obj.Type != "Event" {
		t.Errorf("the event's ActivityPub object: %+v", obj)
	}
	if r := odGet(t, http.MethodGet, n.URL+"/events/"+id, "Accept", "text/html"); r.StatusCode != http.StatusOK ||
		!strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
		t.Errorf("the event's page: %d %q", r.StatusCode, r.Header.Get("Content-Type"))
	}
	if code := n.Admin(http.MethodDelete, "/api/v1/admin/events/"+other, nil, nil); code != http.StatusNoContent {
		t.Fatalf("delete: %d", code)
	}
	for path, want := range map[string]int{
		"/events/" + other + ".ics":              http.StatusGone,
		"/events/0000000000000000000000000a.ics": http.StatusNotFound,
		"/events/not-an-id.ics":                  http.StatusNotFound,
		"/events/not-an-id/ics":                  http.StatusNotFound,
	} {
		if r := odGet(t, http.MethodGet, n.URL+path); r.StatusCode != want {
			t.Errorf("GET %s: %d, want %d", path, r.StatusCode, want)
		}
	}
}

func mapKeys[K comparable, V any](m map[K]V) func(func(K) bool) {
	return func(yield func(K) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// atomDoc is what the tests read of an Atom feed.
type atomDoc struct {
	XMLName xml.Name   `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string     `xml:"id"`
	Title   string     `xml:"title"`
	Updated string     `xml:"updated"`
	Rights  string     `xml:"rights"`
	Links   []atomLink `xml:"link"`
	Author  struct {
		Name string `xml:"name"`
	} `xml:"author"`
	Entries []struct {
		ID        string     `xml:"id"`
		Title     string     `xml:"title"`
		Updated   string     `xml:"updated"`
		Published string     `xml:"published"`
		Summary   string     `xml:"summary"`
		Content   atomText   `xml:"content"`
		Links     []atomLink `xml:"link"`
		Author    struct {
			Name string `xml:"name"`
			URI  string `xml:"uri"`
		} `xml:"author"`
	} `xml:"entry"`
}

type atomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Text string `xml:",chardata"`
}

func parseAtom(t *testing.T, body []byte) atomDoc {
	t.Helper()
	var doc atomDoc
	if err := xml.Unmarshal(body, &doc); err != nil {
		t.Fatalf("Atom does not parse: %v\n%s", err, body)
	}
	return doc
}

func link(links []atomLink, rel, typ string) string {
	for _, l := range links {
		if l.Rel == rel && l.Type == typ {
			return l.Href
		}
	}
	return ""
}

// TestOpenDataEventsAtom reads /events.atom back with encoding/xml.
func TestOpenDataEventsAtom(t *testing.T) {
	n := nodetest.Start(t, nodetest.Options{})
	setProfile(t, n, nil)
	id := postEvent(t, n, nil)
	doc := parseAtom(t, odFetch(t, n.URL+"/events.atom", "application/atom+xml; charset=utf-8"))
	if doc.ID != n.URL+"/events" || doc.Title != "Events · Open Source Program Office of the City of Exampleton" {
		t.Errorf("feed id %q title %q", doc.ID, doc.Title)
	}
	if link(doc.Links, "self", "application/atom+xml") != n.URL+"/events.atom" || link(doc.Links, "alternate", "text/html") != n.URL+"/events" {
		t.Errorf("feed links %+v", doc.Links)
	}
	if !strings.Contains(doc.Rights, "CC0-1.0") || doc.Author.Name == "" {
		t.Errorf("rights %q author %q", doc.Rights, doc.Author.Name)
	}
	if _, err := time.Parse(time.RFC3339, doc.Updated); err != nil {
		t.Errorf("feed updated %q", doc.Updated)
	}
	if len(doc.Entries) != 1 {
		t.Fatalf("%d entries", len(doc.Entries))
	}
	e, url := doc.Entries[0], n.URL+"/events/"+id
	if e.ID != url || e.Title != "Webinar: choosing a licence for public code" {
		t.Errorf("entry id %q title %q", e.ID, e.Title)
	}
	if link(e.Links, "alternate", "text/html") != url || link(e.Links, "alternate", "text/calendar") != url+".ics" {
		t.Errorf("entry links %+v", e.Links)
	}
	for _, ts := range []string{e.Updated, e.Published} {
		if _, err := time.Parse(time.RFC3339, ts); err != nil {
			t.Errorf("entry time %q", ts)
		}
	}
	if e.Content.Type != "html" || !strings.Contains(e.Content.Text, "<strong>EUPL, MPL, GPL or Apache?</strong>") {
		t.Errorf("entry content %+v", e.Content)
	}
	if !strings.Contains(e.Summary, "Exampleton City Hall") || !strings.Contains(e.Summary, "Europe/Paris") {
		t.Errorf("entry summary %q", e.Summary)
	}
	if e.Author.Name != "Open Source Program Office of the City of Exampleton" {
		t.Errorf("entry author %+v", e.Author)
	}
}
