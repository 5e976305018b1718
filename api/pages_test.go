package api_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/ospod/ospod/api/nodetest"
	"github.com/ospod/ospod/federation/fedtest"
	"github.com/ospod/ospod/store"
)

// page is an HTML page fetched as a browser would.
type page struct {
	status int
	header http.Header
	body   string
	doc    *html.Node
}

// browse GETs a page with a browser's Accept header (and more headers as
// name, value pairs), parses it and checks what every page must satisfy.
func browse(t *testing.T, u string, headers ...string) page {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", acceptHTML)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	p := page{status: resp.StatusCode, header: resp.Header, body: string(b)}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Fatalf("GET %s: Content-Type %q (status %d)", u, ct, resp.StatusCode)
	}
	if p.doc, err = html.Parse(strings.NewReader(p.body)); err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	checkPage(t, u, p)
	return p
}

// checkPage asserts the safety, size and accessibility rules of every page.
func checkPage(t *testing.T, u string, p page) {
	t.Helper()
	if csp := p.header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") ||
		strings.Contains(csp, "script-src") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("%s: Content-Security-Policy %q", u, csp)
	}
	if len(p.body) > 100<<10 {
		t.Errorf("%s: %d bytes, over 100 KB", u, len(p.body))
	}
	if strings.Contains(strings.ToLower(p.body), "<script") {
		t.Errorf("%s: contains <script", u)
	}
	count := map[string]int{}
	labels := map[string]bool{}
	var controls []string
	var firstLink string
	walk(p.doc, func(n *html.Node) {
		if n.Type != html.ElementNode {
			return
		}
		count[n.Data]++
		switch n.Data {
		case "script", "iframe", "object", "embed", "base", "style":
			t.Errorf("%s: <%s> element", u, n.Data)
		case "label":
			labels[attr(n, "for")] = true
		case "input", "select", "textarea":
			if typ := attr(n, "type"); typ != "hidden" && typ != "submit" {
				controls = append(controls, attr(n, "id"))
			}
		case "img":
			if !hasAttr(n, "alt") {
				t.Errorf("%s: <img src=%q> without alt", u, attr(n, "src"))
			}
			if src := attr(n, "src"); !strings.HasPrefix(src, "https://") && !strings.HasPrefix(src, "/") {
				t.Errorf("%s: image %q would break the CSP", u, src)
			}
		case "a":
			if firstLink == "" {
				firstLink = attr(n, "href")
			}
			if href := attr(n, "href"); strings.HasPrefix(href, "http") && !strings.HasPrefix(href, "https://github.com/ospod/") &&
				!strings.Contains(href, "//127.0.0.1") {
				rel := " " + attr(n, "rel") + " "
				if !strings.Contains(rel, " nofollow ") || !(strings.Contains(rel, " noopener ") || strings.Contains(rel, " noreferrer ")) {
					t.Errorf("%s: external link %q with rel %q", u, href, attr(n, "rel"))
				}
			}
		case "html":
			if attr(n, "lang") == "" {
				t.Errorf("%s: <html> without lang", u)
			}
		}
		for _, a := range n.Attr {
			key := strings.ToLower(a.Key)
			if strings.HasPrefix(key, "on") {
				t.Errorf("%s: <%s %s=%q>", u, n.Data, a.Key, a.Val)
			}
			if key == "style" {
				t.Errorf("%s: inline style on <%s>", u, n.Data)
			}
			v := strings.ToLower(strings.Join(strings.Fields(a.Val), ""))
			if strings.HasPrefix(v, "javascript:") || strings.HasPrefix(v, "vbscript:") || strings.HasPrefix(v, "data:text") {
				t.Errorf("%s: <%s %s=%q>", u, n.Data, a.Key, a.Val)
			}
		}
	})
	for _, el := range []string{"header", "nav", "main", "footer"} {
		if count[el] == 0 {
			t.Errorf("%s: no <%s> landmark", u, el)
		}
	}
	if count["h1"] != 1 {
		t.Errorf("%s: %d <h1>, want 1", u, count["h1"])
	}
	if firstLink != "#main" {
		t.Errorf("%s: first link %q, want the skip link to #main", u, firstLink)
	}
	for _, id := range controls {
		if id == "" || !labels[id] {
			t.Errorf("%s: form control %q without a <label for>", u, id)
		}
	}
}

