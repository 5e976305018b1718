package api

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/ospod/ospod/store"
)

// The content pages (profile, events, followers, following, network,
// moderation, reports) as read-only lists for now: each answers at its
// fixed route, in the admin frame, with the role rules of the issue. The
// forms that change them replace these handlers one by one.

// sectionView is a read-only table.
type sectionView struct {
	Intro   string
	Columns []string
	Rows    [][]string
	Empty   string // shown when there are no rows
}

func (s *Server) renderSection(c echo.Context, section, titleKey string, v sectionView) error {
	r := s.reader(c)
	if v.Empty == "" {
		v.Empty = r.T("admin.section.empty")
	}
	return s.renderAdmin(c, http.StatusOK, "admin_section.html",
		adminPage{Title: r.T(titleKey), Section: section, Data: v})
}

// adminProfilePage is GET /admin/profile.
func (s *Server) adminProfilePage(c echo.Context) error {
	r := s.reader(c)
	p, err := s.node.Profile(c.Request().Context())
	if err != nil {
		return err
	}
	v := sectionView{Intro: r.T("admin.profile.intro"), Columns: []string{r.T("admin.col.language"), r.T("admin.col.name")}}
	for _, l := range p.Languages() {
		v.Rows = append(v.Rows, []string{r.L.LanguageName(l), p.Name[l]})
	}
	return s.renderSection(c, "profile", "admin.nav.profile", v)
}

// adminEventsPage is GET /admin/events.
func (s *Server) adminEventsPage(c echo.Context) error {
	r := s.reader(c)
	events, _, err := s.st.ListEvents(c.Request().Context(), store.EventFilter{Limit: 200})
	if err != nil {
		return err
	}
	v := sectionView{Intro: r.T("admin.events.intro"), Columns: []string{r.T("admin.col.name"), r.T("admin.col.when"), r.T("admin.col.id")}}
	for _, e := range events {
		ev := r.event(e, "")
		v.Rows = append(v.Rows, []string{ev.Name.Text, ev.When, e.ID})
	}
	return s.renderSection(c, "events", "admin.nav.events", v)
}

// adminEventNewPage is GET /admin/events/new.
func (s *Server) adminEventNewPage(c echo.Context) error {
	r := s.reader(c)
	return s.renderSection(c, "events", "admin.events.new", sectionView{Intro: r.T("admin.events.newIntro")})
}

func (s *Server) relationsSection(c echo.Context, t store.RelationTable, section string) error {
	r := s.reader(c)
	rels, err := s.st.Relations(c.Request().Context(), t, "")
	if err != nil {
		return err
	}
	v := sectionView{Columns: []string{r.T("admin.col.id"), r.T("admin.col.account"), r.T("admin.col.state")}}
	for _, rel := range rels {
		who := rel.ActorID
		if rel.Actor != nil && rel.Actor.Account() != "" {
			who = rel.Actor.Account()
		}
		v.Rows = append(v.Rows, []string{strconv.FormatInt(rel.ID, 10), who, rel.State})
	}
	return s.renderSection(c, section, "admin.nav."+section, v)
}

// adminFollowersPage is GET /admin/followers.
func (s *Server) adminFollowersPage(c echo.Context) error {
	return s.relationsSection(c, store.Followers, "followers")
}

// adminFollowingPage is GET /admin/following.
func (s *Server) adminFollowingPage(c echo.Context) error {
	return s.relationsSection(c, store.Following, "following")
}

// adminNetworkPage is GET /admin/network: the hosts our deliveries fail to reach.
func (s *Server) adminNetworkPage(c echo.Context) error {
	r := s.reader(c)
	hosts, err := s.st.FailingHosts(c.Request().Context(), 200)
	if err != nil {
		return err
	}
	v := sectionView{Intro: r.T("admin.network.intro"), Columns: []string{r.T("admin.col.host"), r.T("admin.col.since"), r.T("admin.col.error")}}
	for _, h := range hosts {
		v.Rows = append(v.Rows, []string{h.Host, r.L.DateTime(h.FailingSince), h.LastError})
	}
	return s.renderSection(c, "network", "admin.nav.network", v)
}

// adminModerationPage is GET /admin/moderation: the domain blocks.
func (s *Server) adminModerationPage(c echo.Context) error {
	r := s.reader(c)
	blocks, err := s.st.DomainBlocks(c.Request().Context())
	if err != nil {
		return err
	}
	v := sectionView{Intro: r.T("admin.moderation.intro"), Columns: []string{r.T("admin.col.domain"), r.T("admin.col.reason"), r.T("admin.col.since")}}
	for _, b := range blocks {
		v.Rows = append(v.Rows, []string{b.Domain, b.Reason, r.L.DateTime(b.CreatedAt)})
	}
	return s.renderSection(c, "moderation", "admin.nav.moderation", v)
}

// adminReportsPage is GET /admin/reports.
func (s *Server) adminReportsPage(c echo.Context) error {
	r := s.reader(c)
	reports, err := s.st.Reports(c.Request().Context(), 200)
	if err != nil {
		return err
	}
	v := sectionView{Columns: []string{r.T("admin.col.received"), r.T("admin.col.account"), r.T("admin.col.content")}}
	for _, rep := range reports {
		v.Rows = append(v.Rows, []string{r.L.DateTime(rep.ReceivedAt), rep.ActorID, rep.Content})
	}
	return s.renderSection(c, "reports", "admin.nav.reports", v)
}
