package api_test

// Browser tests: the website in a real headless Chromium, audited by
// axe-core (the harness is in browser_tab_test.go).

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/ospod/ospod/api/nodetest"
	"github.com/ospod/ospod/federation/fedtest"
	"github.com/ospod/ospod/store"
)

// network is node A (the OSPO of Exampleton) following node B (a German
// regional OSPO), each with an event, for the pages a citizen browses.
type network struct {
	a, b                   *nodetest.Node
	bActor                 string
	aEvent, bEvent         string // A's event id; B's event URL
	gone                   string // A's deleted event id
	bSlug, bEventSlug      string
	aEventName, bEventName string
}

// browserNetwork builds the network. The events are far in the future, and
// nothing points to an image on another host: the browser cannot reach one.
func browserNetwork(t *testing.T) network {
	t.Helper()
	a := nodetest.Start(t, nodetest.Options{})
	b := nodetest.Start(t, nodetest.Options{})
	setProfile(t, a, func(p map[string]any) { delete(p, "logo") })
	setProfile(t, b, func(p map[string]any) {
		delete(p, "logo")
		p["name"] = map[string]string{"de": "Open-Source-Büro des Landes Beispiel", "en": "Open Source Office of the State of Example"}
		p["summary"] = map[string]string{"de": "Wir beraten die Landesverwaltung.", "en": "We advise the state administration."}
		p["mandate"] = map[string]string{"de": "Beratung der **Landesverwaltung**."}
		p["language"], p["country"], p["governmentLevel"] = "de", "DE", "regional"
		p["supportAreas"] = []string{"adoption", "key-applications"}
		p["location"] = map[string]any{"name": "Staatskanzlei", "address": map[string]any{"addressLocality": "Beispielstadt", "addressCountry": "DE"}}
	})
	n := network{a: a, b: b, bActor: b.URL + "/actor", aEventName: "Licensing clinic", bEventName: "Open administration hackathon"}
	follow(t, a, b)
	nodetest.Eventually(t, "A follows B", func() bool { return followingState(t, a, n.bActor) == "accepted" })

	n.aEvent = browserEvent(t, a, map[string]any{"name": map[string]string{"en": n.aEventName, "fr": "Permanence licences"}})
	n.gone = browserEvent(t, a, map[string]any{"name": map[string]string{"en": "Cancelled talk"}})
	if code := a.Admin(http.MethodDelete, "/api/v1/admin/events/"+n.gone, nil, nil); code != http.StatusNoContent {
		t.Fatalf("delete event: %d", code)
	}
	id := browserEvent(t, b, map[string]any{
		"name":        map[string]string{"de": "Hackathon für offene Verwaltung", "en": n.bEventName},
		"description": map[string]string{"de": "Zwei Tage **Code**.\nMit Pizza."},
		"language":    "de", "timezone": "Europe/Berlin", "online": nil,
		"startTime": "2038-06-01T09:00:00+02:00", "endTime": "2038-06-02T17:00:00+02:00",
		"location": map[string]any{"name": "Rathaus", "address": map[string]any{"addressLocality": "Beispielstadt", "addressCountry": "DE"}},
	})
	n.bEvent = b.URL + "/events/" + id
	n.bSlug, n.bEventSlug = store.Slug(n.bActor), store.Slug(n.bEvent)
	nodetest.Eventually(t, "A has B's event", func() bool {
		_, err := a.Store.DirectoryEntry(context.Background(), n.bActor)
		evs, _ := a.Store.RemoteEventsOf(context.Background(), n.bActor)
		return err == nil && len(evs) == 1
	})
	return n
}

// browserEvent creates an event from the example with fields replaced (a
// nil value deletes the field) and returns its id.
func browserEvent(t *testing.T, n *nodetest.Node, fields map[string]any) string {
	t.Helper()
	ev := exampleDoc(t, "event.json")
	delete(ev, "image")
	ev["startTime"], ev["endTime"] = "2038-04-14T10:00:00+02:00", "2038-04-14T11:30:00+02:00"
	for k, v := range fields {
		if v == nil {
			delete(ev, k)
		} else {
			ev[k] = v
		}
	}
	var res struct{ ID string }
	if code := n.Admin(http.MethodPost, "/api/v1/admin/events", ev, &res); code != http.StatusCreated {
		t.Fatalf("create event: %d", code)
	}
	return res.ID
}