func walk(n *html.Node, f func(*html.Node)) {
	f(n)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, f)
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}

// find returns the elements with a tag whose attribute key has value val ("" : any).
func find(doc *html.Node, tag, key, val string) []*html.Node {
	var out []*html.Node
	walk(doc, func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == tag && (key == "" || (hasAttr(n, key) && (val == "" || attr(n, key) == val))) {
			out = append(out, n)
		}
	})
	return out
}

func textOf(n *html.Node) string {
	var b strings.Builder
	walk(n, func(c *html.Node) {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	})
	return strings.Join(strings.Fields(b.String()), " ")
}

func (p page) want(t *testing.T, what string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(p.body, s) && !strings.Contains(html.UnescapeString(p.body), s) {
			t.Errorf("%s: lacks %q", what, s)
		}
	}
}

func (p page) wantNot(t *testing.T, what string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if strings.Contains(p.body, s) || strings.Contains(html.UnescapeString(p.body), s) {
			t.Errorf("%s: has %q", what, s)
		}
	}
}

func (p page) htmlLang() string {
	if h := find(p.doc, "html", "", ""); len(h) > 0 {
		return attr(h[0], "lang")
	}
	return ""
}

// optionLabels lists the choices of a filter as shown.
func (p page) optionLabels(selectID string) []string {
	var out []string
	for _, s := range find(p.doc, "select", "id", selectID) {
		for _, o := range find(s, "option", "", "") {
			out = append(out, textOf(o))
		}
	}
	return out
}

// dirSlug is the directory slug of an actor (store.Slug).
func dirSlug(id string) string { return store.Slug(id) }

