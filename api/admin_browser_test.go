package api_test

// The admin content pages in Chromium: every page loads without a script,
// an error or an axe-core violation of any impact, on a desktop and 390 px
// wide; a refused form is audited too, 390 px wide; the event form works with the keyboard
// alone; and the README's screenshots are taken from a real node.

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/ospod/ospod/api/nodetest"
	"github.com/ospod/ospod/store"
)

// adminWorld is a node with a profile, a follower, a pending request, a
// followed peer, a block, a report and an event: every page has rows.
func adminWorld(t *testing.T) (*nodetest.Node, string) {
	t.Helper()
	a := staffNode(t, nodetest.Options{})
	b := nodetest.Start(t, nodetest.Options{})
	c := nodetest.Start(t, nodetest.Options{})
	setProfile(t, a, func(p map[string]any) { delete(p, "logo"); p["manuallyApprovesFollowers"] = true })
	setProfile(t, b, func(p map[string]any) { delete(p, "logo") })
	setProfile(t, c, func(p map[string]any) { delete(p, "logo") })
	follow(t, a, b)
	follow(t, b, a)
	follow(t, c, a)
	nodetest.Eventually(t, "A follows B", func() bool { return followingState(t, a, b.URL+"/actor") == "accepted" })
	nodetest.Eventually(t, "two requests wait at A", func() bool {
		n, _ := a.Store.CountRelations(context.Background(), store.Followers, store.FollowPending)
		return n == 2
	})
	rels, _ := a.Store.Relations(context.Background(), store.Followers, store.FollowPending)
	if _, err := a.Fed.AnswerFollower(context.Background(), rels[0].ID, true); err != nil {
		t.Fatal(err)
	}
	id := browserEvent(t, a, map[string]any{"name": map[string]string{"en": "Licensing clinic", "fr": "Permanence licences"}})
	if err := a.Fed.BlockDomain(context.Background(), "spam.example", "spam waves"); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := a.Store.InTx(ctx, func(tx *store.Tx) error {
		return tx.AddReport(ctx, &store.Report{ActivityID: b.URL + "/flags/1", ActorID: b.URL + "/actor",
			Objects: []string{"https://bots.example/users/spam"}, Content: "A spam account follows you."})
	}); err != nil {
		t.Fatal(err)
	}
	return a, id
}

// signInBrowser signs in with the sign-in form.
func signInBrowser(t *testing.T, tb *tab, n *nodetest.Node, name, password string) {
	t.Helper()
	tb.open(n.URL+"/admin/login", 200)
	tb.follow("sign in", 200, chromedp.SendKeys(`input[name="username"]`, name), chromedp.SendKeys(`input[name="password"]`, password),
		chromedp.Submit(chromedp.CSS(`input[name="password"]`)))
	if loc := tb.location(); loc != "/admin" {
		t.Fatalf("after signing in: %s", loc)
	}
}

func adminPages(id string) []string {
	return []string{"/admin", "/admin/profile", "/admin/events", "/admin/events/new", "/admin/events/" + id,
		"/admin/events/new?from=" + id, "/admin/events/" + id + "/delete", "/admin/followers", "/admin/following",
		"/admin/network", "/admin/moderation", "/admin/reports", "/admin/profile?lang=de", "/admin/events/new?lang=fr"}
}

func TestBrowserAdminPages(t *testing.T) {
	needBrowser(t)
	n, id := adminWorld(t)
	tb := newTab(t)
	signInBrowser(t, tb, n, "alice", alicePassword)
	for _, p := range adminPages(id) {
		tb.open(n.URL+p, 200)
		tb.audit(p + " on a desktop")
	}
	// A tab per phase: each tab has a deadline.
	tb = adminTab(t)
	signInBrowser(t, tb, n, "alice", alicePassword)
	for _, p := range adminPages(id) {
		tb.open(n.URL+p, 200)
		tb.checkAdminPage(p)
	}

	// Refused forms, 390 px wide: the messages are tied to their fields,
	// and the page passes the audit in its error state.
	tb = adminTab(t)
	signInBrowser(t, tb, n, "alice", alicePassword)
	tb.open(n.URL+"/admin/profile", 200)
	eval[bool](tb, `(document.querySelector('#f-country').value = 'XY', document.querySelector('#f-teamSize').value = '3.5', true)`)
	tb.follow("invalid profile", 400, chromedp.Submit(chromedp.CSS(`#f-country`)))
	tb.checkAdminPage("refused profile form")
	if got := eval[string](tb, `document.querySelector('#f-country').getAttribute('aria-invalid') + ' ' +
  document.getElementById(document.querySelector('#f-country').getAttribute('aria-describedby').split(' ').pop()).textContent`); !strings.HasPrefix(got, "true ") || !strings.Contains(got, "XY") {
		t.Errorf("country field after the refusal: %q", got)
	}
	tb.open(n.URL+"/admin/events/new", 200)
	tb.follow("invalid event", 400, chromedp.Submit(chromedp.CSS(`#f-name-en`)))
	tb.checkAdminPage("refused event form")
	tb.open(n.URL+"/admin/moderation", 200)
	tb.follow("invalid block", 400, chromedp.Submit(chromedp.CSS(`#f-domain`)))
	tb.checkAdminPage("refused block form")
	tb.open(n.URL+"/admin/following", 200)
	tb.follow("invalid follow", 400, chromedp.SendKeys(chromedp.CSS(`#f-account`), "not an account"), chromedp.Submit(chromedp.CSS(`#f-account`)))
	tb.checkAdminPage("refused follow form")

	// The editor: profile and events, and a 403 page elsewhere.
	tb2 := adminTab(t)
	signInBrowser(t, tb2, n, "bob", bobPassword)
	tb2.open(n.URL+"/admin/events", 200)
	tb2.checkAdminPage("editor's events")
	tb2.open(n.URL+"/admin/moderation", 403)
	tb2.checkAdminPage("editor on moderation")
}

