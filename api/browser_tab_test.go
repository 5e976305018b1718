package api_test

// The browser harness: one headless Chromium (Debian's package) for the
// package, driven by chromedp; a tab per test that records console errors,
// exceptions, CSP violations and JavaScript dialogs; the axe-core audit.
// Each tab has its own browser context, so a language cookie set by one
// test never reaches another (cookies ignore the port, and every test node
// is on 127.0.0.1). See shared/notes/browser-testing.md for the recipe and
// its measurements.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

const (
	chromiumPath = "/usr/bin/chromium"
	axePath      = "testdata/axe/axe.min.js" // fetched by .ci/run, git-ignored
)

// browser is the package's one Chromium, started by the first test that
// needs it (a run of other tests or of benchmarks starts none) and stopped
// by TestMain.
var browser struct {
	once sync.Once
	ctx  context.Context
	err  error
	stop []context.CancelFunc
}

func TestMain(m *testing.M) {
	code := m.Run()
	for _, stop := range slices.Backward(browser.stop) {
		stop() // closes Chromium and deletes its temporary profile
	}
	os.Exit(code)
}

// needBrowser returns the browser's context. It skips the test under
// -short (a browser takes seconds to start) and when Chromium is missing,
// but fails it under CI, which must install it.
func needBrowser(t *testing.T) context.Context {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test: skipped under -short")
	}
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is missing: .ci/run must apt-get install chromium", chromiumPath)
		}
		t.Skipf("browser test: %s not found (apt-get install chromium)", chromiumPath)
	}
	browser.once.Do(func() {
		opts := append(chromedp.DefaultExecAllocatorOptions[:], // headless, no first run, no background networking, ...
			chromedp.ExecPath(chromiumPath),
			chromedp.NoSandbox, // CI runs as root
			chromedp.Flag("disable-gpu", true),
			chromedp.Flag("disable-quic", true),
			chromedp.Flag("disable-component-update", true),
			// Every name lookup fails but loopback's: no request leaves the machine.
			chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost"),
			chromedp.Flag("lang", "en-US"),
			chromedp.WindowSize(1280, 800),
		) // no UserDataDir: chromedp makes a temporary profile and deletes it
		actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
		bctx, cancelB := chromedp.NewContext(actx)
		browser.stop = []context.CancelFunc{cancelA, cancelB}
		// Not under a test's context: its end would close the browser.
		if browser.err = chromedp.Do(bctx); browser.err == nil {
			browser.ctx = bctx
		}
	})
	if browser.err != nil {
		t.Fatalf("starting chromium: %v", browser.err)
	}
	return browser.ctx
}

// tab is one browser tab and what its pages reported.
type tab struct {
	ctx  context.Context // the tab, with a deadline
	base context.Context // the tab, for record: set before any event arrives
	t    *testing.T

	mu      sync.Mutex
	errs    []string // console errors, exceptions, CSP violations, failed loads
	dialogs []string // JavaScript dialogs that opened (alert, confirm, prompt)
}

// newTab opens a tab in a fresh browser context (its own cookies).
func newTab(t *testing.T) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(needBrowser(t), chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	tb := &tab{base: ctx, t: t}
	if err := chromedp.Listen(ctx, tb.record); err != nil { // also opens the tab
		t.Fatal(err)
	}
	var cancelT context.CancelFunc
	// Never on the tab's first Run. A minute: a test's pages and audits on a
	// loaded two-core machine; a hung page still fails the test.
	tb.ctx, cancelT = context.WithTimeout(ctx, time.Minute)
	t.Cleanup(cancelT)
	return tb
}

// record runs on chromedp's read loop: be quick, and call chromedp only
// from another goroutine.
func (tb *tab) record(ev any) {
	var msg string
	switch e := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if e.Type == runtime.ConsoleAPICalledTypeError && len(e.Args) > 0 {
			a, text := e.Args[0], ""
			if json.Unmarshal(a.Value, &text) != nil { // not a string: a number, an object, ...
				text = a.Description + string(a.Value)
			}
			msg = "console.error: " + text
		}
	case *runtime.EventExceptionThrown:
		msg = "exception: " + e.ExceptionDetails.Text
		if ex := e.ExceptionDetails.Exception; ex != nil {
			msg += " " + ex.Description
		}
	case *log.EventEntryAdded: // CSP violations, failed loads
		if e.Entry.Level == log.EntryLevelError {
			msg = "log: " + e.Entry.Text
			if e.Entry.URL != "" {
				msg += " (" + e.Entry.URL + ")"
			}
		}
	case *cdppage.EventJavascriptDialogOpening:
		tb.mu.Lock()
		tb.dialogs = append(tb.dialogs, string(e.Type)+": "+e.Message)
		tb.mu.Unlock()
		// Close it, or the page stalls and every later step times out.
		go func() {
			_, _ = chromedp.Call(tb.base, cdppage.HandleJavaScriptDialog, cdppage.HandleJavaScriptDialogParams{Accept: false})
		}()
	}
	if msg != "" {
		tb.mu.Lock()
		tb.errs = append(tb.errs, msg)
		tb.mu.Unlock()
	}
}

