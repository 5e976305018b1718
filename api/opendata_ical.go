package api

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/labstack/echo/v4"

	"github.com/ospod/ospod/federation"
	"github.com/ospod/ospod/federation/markup"
	"github.com/ospod/ospod/store"
)

// iCalendar (RFC 5545) feeds. Choices:
//   - UID is the event's ActivityPub id, so the same event has the same UID
//     in this node's feeds and in every peer's network calendar.
//   - DTSTART/DTEND carry the event's own TZID, with a VTIMEZONE built from
//     Go's time zone database for the span of the events (events in UTC
//     use UTC times and need none).
//   - There is no METHOD: without it DTSTAMP is the event's last revision
//     (RFC 5545 §3.8.7.2), so the body, and its ETag, change only with the data.

const (
	icsLocal = "20060102T150405"
	icsUTC   = "20060102T150405Z"
)

func (s *Server) icsOwnEvents(c echo.Context) error {
	ctx := c.Request().Context()
	p, org, fes, modified, err := s.ownFeed(ctx, maxOwnEvents)
	if err != nil {
		return err
	}
	summary, _ := p.Summary.Best(p.DefaultLanguage(), p.DefaultLanguage())
	return s.serveOpenData(c, mediaICS, s.icsBody(org.Name, summary, fes), modified)
}

func (s *Server) icsOneEvent(c echo.Context) error {
	id := c.Param("id")
	if !store.ValidID(id) {
		return echo.ErrNotFound
	}
	ctx := c.Request().Context()
	e, err := s.st.Event(ctx, id)
	if err != nil {
		return err
	}
	if !e.Deleted.IsZero() {
		return federation.ErrGone
	}
	p, err := s.node.Profile(ctx)
	if err != nil {
		return err
	}
	org := feedOrganizerOf(p, s.node.URLs.Actor, s.node.URLs.Actor)
	name, _ := e.Name.Best(e.Language, e.Language)
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+id+`.ics"`)
	return s.serveOpenData(c, mediaICS, s.icsBody(name, "", []feedEvent{s.ownFeedEvent(e, org)}), latestTime(e.Updated, p.Updated))
}

func (s *Server) icsNetwork(c echo.Context) error {
	f, _, err := calendarFilter(c)
	if err != nil {
		return err
	}
	if c.QueryParam("from") == "" {
		f.From = s.st.Now().Add(-icsPastWindow)
	}
	ctx := c.Request().Context()
	fes, modified, err := s.networkFeed(ctx, f, maxNetworkEvents)
	if err != nil {
		return err
	}
	return s.serveOpenData(c, mediaICS, s.icsBody(s.feedNetworkTitle(ctx), "Events of the public-sector OSPOs that "+
		s.node.Host()+" knows.", fes), modified)
}

// icsBody serialises a calendar of events, with a VTIMEZONE for each time
// zone they use.
func (s *Server) icsBody(name, desc string, events []feedEvent) []byte {
	cal := ics.NewCalendarFor("ospod")
	cal.SetProductId("-//ospod//ospod open data//EN")
	cal.SetCalscale("GREGORIAN")
	cal.SetXWRCalName(icsText(name))
	lic := s.dataLicence()
	cal.SetXWRCalDesc(icsText(strings.TrimSpace(desc + "\n\n" + lic.Note)))
	cal.SetRefreshInterval("PT1H")
	cal.SetXPublishedTTL("PT1H")
	cal.CalendarProperties = append(cal.CalendarProperties,
		ics.CalendarProperty{BaseProperty: ics.BaseProperty{IANAToken: "X-LICENSE", Value: lic.ID}})
	if lic.URL != "" {
		cal.CalendarProperties = append(cal.CalendarProperties,
			ics.CalendarProperty{BaseProperty: ics.BaseProperty{IANAToken: "X-LICENSE-URL", Value: lic.URL}})
	}

	type span struct {
		loc      *time.Location
		from, to time.Time
	}
	zones := map[string]*span{}
	loaded := map[string]*time.Location{} // LoadLocation reads the zone file at each call
	locs := make([]*time.Location, len(events))
	for i, fe := range events {
		loc, ok := loaded[fe.Event.Timezone]
		if !ok {
			loc = fe.Event.TimeLocation()
			loaded[fe.Event.Timezone] = loc
		}
		locs[i] = loc
		if loc == time.UTC {
			continue
		}
		sp := zones[loc.String()]
		if sp == nil {
			sp = &span{loc: loc, from: fe.Event.Start, to: fe.Event.End}
			zones[loc.String()] = sp
		}
		if fe.Event.Start.Before(sp.from) {
			sp.from = fe.Event.Start
		}
		if fe.Event.End.After(sp.to) {
			sp.to = fe.Event.End
		}
	}
	names := make([]string, 0, len(zones))
	for n := range zones {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		addVTimezone(cal, zones[n].loc, zones[n].from, zones[n].to)
	}
	for i, fe := range events {
		cal.AddVEvent(vevent(fe, locs[i]))
	}
	// RFC 5545 lines end in CRLF; the library's default is the OS's newline.
	return []byte(cal.Serialize(ics.WithNewLineWindows))
}