// tabTo presses Tab until the focused element matches a CSS selector.
func tabTo(t *testing.T, tb *tab, sel string) {
	t.Helper()
	for range 300 {
		if eval[bool](tb, `document.activeElement.matches(`+jsString(sel)+`)`) {
			return
		}
		if err := chromedp.Do(tb.ctx, chromedp.KeyEvent(kb.Tab)); err != nil {
			t.Fatal(err)
		}
	}
	t.Fatalf("Tab never reached %s", sel)
}

func jsString(s string) string { return "'" + strings.ReplaceAll(s, "'", `\'`) + "'" }

// typeKeys types text into the focused element, key by key.
func typeKeys(t *testing.T, tb *tab, text string) {
	t.Helper()
	if err := chromedp.Do(tb.ctx, chromedp.KeyEvent(text)); err != nil {
		t.Fatal(err)
	}
}

// TestBrowserAdminEventKeyboard publishes an event with the keyboard alone
// (Tab to each field, type, choose the time zone by typing, Enter on the
// button), 390 px wide, and a follower node receives it.
func TestBrowserAdminEventKeyboard(t *testing.T) {
	needBrowser(t)
	n := staffNode(t, nodetest.Options{})
	setProfile(t, n, func(p map[string]any) { delete(p, "logo") })
	follower := nodetest.Start(t, nodetest.Options{})
	follow(t, follower, n)
	nodetest.Eventually(t, "the follower is accepted", func() bool {
		return followingState(t, follower, n.URL+"/actor") == "accepted"
	})
	tb := newTab(t)
	if err := chromedp.Do(tb.ctx, chromedp.EmulateViewport(390, 844)); err != nil {
		t.Fatal(err)
	}
	signInBrowser(t, tb, n, "bob", bobPassword)
	tb.open(n.URL+"/admin/events/new", 200)
	tabTo(t, tb, `[name="name.en"]`)
	typeKeys(t, tb, "Keyboard meetup")
	tabTo(t, tb, `[name="startDate"]`)
	typeKeys(t, tb, "06152032") // mm dd yyyy in an en-US browser
	tabTo(t, tb, `[name="startClock"]`)
	typeKeys(t, tb, "0930AM")
	tabTo(t, tb, `[name="endDate"]`)
	typeKeys(t, tb, "06152032")
	tabTo(t, tb, `[name="endClock"]`)
	typeKeys(t, tb, "1100AM")
	tabTo(t, tb, `[name="timezone"]`)
	typeKeys(t, tb, "Europe/Vienna")
	tabTo(t, tb, `form.stack button[type="submit"]`)
	tb.follow("publish with Enter", 200, chromedp.KeyEvent(kb.Enter))
	if loc := tb.location(); !strings.HasPrefix(loc, "/admin/events/") || !strings.HasSuffix(loc, "?done=published") {
		t.Fatalf("after publishing: %s", loc)
	}
	tb.audit("event published")
	events, _, err := n.Store.ListEvents(context.Background(), store.EventFilter{Limit: 5})
	if err != nil || len(events) != 1 {
		t.Fatalf("events: %v %v", events, err)
	}
	if e := events[0]; e.Name["en"] != "Keyboard meetup" || e.StartTime != "2032-06-15T09:30:00+02:00" || e.EndTime != "2032-06-15T11:00:00+02:00" ||
		e.Timezone != "Europe/Vienna" {
		t.Errorf("published event: %+v %s %s %s", e.Name, e.StartTime, e.EndTime, e.Timezone)
	}
	// The event typed in the browser reaches the follower node.
	nodetest.Eventually(t, "the follower has the event", func() bool {
		evs, _ := follower.Store.RemoteEventsOf(context.Background(), n.URL+"/actor")
		return len(evs) == 1 && evs[0].Name == "Keyboard meetup"
	})
}

// TestBrowserAdminScreenshots writes docs/screenshot-admin-dashboard.png and
// docs/screenshot-admin-event.png, the README's pictures, when
// OSPOD_SCREENSHOT=1.
func TestBrowserAdminScreenshots(t *testing.T) {
	if os.Getenv("OSPOD_SCREENSHOT") != "1" {
		t.Skip("set OSPOD_SCREENSHOT=1 to write docs/screenshot-admin-*.png")
	}
	needBrowser(t)
	n, id := adminWorld(t)
	tb := newTab(t)
	if err := chromedp.Do(tb.ctx, chromedp.EmulateViewport(1280, 800)); err != nil {
		t.Fatal(err)
	}
	signInBrowser(t, tb, n, "alice", alicePassword)
	for _, s := range []struct{ path, file string }{
		{"/admin", "../docs/screenshot-admin-dashboard.png"},
		{"/admin/events/" + id, "../docs/screenshot-admin-event.png"},
	} {
		tb.open(n.URL+s.path, 200)
		// The dashboard whole; the event form's first screenful.
		var shot []byte
		var err error
		if strings.HasSuffix(s.file, "dashboard.png") {
			shot, err = chromedp.Run(tb.ctx, chromedp.FullScreenshot(100))
		} else {
			shot, err = chromedp.Run(tb.ctx, chromedp.CaptureScreenshot())
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(s.file, shot, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
