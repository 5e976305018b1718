package api

// The admin web interface's foundation: sessions, roles, CSRF, the admin
// page frame and the audit trail. Page handlers use these helpers:
//
//   - Routes: register a page in routes.go with s.staffPage (any signed-in
//     account) or s.adminOnly (role admin), e.g.
//     e.GET("/admin/events", s.adminEventsPage, s.staffPage)
//     e.POST("/admin/events", s.adminEventsSave, s.staffPage)
//     The middleware answers 303 to /admin/login without a session, 403 to
//     a cross-origin POST (http.CrossOriginProtection) or to a POST without
//     the session's CSRF token (form field "csrf"), and 403 to an editor on
//     an admin-only page. A handler runs only when all of that passed.
//   - Who is signed in: st := staffOf(c) gives the *store.StaffAccount
//     (st.Account.Name, st.Account.Role) and st.IsAdmin().
//   - Forms: every <form method="post"> in an admin template carries
//     {{template "csrf" .}} (the hidden field with the session's token);
//     in Go the token is staffOf(c).CSRF().
//   - Rendering: return s.renderAdmin(c, http.StatusOK, "admin_events.html",
//     adminPage{Title: r.T("admin.events.title"), Section: "events", Data: v})
//     where the template starts with {{template "admin_head" .}} and ends
//     with {{template "admin_foot" .}}; r := s.reader(c) translates
//     (api/i18n, six languages). After a successful POST answer
//     c.Redirect(http.StatusSeeOther, "/admin/events?done=saved") (PRG).
//   - Audit: after a change succeeds, s.audit(c, "event.create", id, "name, startTime")
//     records who (the account, or "API token" on the JSON API), when, what
//     and from which address. On JSON API routes wrapped in s.audited(kind)
//     the route records it; a handler may refine it with noteAudit(c, object, summary),
//     or call noteUnchanged(c) when it answers 2xx for a state that was already there.
//   - Tests: nodetest.Node.AddStaff(name, role, password) creates an
//     account; nodetest.Node.SignIn(name, password) returns a *nodetest.Staff
//     whose Get(path) and Post(path, url.Values) carry the session cookie,
//     the CSRF token and a same-origin Origin header.

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ospod/ospod/api/auth"
	"github.com/ospod/ospod/store"
)

const (
	// sessionCookie holds the session id; only its SHA-256 is stored.
	sessionCookie = "ospod_session"
	// csrfField is the form field that carries the session's CSRF token.
	csrfField = "csrf"
	// touchEvery limits the writes that keep a session alive.
	touchEvery = time.Minute
	staffKey   = "ospod.staff"
)

// staffSession is the signed-in person of a request.
type staffSession struct {
	Account *store.StaffAccount
	Session *store.StaffSession
}

// IsAdmin reports whether the account has the admin role.
func (st *staffSession) IsAdmin() bool { return st != nil && st.Account.Role == store.RoleAdmin }

// CSRF is the token that this session's forms must send back.
func (st *staffSession) CSRF() string {
	if st == nil {
		return ""
	}
	return st.Session.CSRFToken
}

// staffOf returns the signed-in person, or nil outside staff pages.
func staffOf(c echo.Context) *staffSession {
	st, _ := c.Get(staffKey).(*staffSession)
	return st
}

// currentSession reads the session cookie and returns the live session, or
// nil. An expired session is deleted.
func (s *Server) currentSession(c echo.Context) (*staffSession, error) {
	ck, err := c.Cookie(sessionCookie)
	if err != nil || ck.Value == "" {
		return nil, nil
	}
	ctx := c.Request().Context()
	h := auth.TokenHash(ck.Value)
	ss, a, err := s.st.StaffSession(ctx, h)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	now := s.st.Now()
	if now.Sub(ss.LastSeen) > s.opts.SessionIdle || a.Disabled {
		return nil, s.st.DeleteStaffSession(ctx, h)
	}
	if now.Sub(ss.LastSeen) > touchEvery {
		if err := s.st.TouchStaffSession(ctx, h); err != nil {
			return nil, err
		}
	}
	return &staffSession{Account: a, Session: ss}, nil
}

// staffPage lets signed-in staff through (see the file comment).
func (s *Server) staffPage(next echo.HandlerFunc) echo.HandlerFunc {
	return s.staffWith(false, next)
}

// adminOnly is staffPage for pages only an admin may open.
func (s *Server) adminOnly(next echo.HandlerFunc) echo.HandlerFunc {
	return s.staffWith(true, next)
}

