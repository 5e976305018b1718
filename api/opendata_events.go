package api

import (
	"context"
	"time"

	"github.com/ospod/ospod/store"
)

// The events the feeds show (the node's own, and the network calendar's),
// in one shape for the iCalendar and Atom writers.

// feedEvent is an event as the feeds show it, whether ours or a peer's.
type feedEvent struct {
	UID       string // the event's ActivityPub id
	URL       string // where people read it, at its origin
	Page      string // its page on this node
	ICS       string // its own iCalendar file ("" for peers' events)
	Event     *store.Event
	Organizer feedOrganizer
	Created   time.Time // zero when unknown
	Updated   time.Time // last revision of our copy
	Sequence  int       // -1 when unknown
}

// feedOrganizer is the OSPO that organises an event.
type feedOrganizer struct{ Name, Email, URI, Page string }

func feedOrganizerOf(p *store.Profile, uri, page string) feedOrganizer {
	name, _ := p.Name.Best(p.DefaultLanguage(), p.DefaultLanguage())
	return feedOrganizer{Name: name, Email: p.Email, URI: uri, Page: page}
}

// ownFeedEvent is one of the node's events. SEQUENCE must grow with each
// revision and we keep no revision counter: the seconds between publication
// and the last update do grow, and stay within 32 bits for 68 years.
func (s *Server) ownFeedEvent(e *store.Event, org feedOrganizer) feedEvent {
	u := s.node.URLs.Event(e.ID)
	return feedEvent{UID: u, URL: u, Page: u, ICS: u + ".ics", Event: e, Organizer: org,
		Created: e.Published, Updated: e.Updated, Sequence: eventRevision(e)}
}

func eventRevision(e *store.Event) int {
	return int(max(min(e.Updated.Sub(e.Published)/time.Second, 1<<31-1), 0))
}

// calendarFeedEvent is an event of the network calendar.
func (s *Server) calendarFeedEvent(c *store.CalendarEntry) feedEvent {
	fe := feedEvent{UID: c.ID, URL: c.URL, Page: s.calendarPage(c), Event: c.Event, Updated: c.UpdatedAt, Sequence: -1}
	if fe.URL == "" {
		fe.URL = c.ID
	}
	if c.OSPOID == s.node.URLs.Actor && c.Event.ID != "" {
		fe.ICS = s.node.URLs.Event(c.Event.ID) + ".ics"
	}
	if !c.Event.Updated.IsZero() { // our own events keep their times in the index
		fe.Created, fe.Updated, fe.Sequence = c.Event.Published, c.Event.Updated, eventRevision(c.Event)
	}
	if d := c.Organizer; d != nil {
		fe.Organizer = feedOrganizerOf(d.Profile, d.ID, s.directoryPage(d))
	}
	return fe
}

// feedOwnEvents returns the node's live events, newest first, at most limit.
func (s *Server) feedOwnEvents(ctx context.Context, limit int) ([]*store.Event, error) {
	var out []*store.Event
	for len(out) < limit {
		page, total, err := s.st.ListEvents(ctx, store.EventFilter{When: store.EventsAll, Limit: min(storePage, limit-len(out)), Offset: len(out)})
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if len(page) == 0 || len(out) >= total {
			break
		}
	}
	return out, nil
}

// networkFeed gathers what every feed of the network calendar needs: the
// events matching f (at most limit) and the latest change.
func (s *Server) networkFeed(ctx context.Context, f store.CalendarFilter, limit int) ([]feedEvent, time.Time, error) {
	var out []feedEvent
	for len(out) < limit {
		f.Limit, f.Offset = min(storePage, limit-len(out)), len(out)
		res, err := s.st.SearchCalendar(ctx, f)
		if err != nil {
			return nil, time.Time{}, err
		}
		for _, e := range res.Entries {
			out = append(out, s.calendarFeedEvent(e))
		}
		if len(res.Entries) == 0 || len(out) >= res.Total {
			break
		}
	}
	modified, err := s.feedsModified(ctx)
	return out, modified, err
}

// feedsModified is when anything the event feeds show last changed: an
// event, or an organiser's profile.
func (s *Server) feedsModified(ctx context.Context) (time.Time, error) {
	cal, err := s.st.CalendarLastModified(ctx)
	if err != nil {
		return time.Time{}, err
	}
	dir, err := s.st.DirectoryLastModified(ctx)
	return latestTime(cal, dir), err
}

// feedNetworkTitle names the network calendar after the node's OSPO.
func (s *Server) feedNetworkTitle(ctx context.Context) string {
	name := s.node.Host()
	if p, err := s.node.Profile(ctx); err == nil {
		name, _ = p.Name.Best(p.DefaultLanguage(), p.DefaultLanguage())
	}
	return "OSPO network calendar · " + name
}

// ownFeed gathers what every feed of the node's own events needs: the
// profile, the organiser, the events (at most limit) and the latest change.
func (s *Server) ownFeed(ctx context.Context, limit int) (*store.Profile, feedOrganizer, []feedEvent, time.Time, error) {
	p, err := s.node.Profile(ctx)
	if err != nil {
		return nil, feedOrganizer{}, nil, time.Time{}, err
	}
	events, err := s.feedOwnEvents(ctx, limit)
	if err != nil {
		return nil, feedOrganizer{}, nil, time.Time{}, err
	}
	modified, err := s.feedsModified(ctx)
	if err != nil {
		return nil, feedOrganizer{}, nil, time.Time{}, err
	}
	org := feedOrganizerOf(p, s.node.URLs.Actor, s.node.URLs.Actor)
	modified = latestTime(modified, p.Updated)
	fes := make([]feedEvent, 0, len(events))
	for _, e := range events {
		fes = append(fes, s.ownFeedEvent(e, org))
		modified = latestTime(modified, e.Updated)
	}
	return p, org, fes, modified, nil
}
