package api

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ospod/ospod/federation"
	"github.com/ospod/ospod/federation/as2"
	"github.com/ospod/ospod/store"
)

// activityJSON writes an ActivityStreams document with the media type the
// client asked for (activity+json unless it asked only for ld+json).
func activityJSON(c echo.Context, status int, doc []byte) error {
	ct := as2.ContentTypeActivity
	accept := c.Request().Header.Get(echo.HeaderAccept)
	switch {
	case wantsActivityJSON(accept):
		if !strings.Contains(accept, "application/activity+json") && strings.Contains(accept, "application/ld+json") {
			ct = as2.ContentTypeLDJSON
		}
	case wantsPlainJSON(accept):
		ct = echo.MIMEApplicationJSON // what it asked for: the same document
	}
	h := c.Response().Header()
	h.Set(echo.HeaderCacheControl, "public, max-age=60")
	// A strong validator lets peers re-fetch conditionally (discovery refresh).
	etag, sent := bodyETags(c, doc)
	h.Set("ETag", sent)
	if status == http.StatusOK && etagMatches(c.Request().Header.Get("If-None-Match"), etag) {
		return c.NoContent(http.StatusNotModified)
	}
	return c.Blob(status, ct, doc)
}

// negotiate serves ActivityStreams JSON to federation clients and HTML to everyone else.
func (s *Server) negotiate(c echo.Context, asDoc func() ([]byte, error), page func() error) error {
	c.Response().Header().Add(echo.HeaderVary, echo.HeaderAccept)
	accept := c.Request().Header.Get(echo.HeaderAccept)
	if wantsActivityJSON(accept) || wantsPlainJSON(accept) || page == nil {
		doc, err := asDoc()
		if errors.Is(err, federation.ErrGone) && doc != nil {
			return activityJSON(c, http.StatusGone, doc)
		}
		if err != nil {
			return err
		}
		return activityJSON(c, http.StatusOK, doc)
	}
	return page()
}

// webfinger answers RFC 7033 queries for the node's actor; the route lets
// any origin read the answers, errors included (RFC 7033 §5).
func (s *Server) webfinger(c echo.Context) error {
	resource := c.QueryParam("resource")
	if resource == "" {
		return problem(http.StatusBadRequest, "The resource parameter is required, e.g. resource=acct:"+s.node.Account()+".")
	}
	if !federation.WellFormedResource(resource) {
		return problem(http.StatusBadRequest, "The resource must be a URI with a scheme, e.g. resource=acct:"+s.node.Account()+".")
	}
	jrd, ok := s.node.WebFinger(resource)
	if !ok {
		return problem(http.StatusNotFound, "No such account on this node.")
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "public, max-age=300")
	return jsonAs(c, http.StatusOK, "application/jrd+json", jrd.WithRels(c.QueryParams()["rel"]))
}

func (s *Server) hostMeta(c echo.Context) error {
	c.Response().Header().Set(echo.HeaderAccessControlAllowOrigin, "*")
	return c.Blob(http.StatusOK, "application/xrd+xml; charset=utf-8", []byte(s.node.HostMeta()))
}

func (s *Server) nodeInfoLinks(c echo.Context) error {
	c.Response().Header().Set(echo.HeaderAccessControlAllowOrigin, "*")
	return jsonAs(c, http.StatusOK, echo.MIMEApplicationJSON, s.node.NodeInfoLinks())
}

func (s *Server) nodeInfo(c echo.Context) error {
	doc, err := s.node.NodeInfoDocument(c.Request().Context())
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderAccessControlAllowOrigin, "*")
	return serveValidated(c, `application/json; profile="`+federation.NodeInfoSchema+`#"`, doc, time.Time{}, "public, max-age=1800")
}