// TestBrowserPages loads every kind of page in Chromium: no console error,
// exception or CSP violation, no script, and no axe-core violation of any
// impact (WCAG 2.1 A and AA rules).
func TestBrowserPages(t *testing.T) {
	needBrowser(t)
	n := browserNetwork(t)
	tb := newTab(t)
	for _, p := range []struct {
		path   string
		status int64
	}{
		{"/", 200},
		{"/actor", 200},
		{"/events", 200},
		{"/events/" + n.aEvent, 200},
		{"/directory", 200},
		{"/directory?q=Beispiel&country=DE&level=regional", 200},
		{"/directory?q=nothingmatchesthis", 200},
		{"/directory/" + n.bSlug, 200},
		{"/directory?limit=1&page=2", 200},
		{"/calendar", 200},
		{"/calendar?limit=1", 200},
		{"/calendar?q=hackathon&from=2038-05-01&online=false&country=DE", 200},
		{"/calendar/" + n.bEventSlug, 200},
		{"/directory?lang=fr", 200},
		{"/calendar/" + n.bEventSlug + "?lang=de", 200},
		{"/events/" + n.aEvent + "?lang=nl", 200},
		{"/?lang=en", 200},
		{"/no/such/page", 404},
		{"/directory/0000000000000000", 404},
		{"/directory?country=ZZ&level=castle", 400},
		{"/events/" + n.gone, 410},
	} {
		tb.open(n.a.URL+p.path, p.status)
		if c := eval[int](tb, "document.scripts.length"); c != 0 {
			t.Errorf("%s: %d script elements", p.path, c)
		}
		if h1 := tb.text("h1"); h1 == "" {
			t.Errorf("%s: empty h1", p.path)
		}
		tb.audit(p.path)
	}

	// The keyboard: the first Tab shows the skip link with a focus ring, and
	// Enter on it moves the focus to the main content.
	tb.open(n.a.URL+"/", 200)
	if err := chromedp.Do(tb.ctx, chromedp.KeyEvent(kb.Tab)); err != nil {
		t.Fatal(err)
	}
	focus := `(() => { const e = document.activeElement, r = e.getBoundingClientRect(), s = getComputedStyle(e);
  return e.className + '|' + (r.left >= 0 && r.top >= 0 && r.width > 0 && r.right <= innerWidth) + '|' + s.outlineStyle; })()`
	if got := eval[string](tb, focus); got != "skip|true|solid" {
		t.Errorf("after Tab (class|visible|outline): %q", got)
	}
	if err := chromedp.Do(tb.ctx, chromedp.KeyEvent(kb.Enter)); err != nil {
		t.Fatal(err)
	}
	if got := eval[string](tb, "location.hash + ' ' + document.activeElement.id"); got != "#main main" {
		t.Errorf("after Enter on the skip link: %q", got)
	}

	// The checks can fail: an unlabelled field is a violation, and an
	// error on the console is seen.
	if _, err := chromedp.Run(tb.ctx, chromedp.Evaluate[chromedp.Void](
		`document.querySelector('main').append(Object.assign(document.createElement('input'), {id: 'probe'})); console.error('probe')`)); err != nil {
		t.Fatal(err)
	}
	if vs, ok := tb.axe("probe"); ok && !slices.ContainsFunc(vs, func(v axeViolation) bool { return v.ID == "label" && v.Impact == "critical" }) {
		t.Errorf("axe missed an input without a label: %+v", vs)
	}
	if errs := tb.takeErrors(); !slices.Contains(errs, "console.error: probe") {
		t.Errorf("the console error was not seen: %q", errs)
	}
}

