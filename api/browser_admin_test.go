package api_test

// The admin pages in Chromium at 390 px wide: keyboard-only sign-in and
// second factor, every page audited by axe-core (no violation of any
// impact), no script, no sideways scrolling, and every refusal (wrong
// password, wrong code, 429, editor 403, CSRF, cross-origin, expired
// session) as a readable page.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/ospod/ospod/api/auth"
	"github.com/ospod/ospod/api/nodetest"
	"github.com/ospod/ospod/store"
	"github.com/ospod/ospod/store/storetest"
)

// adminTab is a tab 390 px wide.
func adminTab(t *testing.T) *tab {
	tb := newTab(t)
	if err := chromedp.Do(tb.ctx, chromedp.EmulateViewport(390, 844)); err != nil {
		t.Fatal(err)
	}
	return tb
}

// checkAdminPage audits the current page: axe, no script, no overflow, an h1.
func (tb *tab) checkAdminPage(what string) {
	tb.t.Helper()
	if c := eval[int](tb, "document.scripts.length"); c != 0 {
		tb.t.Errorf("%s: %d script elements", what, c)
	}
	if h1 := tb.text("h1"); h1 == "" {
		tb.t.Errorf("%s: empty h1", what)
	}
	tb.noOverflow(what)
	tb.audit(what)
}

// keyboardSignIn fills the sign-in form with the keyboard only: Tab until
// the name field has the focus, type, Tab, type, Enter.
func (tb *tab) keyboardSignIn(name, password string, status int64) {
	tb.t.Helper()
	for i := 0; eval[string](tb, "document.activeElement.id") != "username"; i++ {
		if i > 40 {
			tb.t.Fatal("Tab never reaches the name field")
		}
		if err := chromedp.Do(tb.ctx, chromedp.KeyEvent(kb.Tab)); err != nil {
			tb.t.Fatal(err)
		}
	}
	if err := chromedp.Do(tb.ctx, chromedp.KeyEvent(name), chromedp.KeyEvent(kb.Tab), chromedp.KeyEvent(password)); err != nil {
		tb.t.Fatal(err)
	}
	if id := eval[string](tb, "document.activeElement.id"); id != "password" {
		tb.t.Fatalf("after Tab the focus is on %q, want the password", id)
	}
	tb.follow("sign in as "+name, status, chromedp.KeyEvent(kb.Enter))
}

func TestBrowserAdmin(t *testing.T) {
	needBrowser(t)
	clock := storetest.NewClock(time.Now().UTC())
	n := staffNode(t, nodetest.Options{Now: clock.Now})
	setProfile(t, n, func(p map[string]any) { delete(p, "logo") })
	browserEvent(t, n, map[string]any{"name": map[string]string{"en": "Licensing clinic"}})
	tb := adminTab(t)

	tb.open(n.URL+"/admin", 200) // redirected to the sign-in page
	if loc := tb.location(); loc != "/admin/login" {
		t.Fatalf("/admin without a session shows %s", loc)
	}
	tb.checkAdminPage("sign-in page")
	tb.keyboardSignIn("alice", "wrong password here", 401)
	if !strings.Contains(tb.text("#login-error"), "Wrong") {
		t.Error("no error after a wrong password")
	}
	tb.checkAdminPage("wrong password")
	tb.keyboardSignIn("alice", alicePassword, 200)
	if loc := tb.location(); loc != "/admin" {
		t.Fatalf("signed in, at %s", loc)
	}
	tb.checkAdminPage("dashboard")

	for _, p := range []string{"/admin/users", "/admin/audit", "/admin/audit?kind=event&actor=API+token", "/admin/account",
		"/admin/profile", "/admin/events", "/admin/events/new", "/admin/followers", "/admin/following", "/admin/network",
		"/admin/moderation", "/admin/reports", "/admin?lang=de", "/admin/users?lang=fr"} {
		tb.open(n.URL+p, 200)
		tb.checkAdminPage(p)
	}

	// Invite a colleague with the form; the link is shown once.
	tb.open(n.URL+"/admin/users", 200)
	tb.follow("invite", 200, chromedp.SendKeys(chromedp.ID("u-name"), "dora"), chromedp.Submit(chromedp.ID("u-name")))
	if !strings.Contains(tb.text("#invite-h"), "dora") {
		t.Error("no invitation after adding dora")
	}
	tb.checkAdminPage("invitation")
	link := eval[string](tb, `document.querySelector("section.notice code").textContent`)
	tb2 := adminTab(t)
	tb2.open(link, 200)
	tb2.checkAdminPage("invitation link")

	// The second factor, with the keyboard, in a tab of its own (each tab
	// has a deadline): enrolment, a wrong first code, the right one and the
	// recovery codes.
	tb = adminTab(t)
	tb.open(n.URL+"/admin/login", 200)
	tb.keyboardSignIn("alice", alicePassword, 200)
	tb.open(n.URL+"/admin/account", 200)
	tb.follow("turn on", 200, chromedp.Click(chromedp.CSS(`form[action="/admin/account/factor/start"] button`)))
	tb.checkAdminPage("second factor enrolment")
	secret := eval[string](tb, `document.querySelector('section[aria-labelledby="factor-h"] code').textContent`)
	tb.enterCode("000000", 400)
	tb.checkAdminPage("wrong first code")
	tb.enterCode(auth.TOTPCode(secret, clock.Now()), 200)
	if c := eval[int](tb, `document.querySelectorAll('ul.codes li').length`); c != 10 {
		t.Errorf("%d recovery codes shown", c)
	}
	tb.checkAdminPage("recovery codes")

	// Sign out with the button.
	tb.follow("sign out", 200, chromedp.Click(chromedp.CSS(`form[action="/admin/logout"] button`)))
	if loc := tb.location(); !strings.HasPrefix(loc, "/admin/login") {
		t.Errorf("after sign out: %s", loc)
	}
	tb.checkAdminPage("signed out")

	// Signing in again asks for a code: a wrong one, then the next step's.
	tb.keyboardSignIn("alice", alicePassword, 200)
	if loc := tb.location(); loc != "/admin/login/code" {
		t.Fatalf("after the password: %s", loc)
	}
	tb.checkAdminPage("code page")
	tb.enterCode("123456", 401)
	tb.checkAdminPage("wrong code")
	tb.enterCode(auth.TOTPCode(secret, clock.Advance(30*time.Second)), 200)
	if loc := tb.location(); loc != "/admin" {
		t.Errorf("after the code: %s", loc)
	}
}

