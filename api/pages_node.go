package api

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ospod/ospod/api/i18n"
	"github.com/ospod/ospod/federation"
	"github.com/ospod/ospod/store"
)

// The node's own pages: its OSPO (at / and /actor), its events, and the
// views of profiles and events that the network pages share.

// ospoView is an OSPO profile, ours or a cached remote one.
type ospoView struct {
	Name, Summary ltext
	Mandate       richText
	Logo          string
	Parent        *orgView
	Country       string
	Level         string
	Founded       string
	Areas         []string
	Website       string
	Email         string
	Policy        string
	Forges        []string
	Team          string
	Office        string
	Identifiers   []identView
	Memberships   []orgView
	Account       string // fediverse handle, user@host
}

type orgView struct {
	Name ltext
	URL  string
}

type identView struct{ Scheme, Value, URL string }

func (r *reader) ospo(p *store.Profile) ospoView {
	def := p.DefaultLanguage()
	v := ospoView{
		Name: r.text(p.Name, def), Summary: r.text(p.Summary, def), Mandate: r.rich(p.Mandate, def),
		Logo: imageURL(p.Logo), Country: r.L.Country(p.Country), Level: r.L.Level(p.GovernmentLevel),
		Website: webURL(p.Website), Email: p.Email, Policy: webURL(p.FlossPolicy),
	}
	if o := p.ParentOrganization; o != nil {
		v.Parent = &orgView{Name: r.text(o.Name, def), URL: webURL(o.URL)}
	}
	if p.Founded != "" {
		v.Founded = p.Founded
		if t, err := time.Parse("2006-01-02", p.Founded); err == nil {
			v.Founded = r.L.LongDate(t)
		} else if len(p.Founded) == 7 {
			v.Founded = p.Founded[:4]
		}
	}
	for _, a := range p.SupportAreas {
		v.Areas = append(v.Areas, r.L.Area(a))
	}
	for _, f := range p.CodeForges {
		if u := webURL(f); u != "" {
			v.Forges = append(v.Forges, u)
		}
	}
	if p.TeamSize != nil && *p.TeamSize > 0 {
		v.Team = r.N("profile.teamSize", *p.TeamSize)
	}
	if p.Location != nil {
		v.Office = p.Location.Text()
	}
	for _, id := range p.Identifiers {
		v.Identifiers = append(v.Identifiers, identView{Scheme: id.Scheme, Value: id.Value, URL: webURL(id.URL)})
	}
	for _, m := range p.Memberships {
		v.Memberships = append(v.Memberships, orgView{Name: r.text(m.Name, def), URL: webURL(m.URL)})
	}
	return v
}

// eventView is an event for a list or its own page.
type eventView struct {
	*reader
	URL          string // our page about it
	Name         ltext
	Description  richText
	When         string // in the reader's language and the event's time zone
	Start, End   string // RFC 3339, for <time datetime>
	Status       string // label, when not simply scheduled
	Where        string
	Place        string
	Online       *orgView // the online location (Name.Text, URL)
	Registration string
	Language     string
	LanguageTag  string
	Category     string
	Tags         []string
	Image        string
	ICS          string
	Original     string // the organiser's page for a remote event
	Organizer    *orgView
	Updated      string

	start time.Time
	loc   *time.Location
}

// event builds the view of an event (fallback: the language of its texts when unset).
func (r *reader) event(e *store.Event, fallback string) eventView {
	lang := e.Language
	if lang == "" {
		lang = fallback
	}
	loc := e.TimeLocation()
	v := eventView{reader: r, Name: r.text(e.Name, lang), Description: r.rich(e.Description, lang),
		When: r.L.Range(e.Start, e.End, loc), Start: e.Start.In(loc).Format(time.RFC3339),
		End: e.End.In(loc).Format(time.RFC3339), Registration: webURL(e.RegistrationURL),
		Category: r.L.Category(e.Category), Tags: e.Tags, Image: imageURL(e.Image), start: e.Start, loc: loc}
	if e.Status != "" && e.Status != "scheduled" {
		v.Status = r.L.Status(e.Status)
	}
	if e.Location != nil {
		v.Place = e.Location.Text()
	}
	if o := e.Online; o != nil && webURL(o.URL) != "" {
		name := o.Name
		if name == "" {
			name = r.T("event.joinOnline")
		}
		v.Online = &orgView{Name: ltext{Text: name}, URL: o.URL}
	}
	switch {
	case v.Place != "" && e.IsOnline():
		v.Where = v.Place + " · " + r.T("event.online")
	case v.Place != "":
		v.Where = v.Place
	case e.IsOnline():
		v.Where = r.T("event.online")
	}
	if e.Language != "" && e.Language != store.UndeterminedLanguage {
		v.Language, v.LanguageTag = i18n.Capitalize(r.L.LanguageName(e.Language)), e.Language
	}
	return v
}