// TestBrowserSearch searches and filters the directory and the calendar
// with their forms, and follows the results to the OSPO's and the event's
// pages.
func TestBrowserSearch(t *testing.T) {
	needBrowser(t)
	n := browserNetwork(t)
	tb := newTab(t)
	bName := "Open Source Office of the State of Example"

	tb.open(n.a.URL+"/directory", 200)
	if got := tb.text("#count"); got != "2 OSPOs" {
		t.Errorf("directory count %q", got)
	}
	tb.follow("directory search", 200, chromedp.SendKeys(chromedp.ID("q"), "beispiel"), chromedp.Submit(chromedp.ID("q")))
	if loc, _ := url.Parse(tb.location()); loc.Path != "/directory" || loc.Query().Get("q") != "beispiel" {
		t.Errorf("search location %q", loc)
	}
	if got := tb.text("#count"); got != "1 OSPO" {
		t.Errorf("search count %q", got)
	}
	tb.follow("directory result", 200, chromedp.Click(chromedp.CSS("ul.entries h2 a")))
	if loc := tb.location(); loc != "/directory/"+n.bSlug {
		t.Errorf("result link led to %q", loc)
	}
	if got := tb.text("h1"); got != bName {
		t.Errorf("OSPO page h1 %q", got)
	}

	// Filters: choose a country and a support area, then apply.
	tb.open(n.a.URL+"/directory", 200)
	tb.follow("directory filters", 200, chromedp.SetValue(chromedp.ID("f-country"), "DE"),
		chromedp.SetValue(chromedp.ID("f-area"), "key-applications"),
		chromedp.Click(chromedp.CSS("fieldset button[type=submit]")))
	if loc := tb.location(); !strings.Contains(loc, "country=DE") || !strings.Contains(loc, "area=key-applications") {
		t.Errorf("filter location %q", loc)
	}
	if got, names := tb.text("#count"), tb.text("ul.entries"); got != "1 OSPO" || !strings.Contains(names, bName) {
		t.Errorf("filtered directory: %q %q", got, names)
	}
	// A search keeps the filters, and the filters keep the search.
	tb.follow("search within filters", 200, chromedp.SendKeys(chromedp.ID("q"), "state"), chromedp.Submit(chromedp.ID("q")))
	if loc, _ := url.Parse(tb.location()); loc.Query().Get("q") != "state" || loc.Query().Get("country") != "DE" {
		t.Errorf("search within filters: %s", loc)
	}
	if got := tb.text("#count"); got != "1 OSPO" {
		t.Errorf("search within filters: count %q", got)
	}
	tb.follow("filters within search", 200, chromedp.SetValue(chromedp.ID("f-country"), ""),
		chromedp.SetValue(chromedp.ID("f-kind"), "followed"), chromedp.Click(chromedp.CSS("fieldset button[type=submit]")))
	if loc, _ := url.Parse(tb.location()); loc.Query().Get("q") != "state" || loc.Query().Get("kind") != "followed" || loc.Query().Has("country") && loc.Query().Get("country") != "" {
		t.Errorf("filters within search: %s", loc)
	}
	if got := tb.text("#count"); got != "1 OSPO" {
		t.Errorf("filters within search: count %q", got)
	}
	tb.follow("clear filters", 200, chromedp.Click(chromedp.CSS(`fieldset a[href="/directory"]`)))
	if got := tb.text("#count"); got != "2 OSPOs" {
		t.Errorf("cleared count %q", got)
	}

	// Paging: next, then previous.
	tb.open(n.a.URL+"/directory?limit=1", 200)
	first, pager := tb.text("ul.entries"), tb.text("nav.pager")
	tb.follow("next page", 200, chromedp.Click(chromedp.CSS(`nav.pager a[rel="next"]`)))
	if second := tb.text("ul.entries"); second == first || !strings.Contains(first+second, bName) {
		t.Errorf("page 1 %q, page 2 %q", first, second)
	}
	if got := tb.text("nav.pager"); got == pager || !strings.Contains(got, "2") {
		t.Errorf("pager on page 2: %q (page 1: %q)", got, pager)
	}
	tb.follow("previous page", 200, chromedp.Click(chromedp.CSS(`nav.pager a[rel="prev"]`)))
	if got := tb.text("ul.entries"); got != first {
		t.Errorf("back on page 1: %q, want %q", got, first)
	}

	// The calendar: search, then the event, then its organiser.
	tb.open(n.a.URL+"/calendar", 200)
	if got := tb.text("#count"); got != "2 events" {
		t.Errorf("calendar count %q", got)
	}
	tb.follow("calendar search", 200, chromedp.SendKeys(chromedp.ID("q"), "hackathon"), chromedp.Submit(chromedp.ID("q")))
	if got := tb.text("#count"); got != "1 event" {
		t.Errorf("calendar search count %q", got)
	}
	tb.follow("calendar result", 200, chromedp.Click(chromedp.CSS("ul.events h3 a")))
	if loc := tb.location(); loc != "/calendar/"+n.bEventSlug {
		t.Errorf("event link led to %q", loc)
	}
	if got := tb.text("h1"); got != n.bEventName {
		t.Errorf("event page h1 %q", got)
	}
	tb.follow("organiser", 200, chromedp.Click(chromedp.CSS(`main a[href="/directory/`+n.bSlug+`"]`)))
	if got := tb.text("h1"); got != bName {
		t.Errorf("organiser page h1 %q", got)
	}

	// Calendar filters: dates, attendance and country.
	for _, c := range []struct {
		from, online, country, want string
	}{
		{"2038-05-01", "", "", n.bEventName},
		{"", "false", "DE", n.bEventName},
		{"", "true", "", n.aEventName},
	} {
		tb.open(n.a.URL+"/calendar", 200)
		tb.follow("calendar filters", 200, chromedp.SetValue(chromedp.ID("f-from"), c.from),
			chromedp.SetValue(chromedp.ID("f-online"), c.online), chromedp.SetValue(chromedp.ID("f-country"), c.country),
			chromedp.Click(chromedp.CSS("fieldset button[type=submit]")))
		if got, list := tb.text("#count"), tb.text("main"); got != "1 event" || !strings.Contains(list, c.want) {
			t.Errorf("calendar %s: %q, want %q", tb.location(), got, c.want)
		}
	}
	// Our own event in the calendar leads to its page on this node.
	tb.follow("own event", 200, chromedp.Click(chromedp.CSS("ul.events h3 a")))
	if loc := tb.location(); loc != "/events/"+n.aEvent {
		t.Errorf("own event link led to %q", loc)
	}
}

