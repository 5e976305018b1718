package api

import (
	"bytes"
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"

	"github.com/ospod/ospod/api/i18n"
	"github.com/ospod/ospod/federation/markup"
	"github.com/ospod/ospod/store"
)

// This file is the server-rendered website: language choice, the page
// frame, error pages, static assets and the routes. The node's own pages
// (its OSPO, its events) are in pages_node.go, the network pages (directory,
// calendar) in pages_network.go. Templates get view structs with every string already
// chosen and formatted for the reader; text from other nodes is only ever
// escaped by html/template; long texts (Markdown) become HTML only through
// markup.MarkdownToHTML, which sanitises with an allow-list.

//go:embed web/templates/*.html web/static
var webFS embed.FS

// contentSecurityPolicy allows no script at all and nothing from third parties
// except images (logos are remote URLs).
const contentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self' data:; " +
	"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// langCookie keeps the interface language a reader chose with ?lang=.
const langCookie = "lang"

type pages struct {
	tmpl   *template.Template
	static fs.FS

	icsOnce  sync.Once
	icsRoute func(id string) string // the open-data .ics URL of one event, if served
}

func newPages() *pages {
	t := template.Must(template.New("").ParseFS(webFS, "web/templates/*.html"))
	static, _ := fs.Sub(webFS, "web/static")
	return &pages{tmpl: t, static: static}
}

// reader is who reads a page: the interface language and the languages
// they read, most wanted first (for multilingual texts).
type reader struct {
	L     *i18n.Locale
	prefs []string
}

// T translates an interface message (see i18n.Locale.T).
func (r *reader) T(key string, args ...any) string { return r.L.T(key, args...) }

// N translates a message with a plural (see i18n.Locale.N).
func (r *reader) N(key string, n int, args ...any) string { return r.L.N(key, n, args...) }

// reads reports whether the reader reads a language (by its base tag).
func (r *reader) reads(tag string) bool {
	base, _, _ := strings.Cut(strings.ToLower(tag), "-")
	for _, p := range r.prefs {
		if p == base {
			return true
		}
	}
	return false
}

// reader picks the interface language: ?lang= (remembered in a cookie),
// else the cookie, else Accept-Language, else English.
func (s *Server) reader(c echo.Context) *reader {
	if r, ok := c.Get("reader").(*reader); ok {
		return r
	}
	req := c.Request()
	ui := ""
	if v := c.QueryParam("lang"); v != "" {
		if tag, ok := i18n.Supported(v); ok {
			ui = tag
			c.SetCookie(&http.Cookie{Name: langCookie, Value: tag, Path: "/", MaxAge: 365 * 24 * 3600,
				HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: strings.HasPrefix(s.node.URLs.Base, "https:")})
		}
	}
	if ui == "" {
		if ck, err := req.Cookie(langCookie); err == nil {
			ui, _ = i18n.Supported(ck.Value)
		}
	}
	accept := req.Header.Get("Accept-Language")
	if ui == "" {
		ui = i18n.Match(accept)
	}
	r := &reader{L: i18n.For(ui), prefs: []string{ui}}
	for _, p := range i18n.Preferences(accept) {
		if p != ui {
			r.prefs = append(r.prefs, p)
		}
	}
	c.Set("reader", r)
	return r
}

// ltext is a multilingual text in the language chosen for the reader.
type ltext struct {
	Text  string
	Lang  string // its BCP 47 tag ("" when unknown)
	Note  string // why it is in another language, when the reader may not read it
	Short string // the same note, short, for lists
}

var langTagRe = regexp.MustCompile(`^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$`)

// text picks the best language of m for the reader (fallback: the document's language).
func (r *reader) text(m store.LangMap, fallback string) ltext {
	t, tag := m.Best(fallback, r.prefs...)
	if t == "" {
		return ltext{}
	}
	v := ltext{Text: t}
	if tag != store.UndeterminedLanguage && langTagRe.MatchString(tag) {
		v.Lang = tag
	}
	if v.Lang != "" && !r.reads(v.Lang) {
		name := r.L.LanguageName(v.Lang)
		v.Note = r.T("text.fallback", "language", name)
		v.Short = r.T("text.fallbackShort", "language", name)
	}
	return v
}

// richText is a long text (mandate, description) as HTML: Markdown, ours
// or another node's, rendered and passed through federation's allow-list
// sanitiser (bluemonday): no script, no event handler, links only http(s)
// and mailto, with rel="nofollow noreferrer".
type richText struct {
	HTML template.HTML
	Lang string
	Note string
}

func (r *reader) rich(m store.LangMap, fallback string) richText {
	t := r.text(m, fallback)
	if t.Text == "" {
		return richText{}
	}
	return richText{HTML: template.HTML(markup.MarkdownToHTML(t.Text)), Lang: t.Lang, Note: t.Note}
}