// eventICS is the "add to calendar" link of one of our events: its own
// .ics when the open-data routes serve one, else the feed of all of them.
func (s *Server) eventICS(id string) string {
	s.pages.icsOnce.Do(func() {
		for _, rt := range s.e.Routes() {
			rest, ok := strings.CutPrefix(rt.Path, "/events/:")
			if rt.Method != http.MethodGet || !ok || !strings.Contains(rest, "ics") {
				continue
			}
			suffix := ""
			if i := strings.IndexByte(rest, '/'); i >= 0 {
				suffix = rest[i:]
			} else if i := strings.IndexByte(rest, '.'); i >= 0 {
				suffix = rest[i:]
			}
			if suffix != "" {
				s.pages.icsRoute = func(id string) string { return "/events/" + id + suffix }
				return
			}
		}
	})
	if s.pages.icsRoute != nil {
		return s.pages.icsRoute(id)
	}
	return "/events.ics"
}

// homeView is the node's OSPO page.
type homeView struct {
	OSPO      ospoView
	Upcoming  []eventView
	SettingUp bool // no profile yet: the node says it is being set up
}

func (s *Server) profilePage(c echo.Context) error {
	ctx := c.Request().Context()
	r := s.reader(c)
	p, err := s.node.Profile(ctx)
	if err != nil {
		return err
	}
	upcoming, _, err := s.st.ListEvents(ctx, store.EventFilter{When: store.EventsUpcoming, Limit: 10})
	if err != nil {
		return err
	}
	_, err = s.st.Profile(ctx)
	v := homeView{OSPO: r.ospo(p), SettingUp: errors.Is(err, store.ErrNotFound)}
	v.OSPO.Account = s.node.Account()
	v.Upcoming = s.ownEvents(r, upcoming, p)
	return s.render(c, http.StatusOK, "profile.html", pageData{reader: r, Section: "home", Data: v})
}

func (s *Server) ownEvents(r *reader, events []*store.Event, p *store.Profile) []eventView {
	out := make([]eventView, 0, len(events))
	for _, e := range events {
		v := r.event(e, p.DefaultLanguage())
		v.URL = "/events/" + e.ID
		out = append(out, v)
	}
	return out
}

// eventsView is the list of the node's events.
type eventsView struct {
	Intro    string
	Upcoming []eventView
	Past     []eventView
	Pager    pager
}

func (s *Server) eventsPage(c echo.Context) error {
	ctx := c.Request().Context()
	r := s.reader(c)
	page, err := intParam(c, "page", 1, 1, 100000)
	if err != nil {
		return err
	}
	p, err := s.node.Profile(ctx)
	if err != nil {
		return err
	}
	v := eventsView{Intro: r.T("events.intro", "name", r.text(p.Name, p.DefaultLanguage()).Text)}
	if page == 1 {
		upcoming, _, err := s.st.ListEvents(ctx, store.EventFilter{When: store.EventsUpcoming, Limit: 100})
		if err != nil {
			return err
		}
		v.Upcoming = s.ownEvents(r, upcoming, p)
	}
	const perPage = 30
	past, total, err := s.st.ListEvents(ctx, store.EventFilter{When: store.EventsPast, Limit: perPage, Offset: (page - 1) * perPage})
	if err != nil {
		return err
	}
	v.Past = s.ownEvents(r, past, p)
	v.Pager = newPager(c, r, page, perPage, total)
	return s.render(c, http.StatusOK, "events.html", pageData{reader: r, Title: r.T("events.title"), Section: "events", Data: v})
}

func (s *Server) eventPage(c echo.Context, id string) error {
	ctx := c.Request().Context()
	r := s.reader(c)
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
	v := r.event(e, p.DefaultLanguage())
	v.URL = "/events/" + e.ID
	v.ICS = s.eventICS(e.ID)
	v.Organizer = &orgView{Name: r.text(p.Name, p.DefaultLanguage()), URL: "/actor"}
	return s.render(c, http.StatusOK, "event.html", pageData{reader: r, Title: v.Name.Text, Section: "events", Data: v})
}

// pager links the pages of a list, keeping the query.
type pager struct {
	Label      string
	Prev, Next string
}

func newPager(c echo.Context, r *reader, page, perPage, total int) pager {
	pages := (total + perPage - 1) / perPage
	if pages <= 1 {
		return pager{}
	}
	link := func(n int) string {
		q := url.Values{}
		for k, v := range c.QueryParams() {
			q[k] = v
		}
		q.Set("page", strconv.Itoa(n))
		return c.Request().URL.EscapedPath() + "?" + q.Encode()
	}
	p := pager{Label: r.T("page.of", "page", r.L.Number(page), "pages", r.L.Number(pages))}
	if page > 1 {
		p.Prev = link(min(page-1, pages))
	}
	if page < pages {
		p.Next = link(page + 1)
	}
	return p
}
