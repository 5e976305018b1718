package api

import (
	"bytes"
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/ospod/ospod/federation"
	"github.com/ospod/ospod/store"
)

//go:embed web/templates/*.html web/static
var webFS embed.FS

// contentSecurityPolicy allows no script at all and nothing from third parties
// except images (logos are remote URLs).
const contentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self' https: data:; " +
	"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

type pages struct {
	tmpl   *template.Template
	static fs.FS
}

func newPages() *pages {
	funcs := template.FuncMap{
		"text":     func(m store.LangMap, lang string) string { t, _ := m.Best(lang, lang); return t },
		"textLang": func(m store.LangMap, lang string) string { _, tag := m.Best(lang, lang); return tag },
		"markdown": func(m store.LangMap, lang string) template.HTML {
			t, _ := m.Best(lang, lang)
			return template.HTML(federation.MarkdownToHTML(t)) // sanitised by the allow-list
		},
		"when":  federation.HumanTimeRange,
		"place": federation.PlaceText,
		"join":  strings.Join,
		"label": func(s string) string { return strings.ReplaceAll(s, "-", " ") },
	}
	t := template.Must(template.New("").Funcs(funcs).ParseFS(webFS, "web/templates/*.html"))
	static, _ := fs.Sub(webFS, "web/static")
	return &pages{tmpl: t, static: static}
}

// pageData is what every page template receives.
type pageData struct {
	Lang    string
	Title   string
	Node    *federation.Node
	Profile *store.Profile
	Data    any
}

func (s *Server) wantsHTML(c echo.Context) bool {
	accept := c.Request().Header.Get(echo.HeaderAccept)
	path := c.Request().URL.Path
	return strings.Contains(accept, "text/html") && !strings.HasPrefix(path, "/api/") &&
		!strings.HasPrefix(path, "/.well-known/") && !wantsActivityJSON(accept)
}

func (s *Server) render(c echo.Context, status int, name string, d pageData) error {
	if d.Profile == nil {
		p, err := s.node.Profile(c.Request().Context())
		if err != nil {
			return err
		}
		d.Profile = p
	}
	d.Node = s.node
	if d.Lang == "" {
		d.Lang = d.Profile.DefaultLanguage()
	}
	var buf bytes.Buffer
	if err := s.pages.tmpl.ExecuteTemplate(&buf, name, d); err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Add(echo.HeaderVary, echo.HeaderAccept)
	return c.HTMLBlob(status, buf.Bytes())
}

func (s *Server) profilePage(c echo.Context) error {
	ctx := c.Request().Context()
	p, err := s.node.Profile(ctx)
	if err != nil {
		return err
	}
	upcoming, _, err := s.st.ListEvents(ctx, store.EventFilter{When: store.EventsUpcoming, Limit: 10})
	if err != nil {
		return err
	}
	name, _ := p.Name.Best(p.DefaultLanguage(), p.DefaultLanguage())
	return s.render(c, http.StatusOK, "profile.html", pageData{Title: name, Profile: p, Data: upcoming})
}

func (s *Server) eventsPage(c echo.Context) error {
	ctx := c.Request().Context()
	upcoming, _, err := s.st.ListEvents(ctx, store.EventFilter{When: store.EventsUpcoming, Limit: 100})
	if err != nil {
		return err
	}
	past, _, err := s.st.ListEvents(ctx, store.EventFilter{When: store.EventsPast, Limit: 50})
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "events.html", pageData{Title: "Events",
		Data: map[string][]*store.Event{"Upcoming": upcoming, "Past": past}})
}

func (s *Server) eventPage(c echo.Context, id string) error {
	e, err := s.st.Event(c.Request().Context(), id)
	if err != nil {
		return err
	}
	if !e.Deleted.IsZero() {
		return federation.ErrGone
	}
	name, _ := e.Name.Best(e.Language, e.Language)
	return s.render(c, http.StatusOK, "event.html", pageData{Title: name, Data: e})
}

func (s *Server) renderErrorPage(c echo.Context, p Problem) {
	if err := s.render(c, p.Status, "error.html", pageData{Title: p.Title, Data: p}); err != nil {
		s.log.Error("render error page", "err", err)
		_ = c.String(p.Status, p.Title)
	}
}

func (s *Server) static(c echo.Context) error {
	name := strings.TrimPrefix(c.Param("*"), "/")
	if name == "" || strings.Contains(name, "..") {
		return echo.ErrNotFound
	}
	b, err := fs.ReadFile(s.pages.static, name)
	if err != nil {
		return echo.ErrNotFound
	}
	ct := "application/octet-stream"
	switch {
	case strings.HasSuffix(name, ".css"):
		ct = "text/css; charset=utf-8"
	case strings.HasSuffix(name, ".svg"):
		ct = "image/svg+xml"
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "public, max-age=3600")
	return c.Blob(http.StatusOK, ct, b)
}

// pageRoutes registers the website pages that are not ActivityPub objects
// (the directory, the calendar...).
func (s *Server) pageRoutes() {}
