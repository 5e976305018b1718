package api

import (
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/ospod/ospod/store"
)

// The events pages: the list (upcoming and past), the form to create or
// edit one, duplicate, cancel and delete (after a confirmation page). Each
// change goes through federation, as the JSON API's do: the followers
// receive Create, Update or Delete.

type adminEventsView struct {
	Lists []eventList
}

type eventList struct {
	ID, Heading, Empty string
	Rows               []eventRow
}

type eventRow struct {
	ID, Edit, URL string
	Name          ltext
	When, Status  string
	Cancelled     bool
}

// eventActions are the edit page's other buttons.
type eventActions struct {
	ID, URL   string
	Cancelled bool
}

// adminEventsPage is GET /admin/events.
func (s *Server) adminEventsPage(c echo.Context) error {
	ctx := c.Request().Context()
	r := s.reader(c)
	p, err := s.node.Profile(ctx)
	if err != nil {
		return err
	}
	var v adminEventsView
	for _, w := range []struct {
		id   string
		when store.EventWhen
	}{{"upcoming", store.EventsUpcoming}, {"past", store.EventsPast}} {
		events, _, err := s.st.ListEvents(ctx, store.EventFilter{When: w.when, Limit: 200})
		if err != nil {
			return err
		}
		l := eventList{ID: w.id, Heading: r.T("admin.events." + w.id), Empty: r.T("admin.events.none." + w.id)}
		for _, e := range events {
			ev := r.event(e, p.DefaultLanguage())
			l.Rows = append(l.Rows, eventRow{ID: e.ID, Edit: "/admin/events/" + e.ID, URL: s.node.URLs.Event(e.ID),
				Name: ev.Name, When: ev.When, Status: r.L.Status(e.Status), Cancelled: e.Status == "cancelled"})
		}
		v.Lists = append(v.Lists, l)
	}
	return s.renderAdmin(c, http.StatusOK, "admin_events.html", adminPage{Title: r.T("admin.nav.events"), Section: "events", Data: v})
}

// adminEventNewPage is GET /admin/events/new; ?from=ID fills it with a
// copy of that event (duplicate).
func (s *Server) adminEventNewPage(c echo.Context) error {
	e := &store.Event{Status: "scheduled"}
	// The zone of the latest event is the likeliest for the next one.
	if last, _, err := s.st.ListEvents(c.Request().Context(), store.EventFilter{Limit: 1}); err == nil && len(last) == 1 {
		e.Timezone = last[0].Timezone
	}
	if from := c.QueryParam("from"); from != "" {
		c.SetParamNames("id")
		c.SetParamValues(from)
		src, err := s.liveEvent(c)
		if err != nil {
			return err
		}
		e = src
		e.ID = ""
	}
	return s.renderEventForm(c, http.StatusOK, inputOf(e), "", nil, nil)
}

// adminEventEditPage is GET /admin/events/:id.
func (s *Server) adminEventEditPage(c echo.Context) error {
	e, err := s.liveEvent(c)
	if err != nil {
		return err
	}
	return s.renderEventForm(c, http.StatusOK, inputOf(e), e.ID, nil, nil)
}

func (s *Server) renderEventForm(c echo.Context, status int, in *eventInput, id string, fe formErrors, typed url.Values) error {
	r := s.reader(c)
	p, err := s.node.Profile(c.Request().Context())
	if err != nil {
		return err
	}
	v := &formPage{Form: formView{Action: "/admin/events"}, Submit: r.T("admin.events.publish"), Intro: r.T("admin.events.help")}
	title := r.T("admin.events.new")
	if id != "" {
		v.Form.Action, v.Submit, title = "/admin/events/"+id, r.T("admin.events.update"), r.T("admin.events.edit")
		v.Event = &eventActions{ID: id, URL: s.node.URLs.Event(id), Cancelled: in.e.Status == "cancelled"}
	}
	v.Sections = eventSections(r, in, p.Languages(), p.DefaultLanguage())
	keepTyped(v.fields(), fe, typed)
	v.Form.summarize(v.fields(), fe)
	return s.renderAdmin(c, status, "admin_form.html", adminPage{Title: title, Section: "events", Data: v})
}