// takeErrors returns the errors reported since the last call. Events arrive
// in order, so after any command every earlier error is recorded.
func (tb *tab) takeErrors() []string {
	tb.t.Helper()
	if _, err := chromedp.Run(tb.ctx, chromedp.Evaluate[bool]("true")); err != nil {
		tb.t.Fatal(err)
	}
	tb.mu.Lock()
	defer tb.mu.Unlock()
	errs := tb.errs
	tb.errs = nil
	return errs
}

// openedDialogs returns the JavaScript dialogs that opened so far.
func (tb *tab) openedDialogs() []string {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	return slices.Clone(tb.dialogs)
}

// open navigates to url, checks the status and that the page reported no
// error. An error page (status >= 400) may only report its own status.
func (tb *tab) open(url string, status int64) {
	tb.t.Helper()
	resp, err := chromedp.Run(tb.ctx, chromedp.NavigateResponse(url))
	if err != nil {
		tb.t.Fatalf("%s: %v", url, err)
	}
	tb.checkLoaded(url, resp.Status, status)
}

// follow runs actions that navigate (a click, a form submission) and waits
// for the new page, as open does.
func (tb *tab) follow(what string, status int64, actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	resp, err := chromedp.RunResponse(tb.ctx, actions...)
	if err != nil {
		tb.t.Fatalf("%s: %v", what, err)
	}
	tb.checkLoaded(what, resp.Status, status)
}

func (tb *tab) checkLoaded(what string, got, want int64) {
	tb.t.Helper()
	if got != want {
		tb.t.Errorf("%s: status %d, want %d", what, got, want)
	}
	for _, e := range tb.takeErrors() {
		if want >= 400 && strings.Contains(e, fmt.Sprintf("status of %d", want)) {
			continue // Chromium logs the error status of the document itself
		}
		tb.t.Errorf("%s: %s", what, e)
	}
}

// text is the visible text of the first element matching a CSS selector.
func (tb *tab) text(sel string) string {
	tb.t.Helper()
	s, err := chromedp.Run(tb.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		tb.t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](tb *tab, js string) T {
	tb.t.Helper()
	v, err := chromedp.Run(tb.ctx, chromedp.Evaluate[T](js))
	if err != nil {
		tb.t.Fatalf("evaluate %.60s: %v", js, err)
	}
	return v
}

// location is the page's path and query.
func (tb *tab) location() string {
	return eval[string](tb, "location.pathname + location.search")
}

var axeSource = sync.OnceValues(func() (string, error) {
	b, err := os.ReadFile(axePath)
	return string(b), err
})

type axeViolation struct {
	ID, Impact, Help string
	Nodes            []struct {
		Target []any  `json:"target"` // selectors; nested arrays for shadow DOM
		HTML   string `json:"html"`
	} `json:"nodes"`
}

const axeRun = `axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa']},
  resultTypes: ['violations']}).then(r => r.violations)`

// audit runs axe-core on the current page and fails the test on any
// violation, whatever its impact; the failure lists every violation.
func (tb *tab) audit(what string) {
	tb.t.Helper()
	vs, ok := tb.axe(what)
	if !ok || len(vs) == 0 {
		return
	}
	var b strings.Builder
	for _, v := range vs {
		fmt.Fprintf(&b, "\n  %s (%s): %s", v.ID, v.Impact, v.Help)
		for _, n := range v.Nodes {
			fmt.Fprintf(&b, "\n    at %v: %.160s", n.Target, n.HTML)
		}
	}
	tb.t.Errorf("%s: accessibility violations:%s", what, b.String())
}

// axe runs axe-core on the current page and returns its violations. axe is
// injected with Runtime.evaluate, which the page's CSP does not block.
// Without axe-core (fetched by .ci/run) it returns false, or fails under CI;
// the test's other checks still run.
func (tb *tab) axe(what string) ([]axeViolation, bool) {
	tb.t.Helper()
	src, err := axeSource()
	if err != nil {
		if os.Getenv("CI") != "" {
			tb.t.Fatalf("axe-core is missing (.ci/run fetches it): %v", err)
		}
		tb.t.Logf("%s: no accessibility audit: %v (see .ci/run)", what, err)
		return nil, false
	}
	if _, err := chromedp.Run(tb.ctx, chromedp.Evaluate[chromedp.Void](src)); err != nil {
		tb.t.Fatalf("injecting axe: %v", err)
	}
	vs, err := chromedp.Run(tb.ctx, chromedp.Evaluate[[]axeViolation](axeRun, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.t.Fatalf("%s: axe: %v", what, err)
	}
	return vs, true
}

// noOverflow checks that the page does not scroll sideways, and names the
// elements that stick out when it does.
func (tb *tab) noOverflow(what string) {
	tb.t.Helper()
	r := eval[struct {
		Scroll, Client, Inner int
		Wide                  []string
	}](tb, `(() => {
  const d = document.documentElement, w = d.clientWidth;
  const wide = [...document.body.querySelectorAll('*')].filter(e => e.getBoundingClientRect().right > w + 0.5)
    .slice(0, 8).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className ? '.' + String(e.className).replaceAll(' ', '.') : '') +
      ' right=' + Math.round(e.getBoundingClientRect().right));
  return {scroll: d.scrollWidth, client: w, inner: innerWidth, wide};
})()`)
	if r.Scroll > r.Client {
		tb.t.Errorf("%s: scrolls sideways: scrollWidth %d > clientWidth %d (innerWidth %d); too wide: %v",
			what, r.Scroll, r.Client, r.Inner, r.Wide)
	}
}