// icsStatus maps an event status to the iCalendar STATUS.
func icsStatus(status string) ics.ObjectStatus {
	switch status {
	case "cancelled":
		return ics.ObjectStatusCancelled
	case "postponed":
		return ics.ObjectStatusTentative
	}
	return ics.ObjectStatusConfirmed // scheduled, moved-online
}

func vevent(fe feedEvent, loc *time.Location) *ics.VEvent {
	e := fe.Event
	v := ics.NewEvent(icsText(fe.UID))
	v.SetDtStampTime(fe.Updated)
	if !fe.Created.IsZero() {
		v.SetCreatedTime(fe.Created)
	}
	v.SetModifiedAt(fe.Updated)
	if fe.Sequence >= 0 {
		v.SetSequence(fe.Sequence)
	}
	setICSTime(v, ics.ComponentPropertyDtStart, e.Start, loc)
	setICSTime(v, ics.ComponentPropertyDtEnd, e.End, loc)

	name, tag := e.Name.Best(e.Language, e.Language)
	v.SetSummary(icsText(name), icsLangParam(tag)...)
	desc, dtag := e.Description.Best(tag, tag)
	desc = markup.MarkdownToText(desc)
	var extra []string
	if e.Online != nil {
		extra = append(extra, "Online: "+e.Online.URL)
	}
	if e.RegistrationURL != "" {
		extra = append(extra, "Registration: "+e.RegistrationURL)
	}
	if text := strings.TrimSpace(desc + "\n\n" + strings.Join(extra, "\n")); text != "" {
		if desc == "" {
			dtag = ""
		}
		v.SetDescription(icsText(text), icsLangParam(dtag)...)
	}

	// An event moved online no longer happens at its venue.
	movedOnline := e.Status == "moved-online" && e.Online != nil
	switch {
	case movedOnline || (e.Location == nil && e.Online != nil):
		v.SetLocation(icsText(e.Online.URL))
	case e.Location != nil:
		v.SetLocation(icsText(e.Location.Text()))
	}
	if l := e.Location; l != nil && !movedOnline && l.Latitude != nil && l.Longitude != nil {
		v.SetProperty(ics.ComponentPropertyGeo, icsFloat(*l.Latitude)+";"+icsFloat(*l.Longitude))
	}
	v.SetStatus(icsStatus(e.Status))
	v.SetURL(icsURI(fe.URL))
	for _, t := range e.Tags {
		v.AddCategory(icsText(t))
	}
	if o := fe.Organizer; o.URI != "" {
		addr := icsURI(o.URI)
		if o.Email != "" {
			addr = "mailto:" + icsURI(o.Email)
		}
		// golang-ical escapes parameter values with backslashes, which RFC
		// 5545 does not know (a value with , ; : is DQUOTE-quoted instead):
		// calendars would show "Ville d\'Exampleton". So the quoted CN goes
		// into the property name, as the library itself does for
		// REFRESH-INTERVAL;VALUE=DURATION.
		v.Properties = append(v.Properties, ics.IANAProperty{BaseProperty: ics.BaseProperty{
			IANAToken: string(ics.ComponentPropertyOrganizer) + ";CN=" + icsQuotedParam(o.Name), Value: addr}})
	}
	// RFC 7986 properties: the video room and the picture.
	if e.Online != nil {
		v.AddProperty("CONFERENCE", icsURI(e.Online.URL), ics.WithValue("URI"))
	}
	if e.Image != "" {
		v.AddProperty("IMAGE", icsURI(e.Image), ics.WithValue("URI"), &ics.KeyValues{Key: "DISPLAY", Value: []string{"BADGE"}})
	}
	return v
}