// refusedInFrame checks that a refusal is shown in the admin frame: the
// message, the navigation and a sign-out button that works from there.
func (tb *tab) refusedInFrame(what, message string) {
	tb.t.Helper()
	if got := tb.text("main"); !strings.Contains(got, message) {
		tb.t.Errorf("%s: message %q, want %q", what, got, message)
	}
	if !eval[bool](tb, `!!document.querySelector('nav.main a[href="/admin/events"]') && !!document.querySelector('form[action="/admin/logout"] button')`) {
		tb.t.Errorf("%s: not in the admin frame (navigation, sign-out form)", what)
	}
}

// enterCode types a second-factor code into the field #code and presses Enter.
func (tb *tab) enterCode(code string, status int64) {
	tb.t.Helper()
	tabTo(tb.t, tb, "#code")
	typeKeys(tb.t, tb, code)
	tb.follow("code "+code, status, chromedp.KeyEvent(kb.Enter))
}

// TestBrowserAdminRefusals: each refusal of the issue as a readable page,
// 390 px wide, audited: an editor on admin pages, a form with a wrong or
// without a CSRF token, a cross-origin form, an expired session and 429
// after ten failed sign-ins. None of them changes anything.
func TestBrowserAdminRefusals(t *testing.T) {
	needBrowser(t)
	clock := storetest.NewClock(time.Now().UTC())
	n := staffNode(t, nodetest.Options{NoWorker: true, Now: clock.Now, SessionIdle: time.Hour})
	tb := adminTab(t)
	tb.open(n.URL+"/admin/login", 200)
	tb.keyboardSignIn("bob", bobPassword, 200)
	for _, p := range []string{"/admin/users", "/admin/moderation"} {
		tb.open(n.URL+p, 403)
		tb.checkAdminPage("editor on " + p)
		tb.refusedInFrame("editor on "+p, "Only an administrator")
		if eval[bool](tb, `!!document.querySelector('nav.main a[href="/admin/users"]')`) {
			t.Errorf("editor on %s: the navigation offers the users page", p)
		}
	}

	// The invitation form with its CSRF token altered, then removed.
	ta := adminTab(t)
	ta.open(n.URL+"/admin/login", 200)
	ta.keyboardSignIn("alice", alicePassword, 200)
	for what, js := range map[string]string{
		"wrong CSRF token":   `document.querySelector('#u-name').form.elements.csrf.value = 'x' + document.querySelector('#u-name').form.elements.csrf.value`,
		"missing CSRF token": `document.querySelector('#u-name').form.elements.csrf.remove()`,
	} {
		ta.open(n.URL+"/admin/users", 200)
		eval[any](ta, js)
		ta.follow(what, 403, chromedp.SendKeys(chromedp.ID("u-name"), "mallory"), chromedp.KeyEvent(kb.Enter))
		ta.checkAdminPage(what)
		ta.refusedInFrame(what, "nothing was changed")
	}

	// The same form on a page of another origin (another loopback port),
	// with the right token, submitted with the keyboard.
	ta.open(n.URL+"/admin/users", 200)
	token := eval[string](ta, `document.querySelector('#u-name').form.elements.csrf.value`)
	foreign := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintf(w, `<!doctype html><html lang="en"><title>Elsewhere</title><link rel="icon" href="data:,">
<form method="post" action="%s/admin/users"><input type="hidden" name="csrf" value="%s">
<input type="hidden" name="name" value="mallory"><button id="go">Win a prize</button></form>`, n.URL, token)
	}))
	t.Cleanup(foreign.Close)
	ta.open(foreign.URL, 200)
	tabTo(t, ta, "#go")
	ta.follow("cross-origin form", 403, chromedp.KeyEvent(kb.Enter))
	ta.checkAdminPage("cross-origin form")
	if _, err := n.Store.StaffAccount(context.Background(), "mallory"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("an account was made by a refused form: %v", err)
	}

	// An expired session: the form is sent after an idle hour, and the
	// sign-in page answers; nothing is stored.
	ta.open(n.URL+"/admin/users", 200)
	clock.Advance(61 * time.Minute)
	ta.follow("form after the session expired", 200, chromedp.SendKeys(chromedp.ID("u-name"), "carol"), chromedp.KeyEvent(kb.Enter))
	if loc := ta.location(); loc != "/admin/login" {
		t.Errorf("expired session: at %s", loc)
	}
	ta.checkAdminPage("expired session")
	if _, err := n.Store.StaffAccount(context.Background(), "carol"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("an account was made with an expired session: %v", err)
	}

	// Ten failures, then the right password meets a page that says when to retry.
	c := n.NewStaffClient()
	for range 10 {
		c.Post("/admin/login", url.Values{"username": {"alice"}, "password": {"wrong password"}})
	}
	tb2 := adminTab(t)
	tb2.open(n.URL+"/admin/login", 200)
	tb2.keyboardSignIn("alice", alicePassword, 429)
	if msg := tb2.text("#login-error"); !strings.Contains(msg, "minutes") {
		t.Errorf("429 page: %q", msg)
	}
	tb2.checkAdminPage("429")
}

