package api

import (
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// routes declares the node's routes; the website's pages, open data and the
// admin ones are listed in functions of their own (pageRoutes, openDataRoutes,
// adminPageRoutes, adminAPIRoutes).
func (s *Server) routes() {
	e := s.e

	// Discovery.
	e.GET("/.well-known/webfinger", s.webfinger, openToAll)
	e.GET("/.well-known/host-meta", s.hostMeta)
	e.GET("/.well-known/nodeinfo", s.nodeInfoLinks)
	e.GET("/nodeinfo/2.1", s.nodeInfo)
	e.GET("/ospometa.yml", s.ospometa)

	// Health checks for load balancers and orchestrators (health.go).
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)

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

	// Public read API, open to any origin. Middleware is given per route, not
	// per group: Echo's groups add catch-all routes that turn 405 into 404.
	cors := middleware.CORSWithConfig(middleware.CORSConfig{
		AllowOrigins: []string{"*"}, AllowMethods: []string{http.MethodGet, http.MethodHead},
	})
	e.GET("/api/v1/profile", s.publicProfile, cors)
	e.GET("/api/v1/events", s.publicEvents, cors)
	e.GET("/api/v1/events/:id", s.publicEvent, cors)
	e.GET("/api/v1/directory", s.apiDirectory, cors)
	e.GET("/api/v1/directory/:slug", s.apiDirectoryEntry, cors)
	e.GET("/api/v1/calendar", s.apiCalendar, cors)

	// The admin web interface (pages for staff) and the admin JSON API.
	s.adminPageRoutes()
	s.adminAPIRoutes()
}

// adminPageRoutes registers the admin web interface: sign-in, then pages
// for staff (staffPage) or for admins only (adminOnly); admin_session.go
// explains both.
func (s *Server) adminPageRoutes() {
	e := s.e
	staff, adminOnly := s.staffPage, s.adminOnly
	e.GET("/admin/login", s.adminLoginPage)
	e.POST("/admin/login", s.adminLogin)
	e.POST("/admin/logout", s.adminLogout, staff)
	e.POST("/admin/logout/everywhere", s.adminLogoutEverywhere, staff)
	e.GET("/admin/login/oidc", s.adminOIDCStart)
	e.GET("/admin/login/oidc/callback", s.adminOIDCCallback)
	e.GET("/admin/login/code", s.adminLoginCodePage)
	e.POST("/admin/login/code", s.adminLoginCode)
	e.GET("/admin/account", s.adminAccountPage, staff)
	e.POST("/admin/account/factor/start", s.adminFactorStart, staff)
	e.POST("/admin/account/factor/confirm", s.adminFactorConfirm, staff)
	e.POST("/admin/account/factor/off", s.adminFactorOff, staff)
	e.GET("/admin", s.adminDashboard, staff)
	// The content pages (admin_profile.go, admin_events.go, ...): editors
	// have the profile and the events; the rest is for admins.
	e.GET("/admin/profile", s.adminProfilePage, staff)
	e.POST("/admin/profile", s.adminProfileSave, staff)
	e.GET("/admin/events", s.adminEventsPage, staff)
	e.POST("/admin/events", s.adminEventSave, staff)
	e.GET("/admin/events/new", s.adminEventNewPage, staff)
	e.GET("/admin/events/:id", s.adminEventEditPage, staff)
	e.POST("/admin/events/:id", s.adminEventSave, staff)
	e.POST("/admin/events/:id/cancel", s.adminEventCancel, staff)
	e.GET("/admin/events/:id/delete", s.adminEventDeletePage, staff)
	e.POST("/admin/events/:id/delete", s.adminEventDelete, staff)
	e.GET("/admin/followers", s.adminFollowersPage, adminOnly)
	e.POST("/admin/followers/:id/:action", s.adminFollowerAnswer, adminOnly)
	e.GET("/admin/following", s.adminFollowingPage, adminOnly)
	e.POST("/admin/following", s.adminFollowSave, adminOnly)
	e.POST("/admin/following/:id/remove", s.adminUnfollowSave, adminOnly)
	e.GET("/admin/network", s.adminNetworkPage, adminOnly)
	e.POST("/admin/network/:host/retry", s.adminRetryHost, adminOnly)
	e.GET("/admin/moderation", s.adminModerationPage, adminOnly)
	e.POST("/admin/moderation/blocks", s.adminBlockSave, adminOnly)
	e.POST("/admin/moderation/blocks/:domain/remove", s.adminBlockRemove, adminOnly)
	e.POST("/admin/moderation/allowlist", s.adminAllowlistMode, adminOnly)
	e.POST("/admin/moderation/allows", s.adminAllowSave, adminOnly)
	e.POST("/admin/moderation/allows/:domain/remove", s.adminAllowRemove, adminOnly)
	e.GET("/admin/reports", s.adminReportsPage, adminOnly)
	e.POST("/admin/reports/:id/:action", s.adminReportAnswerPage, adminOnly)
	e.GET("/admin/audit", s.adminAuditPage, adminOnly)
	e.GET("/admin/users", s.adminUsersPage, adminOnly)
	e.POST("/admin/users", s.adminUserAdd, adminOnly)
	e.POST("/admin/users/second-factor", s.adminRequireFactor, adminOnly)
	e.POST("/admin/users/sign-up", s.adminSignUp, adminOnly)
	e.POST("/admin/users/:name/:action", s.adminUserChange, adminOnly)
	e.GET("/admin/invite/:token", s.adminInvitePage)
	e.POST("/admin/invite/:token", s.adminInviteAccept)
	// Without a session every other /admin path also answers 303 to the sign-in.
	e.Any("/admin/*", s.methodNotAllowedOrNotFound, staff)
}