// adminEventSave is POST /admin/events (create) and POST /admin/events/:id (update).
func (s *Server) adminEventSave(c echo.Context) error {
	ctx := c.Request().Context()
	r := s.reader(c)
	id := c.Param("id")
	var before *store.Event
	if id != "" {
		var err error
		if before, err = s.liveEvent(c); err != nil {
			return err
		}
	}
	form, err := c.FormParams()
	if err != nil {
		return err
	}
	in, bad := eventFromForm(form)
	fe := formErrors{}
	for k, v := range bad {
		fe[k] = r.T(v)
	}
	e := in.e
	if len(fe) > 0 { // list the other problems too, store nothing
		check := *e
		p, err := s.node.Profile(ctx)
		if err != nil {
			return err
		}
		check.Normalize(p.DefaultLanguage())
		if more, ok := errorsOf(r, check.Validate()); ok {
			for k, v := range more {
				if _, dup := fe[k]; !dup {
					fe[k] = v
				}
			}
		}
	} else {
		if id == "" {
			err = s.node.CreateEvent(ctx, e)
		} else {
			err = s.node.UpdateEvent(ctx, id, e)
		}
		if err != nil {
			var ok bool
			if fe, ok = errorsOf(r, err); !ok {
				return err
			}
		}
	}
	if len(fe) > 0 {
		return s.renderEventForm(c, http.StatusBadRequest, in, id, fe, form)
	}
	if id == "" {
		s.audit(c, "event.create", e.ID, changedFields(nil, e))
		return c.Redirect(http.StatusSeeOther, "/admin/events/"+e.ID+"?done=published")
	}
	if fields := changedFields(before, e); fields != "" {
		s.audit(c, "event.update", id, fields)
	}
	return c.Redirect(http.StatusSeeOther, "/admin/events/"+id+"?done=saved")
}

// adminEventCancel is POST /admin/events/:id/cancel: eventStatus
// cancelled, sent to the followers as an Update.
func (s *Server) adminEventCancel(c echo.Context) error {
	e, err := s.liveEvent(c)
	if err != nil {
		return err
	}
	if e.Status != "cancelled" {
		e.Status = "cancelled"
		if err := s.node.UpdateEvent(c.Request().Context(), e.ID, e); err != nil {
			return err
		}
		s.audit(c, "event.cancel", e.ID, "status")
	}
	return c.Redirect(http.StatusSeeOther, "/admin/events/"+e.ID+"?done=cancelled")
}

type deleteView struct {
	ID   string
	Name ltext
	When string
}

// adminEventDeletePage is GET /admin/events/:id/delete: the confirmation.
func (s *Server) adminEventDeletePage(c echo.Context) error {
	e, err := s.liveEvent(c)
	if err != nil {
		return err
	}
	r := s.reader(c)
	ev := r.event(e, e.Language)
	return s.renderAdmin(c, http.StatusOK, "admin_event_delete.html", adminPage{Title: r.T("admin.events.deleteTitle"),
		Section: "events", Data: deleteView{ID: e.ID, Name: ev.Name, When: ev.When}})
}

// adminEventDelete is POST /admin/events/:id/delete: a tombstone stays,
// and the followers receive Delete.
func (s *Server) adminEventDelete(c echo.Context) error {
	e, err := s.liveEvent(c)
	if err != nil {
		return err
	}
	if err := s.node.DeleteEvent(c.Request().Context(), e.ID); err != nil {
		return err
	}
	name, _ := e.Name.Best(e.Language, e.Language)
	s.audit(c, "event.delete", e.ID, name)
	return c.Redirect(http.StatusSeeOther, "/admin/events?done=deleted")
}