// truncate shortens s to about n characters at a word boundary.
func truncate(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	cut := string(r[:n])
	if i := strings.LastIndexByte(cut, ' '); i > n/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;:.") + "…"
}

// webURL keeps only absolute http(s) URLs (links and images from other nodes).
func webURL(u string) string {
	if store.CheckHTTPURL(u) != nil {
		return ""
	}
	return u
}

// imageURL keeps only https images: the CSP blocks any other remote image.
func imageURL(u string) string {
	if webURL(u) == "" || !strings.HasPrefix(strings.ToLower(u), "https://") {
		return ""
	}
	return u
}

// pageData is what every page template receives.
type pageData struct {
	*reader
	Lang      string
	Title     string
	Site      ltext  // the node's OSPO name
	Account   string // the node's fediverse handle, user@host
	Section   string // the current section of the main navigation
	Languages []langLink
	Feeds     []feedLink
	Data      any
}

type langLink struct {
	Tag, Name, URL string
	Current        bool
}

type feedLink struct{ Type, URL, Title string }

func (s *Server) wantsHTML(c echo.Context) bool {
	accept := c.Request().Header.Get(echo.HeaderAccept)
	path := c.Request().URL.Path
	return strings.Contains(accept, "text/html") && !strings.HasPrefix(path, "/api/") &&
		!strings.HasPrefix(path, "/.well-known/") && !wantsActivityJSON(accept)
}

func (s *Server) render(c echo.Context, status int, name string, d pageData) error {
	p, err := s.node.Profile(c.Request().Context())
	if err != nil {
		return err
	}
	if d.reader == nil {
		d.reader = s.reader(c)
	}
	d.Lang = d.L.Tag
	d.Site = d.text(p.Name, p.DefaultLanguage())
	d.Account = s.node.Account()
	if d.Title == "" {
		d.Title = d.Site.Text
	}
	d.Languages = languageLinks(c, d.L.Tag)
	d.Feeds = append([]feedLink{
		{"application/atom+xml", "/events.atom", d.T("feed.eventsAtom")},
		{"text/calendar", "/events.ics", d.T("feed.eventsICS")},
		{"text/calendar", "/calendar.ics", d.T("feed.calendarICS")},
	}, d.Feeds...)
	var buf bytes.Buffer
	if err := s.pages.tmpl.ExecuteTemplate(&buf, name, &d); err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("Content-Language", d.Lang)
	h.Add(echo.HeaderVary, echo.HeaderAccept)
	h.Add(echo.HeaderVary, "Accept-Language")
	h.Add(echo.HeaderVary, echo.HeaderCookie)
	return c.HTMLBlob(status, buf.Bytes())
}

// languageLinks is the language switcher: the current page and query in each language.
func languageLinks(c echo.Context, current string) []langLink {
	q := url.Values{}
	for k, v := range c.QueryParams() {
		q[k] = v
	}
	path := c.Request().URL.EscapedPath()
	out := make([]langLink, len(i18n.Languages))
	for i, l := range i18n.Languages {
		q.Set("lang", l.Tag)
		out[i] = langLink{Tag: l.Tag, Name: l.Name, URL: path + "?" + q.Encode(), Current: l.Tag == current}
	}
	return out
}

// localPath turns one of the node's absolute URLs into a path for links.
func (s *Server) localPath(u string) string {
	if rest, ok := strings.CutPrefix(u, s.node.URLs.Base); ok && strings.HasPrefix(rest, "/") {
		return rest
	}
	return u
}

// errorView is the body of an error page.
type errorView struct {
	Status    int
	Heading   string
	Text      string
	Detail    string // the English detail, for the fields below
	Fields    []store.FieldError
	RequestID string
}

func (s *Server) renderErrorPage(c echo.Context, p Problem) {
	r := s.reader(c)
	v := errorView{Status: p.Status, Fields: p.Errors}
	switch p.Status {
	case http.StatusBadRequest, http.StatusNotFound, http.StatusGone, http.StatusInternalServerError:
		code := strconv.Itoa(p.Status)
		v.Heading, v.Text = r.T("error.title."+code), r.T("error.text."+code)
	default:
		v.Heading, v.Text = r.T("error.title.other", "status", p.Status), r.T("error.text.other")
		v.Detail = p.Detail
	}
	if p.Status >= 500 {
		v.RequestID = p.RequestID
	}
	if err := s.render(c, p.Status, "error.html", pageData{reader: r, Title: v.Heading, Data: v}); err != nil {
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

// pageRoutes registers the website pages that are not ActivityPub objects:
// the network directory and calendar, and a page per entry of each.
func (s *Server) pageRoutes() {
	s.e.GET("/directory", s.directoryHTML)
	s.e.GET("/directory/:slug", s.directoryEntryHTML)
	s.e.GET("/calendar", s.calendarHTML)
	s.e.GET("/calendar/:slug", s.calendarEntryHTML)
}
