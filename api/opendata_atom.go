package api

import (
	"encoding/xml"
	"strings"
	"time"

	"github.com/gorilla/feeds"
	"github.com/labstack/echo/v4"
	"github.com/ospod/ospod/federation/markup"
)

// Atom (RFC 4287) feeds of events. Entry ids are the events' ActivityPub
// ids, which are also their addresses: stable, and the same on every node.

// atomFeed adds what gorilla/feeds' AtomFeed lacks: several feed links
// (alternate and self). encoding/xml lets a field of the outer struct hide
// the embedded one of the same name, so Links and Entries replace the
// library's single Link and its Entries, and come after the feed's metadata.
type atomFeed struct {
	*feeds.AtomFeed
	Links   []feeds.AtomLink
	Entries []*feeds.AtomEntry `xml:"entry"`
}

func (s *Server) atomOwnEvents(c echo.Context) error {
	ctx := c.Request().Context()
	_, org, fes, modified, err := s.ownFeed(ctx, maxAtomEvents)
	if err != nil {
		return err
	}
	f := s.buildAtomFeed("Events · "+org.Name, s.node.URLs.Base+"/events", s.node.URLs.Base+"/events.atom", fes, modified)
	f.Author = &feeds.AtomAuthor{AtomPerson: feeds.AtomPerson{Name: org.Name, Uri: org.URI, Email: org.Email}}
	body, err := atomBody(f)
	if err != nil {
		return err
	}
	return s.serveOpenData(c, mediaAtom, body, modified)
}

func (s *Server) atomNetwork(c echo.Context) error {
	f, _, err := calendarFilter(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	fes, modified, err := s.networkFeed(ctx, f, maxAtomEvents)
	if err != nil {
		return err
	}
	self := s.node.URLs.Base + "/calendar.atom"
	if q := c.QueryString(); q != "" {
		self += "?" + q
	}
	af := s.buildAtomFeed(s.feedNetworkTitle(ctx), s.node.URLs.Base+"/calendar", self, fes, modified)
	// The node's OSPO compiles the feed; each entry names its own organiser.
	if p, err := s.node.Profile(ctx); err == nil {
		org := feedOrganizerOf(p, s.node.URLs.Actor, s.node.URLs.Actor)
		af.Author = &feeds.AtomAuthor{AtomPerson: feeds.AtomPerson{Name: org.Name, Uri: org.URI}}
	}
	body, err := atomBody(af)
	if err != nil {
		return err
	}
	return s.serveOpenData(c, mediaAtom, body, modified)
}

// buildAtomFeed builds a feed whose id is its HTML page; every entry names its organiser.
func (s *Server) buildAtomFeed(title, page, self string, events []feedEvent, modified time.Time) *atomFeed {
	updated := modified
	for _, fe := range events {
		updated = latestTime(updated, fe.Updated)
	}
	if updated.IsZero() {
		updated = time.Unix(0, 0)
	}
	f := &atomFeed{AtomFeed: &feeds.AtomFeed{
		Xmlns: "http://www.w3.org/2005/Atom", Title: title, Id: page,
		Updated: updated.UTC().Format(time.RFC3339), Rights: s.dataLicence().Note,
	}, Links: []feeds.AtomLink{
		{Href: page, Rel: "alternate", Type: "text/html"},
		{Href: self, Rel: "self", Type: "application/atom+xml"},
	}, Entries: []*feeds.AtomEntry{}}
	for _, fe := range events {
		f.Entries = append(f.Entries, atomEntry(fe))
	}
	return f
}

func atomEntry(fe feedEvent) *feeds.AtomEntry {
	e := fe.Event
	name, tag := e.Name.Best(e.Language, e.Language)
	desc, _ := e.Description.Best(tag, tag)
	var when strings.Builder
	if e.Status != "" && e.Status != "scheduled" {
		when.WriteString(strings.ToUpper(strings.ReplaceAll(e.Status, "-", " ")) + ". ")
	}
	when.WriteString(markup.TimeRange(e.Start, e.End, e.TimeLocation()))
	if e.Location != nil && e.Status != "moved-online" {
		when.WriteString(". " + e.Location.Text())
	}
	if e.Online != nil {
		when.WriteString(". Online: " + e.Online.URL)
	}
	en := &feeds.AtomEntry{
		Title:   name,
		Id:      fe.UID,
		Updated: fe.Updated.UTC().Format(time.RFC3339),
		Summary: &feeds.AtomSummary{Type: "text", Content: when.String()},
		Links:   []feeds.AtomLink{{Href: fe.Page, Rel: "alternate", Type: "text/html"}},
		Author:  &feeds.AtomAuthor{AtomPerson: feeds.AtomPerson{Name: fe.Organizer.Name, Uri: fe.Organizer.Page}},
	}
	if !fe.Created.IsZero() {
		en.Published = fe.Created.UTC().Format(time.RFC3339)
	}
	if fe.URL != fe.Page {
		en.Links = append(en.Links, feeds.AtomLink{Href: fe.URL, Rel: "via", Type: "text/html"})
	}
	if fe.ICS != "" {
		en.Links = append(en.Links, feeds.AtomLink{Href: fe.ICS, Rel: "alternate", Type: "text/calendar"})
	}
	if html := markup.MarkdownToHTML(desc); html != "" { // sanitised by the allow-list
		en.Content = &feeds.AtomContent{Type: "html", Content: html}
	}
	return en
}

func atomBody(f *atomFeed) ([]byte, error) {
	b, err := xml.MarshalIndent(f, "", "  ")
	if err != nil {
		return nil, err
	}
	return append([]byte(xml.Header), append(b, '\n')...), nil
}