// adminAPIRoutes registers the admin JSON API, behind the bearer token.
func (s *Server) adminAPIRoutes() {
	e := s.e
	admin := s.requireAdmin
	// Each write is in the audit trail (audited), as made with the API token.
	audited := s.audited
	e.GET("/api/v1/admin/profile", s.adminGetProfile, admin)
	e.PUT("/api/v1/admin/profile", s.adminPutProfile, admin, audited("profile.update"))
	e.GET("/api/v1/admin/events", s.adminListEvents, admin)
	e.POST("/api/v1/admin/events", s.adminCreateEvent, admin, audited("event.create"))
	e.GET("/api/v1/admin/events/:id", s.adminGetEvent, admin)
	e.PUT("/api/v1/admin/events/:id", s.adminUpdateEvent, admin, audited("event.update"))
	e.DELETE("/api/v1/admin/events/:id", s.adminDeleteEvent, admin, audited("event.delete"))
	e.GET("/api/v1/admin/following", s.adminListFollowing, admin)
	e.POST("/api/v1/admin/following", s.adminFollow, admin, audited("follow.add"))
	e.DELETE("/api/v1/admin/following/:id", s.adminUnfollow, admin, audited("follow.remove"))
	e.GET("/api/v1/admin/followers", s.adminListFollowers, admin)
	e.POST("/api/v1/admin/followers/:id/accept", s.adminAnswerFollower(true), admin, audited("follower.accept"))
	e.POST("/api/v1/admin/followers/:id/reject", s.adminAnswerFollower(false), admin, audited("follower.reject"))
	e.GET("/api/v1/admin/peers", s.adminNetwork, admin)
	e.DELETE("/api/v1/admin/peers/:id", s.adminRemovePeer, admin, audited("peer.remove"))
	e.POST("/api/v1/admin/discovery", s.adminDiscover, admin, audited("discovery.run"))
	e.GET("/api/v1/admin/domain-blocks", s.adminListBlocks, admin)
	e.POST("/api/v1/admin/domain-blocks", s.adminBlock, admin, audited("block.add"))
	e.DELETE("/api/v1/admin/domain-blocks/:domain", s.adminUnblock, admin, audited("block.remove"))
	e.GET("/api/v1/admin/federation-mode", s.adminFederationMode, admin)
	e.PUT("/api/v1/admin/federation-mode", s.adminFederationMode, admin, audited("federation.mode"))
	e.POST("/api/v1/admin/domain-allows", s.adminAllow, admin, audited("allow.add"))
	e.DELETE("/api/v1/admin/domain-allows/:domain", s.adminDisallow, admin, audited("allow.remove"))
	e.GET("/api/v1/admin/reports", s.adminReports, admin)
	e.POST("/api/v1/admin/reports/:id/:action", s.adminReportAnswer, admin) // resolve, dismiss; audited inside
	e.POST("/api/v1/admin/import/ospometa", s.adminImportOSPOmeta, admin, audited("directory.import"))
	e.GET("/api/v1/admin/deliveries", s.adminDeliveries, admin)
	e.GET("/api/v1/admin/audit", s.adminAudit, admin)
	// Anything else under the admin API asks for the token first, so an
	// unknown path reveals nothing; a known path with another method is 405.
	e.Any("/api/v1/admin/*", s.methodNotAllowedOrNotFound, admin)
}

// methodNotAllowedOrNotFound answers a request that matched only a catch-all:
// 405 with Allow when another method is routed at this path, else 404.
func (s *Server) methodNotAllowedOrNotFound(c echo.Context) error {
	path := c.Request().URL.Path
	var allow []string
	for _, r := range s.e.Routes() {
		if !strings.HasSuffix(r.Path, "*") && routeMatches(r.Path, path) && !slices.Contains(allow, r.Method) {
			allow = append(allow, r.Method)
		}
	}
	if len(allow) == 0 {
		return echo.ErrNotFound
	}
	if slices.Contains(allow, http.MethodGet) {
		allow = append(allow, http.MethodHead)
	}
	sort.Strings(allow)
	c.Response().Header().Set(echo.HeaderAllow, strings.Join(allow, ", "))
	return echo.ErrMethodNotAllowed
}

// routeMatches reports whether a path fits a route pattern with :params.
func routeMatches(pattern, path string) bool {
	ps, xs := strings.Split(pattern, "/"), strings.Split(path, "/")
	if len(ps) != len(xs) {
		return false
	}
	for i := range ps {
		if !strings.HasPrefix(ps[i], ":") && ps[i] != xs[i] {
			return false
		}
	}
	return true
}

// headAsGet routes HEAD requests to the GET handlers (Echo routes HEAD
// only where it is registered); restoreHead turns the request back into a
// HEAD once routed, so net/http sends no body.
func headAsGet(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if r := c.Request(); r.Method == http.MethodHead {
			r.Method = http.MethodGet
			c.Set(headKey, true)
		}
		return next(c)
	}
}

func restoreHead(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if c.Get(headKey) == true {
			c.Request().Method = http.MethodHead
		}
		return next(c)
	}
}

const headKey = "ospod.head"