func (s *Server) staffWith(adminOnly bool, next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		noStore(c)
		if err := s.checkOrigin(c); err != nil {
			return err
		}
		st, err := s.currentSession(c)
		if err != nil {
			return err
		}
		if st == nil {
			return c.Redirect(http.StatusSeeOther, "/admin/login")
		}
		if st.Session.PendingFactor {
			return c.Redirect(http.StatusSeeOther, "/admin/login/code")
		}
		c.Set(staffKey, st)
		if isUnsafe(c.Request().Method) && !validCSRF(c, st) {
			return s.refuse(c, "admin.refused.csrf", csrfRefused)
		}
		if adminOnly && !st.IsAdmin() {
			return s.refuse(c, "admin.refused.adminOnly", "Only an administrator may open this page.")
		}
		if path := c.Request().URL.Path; !strings.HasPrefix(path, "/admin/account") && path != "/admin/logout" &&
			!st.Account.TOTPEnabled && s.requireSecondFactor(c) {
			return c.Redirect(http.StatusSeeOther, "/admin/account?need=code")
		}
		return next(c)
	}
}

// checkOrigin refuses an unsafe request sent by a page of another origin
// (Sec-Fetch-Site, else Origin against Host and the node's base URL).
func (s *Server) checkOrigin(c echo.Context) error {
	if err := s.crossOrigin.Check(c.Request()); err != nil {
		return problem(http.StatusForbidden, "Cross-origin requests are refused.")
	}
	return nil
}

// csrfRefused is the detail of a refused form for clients without HTML.
const csrfRefused = "The form has expired or did not come from this site; reload the page and try again."

func isUnsafe(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return true
}

// validCSRF compares the form's token with the session's in constant time.
func validCSRF(c echo.Context, st *staffSession) bool {
	got := c.FormValue(csrfField)
	return got != "" && equalTokens(got, st.CSRF())
}

func (s *Server) requireSecondFactor(c echo.Context) bool {
	v, err := s.st.Setting(c.Request().Context(), store.SettingRequireSecondFactor)
	return err == nil && v == "true"
}

// noStore keeps admin pages out of caches (shared ones and the back button's).
func noStore(c echo.Context) {
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
}

// startSession signs an account in: a new session row and its cookie.
func (s *Server) startSession(c echo.Context, a *store.StaffAccount, pendingFactor bool) (*store.StaffSession, error) {
	id := auth.NewToken()
	ss := &store.StaffSession{IDHash: auth.TokenHash(id), AccountID: a.ID, CSRFToken: auth.NewToken(),
		PendingFactor: pendingFactor, Address: c.RealIP()}
	if err := s.st.CreateStaffSession(c.Request().Context(), ss); err != nil {
		return nil, err
	}
	c.SetCookie(s.sessionCookie(id, 0))
	return ss, nil
}

// endSession deletes the request's session and clears its cookie.
func (s *Server) endSession(c echo.Context) error {
	if ck, err := c.Cookie(sessionCookie); err == nil && ck.Value != "" {
		if err := s.st.DeleteStaffSession(c.Request().Context(), auth.TokenHash(ck.Value)); err != nil {
			return err
		}
	}
	c.SetCookie(s.sessionCookie("", -1))
	return nil
}

// sessionCookie is the cookie for a session id (maxAge -1 deletes it). It
// lives only as long as the browser: the server ends idle sessions anyway.
func (s *Server) sessionCookie(value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: sessionCookie, Value: value, Path: "/admin", MaxAge: maxAge, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: strings.HasPrefix(s.node.URLs.Base, "https:")}
}

// audit records a change made by the request's person: the signed-in
// account, or "API token" on the JSON API. It logs, and does not fail the
// request, when the trail cannot be written: the change is already made.
func (s *Server) audit(c echo.Context, kind, object, summary string) {
	actor := store.AuditActorToken
	if st := staffOf(c); st != nil {
		actor = st.Account.Name
	}
	e := &store.AuditEntry{Actor: actor, Kind: kind, Object: object, Summary: summary, Address: c.RealIP()}
	if err := s.st.AddAudit(c.Request().Context(), e); err != nil {
		s.log.Error("audit trail", "err", err, "kind", kind, "object", object)
	}
}

const auditNoteKey = "ospod.audit"

type auditNote struct {
	object, summary string
	unchanged       bool
}

// noteAudit sets the object and summary of the entry that s.audited records.
func noteAudit(c echo.Context, object, summary string) {
	c.Set(auditNoteKey, auditNote{object: object, summary: summary})
}

// noteUnchanged tells s.audited that the request succeeded without changing
// anything (the state it asks for was already there): no entry is recorded.
func noteUnchanged(c echo.Context) {
	c.Set(auditNoteKey, auditNote{unchanged: true})
}

// audited records an audit entry of this kind when the handler succeeds
// (2xx) and changed something (see noteUnchanged). The object is the
// handler's note, else the route's :id or :domain.
func (s *Server) audited(kind string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if err := next(c); err != nil {
				return err
			}
			if st := c.Response().Status; st < 200 || st > 299 {
				return nil
			}
			n, _ := c.Get(auditNoteKey).(auditNote)
			if n.unchanged {
				return nil
			}
			if n.object == "" {
				n.object = c.Param("id")
				if d := c.Param("domain"); d != "" {
					n.object, _ = url.PathUnescape(d)
				}
			}
			s.audit(c, kind, n.object, n.summary)
			return nil
		}
	}
}
