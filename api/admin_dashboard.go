package api

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/ospod/ospod/federation"
	"github.com/ospod/ospod/store"
)

// dashboardView is what needs attention, the next events and the node's health.
type dashboardView struct {
	PendingFollowers int
	OpenReports      int
	FailingHosts     []*store.Host
	Untranslated     []dashboardEvent // upcoming events missing one of the profile's languages
	Upcoming         []dashboardEvent
	Queue            store.QueueStats
	Followers        int
	Following        int
	Schema           int
	Version          string
	HasProfile       bool
	Attention        bool // anything above needs someone
}

type dashboardEvent struct {
	ID, URL, Edit string
	Name          ltext
	When          string
	Missing       string // the missing languages' names, comma-separated
}

// adminDashboard is GET /admin.
func (s *Server) adminDashboard(c echo.Context) error {
	ctx := c.Request().Context()
	r := s.reader(c)
	var v dashboardView
	var err error
	if v.PendingFollowers, err = s.st.CountRelations(ctx, store.Followers, store.FollowPending); err != nil {
		return err
	}
	if v.Followers, err = s.st.CountRelations(ctx, store.Followers, store.FollowAccepted); err != nil {
		return err
	}
	if v.Following, err = s.st.CountRelations(ctx, store.Following, store.FollowAccepted); err != nil {
		return err
	}
	if v.OpenReports, err = s.st.CountOpenReports(ctx); err != nil {
		return err
	}
	if v.FailingHosts, err = s.st.FailingHosts(ctx, 20); err != nil {
		return err
	}
	if v.Queue, err = s.st.DeliveryStats(ctx); err != nil {
		return err
	}
	if v.Schema, err = s.st.SchemaVersion(ctx); err != nil {
		return err
	}
	v.Version = federation.Version
	p, err := s.st.Profile(ctx)
	v.HasProfile = err == nil
	langs := []string{}
	if v.HasProfile {
		langs = p.Languages()
	}
	events, _, err := s.st.ListEvents(ctx, store.EventFilter{When: store.EventsUpcoming, Limit: 50})
	if err != nil {
		return err
	}
	for i, e := range events {
		ev := r.event(e, "")
		de := dashboardEvent{ID: e.ID, URL: "/events/" + e.ID, Edit: "/admin/events/" + e.ID, Name: ev.Name, When: ev.When}
		var missing []string
		for _, l := range langs {
			if _, ok := e.Name[l]; !ok {
				missing = append(missing, r.L.LanguageName(l))
			}
		}
		de.Missing = strings.Join(missing, ", ")
		if de.Missing != "" {
			v.Untranslated = append(v.Untranslated, de)
		}
		if i < 5 {
			v.Upcoming = append(v.Upcoming, de)
		}
	}
	v.Attention = v.PendingFollowers > 0 || v.OpenReports > 0 || len(v.FailingHosts) > 0 || len(v.Untranslated) > 0 || !v.HasProfile
	return s.renderAdmin(c, http.StatusOK, "admin_dashboard.html",
		adminPage{Title: r.T("admin.dashboard.title"), Section: "dashboard", Data: v})
}