// TestBrowserAdminFirstStart: a node without an account or profile.
func TestBrowserAdminFirstStart(t *testing.T) {
	needBrowser(t)
	n := nodetest.Start(t, nodetest.Options{})
	tb := adminTab(t)
	tb.open(n.URL+"/", 200)
	tb.checkAdminPage("home page of a fresh node")
	tb.follow("the link to /admin", 200, chromedp.Click(chromedp.CSS(`.status-banner a`)))
	if got := tb.text(".setup"); !strings.Contains(got, "ospod user add") {
		t.Errorf("first visit to /admin: %q", got)
	}
	tb.checkAdminPage(fmt.Sprintf("first visit (%s)", store.RoleAdmin))
}

// TestBrowserAdminSSO: with the keyboard, from the sign-in page through the
// provider's login page back to the dashboard; then a refused sign-in
// (unknown e-mail) shows the sign-in page with its message.
func TestBrowserAdminSSO(t *testing.T) {
	needBrowser(t)
	n, p := ssoNode(t, nodetest.Options{})
	p.SetUser(aliceID)
	tb := adminTab(t)
	tb.open(n.URL+"/admin/login", 200)
	tb.checkAdminPage("sign-in page with single sign-on")
	for i := 0; eval[string](tb, "document.activeElement.id") != "sso"; i++ {
		if i > 40 {
			t.Fatal("Tab never reaches the single sign-on link")
		}
		if err := chromedp.Do(tb.ctx, chromedp.KeyEvent(kb.Tab)); err != nil {
			t.Fatal(err)
		}
	}
	tb.follow("single sign-on link", 200, chromedp.KeyEvent(kb.Enter))
	if h := tb.text("h1"); h != "Test identity provider" {
		t.Fatalf("after the link: %q at %s", h, eval[string](tb, "location.href"))
	}
	tb.follow("approve at the provider", 200, chromedp.Click(chromedp.ID("approve")))
	if loc := tb.location(); loc != "/admin" {
		t.Fatalf("after single sign-on: %s", loc)
	}
	tb.checkAdminPage("dashboard after single sign-on")
	tb.open(n.URL+"/admin/users", 200)
	tb.checkAdminPage("users page with e-mail addresses and sign-up")

	p.SetUser(nodetest.OIDCUser{Subject: "m", Email: "mallory@city.example", EmailVerified: true})
	tb2 := adminTab(t)
	tb2.open(n.URL+"/admin/login", 200)
	tb2.follow("single sign-on link", 200, chromedp.Click(chromedp.ID("sso")))
	tb2.follow("approve as mallory", 401, chromedp.Click(chromedp.ID("approve")))
	if !strings.Contains(tb2.text("#login-error"), "No account of this node") {
		t.Errorf("refused single sign-on: %q", tb2.text("#login-error"))
	}
	tb2.checkAdminPage("refused single sign-on")
}