// setICSTime writes a DATE-TIME in the event's zone, or in UTC.
func setICSTime(v *ics.VEvent, p ics.ComponentProperty, t time.Time, loc *time.Location) {
	if loc == time.UTC {
		v.SetProperty(p, t.UTC().Format(icsUTC))
		return
	}
	v.SetProperty(p, t.In(loc).Format(icsLocal), ics.WithTZID(loc.String()))
}

// addVTimezone describes loc from the observance in force at from to the
// last transition before to. Each observance is written once, with its
// onset (DTSTART, local time before the change) and no RRULE: exact for the
// events of the feed, whatever rules the zone had or will have.
func addVTimezone(cal *ics.Calendar, loc *time.Location, from, to time.Time) {
	tz := cal.AddTimezone(loc.String())
	t := from
	for range 1000 {
		lt := t.In(loc)
		abbr, offset := lt.Zone()
		start, end := lt.ZoneBounds()
		prev, onset := offset, "19700101T000000"
		if !start.IsZero() {
			_, prev = start.Add(-time.Second).In(loc).Zone()
			onset = start.In(time.FixedZone("", prev)).Format(icsLocal)
		}
		var obs *ics.ComponentBase
		if lt.IsDST() {
			d := &ics.Daylight{}
			tz.Components = append(tz.Components, d)
			obs = &d.ComponentBase
		} else {
			obs = &tz.AddStandard().ComponentBase
		}
		obs.AddProperty(ics.ComponentPropertyDtStart, onset)
		obs.AddProperty(ics.ComponentProperty(ics.PropertyTzoffsetfrom), icsUTCOffset(prev))
		obs.AddProperty(ics.ComponentProperty(ics.PropertyTzoffsetto), icsUTCOffset(offset))
		obs.AddProperty(ics.ComponentProperty(ics.PropertyTzname), icsText(abbr))
		if end.IsZero() || !end.Before(to) {
			return
		}
		t = end
	}
}

// icsUTCOffset formats seconds east of UTC as an iCalendar UTC-OFFSET.
func icsUTCOffset(sec int) string {
	sign := "+"
	if sec < 0 {
		sign, sec = "-", -sec
	}
	out := fmt.Sprintf("%s%02d%02d", sign, sec/3600, sec/60%60)
	if sec%60 != 0 {
		out += fmt.Sprintf("%02d", sec%60)
	}
	return out
}

func icsLangParam(tag string) []ics.PropertyParameter {
	if tag == "" || tag == store.UndeterminedLanguage || !store.ValidLanguageTag(tag) {
		return nil
	}
	return []ics.PropertyParameter{&ics.KeyValues{Key: string(ics.ParameterLanguage), Value: []string{tag}}}
}

// icsText makes a text safe for a TEXT value (the library escapes \ ; , and
// newlines): valid UTF-8, CR LF as LF, no other control characters.
func icsText(s string) string {
	s = strings.ToValidUTF8(strings.ReplaceAll(s, "\r\n", "\n"), "\uFFFD")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t':
			return r
		case r == '\r':
			return '\n'
		case r < 0x20 || r == 0x7f:
			return -1
		}
		return r
	}, s)
}

// icsURI makes an address safe for a URI or CAL-ADDRESS value, which the
// library writes verbatim: no controls, no spaces, no , ; or \ (they would
// be escaped or split the value).
func icsURI(s string) string {
	s = strings.Map(func(r rune) rune {
		if r <= 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, ""))
	return strings.NewReplacer(",", "%2C", ";", "%3B", `\`, "%5C").Replace(s)
}

// icsQuotedParam quotes a parameter value; DQUOTE and controls cannot appear in it.
func icsQuotedParam(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '"':
			return '\''
		case r < 0x20 || r == 0x7f:
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, ""))
	return `"` + s + `"`
}

func icsFloat(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