// TestPagesOwnNode: every page of a node with a profile and an event.
func TestPagesOwnNode(t *testing.T) {
	n := nodetest.Start(t, nodetest.Options{})
	setProfile(t, n, nil)
	id := laterEvent(t, n, "Licensing clinic")
	past := exampleDoc(t, "event.json")
	past["name"] = map[string]string{"en": "Last year's meetup"}
	past["startTime"], past["endTime"] = "2020-03-05T10:00:00+01:00", "2020-03-05T12:00:00+01:00"
	if code := n.Admin(http.MethodPost, "/api/v1/admin/events", past, nil); code != http.StatusCreated {
		t.Fatalf("past event: %d", code)
	}
	name := "Open Source Program Office of the City of Exampleton"
	account := "ospo@" + n.Host

	for _, path := range []string{"/", "/actor"} {
		p := browse(t, n.URL+path)
		if p.status != http.StatusOK {
			t.Fatalf("%s: %d", path, p.status)
		}
		p.want(t, path, `<h1 lang="en">`+name+`</h1>`, "@"+account, "<strong>city council</strong>",
			"Licensing clinic", `href="/directory"`, `href="/calendar"`, `href="/events"`, "Follow us",
			"Design and execution of open source strategies", "Local government", "France",
			`href="https://opensource.exampleton.example/policy" rel="nofollow noopener ugc"`,
			`type="application/atom+xml" href="/events.atom"`, `type="text/calendar" href="/events.ics"`, `href="/calendar.ics"`,
			`href="/directory.csv"`, `href="/directory.json"`, `href="/directory.ospometa.yml"`, "Wednesday 14 April 2038, 10:00–11:30 (Europe/Paris, UTC+2)")
		p.wantNot(t, path, "Last year's meetup")
		if p.htmlLang() != "en" {
			t.Errorf("%s: html lang %q", path, p.htmlLang())
		}
	}

	p := browse(t, n.URL+"/events")
	p.want(t, "/events", "Licensing clinic", "Last year's meetup", "Upcoming events", "Past events", "/events/"+id)

	p = browse(t, n.URL+"/events/"+id)
	if p.status != http.StatusOK {
		t.Fatalf("event page: %d", p.status)
	}
	p.want(t, "event page", `<h1 lang="en">Licensing clinic</h1>`,
		`href="https://opensource.exampleton.example/media/licensing-webinar.png" rel="nofollow noopener ugc"`, "Europe/Paris", "Exampleton City Hall, room 2",
		`href="https://visio.exampleton.example/licensing-webinar" rel="nofollow noopener ugc"`, "Video room",
		`href="https://opensource.exampleton.example/events/licensing-webinar" rel="nofollow noopener ugc"`,
		"<strong>EUPL, MPL, GPL or Apache?</strong>", "#EUPL", "Learning", "English", "Add to your calendar")
	// Remote images are linked, never embedded: no request to another host.
	if imgs := find(p.doc, "img", "", ""); len(imgs) != 0 {
		t.Errorf("event page embeds %d remote images", len(imgs))
	}
	if links := find(p.doc, "a", "class", "button"); len(links) == 0 || !strings.Contains(attr(links[0], "href"), ".ics") && !strings.HasSuffix(attr(links[0], "href"), "/ics") {
		t.Errorf("event page: no .ics link: %v", links)
	}

	p = browse(t, n.URL+"/directory")
	p.want(t, "/directory", name, `href="/actor"`, "This node", "1 OSPO")
	p = browse(t, n.URL+"/calendar")
	p.want(t, "/calendar", "Licensing clinic", `href="/events/`+id+`"`, "1 event", "Wednesday 14 April 2038")
	p.wantNot(t, "/calendar", "Last year's meetup")

	// Errors are pages too, in the reader's language.
	p = browse(t, n.URL+"/no/such/page")
	if p.status != http.StatusNotFound {
		t.Errorf("404 page: %d", p.status)
	}
	p.want(t, "404 page", "Page not found", `href="/"`)
	p = browse(t, n.URL+"/directory/0000000000000000", "Accept-Language", "fr")
	if p.status != http.StatusNotFound || p.htmlLang() != "fr" {
		t.Errorf("unknown entry: %d lang %q", p.status, p.htmlLang())
	}
	p.want(t, "French 404", "Page introuvable")
	p = browse(t, n.URL+"/directory?country=ZZ&level=castle")
	if p.status != http.StatusBadRequest {
		t.Errorf("bad filter: %d", p.status)
	}
	p.want(t, "400 page", "Invalid request", "<code>country</code>", "<code>level</code>")
	p = browse(t, n.URL+"/calendar?language=%25%25")
	p.want(t, "400 page", "<code>language</code>")
	if code := n.Admin(http.MethodDelete, "/api/v1/admin/events/"+id, nil, nil); code != http.StatusNoContent {
		t.Fatalf("delete: %d", code)
	}
	p = browse(t, n.URL+"/events/"+id)
	if p.status != http.StatusGone {
		t.Errorf("deleted event page: %d", p.status)
	}
	p.want(t, "410 page", "Page removed")
}

