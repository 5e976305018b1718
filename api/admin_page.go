package api

import (
	"bytes"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/ospod/ospod/api/i18n"
)

// adminPage is what every admin template receives (see admin_session.go
// for how handlers use it).
type adminPage struct {
	*reader
	Lang      string
	Title     string
	Section   string // the current entry of the admin navigation
	Site      ltext
	Staff     *staffSession // nil on the sign-in pages
	CSRF      string
	Languages []langLink
	Nav       []adminNavLink
	Notice    string // a confirmation after a POST (?done=...)
	Data      any
}

type adminNavLink struct {
	Section, URL, Label string
}

// adminSections are the admin pages in navigation order; adminOnly ones
// are left out of an editor's navigation.
var adminSections = []struct {
	section, url, key string
	adminOnly         bool
}{
	{"dashboard", "/admin", "admin.nav.dashboard", false},
	{"profile", "/admin/profile", "admin.nav.profile", false},
	{"events", "/admin/events", "admin.nav.events", false},
	{"followers", "/admin/followers", "admin.nav.followers", true},
	{"following", "/admin/following", "admin.nav.following", true},
	{"network", "/admin/network", "admin.nav.network", true},
	{"moderation", "/admin/moderation", "admin.nav.moderation", true},
	{"reports", "/admin/reports", "admin.nav.reports", true},
	{"users", "/admin/users", "admin.nav.users", true},
	{"audit", "/admin/audit", "admin.nav.audit", true},
	{"account", "/admin/account", "admin.nav.account", false},
}

// renderAdmin renders an admin template in the admin frame: the strict
// CSP, no caching, the navigation for the signed-in person's role.
func (s *Server) renderAdmin(c echo.Context, status int, name string, d adminPage) error {
	p, err := s.node.Profile(c.Request().Context())
	if err != nil {
		return err
	}
	if d.reader == nil {
		d.reader = s.reader(c)
	}
	d.Lang = d.L.Tag
	d.Site = d.text(p.Name, p.DefaultLanguage())
	d.Languages = languageLinks(c, d.L.Tag)
	if d.Staff == nil {
		d.Staff = staffOf(c)
	}
	if d.Staff != nil {
		d.CSRF = d.Staff.CSRF()
		for _, sec := range adminSections {
			if !sec.adminOnly || d.Staff.IsAdmin() {
				d.Nav = append(d.Nav, adminNavLink{Section: sec.section, URL: sec.url, Label: d.T(sec.key)})
			}
		}
	}
	if done := c.QueryParam("done"); d.Notice == "" && validNoticeKey(done) {
		d.Notice = d.T("admin.done." + done)
	}
	var buf bytes.Buffer
	if err := s.pages.tmpl.ExecuteTemplate(&buf, name, &d); err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("Content-Language", d.Lang)
	h.Set(echo.HeaderCacheControl, "no-store")
	h.Add(echo.HeaderVary, echo.HeaderCookie)
	return c.HTMLBlob(status, buf.Bytes())
}

// refuse answers 403 with a message (an i18n key): to a browser, a page in
// the admin frame, so a signed-in person keeps their navigation and the
// sign-out form; to other clients, problem+json with the English detail.
func (s *Server) refuse(c echo.Context, key, detail string) error {
	if !s.wantsHTML(c) {
		return problem(http.StatusForbidden, detail)
	}
	r := s.reader(c)
	return s.renderAdmin(c, http.StatusForbidden, "admin_refused.html",
		adminPage{reader: r, Title: r.T("admin.refused.title"), Data: r.T(key)})
}

// validNoticeKey keeps ?done= to known message keys (a link cannot put
// arbitrary text on the page; the key is looked up, never shown).
func validNoticeKey(k string) bool {
	return k != "" && len(k) <= 40 && i18n.For(i18n.Default).Has("admin.done."+k)
}