// TestBrowserLanguage switches to French with the visible switcher; the
// choice sticks on the next page (a cookie), and the reader can switch back.
func TestBrowserLanguage(t *testing.T) {
	needBrowser(t)
	n := browserNetwork(t)
	tb := newTab(t)
	lang := func() string { return eval[string](tb, "document.documentElement.lang") }

	tb.open(n.a.URL+"/directory?q=example", 200)
	if l := lang(); l != "en" {
		t.Fatalf("default language %q", l)
	}
	tb.follow("switch to French", 200, chromedp.Click(chromedp.CSS(`nav.langs a[hreflang="fr"]`)))
	if l := lang(); l != "fr" {
		t.Errorf("after the switch: html lang %q", l)
	}
	if h1, nav := tb.text("h1"), tb.text("nav.main"); h1 != "Annuaire des OSPO" || !strings.Contains(nav, "Agenda") {
		t.Errorf("French directory: h1 %q, nav %q", h1, nav)
	}
	if v := eval[string](tb, "document.getElementById('q').value"); v != "example" {
		t.Errorf("the switch lost the search: %q", v)
	}
	if cur := eval[string](tb, `document.querySelector('nav.langs [aria-current]').getAttribute('hreflang')`); cur != "fr" {
		t.Errorf("current language marked %q", cur)
	}
	// The next page, reached by a plain link, is still in French.
	tb.follow("calendar in French", 200, chromedp.Click(chromedp.CSS(`nav.main a[href="/calendar"]`)))
	if l, h1 := lang(), tb.text("h1"); l != "fr" || h1 != "Agenda du réseau" {
		t.Errorf("next page: html lang %q, h1 %q", l, h1)
	}
	tb.follow("event in French", 200, chromedp.Click(chromedp.CSS(`a[href="/events/`+n.aEvent+`"]`)))
	if l, h1 := lang(), tb.text("h1"); l != "fr" || h1 != "Permanence licences" {
		t.Errorf("event page: html lang %q, h1 %q", l, h1)
	}
	tb.audit("French event page")
	tb.follow("back to English", 200, chromedp.Click(chromedp.CSS(`nav.langs a[hreflang="en"]`)))
	tb.follow("home in English", 200, chromedp.Click(chromedp.CSS(`nav.main a[href="/"]`)))
	if l := lang(); l != "en" {
		t.Errorf("after switching back: html lang %q", l)
	}
}