// ospometa is our OSPO in OSPOmeta YAML, the URL FLOSS-PSO polls: it
// carries validators, so most polls are a 304.
func (s *Server) ospometa(c echo.Context) error {
	ctx := c.Request().Context()
	doc, err := s.node.OSPOmeta(ctx)
	if err != nil {
		return err
	}
	p, err := s.st.Profile(ctx)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderAccessControlAllowOrigin, "*")
	return serveValidated(c, mediaYAML, doc, p.Updated, "public, max-age=3600")
}

func (s *Server) actor(c echo.Context) error {
	ctx := c.Request().Context()
	return s.negotiate(c, func() ([]byte, error) { return s.node.CachedActorDocument(ctx) }, func() error { return s.profilePage(c) })
}

func (s *Server) home(c echo.Context) error {
	c.Response().Header().Add(echo.HeaderVary, echo.HeaderAccept)
	if wantsActivityJSON(c.Request().Header.Get(echo.HeaderAccept)) {
		return c.Redirect(http.StatusSeeOther, s.node.URLs.Actor)
	}
	return s.profilePage(c)
}

func (s *Server) profileAlias(c echo.Context) error {
	if c.Param("handle") != s.node.Handle() {
		return echo.ErrNotFound
	}
	return c.Redirect(http.StatusMovedPermanently, s.node.URLs.Actor)
}

func (s *Server) outbox(c echo.Context) error {
	page := 0
	if v := c.QueryParam("page"); v != "" {
		p, err := strconv.Atoi(v)
		if err != nil || p < 1 || p > 100000 {
			return problem(http.StatusBadRequest, "page must be a positive integer.")
		}
		page = p
	}
	ctx := c.Request().Context()
	return s.negotiate(c, func() ([]byte, error) { return s.node.OutboxDocument(ctx, page) }, func() error {
		return c.Redirect(http.StatusSeeOther, "/events")
	})
}

// followers shows how many follow us and lists those federation's policy
// names (federation.ListedFollower): the OSPOs, not individual accounts.
func (s *Server) followers(c echo.Context) error {
	return s.negotiate(c, func() ([]byte, error) {
		total, listed, err := s.node.PublicFollowers(c.Request().Context())
		if err != nil {
			return nil, err
		}
		return as2.Collection(s.node.URLs.Followers, total, listed)
	}, nil)
}

// following lists the actors we follow (public: it is how the network of OSPOs is discovered).
func (s *Server) following(c echo.Context) error {
	return s.negotiate(c, func() ([]byte, error) {
		rels, err := s.st.Relations(c.Request().Context(), store.Following, store.FollowAccepted)
		if err != nil {
			return nil, err
		}
		items := make([]string, 0, len(rels))
		for _, r := range rels {
			items = append(items, r.ActorID)
		}
		return as2.Collection(s.node.URLs.Following, len(items), items)
	}, nil)
}

func (s *Server) featured(c echo.Context) error {
	return s.negotiate(c, func() ([]byte, error) { return as2.Collection(s.node.URLs.Featured, 0, []string{}) }, nil)
}

func (s *Server) upcomingEvents(c echo.Context) error {
	ctx := c.Request().Context()
	return s.negotiate(c, func() ([]byte, error) { return s.node.UpcomingEventsDocument(ctx) }, func() error {
		return c.Redirect(http.StatusSeeOther, "/events")
	})
}

func (s *Server) event(c echo.Context) error {
	id := c.Param("id")
	if !store.ValidID(id) {
		return echo.ErrNotFound
	}
	ctx := c.Request().Context()
	return s.negotiate(c, func() ([]byte, error) { return s.node.CachedEventDocument(ctx, id) }, func() error { return s.eventPage(c, id) })
}

func (s *Server) eventActivity(c echo.Context) error {
	id := c.Param("id")
	if !store.ValidID(id) {
		return echo.ErrNotFound
	}
	ctx := c.Request().Context()
	return s.negotiate(c, func() ([]byte, error) { return s.node.EventActivityDocument(ctx, id) }, func() error {
		return c.Redirect(http.StatusSeeOther, s.node.URLs.Event(id))
	})
}