// TestPagesNetwork: a follower's directory and calendar show the followed
// OSPO and its event; search and every filter narrow the results.
func TestPagesNetwork(t *testing.T) {
	a := nodetest.Start(t, nodetest.Options{})
	b := nodetest.Start(t, nodetest.Options{})
	setProfile(t, a, nil)
	setProfile(t, b, func(p map[string]any) {
		p["name"] = map[string]string{"de": "Open-Source-Büro des Landes Beispiel", "en": "Open Source Office of the State of Example",
			"it": "Ufficio open source dello Stato di Esempio"}
		p["summary"] = map[string]string{"de": "Wir beraten die Landesverwaltung.", "en": "We advise the state administration."}
		p["language"] = "de"
		p["country"], p["governmentLevel"] = "DE", "regional"
		p["supportAreas"] = []string{"adoption", "key-applications"}
		p["location"] = map[string]any{"name": "Staatskanzlei", "address": map[string]any{"addressLocality": "Beispielstadt", "addressCountry": "DE"}}
	})
	follow(t, a, b)
	bActor := b.URL + "/actor"
	nodetest.Eventually(t, "A follows B", func() bool { return followingState(t, a, bActor) == "accepted" })

	ev := exampleDoc(t, "event.json")
	ev["name"] = map[string]string{"de": "Hackathon für offene Verwaltung", "en": "Open administration hackathon"}
	ev["description"] = map[string]string{"de": "Zwei Tage **Code**.\nMit Pizza."}
	ev["language"], ev["timezone"] = "de", "Europe/Berlin"
	ev["startTime"], ev["endTime"] = "2038-06-01T09:00:00+02:00", "2038-06-02T17:00:00+02:00"
	ev["location"] = map[string]any{"name": "Rathaus", "address": map[string]any{"addressLocality": "Beispielstadt", "addressCountry": "DE"}}
	delete(ev, "online")
	var created struct{ ID string }
	if code := b.Admin(http.MethodPost, "/api/v1/admin/events", ev, &created); code != http.StatusCreated {
		t.Fatalf("B's event: %d", code)
	}
	aEvent := laterEvent(t, a, "Licensing clinic")
	bEventID := b.URL + "/events/" + created.ID
	nodetest.Eventually(t, "A's calendar has B's event", func() bool {
		return strings.Contains(browse(t, a.URL+"/calendar").body, "Open administration hackathon")
	})

	dir := browse(t, a.URL+"/directory")
	dir.want(t, "directory", "2 OSPOs", "Open Source Office of the State of Example", "We advise the state administration.",
		"Open Source Program Office of the City of Exampleton", "Followed", "This node", "Germany", "Regional government",
		`href="/directory/`+dirSlug(bActor)+`"`, b.Host)
	if got := dir.optionLabels("f-country"); strings.Join(got, "|") != "All|France (1)|Germany (1)" {
		t.Errorf("country choices %q", got)
	}
	if got := dir.optionLabels("f-kind"); strings.Join(got, "|") != "All|This node (1)|Followed (1)" {
		t.Errorf("kind choices %q", got)
	}
	for _, q := range []string{"q=Beispiel", "q=state", "country=DE", "level=regional", "area=key-applications", "language=it", "kind=followed", "q=Staatskanzlei", "q=esempio"} {
		p := browse(t, a.URL+"/directory?"+q)
		p.want(t, q, "1 OSPO", "Open Source Office of the State of Example")
		p.wantNot(t, q, `href="/actor"`)
	}
	p := browse(t, a.URL+"/directory?country=FR&level=municipal&language=fr")
	p.want(t, "FR", "1 OSPO", `href="/actor"`)
	p.wantNot(t, "FR", "State of Example")
	p = browse(t, a.URL+"/directory?q=nothingmatchesthis")
	p.want(t, "no match", "0 OSPOs", "No OSPO matches this search.", `value="nothingmatchesthis"`)
	p = browse(t, a.URL+"/directory?country=DE")
	// A new search keeps the filters in force; the filters keep the search.
	if h := find(find(p.doc, "form", "role", "search")[0], "input", "type", "hidden"); len(h) != 1 || attr(h[0], "name") != "country" || attr(h[0], "value") != "DE" {
		t.Errorf("search form keeps %d hidden fields", len(h))
	}
	q := browse(t, a.URL+"/calendar?q=hackathon&from=2038-05-01")
	if h := find(find(q.doc, "form", "class", "filters")[0], "input", "name", "q"); len(h) != 1 || attr(h[0], "value") != "hackathon" {
		t.Error("the filter form does not keep the search")
	}
	if h := find(find(q.doc, "form", "role", "search")[0], "input", "name", "from"); len(h) != 1 || attr(h[0], "value") != "2038-05-01" {
		t.Error("the search form does not keep the dates")
	}
	for _, o := range find(p.doc, "option", "selected", "") {
		if attr(o, "value") != "DE" && attr(o, "value") != "" {
			t.Errorf("selected option %q", attr(o, "value"))
		}
	}

	entry := browse(t, a.URL+"/directory/"+dirSlug(bActor))
	if entry.status != http.StatusOK {
		t.Fatalf("entry page: %d", entry.status)
	}
	entry.want(t, "entry", `<h1 lang="en">Open Source Office of the State of Example</h1>`, "Where this comes from",
		b.Host, "@ospo@"+b.Host, `href="`+bActor+`" rel="nofollow noopener ugc"`, "Last updated", "Followed",
		"Open administration hackathon", "Use and adoption of open source software", "Staatskanzlei, Beispielstadt, DE")
	if p := browse(t, a.URL+"/directory/"+dirSlug(a.URL+"/actor")); !strings.Contains(p.body, "City of Exampleton") {
		t.Errorf("self entry does not lead to the profile")
	}

	cal := browse(t, a.URL+"/calendar")
	cal.want(t, "calendar", "2 events", "Open administration hackathon", "Licensing clinic",
		`href="/calendar/`+dirSlug(bEventID)+`"`, `href="/events/`+aEvent+`"`, "Tuesday 1 June 2038, 09:00 – Wednesday 2 June 2038, 17:00 (Europe/Berlin, UTC+2)",
		"Organised by", "Rathaus, Beispielstadt, DE")
	// The hybrid clinic counts under both choices, as both filters match it.
	if got := cal.optionLabels("f-online"); strings.Join(got, "|") != "All|Online (1)|In person (2)" {
		t.Errorf("attendance choices %q", got)
	}
	for q, want := range map[string]string{
		"q=hackathon": "Open administration hackathon", "country=DE": "Open administration hackathon",
		"online=false&country=DE": "Open administration hackathon", "online=true": "Licensing clinic",
		"language=de": "Open administration hackathon", "from=2038-05-01": "Open administration hackathon",
		"to=2038-04-14": "Licensing clinic", "from=2038-04-14&to=2038-04-14": "Licensing clinic",
		"q=Pizza": "Open administration hackathon",
	} {
		p := browse(t, a.URL+"/calendar?"+q)
		p.want(t, q, "1 event", want)
		if p.status != http.StatusOK {
			t.Errorf("%s: %d", q, p.status)
		}
	}
	ce := browse(t, a.URL+"/calendar/"+dirSlug(bEventID))
	if ce.status != http.StatusOK {
		t.Fatalf("calendar entry: %d", ce.status)
	}
	ce.want(t, "calendar entry", `<h1 lang="en">Open administration hackathon</h1>`, "See this event on its organiser's site",
		`href="`+bEventID+`" rel="nofollow noopener ugc"`, `href="/directory/`+dirSlug(bActor)+`"`, "<p>Zwei Tage <strong>Code</strong>.\nMit Pizza.</p>",
		"German", "This node&#39;s copy was last updated on")
	// Own events in the calendar lead to their own page.
	req, _ := http.NewRequest(http.MethodGet, a.URL+"/calendar/"+dirSlug(a.URL+"/events/"+aEvent), nil)
	req.Header.Set("Accept", acceptHTML)
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/events/"+aEvent {
		t.Errorf("own calendar entry: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// TestPagesLanguage: the interface language from Accept-Language, ?lang=
// (remembered in a cookie) and the switcher; dates and fallback notes.
func TestPagesLanguage(t *testing.T) {
	n := nodetest.Start(t, nodetest.Options{})
	setProfile(t, n, nil)
	id := laterEvent(t, n, "Licensing clinic")

	fr := browse(t, n.URL+"/", "Accept-Language", "fr-FR,fr;q=0.9,en;q=0.5")
	if fr.htmlLang() != "fr" {
		t.Fatalf("Accept-Language fr: html lang %q", fr.htmlLang())
	}
	fr.want(t, "French home", `<h1 lang="fr">Bureau du logiciel libre de la Ville d&#39;Exampleton</h1>`, "Annuaire", "Agenda",
		"Suivez-nous", "mercredi 14 avril 2038, 10:00–11:30 (Europe/Paris, UTC+2)", "Collectivité locale",
		"Conception et mise en œuvre de stratégies open source", "Aller au contenu principal", "<strong>conseil municipal</strong>")
	if v := strings.Join(fr.header.Values("Vary"), ","); !strings.Contains(v, "Accept-Language") || !strings.Contains(v, "Cookie") {
		t.Errorf("Vary = %q", v)
	}
	// The event has only an English name: shown with a note, in English.
	ev := browse(t, n.URL+"/events/"+id, "Accept-Language", "fr")
	ev.want(t, "French event", `<h1 lang="en">Licensing clinic</h1>`, "(affiché en anglais ; non disponible dans votre langue)", "Quand", "anglais")

	// German: the name exists in German, the mandate does not.
	de := browse(t, n.URL+"/actor", "Accept-Language", "de")
	de.want(t, "German", `<h1 lang="de">Open-Source-Büro der Stadt Exampleton</h1>`, "Mittwoch, 14. April 2038", "Verzeichnis",
		`<div class="text" lang="en">`, "(angezeigt auf Englisch; in Ihrer Sprache nicht verfügbar)")

	// ?lang= overrides the header and sets a cookie for the next pages.
	req, _ := http.NewRequest(http.MethodGet, n.URL+"/directory?q=city&lang=it", nil)
	req.Header.Set("Accept", acceptHTML)
	req.Header.Set("Accept-Language", "fr")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var ck *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "lang" {
			ck = c
		}
	}
	if ck == nil || ck.Value != "it" || ck.Path != "/" || ck.SameSite != http.SameSiteLaxMode {
		t.Fatalf("lang cookie = %+v", ck)
	}
	it := browse(t, n.URL+"/events", "Accept-Language", "fr", "Cookie", "lang=it")
	if it.htmlLang() != "it" {
		t.Errorf("cookie it: html lang %q", it.htmlLang())
	}
	it.want(t, "Italian", "Eventi", "mercoledì 14 aprile 2038")
	es := browse(t, n.URL+"/events?lang=es", "Cookie", "lang=it")
	es.want(t, "Spanish", "miércoles, 14 de abril de 2038", "Próximos eventos")
	nl := browse(t, n.URL+"/calendar?lang=nl")
	nl.want(t, "Dutch", "Netwerkagenda", "woensdag 14 april 2038")
	if bad := browse(t, n.URL+"/?lang=xx", "Accept-Language", "de"); bad.htmlLang() != "de" {
		t.Errorf("unknown ?lang: html lang %q", bad.htmlLang())
	}
	if none := browse(t, n.URL+"/", "Accept-Language", "ja"); none.htmlLang() != "en" {
		t.Errorf("Japanese reader: html lang %q", none.htmlLang())
	}

	// The switcher keeps the page and its query.
	p := browse(t, n.URL+"/directory?q=city&country=FR", "Accept-Language", "fr")
	langs := find(p.doc, "nav", "class", "langs")
	if len(langs) != 1 {
		t.Fatal("no language switcher")
	}
	got := map[string]string{}
	for _, a := range find(langs[0], "a", "", "") {
		got[attr(a, "hreflang")] = attr(a, "href")
		if attr(a, "hreflang") == "fr" && attr(a, "aria-current") != "true" {
			t.Error("the current language is not marked")
		}
	}
	if len(got) != 6 {
		t.Fatalf("switcher: %v", got)
	}
	for tag, href := range got {
		u, err := url.Parse(href)
		if err != nil || u.Path != "/directory" || u.Query().Get("q") != "city" || u.Query().Get("country") != "FR" || u.Query().Get("lang") != tag {
			t.Errorf("switcher link %s = %q", tag, href)
		}
		sw := browse(t, n.URL+href)
		if sw.htmlLang() != tag {
			t.Errorf("%s: html lang %q", href, sw.htmlLang())
		}
		sw.want(t, href, "Exampleton")
	}
}

// TestPagesFallbackNote: a text only in French, read in English, says so.
func TestPagesFallbackNote(t *testing.T) {
	n := nodetest.Start(t, nodetest.Options{})
	setProfile(t, n, func(p map[string]any) {
		p["name"] = map[string]string{"fr": "Mission logiciels libres"}
		p["summary"] = map[string]string{"fr": "Nous accompagnons les administrations."}
		p["language"] = "fr"
	})
	p := browse(t, n.URL+"/", "Accept-Language", "en")
	p.want(t, "fallback", `<h1 lang="fr">Mission logiciels libres</h1>`, `<p class="summary" lang="fr">`,
		"(shown in French; not available in your language)")
	if p.htmlLang() != "en" {
		t.Errorf("html lang %q", p.htmlLang())
	}
	// A reader of French gets no note.
	p = browse(t, n.URL+"/", "Accept-Language", "en-GB, fr;q=0.8")
	p.wantNot(t, "reader of French", "not available in your language")
	p = browse(t, n.URL+"/directory")
	p.want(t, "directory list", "(in French)")
}

// TestPagesHostilePeer: names, summaries and event texts from another node
// that carry markup and script URLs are shown as text, never as markup.
func TestPagesHostilePeer(t *testing.T) {
	n := nodetest.Start(t, nodetest.Options{})
	setProfile(t, n, nil)
	p := fedtest.New(t)
	followPeer(t, n, p)
	const (
		script = "<script>alert(1)</script>"
		img    = "<img src=x onerror=alert(1)>"
		js     = "javascript:alert(1)"
	)
	// Entities arrive as literal markup once the peer's HTML is read as text.
	escaped := strings.NewReplacer("<", "&lt;", ">", "&gt;").Replace(script + " " + img)
	actor := p.ActorDoc()
	actor["name"] = "Evil " + escaped + " OSPO"
	actor["summary"] = "<p>Hi " + escaped + "</p><a href=\"" + js + "\">click</a> " + js
	actor["ospo:mandateMap"] = map[string]string{"en": script + " " + img + " [click](" + js + ") <a href=\"" + js + "\">x</a>\n\nSee [site](https://evil.example/page)."}
	actor["ospo:website"] = js
	actor["url"] = js
	actor["ospo:logo"] = js
	actor["icon"] = map[string]any{"type": "Image", "url": js}
	actor["ospo:codeForges"] = []string{"https://forge.example/evil"}
	actor["ospo:memberOf"] = []map[string]any{{"name": script, "url": js}}
	actor["ospo:parentOrganization"] = map[string]any{"name": img, "url": js}
	actor["ospo:identifiers"] = []map[string]any{{"scheme": "wikidata", "value": script, "url": js}}
	if resp, b := p.Post(t, n.URL+"/inbox", p.Activity("Update", actor), nil); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("Update(actor): %d %s", resp.StatusCode, b)
	}
	ev := peerEvent(p, p.URL+"/events/1", "Party "+escaped)
	ev["startTime"], ev["endTime"] = "2038-01-10T10:00:00+01:00", "2038-01-10T12:00:00+01:00"
	ev["content"] = "<p>" + escaped + "</p><script>alert(2)</script><a href=\"" + js + "\">x</a>"
	ev["ospo:descriptionMap"] = map[string]string{"en": script + "\n\n" + img + " [x](" + js + ")"}
	ev["url"] = js
	ev["externalParticipationUrl"] = js
	ev["image"] = map[string]any{"type": "Image", "url": js}
	ev["location"] = []any{
		map[string]any{"type": "Place", "name": img, "address": map[string]any{"streetAddress": script, "addressCountry": "DE"}},
		map[string]any{"type": "VirtualLocation", "url": js, "name": script},
	}
	ev["tag"] = []any{map[string]any{"type": "Hashtag", "name": "#" + script}}
	if resp, b := p.Post(t, n.URL+"/inbox", p.Activity("Create", ev), nil); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("Create: %d %s", resp.StatusCode, b)
	}
	e, err := n.Store.DirectoryEntry(context.Background(), p.ActorID)
	if err != nil {
		t.Fatal(err)
	}
	if name, _ := e.Profile.Name.Best("en"); !strings.Contains(name+fmt.Sprint(e.Profile.Mandate), "<script>") {
		t.Fatalf("the peer's texts lost their markup before rendering, the test proves nothing: %v", e.Profile.Name)
	}
	pages := []string{"/directory", "/directory?q=Evil", "/directory/" + dirSlug(p.ActorID), "/calendar", "/calendar?q=Party",
		"/calendar/" + dirSlug(p.URL+"/events/1")}
	for _, lang := range []string{"en", "fr"} {
		for _, path := range pages {
			pg := browse(t, n.URL+path, "Accept-Language", lang)
			if pg.status != http.StatusOK {
				t.Fatalf("%s: %d", path, pg.status)
			}
			if !strings.Contains(pg.body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
				t.Errorf("%s: the hostile text is not shown escaped", path)
			}
			if strings.Contains(pg.body, "<img src=x") || strings.Contains(pg.body, "<script>") {
				t.Errorf("%s: raw markup reached the page", path)
			}
		}
	}
	entry := browse(t, n.URL+"/directory/"+dirSlug(p.ActorID))
	entry.want(t, "entry", `href="https://forge.example/evil" rel="nofollow noopener ugc"`, `href="https://evil.example/page"`)
	if imgs := find(entry.doc, "img", "", ""); len(imgs) != 0 {
		t.Errorf("entry shows an image from a script URL: %v", attr(imgs[0], "src"))
	}
	cal := browse(t, n.URL+"/calendar/"+dirSlug(p.URL+"/events/1"))
	cal.want(t, "event", `href="`+p.URL+`/events/1" rel="nofollow noopener ugc"`)
}