// TestBrowserResponsive: no page scrolls sideways on a phone, and the
// directory neither on a desktop.
func TestBrowserResponsive(t *testing.T) {
	needBrowser(t)
	n := browserNetwork(t)
	tb := newTab(t)
	for _, size := range [][2]int64{{360, 740}, {1280, 800}} {
		if err := chromedp.Do(tb.ctx, chromedp.EmulateViewport(size[0], size[1])); err != nil {
			t.Fatal(err)
		}
		paths := []string{"/directory"}
		if size[0] < 400 {
			paths = append(paths, "/", "/events", "/events/"+n.aEvent, "/directory/"+n.bSlug, "/calendar",
				"/calendar/"+n.bEventSlug, "/directory?lang=de", "/no/such/page")
		}
		for _, p := range paths {
			status := int64(200)
			if strings.HasPrefix(p, "/no/") {
				status = 404
			}
			tb.open(n.a.URL+p, status)
			if w := eval[int64](tb, "innerWidth"); w != size[0] {
				t.Fatalf("viewport %d wide, want %d", w, size[0])
			}
			tb.noOverflow(fmt.Sprintf("%s at %dx%d", p, size[0], size[1]))
		}
	}
}

// TestBrowserHostilePeer: a followed peer whose name, summary and event
// texts carry <script>, onerror= and javascript: renders as text; no script
// runs, no dialog opens, and no script element, event-handler attribute or
// script URL reaches the DOM.
func TestBrowserHostilePeer(t *testing.T) {
	needBrowser(t)
	n := nodetest.Start(t, nodetest.Options{})
	setProfile(t, n, func(p map[string]any) { delete(p, "logo") })
	p := fedtest.New(t)
	const (
		script = "<script>alert(1)</script>"
		img    = "<img src=x onerror=alert(1)>"
		js     = "javascript:alert(1)"
	)
	escaped := strings.NewReplacer("<", "&lt;", ">", "&gt;").Replace(script + " " + img)
	p.Extra = map[string]any{
		"name":                     "Evil " + script + " " + img + " " + escaped + " OSPO",
		"summary":                  "<p>Hi " + script + img + escaped + `</p><a href="` + js + `">click</a> <a href=" JaVaScRiPt:alert(1)">x</a> ` + js,
		"ospo:mandateMap":          map[string]string{"en": script + " " + img + " [click](" + js + `) <a href="` + js + `" onclick="alert(1)">x</a>`},
		"ospo:website":             js,
		"url":                      js,
		"ospo:logo":                js,
		"icon":                     map[string]any{"type": "Image", "url": js},
		"ospo:memberOf":            []map[string]any{{"name": script, "url": js}},
		"ospo:parentOrganization":  map[string]any{"name": img, "url": js},
		"ospo:identifiers":         []map[string]any{{"scheme": "wikidata", "value": script, "url": js}},
		"ospo:codeForges":          []string{js, "https://forge.example/evil"},
		"ospo:supportAreas":        []string{script},
		"ospo:governmentLevelName": img,
	}
	followPeer(t, n, p)
	ev := peerEvent(p, p.URL+"/events/1", "Party "+script+" "+img+" "+escaped)
	ev["content"] = "<p>" + escaped + "</p><script>alert(2)</script><img src=x onerror=alert(3)><a href=\"" + js + "\">x</a>"
	ev["ospo:descriptionMap"] = map[string]string{"en": script + "\n\n" + img + " [x](" + js + ")"}
	ev["url"] = js
	ev["externalParticipationUrl"] = js
	ev["image"] = map[string]any{"type": "Image", "url": js}
	ev["location"] = []any{
		map[string]any{"type": "Place", "name": img, "address": map[string]any{"streetAddress": script, "addressLocality": img, "addressCountry": "DE"}},
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
	if name, _ := e.Profile.Name.Best("en"); !strings.Contains(name, "<script>") {
		t.Fatalf("the peer's name lost its markup before rendering, the test proves nothing: %q", name)
	}

	tb := newTab(t)
	const domCheck = `(() => {
  const bad = [];
  for (const s of document.querySelectorAll('script, iframe, object, embed')) bad.push('element ' + s.outerHTML.slice(0, 80));
  for (const el of document.querySelectorAll('*'))
    for (const a of el.attributes)
      if (/^on/i.test(a.name)) bad.push(el.tagName + ' ' + a.name + '=' + a.value);
  for (const el of document.querySelectorAll('[href], [src], [action], [formaction]')) {
    const u = el.href || el.src || el.action || el.formAction;
    if (typeof u === 'string' && !/^(https?|mailto|tel):/i.test(u)) bad.push(el.tagName + ' URL ' + u);
  }
  if (document.querySelector('a[href^="javascript:" i]')) bad.push('a javascript: link');
  return bad;
})()`
	pages := []string{"/directory", "/directory?q=Evil", "/directory/" + store.Slug(p.ActorID),
		"/calendar", "/calendar?q=Party", "/calendar/" + store.Slug(p.URL+"/events/1"), "/"}
	for _, lang := range []string{"en", "fr"} {
		for _, path := range pages {
			sep := "?"
			if strings.Contains(path, "?") {
				sep = "&"
			}
			u := n.URL + path + sep + "lang=" + lang
			tb.open(u, 200)
			if bad := eval[[]string](tb, domCheck); len(bad) > 0 {
				t.Errorf("%s: %v", u, bad)
			}
			if path != "/" && !eval[bool](tb, `document.body.innerText.includes('<script>alert(1)</script>')`) {
				t.Errorf("%s: the hostile text is not shown as text", u)
			}
		}
	}
	tb.audit("hostile peer's page")
	// Give a delayed handler the chance to run, then check no dialog opened.
	if err := chromedp.Do(tb.ctx, chromedp.Sleep(100*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	if d := tb.openedDialogs(); len(d) > 0 {
		t.Errorf("JavaScript dialogs opened: %v", d)
	}
	if errs := tb.takeErrors(); len(errs) > 0 {
		t.Errorf("console: %v", errs)
	}
	// The dialog listener works: a dialog opened from the test is seen.
	if _, err := chromedp.Run(tb.ctx, chromedp.Evaluate[chromedp.Void]("setTimeout(() => alert('probe'), 0)")); err != nil {
		t.Fatal(err)
	}
	nodetest.Eventually(t, "the probe dialog is recorded", func() bool { return slices.Contains(tb.openedDialogs(), "alert: probe") })
}

// TestBrowserScreenshot writes docs/screenshot-directory.png, the README's
// picture of a directory, when OSPOD_SCREENSHOT=1.
func TestBrowserScreenshot(t *testing.T) {
	if os.Getenv("OSPOD_SCREENSHOT") != "1" {
		t.Skip("set OSPOD_SCREENSHOT=1 to write docs/screenshot-directory.png")
	}
	needBrowser(t)
	n := browserNetwork(t)
	for _, o := range []map[string]any{
		{"name": map[string]string{"it": "Ufficio open source del Comune di Esempiopoli", "en": "Open Source Office of the Municipality of Esempiopoli"},
			"summary":  map[string]string{"it": "Riuso e sviluppo di software libero per i servizi comunali.", "en": "Reuse and development of free software for municipal services."},
			"language": "it", "country": "IT", "governmentLevel": "municipal", "supportAreas": []string{"adoption", "development-release"}},
		{"name": map[string]string{"nl": "Open source-programmabureau van het Ministerie van Voorbeeldzaken", "en": "Open Source Program Office of the Ministry of Example Affairs"},
			"summary":  map[string]string{"nl": "Wij helpen rijksorganisaties open source te gebruiken en te publiceren.", "en": "We help central government bodies use and publish open source."},
			"language": "nl", "country": "NL", "governmentLevel": "national", "supportAreas": []string{"strategy", "licensing"}},
	} {
		c := nodetest.Start(t, nodetest.Options{})
		setProfile(t, c, func(p map[string]any) {
			delete(p, "logo")
			delete(p, "location")
			delete(p, "mandate")
			delete(p, "parentOrganization")
			for k, v := range o {
				p[k] = v
			}
		})
		follow(t, n.a, c)
		nodetest.Eventually(t, "A follows "+c.Host, func() bool { return followingState(t, n.a, c.URL+"/actor") == "accepted" })
	}
	tb := newTab(t)
	if err := chromedp.Do(tb.ctx, chromedp.EmulateViewport(1280, 800)); err != nil {
		t.Fatal(err)
	}
	tb.open(n.a.URL+"/directory", 200)
	if got := tb.text("#count"); got != "4 OSPOs" {
		t.Errorf("count %q", got)
	}
	shot, err := chromedp.Run(tb.ctx, chromedp.FullScreenshot(100)) // 100: PNG
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("../docs/screenshot-directory.png", shot, 0o644); err != nil {
		t.Fatal(err)
	}
}
