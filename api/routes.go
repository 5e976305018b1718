package api

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// routes declares every route of the node in one place.
func (s *Server) routes() {
	e := s.e

	// Discovery.
	e.GET("/.well-known/webfinger", s.webfinger)
	e.GET("/.well-known/host-meta", s.hostMeta)
	e.GET("/.well-known/nodeinfo", s.nodeInfoLinks)
	e.GET("/nodeinfo/2.1", s.nodeInfo)
	e.GET("/ospometa.yml", s.ospometa)

	// The public website's own pages (directory, calendar...) and open data.
	s.pageRoutes()
	s.openDataRoutes()

	// ActivityPub objects; browsers get HTML at the same URLs.
	e.GET("/", s.home)
	e.GET("/actor", s.actor)
	e.GET("/@:handle", s.profileAlias)
	e.GET("/actor/outbox", s.outbox)
	e.GET("/actor/followers", s.followers)
	e.GET("/actor/following", s.following)
	e.GET("/actor/featured", s.featured)
	e.GET("/actor/upcoming-events", s.upcomingEvents)
	e.GET("/events", s.eventsPage)
	e.GET("/events/:id", s.event)
	e.GET("/events/:id/activity", s.eventActivity)
	e.GET("/static/*", s.static)

	// Inboxes: the actor's and the shared one take the same activities.
	e.POST("/actor/inbox", s.inbox)
	e.POST("/inbox", s.inbox)

	// Public read API, open to any origin.
	pub := e.Group("/api/v1", middleware.CORSWithConfig(middleware.CORSConfig{
		AllowOrigins: []string{"*"}, AllowMethods: []string{http.MethodGet, http.MethodHead},
	}))
	pub.GET("/profile", s.publicProfile)
	pub.GET("/events", s.publicEvents)
	pub.GET("/events/:id", s.publicEvent)
	pub.GET("/directory", s.apiDirectory)
	pub.GET("/directory/:slug", s.apiDirectoryEntry)
	pub.GET("/calendar", s.apiCalendar)

	// Admin API.
	adm := e.Group("/api/v1/admin", s.requireAdmin)
	adm.GET("/profile", s.adminGetProfile)
	adm.PUT("/profile", s.adminPutProfile)
	adm.GET("/events", s.adminListEvents)
	adm.POST("/events", s.adminCreateEvent)
	adm.GET("/events/:id", s.adminGetEvent)
	adm.PUT("/events/:id", s.adminUpdateEvent)
	adm.DELETE("/events/:id", s.adminDeleteEvent)
	adm.GET("/following", s.adminListFollowing)
	adm.POST("/following", s.adminFollow)
	adm.DELETE("/following/:id", s.adminUnfollow)
	adm.GET("/followers", s.adminListFollowers)
	adm.POST("/followers/:id/accept", s.adminAnswerFollower(true))
	adm.POST("/followers/:id/reject", s.adminAnswerFollower(false))
	adm.GET("/peers", s.adminPeers)
	adm.GET("/deliveries", s.adminDeliveries)

	// Unknown paths under the admin API are 401 before 404, so they reveal nothing.
	adm.Any("/*", func(c echo.Context) error { return echo.ErrNotFound })
}