// TestPagesManyEntries: a large directory and calendar stay under 100 KB a
// page and page through every entry.
func TestPagesManyEntries(t *testing.T) {
	n := nodetest.Start(t, nodetest.Options{})
	setProfile(t, n, nil)
	ctx := context.Background()
	long := strings.Repeat("Öffentliche Verwaltung und freie Software für alle. ", 38) // ~2000 characters
	start := time.Date(2030, 1, 1, 9, 0, 0, 0, time.UTC)
	err := n.Store.InTx(ctx, func(tx *store.Tx) error {
		for i := range 130 {
			id := fmt.Sprintf("https://ospo%03d.example/actor", i)
			p := &store.Profile{Name: store.LangMap{"de": fmt.Sprintf("Listed OSPO %03d with a rather long official name of its administration", i)},
				Summary: store.LangMap{"de": long}, Mandate: store.LangMap{"de": long}, Language: "de",
				Country: []string{"DE", "AT", "CH", "NL"}[i%4], GovernmentLevel: store.GovernmentLevels()[i%len(store.GovernmentLevels())],
				SupportAreas: store.SupportAreas()[:1+i%len(store.SupportAreas())]}
			if err := tx.PutDirectoryEntry(ctx, &store.DirectoryEntry{ID: id, Kind: store.KindListed, Host: fmt.Sprintf("ospo%03d.example", i), Profile: p, Source: id}); err != nil {
				return err
			}
			e := &store.Event{Name: store.LangMap{"de": fmt.Sprintf("Event %03d with a long name for the network calendar", i)}, Description: store.LangMap{"de": long},
				StartTime: start.Add(time.Duration(i) * 5 * time.Hour).Format(time.RFC3339), EndTime: start.Add(time.Duration(i)*5*time.Hour + 2*time.Hour).Format(time.RFC3339),
				Timezone: "Europe/Berlin", Language: "de", Location: &store.Place{Name: "Rathaus " + long[:150]}}
			if err := e.Validate(); err != nil {
				return err
			}
			if err := tx.PutCalendarEntry(ctx, &store.CalendarEntry{ID: id + "/events/1", OSPOID: id, Event: e, URL: "https://ospo.example/e"}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	next := "/directory"
	for pages := 0; next != ""; pages++ {
		if pages > 5 {
			t.Fatal("too many pages")
		}
		p := browse(t, n.URL+next)
		t.Logf("%s: %d bytes", next, len(p.body))
		for _, a := range find(p.doc, "a", "", "") {
			if h := attr(a, "href"); strings.HasPrefix(h, "/directory/") || h == "/actor" {
				seen[h] = true
			}
		}
		next = ""
		if l := find(p.doc, "a", "rel", "next"); len(l) == 1 {
			next = attr(l[0], "href")
		}
	}
	if len(seen) != 131 {
		t.Errorf("paging reached %d entries, want 131", len(seen))
	}
	p := browse(t, n.URL+"/calendar")
	p.want(t, "calendar", "130 events", "Page 1 of 3")
	t.Logf("/calendar: %d bytes", len(p.body))
	p = browse(t, n.URL+"/directory?limit=200")
	if got := len(find(p.doc, "li", "class", "entry")); got != 50 {
		t.Errorf("?limit=200 shows %d entries, want at most 50", got)
	}
	p = browse(t, n.URL+"/calendar?page=3&lang=de")
	p.want(t, "calendar page 3", "Seite 3 von 3", `rel="prev"`)
}

// laterEvent creates the example event moved to 2038 (the same weekday), so
// it stays upcoming for years.
func laterEvent(t *testing.T, n *nodetest.Node, name string) string {
	t.Helper()
	ev := exampleDoc(t, "event.json")
	ev["name"] = map[string]string{"en": name}
	ev["startTime"], ev["endTime"] = "2038-04-14T10:00:00+02:00", "2038-04-14T11:30:00+02:00"
	var res struct{ ID string }
	if code := n.Admin(http.MethodPost, "/api/v1/admin/events", ev, &res); code != http.StatusCreated {
		t.Fatalf("create event: %d", code)
	}
	return res.ID
}
