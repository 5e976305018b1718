package api_test

// The admin content pages over real HTTP: each form accepted and refused
// (the form again with its messages, the input kept, nothing stored), CSRF
// refusal, the editor's 403s, the audit trail, and the federation effects.

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/ospod/ospod/api/nodetest"
	"github.com/ospod/ospod/store"
)

// formValues reads the form whose action is action from a page, as a
// browser would submit it: inputs, checked boxes, selected options, text
// areas; buttons are left out.
func formValues(t *testing.T, body, action string) url.Values {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var form *html.Node
	walk(doc, func(n *html.Node) {
		if form == nil && n.Type == html.ElementNode && n.Data == "form" && attr(n, "action") == action {
			form = n
		}
	})
	if form == nil {
		t.Fatalf("no form with action %s", action)
	}
	v := url.Values{}
	walk(form, func(n *html.Node) {
		if n.Type != html.ElementNode || attr(n, "name") == "" {
			return
		}
		name := attr(n, "name")
		switch n.Data {
		case "input":
			if typ := attr(n, "type"); (typ == "checkbox" || typ == "radio") && !hasAttr(n, "checked") {
				return
			}
			v.Add(name, attr(n, "value"))
		case "textarea":
			v.Add(name, textOf(n))
		case "select":
			walk(n, func(o *html.Node) {
				if o.Type == html.ElementNode && o.Data == "option" && hasAttr(o, "selected") {
					v.Add(name, attr(o, "value"))
				}
			})
		}
	})
	return v
}

// invalidFields lists the names of the inputs marked aria-invalid, each
// with the text of the message its aria-describedby names.
func invalidFields(t *testing.T, body string) map[string]string {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	msgs := map[string]string{}
	walk(doc, func(n *html.Node) {
		if n.Type == html.ElementNode && strings.HasSuffix(attr(n, "id"), "-error") {
			msgs[attr(n, "id")] = textOf(n)
		}
	})
	out := map[string]string{}
	walk(doc, func(n *html.Node) {
		if n.Type != html.ElementNode || attr(n, "aria-invalid") != "true" {
			return
		}
		msg := ""
		for _, id := range strings.Fields(attr(n, "aria-describedby")) {
			msg += msgs[id]
		}
		out[attr(n, "name")] = msg
	})
	return out
}

func wantInvalid(t *testing.T, what string, p nodetest.Page, fields ...string) map[string]string {
	t.Helper()
	if p.Status != http.StatusBadRequest && p.Status != http.StatusUnprocessableEntity {
		t.Errorf("%s: status %d, want 400", what, p.Status)
	}
	got := invalidFields(t, p.Body)
	for _, f := range fields {
		if msg, ok := got[f]; !ok || strings.TrimSpace(msg) == "" {
			t.Errorf("%s: %s is not marked invalid with a message (invalid: %v)", what, f, got)
		}
	}
	if !strings.Contains(p.Body, `role="alert"`) {
		t.Errorf("%s: no error summary", what)
	}
	return got
}

func auditKinds(t *testing.T, n *nodetest.Node) string {
	t.Helper()
	entries, _, err := n.Store.AuditEntries(context.Background(), store.AuditFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, e := range entries {
		b.WriteString(e.Actor + " " + e.Kind + " " + e.Object + " [" + e.Summary + "]\n")
	}
	return b.String()
}

func TestAdminProfileForm(t *testing.T) {
	n := staffNode(t, nodetest.Options{NoWorker: true})
	setProfile(t, n, nil)
	before, _ := n.Store.Profile(context.Background())
	bob := n.SignIn("bob", bobPassword) // an editor may edit the profile
	page := bob.Get("/admin/profile")
	if page.Status != 200 {
		t.Fatalf("GET /admin/profile: %d", page.Status)
	}
	form := formValues(t, page.Body, "/admin/profile")
	for _, k := range []string{"name.en", "name.fr", "summary.en", "country", "governmentLevel", "location.address.postalCode", "identifiers[0].scheme"} {
		if form.Get(k) == "" {
			t.Errorf("the form does not show %s (%v)", k, form)
		}
	}

	// Four wrong fields at once: each marked, the input kept, nothing stored.
	bad := formValues(t, page.Body, "/admin/profile")
	bad.Set("name.en", "")
	bad.Set("name.fr", "")
	bad.Set("name.de", "")
	bad.Set("country", "XY")
	bad.Set("website", "not a web address")
	bad.Set("teamSize", "three")
	p := bob.Post("/admin/profile", bad)
	got := wantInvalid(t, "invalid profile", p, "name.en", "country", "website", "teamSize")
	if !strings.Contains(got["website"], "https://") || !strings.Contains(got["teamSize"], "number") {
		t.Errorf("messages: %v", got)
	}
	if v := formValues(t, p.Body, "/admin/profile"); v.Get("country") != "XY" || v.Get("website") != "not a web address" || v.Get("teamSize") != "three" {
		t.Errorf("the input was not kept: %v", v)
	}
	if after, _ := n.Store.Profile(context.Background()); !after.Updated.Equal(before.Updated) {
		t.Error("an invalid form changed the profile")
	}

	// Without the CSRF token: 403, nothing changes.
	good := formValues(t, page.Body, "/admin/profile")
	good.Set("name.de", "OSPO der Beispielstadt")
	good.Set("summary.de", "Neu")
	noToken := url.Values{}
	for k, v := range good {
		if k != "csrf" {
			noToken[k] = v
		}
	}
	wantPage(t, "no CSRF token", bob.PostWith("/admin/profile", noToken, http.Header{"Origin": {n.URL}}), http.StatusForbidden, "")
	wrong := url.Values{}
	for k, v := range noToken {
		wrong[k] = v
	}
	wrong.Set("csrf", "wrong")
	wantPage(t, "wrong CSRF token", bob.PostWith("/admin/profile", wrong, http.Header{"Origin": {n.URL}}), http.StatusForbidden, "")
	if after, _ := n.Store.Profile(context.Background()); after.Summary["de"] == "Neu" {
		t.Error("a refused POST changed the profile")
	}

	// A new language, and a text in an existing one: saved, sent to followers.
	good.Set("newLanguage", "nl")
	good.Set("name.new", "OSPO van Voorbeeldstad")
	good.Set("summary.fr", "Nouveau résumé")
	wantPage(t, "save", bob.Post("/admin/profile", good), http.StatusSeeOther, "/admin/profile?done=saved")
	after, _ := n.Store.Profile(context.Background())
	if after.Name["de"] != "OSPO der Beispielstadt" || after.Name["nl"] != "OSPO van Voorbeeldstad" || after.Summary["fr"] != "Nouveau résumé" ||
		after.Country != before.Country || len(after.Identifiers) != len(before.Identifiers) || after.Location == nil {
		t.Errorf("saved profile: %+v", after)
	}
	if shown := bob.Get("/admin/profile?done=saved"); !strings.Contains(shown.Body, `role="status"`) || !strings.Contains(shown.Body, `name="name.nl"`) {
		t.Error("after saving: no notice, or the new language has no fields")
	}
	if a := auditKinds(t, n); !regexp.MustCompile(`bob profile.update profile \[.*name.*summary`).MatchString(a) {
		t.Errorf("audit trail:\n%s", a)
	}
}

func TestAdminEventForms(t *testing.T) {
	n := staffNode(t, nodetest.Options{NoWorker: true})
	setProfile(t, n, nil)
	bob := n.SignIn("bob", bobPassword)
	page := bob.Get("/admin/events/new")
	if page.Status != 200 || !strings.Contains(page.Body, `<option value="Europe/Paris"`) {
		t.Fatalf("new event form: %d", page.Status)
	}
	form := formValues(t, page.Body, "/admin/events")
	form.Set("name.en", "Licensing clinic")
	form.Set("description.en", "Bring your **questions**.")
	form.Set("startDate", "2032-04-14")
	form.Set("startClock", "10:00")
	form.Set("endDate", "2032-04-14")
	form.Set("endClock", "11:30")
	form.Set("timezone", "Europe/Paris")
	form.Set("mode", "hybrid")
	form.Set("online.url", "https://visio.example/room")
	form.Set("location.name", "City hall")
	form.Set("tags", "licensing, EUPL")

	// Refusals: each marked, nothing stored.
	for _, tc := range []struct {
		what   string
		edit   func(url.Values)
		fields []string
	}{
		{"end before start, no title", func(v url.Values) { v.Set("endClock", "09:00"); v.Set("name.en", "") }, []string{"endDate", "name.en"}},
		{"no time zone", func(v url.Values) { v.Set("timezone", "") }, []string{"timezone"}},
		{"hybrid without the room's address, bad latitude", func(v url.Values) { v.Set("online.url", ""); v.Set("location.latitude", "north") },
			[]string{"online.url", "location.latitude"}},
		{"a registration address that is not one", func(v url.Values) { v.Set("registrationUrl", "ftp://x") }, []string{"registrationUrl"}},
	} {
		v := url.Values{}
		for k, x := range form {
			v[k] = append([]string(nil), x...)
		}
		tc.edit(v)
		p := bob.Post("/admin/events", v)
		wantInvalid(t, tc.what, p, tc.fields...)
		if kept := formValues(t, p.Body, "/admin/events"); kept.Get("location.name") != "City hall" {
			t.Errorf("%s: the input was not kept", tc.what)
		}
	}
	if _, total, _ := n.Store.ListEvents(context.Background(), store.EventFilter{Limit: 10}); total != 0 {
		t.Fatalf("refused forms stored %d events", total)
	}

	// Created: the times are the wall-clock times in the zone.
	p := bob.Post("/admin/events", form)
	if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/admin/events/") {
		t.Fatalf("create: %d %q %.500s", p.Status, p.Location, p.Body)
	}
	id := strings.TrimSuffix(strings.TrimPrefix(p.Location, "/admin/events/"), "?done=published")
	e, err := n.Store.Event(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if e.StartTime != "2032-04-14T10:00:00+02:00" || e.Timezone != "Europe/Paris" || e.Online == nil || e.Location == nil ||
		len(e.Tags) != 2 || e.Description["en"] != "Bring your **questions**." {
		t.Errorf("stored event: %+v", e)
	}

	// Edit: the form shows it; an online event loses its place.
	edit := bob.Get("/admin/events/" + id)
	v := formValues(t, edit.Body, "/admin/events/"+id)
	if v.Get("startClock") != "10:00" || v.Get("timezone") != "Europe/Paris" || v.Get("mode") != "hybrid" {
		t.Errorf("edit form: %v", v)
	}
	v.Set("mode", "online")
	v.Set("name.fr", "Permanence licences")
	wantPage(t, "update", bob.Post("/admin/events/"+id, v), http.StatusSeeOther, "/admin/events/"+id+"?done=saved")
	e, _ = n.Store.Event(context.Background(), id)
	if e.Location != nil || e.Name["fr"] != "Permanence licences" {
		t.Errorf("updated event: %+v", e)
	}

	// Duplicate: a new form filled with a copy.
	dup := bob.Get("/admin/events/new?from=" + id)
	if d := formValues(t, dup.Body, "/admin/events"); d.Get("name.fr") != "Permanence licences" || d.Get("startDate") != "2032-04-14" {
		t.Errorf("duplicate form: %v", d)
	}
	// Cancel, then delete after the confirmation page.
	wantPage(t, "cancel", bob.Post("/admin/events/"+id+"/cancel", nil), http.StatusSeeOther, "/admin/events/"+id+"?done=cancelled")
	if e, _ = n.Store.Event(context.Background(), id); e.Status != "cancelled" {
		t.Errorf("status after cancel: %s", e.Status)
	}
	confirm := bob.Get("/admin/events/" + id + "/delete")
	if confirm.Status != 200 || !strings.Contains(confirm.Body, `action="/admin/events/`+id+`/delete"`) {
		t.Fatalf("confirmation page: %d", confirm.Status)
	}
	wantPage(t, "delete without a token", bob.PostWith("/admin/events/"+id+"/delete", url.Values{}, http.Header{"Origin": {n.URL}}), http.StatusForbidden, "")
	wantPage(t, "delete", bob.Post("/admin/events/"+id+"/delete", nil), http.StatusSeeOther, "/admin/events?done=deleted")
	if e, _ = n.Store.Event(context.Background(), id); e.Deleted.IsZero() {
		t.Error("not deleted")
	}
	wantPage(t, "a deleted event's form", bob.Get("/admin/events/"+id), http.StatusNotFound, "")
	a := auditKinds(t, n)
	for _, k := range []string{"event.create " + id, "event.update " + id + " [location, name]", "event.cancel " + id, "event.delete " + id} {
		if !strings.Contains(a, "bob "+k) {
			t.Errorf("audit trail lacks %q:\n%s", k, a)
		}
	}
	list := bob.Get("/admin/events")
	if list.Status != 200 || !strings.Contains(list.Body, "upcoming-h") || !strings.Contains(list.Body, "past-h") {
		t.Errorf("events list: %d", list.Status)
	}
}

func TestAdminEditorRefused(t *testing.T) {
	n := staffNode(t, nodetest.Options{NoWorker: true})
	bob := n.SignIn("bob", bobPassword)
	for _, path := range []string{"/admin/followers", "/admin/following", "/admin/network", "/admin/moderation", "/admin/reports"} {
		wantPage(t, "editor GET "+path, bob.Get(path), http.StatusForbidden, "")
	}
	for _, path := range []string{"/admin/followers/1/accept", "/admin/following", "/admin/network/example.org/retry",
		"/admin/moderation/blocks", "/admin/moderation/allowlist", "/admin/reports/1/resolve"} {
		wantPage(t, "editor POST "+path, bob.Post(path, url.Values{"domain": {"spam.example"}, "account": {"x@y.example"}, "on": {"true"}}), http.StatusForbidden, "")
	}
	if blocks, _ := n.Store.DomainBlocks(context.Background()); len(blocks) != 0 {
		t.Error("an editor's POST blocked a domain")
	}

	// The 403 page is in the admin frame: the editor's navigation (no admin
	// page), the sign-out form with the session's token, a clear message.
	p := bob.Get("/admin/moderation?lang=fr")
	for _, want := range []string{`action="/admin/logout"`, `name="csrf" value="` + bob.CSRF + `"`, `href="/admin/events"`,
		"Seul un administrateur peut ouvrir cette page", "<h1>Accès refusé</h1>"} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("editor's 403 page lacks %q", want)
		}
	}
	if strings.Contains(p.Body, `href="/admin/users"`) {
		t.Error("editor's 403 page links to the users page")
	}
	// A form without the token: the same frame, another message (in French:
	// the language chosen above is kept).
	p = bob.PostWith("/admin/profile", url.Values{}, http.Header{"Origin": {n.URL}})
	if p.Status != http.StatusForbidden || !strings.Contains(p.Body, "Ce formulaire a expiré") || !strings.Contains(p.Body, `action="/admin/logout"`) {
		t.Errorf("form without a token: %d %.300s", p.Status, p.Body)
	}
}

func TestAdminModerationAndReports(t *testing.T) {
	n := staffNode(t, nodetest.Options{NoWorker: true})
	alice := n.SignIn("alice", alicePassword)
	ctx := context.Background()

	p := alice.Post("/admin/moderation/blocks", url.Values{"domain": {n.Host}, "reason": {"oops"}})
	if got := wantInvalid(t, "blocking itself", p, "domain"); !strings.Contains(got["domain"], "itself") {
		t.Errorf("message: %v", got)
	}
	wantInvalid(t, "no domain", alice.Post("/admin/moderation/blocks", url.Values{"reason": {"spam"}}), "domain")
	wantPage(t, "block", alice.Post("/admin/moderation/blocks", url.Values{"domain": {"Spam.Example"}, "reason": {"spam waves"}}),
		http.StatusSeeOther, "/admin/moderation?done=blocked")
	if page := alice.Get("/admin/moderation"); !strings.Contains(page.Body, "spam waves") || !strings.Contains(page.Body, "/admin/moderation/blocks/spam.example/remove") {
		t.Errorf("the block is not listed")
	}
	wantPage(t, "unblock", alice.Post("/admin/moderation/blocks/spam.example/remove", nil), http.StatusSeeOther, "/admin/moderation?done=unblocked")
	wantPage(t, "allow-list on", alice.Post("/admin/moderation/allowlist", url.Values{"on": {"true"}}), http.StatusSeeOther, "")
	wantPage(t, "allow", alice.Post("/admin/moderation/allows", url.Values{"allow": {"friend.example"}}), http.StatusSeeOther, "")
	if allows, _ := n.Store.DomainAllows(ctx); len(allows) != 1 || allows[0].Domain != "friend.example" {
		t.Errorf("allows: %v", allows)
	}
	wantPage(t, "allow-list off", alice.Post("/admin/moderation/allowlist", url.Values{"on": {"false"}}), http.StatusSeeOther, "")

	// Two received reports: one resolved with a block, one dismissed by the API.
	err := n.Store.InTx(ctx, func(tx *store.Tx) error {
		for i, obj := range []string{"https://spam.example/users/bot", n.URL + "/events/x"} {
			if err := tx.AddReport(ctx, &store.Report{ActivityID: "https://reporter.example/flags/" + itoa(int64(i)),
				ActorID: "https://reporter.example/actor", Objects: []string{obj}, Content: "please look"}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	reps, _ := n.Store.Reports(ctx, store.ReportFilter{})
	spam, ours := reps[1], reps[0]
	page := alice.Get("/admin/reports")
	v := formValues(t, page.Body, "/admin/reports/"+itoa(spam.ID)+"/resolve")
	if !strings.Contains(page.Body, `value="spam.example"`) || !strings.Contains(page.Body, `formaction="/admin/reports/`+itoa(spam.ID)+`/dismiss"`) {
		t.Fatalf("reports page lacks the block box or the dismiss button")
	}
	v.Set("note", "a spam account; domain blocked")
	v.Set("blockDomain", "spam.example")
	wantPage(t, "resolve", alice.Post("/admin/reports/"+itoa(spam.ID)+"/resolve", v), http.StatusSeeOther, "/admin/reports?done=resolved")
	got, _ := n.Store.Report(ctx, spam.ID)
	if got.State != store.ReportResolved || got.Note != "a spam account; domain blocked" || got.ResolvedBy != "alice" || got.ResolvedAt.IsZero() {
		t.Errorf("resolved report: %+v", got)
	}
	if blocks, _ := n.Store.DomainBlocks(ctx); len(blocks) != 1 || blocks[0].Domain != "spam.example" {
		t.Errorf("blocks after resolving: %v", blocks)
	}
	var answered store.Report
	if code := n.Admin(http.MethodPost, "/api/v1/admin/reports/"+itoa(ours.ID)+"/dismiss", map[string]string{"note": "our own event, fine"}, &answered); code != 200 ||
		answered.State != store.ReportDismissed || answered.ResolvedBy != store.AuditActorToken {
		t.Errorf("dismiss by API: %d %+v", code, answered)
	}
	var open struct{ Total int }
	if n.Admin(http.MethodGet, "/api/v1/admin/reports?state=open", nil, &open); open.Total != 0 {
		t.Errorf("open reports: %d", open.Total)
	}
	if code := n.Admin(http.MethodPost, "/api/v1/admin/reports/999/resolve", nil, nil); code != http.StatusNotFound {
		t.Errorf("unknown report: %d", code)
	}
	if code := n.Admin(http.MethodPost, "/api/v1/admin/reports/"+itoa(ours.ID)+"/dismiss", map[string]string{"blockDomain": "x.example"}, nil); code != http.StatusBadRequest {
		t.Errorf("dismiss with a block: %d", code)
	}
	a := auditKinds(t, n)
	for _, k := range []string{"alice block.add spam.example [spam waves]", "alice block.remove spam.example", "alice federation.mode",
		"alice allow.add friend.example", "alice report.resolve " + itoa(spam.ID) + " [blocked spam.example; a spam account",
		"API token report.dismiss " + itoa(ours.ID) + " [our own event, fine]"} {
		if !strings.Contains(a, k) {
			t.Errorf("audit trail lacks %q:\n%s", k, a)
		}
	}
	if dash := alice.Get("/admin"); strings.Contains(dash.Body, "/admin/reports\">") && strings.Contains(dash.Body, "report is open") {
		t.Error("the dashboard still counts answered reports as open")
	}
}

// TestAdminFollowPages: A follows B by its profile URL from the following
// page; B approves by hand on its followers page; A unfollows.
func TestAdminFollowPages(t *testing.T) {
	a := staffNode(t, nodetest.Options{})
	b := staffNode(t, nodetest.Options{})
	setProfile(t, a, nil)
	setProfile(t, b, func(p map[string]any) { p["manuallyApprovesFollowers"] = true })
	alice := a.SignIn("alice", alicePassword)
	wantInvalid(t, "not an account", alice.Post("/admin/following", url.Values{"account": {"not an account"}}), "account")
	wantInvalid(t, "nobody there", alice.Post("/admin/following", url.Values{"account": {"nobody@127.0.0.1:1"}}), "account")
	wantPage(t, "follow by profile URL", alice.Post("/admin/following", url.Values{"account": {b.URL + "/@ospo"}}),
		http.StatusSeeOther, "/admin/following?done=requested")
	if page := alice.Get("/admin/following"); !strings.Contains(page.Body, "@ospo@"+b.Host) || !strings.Contains(page.Body, "waiting for an answer") {
		t.Errorf("following page: %.2000s", page.Body)
	}
	bAlice := b.SignIn("alice", alicePassword)
	var pending []store.Relation
	nodetest.Eventually(t, "B has the request", func() bool {
		rels, _ := b.Store.Relations(context.Background(), store.Followers, store.FollowPending)
		pending = nil
		for _, r := range rels {
			pending = append(pending, *r)
		}
		return len(pending) == 1
	})
	page := bAlice.Get("/admin/followers")
	if !strings.Contains(page.Body, "/admin/followers/"+itoa(pending[0].ID)+"/accept") {
		t.Fatalf("followers page lacks the accept button")
	}
	wantPage(t, "accept", bAlice.Post("/admin/followers/"+itoa(pending[0].ID)+"/accept", nil), http.StatusSeeOther, "/admin/followers?done=accepted")
	nodetest.Eventually(t, "A's follow is accepted", func() bool { return followingState(t, a, b.URL+"/actor") == "accepted" })
	rel, _ := a.Store.RelationWith(context.Background(), store.Following, b.URL+"/actor")
	wantPage(t, "unfollow", alice.Post("/admin/following/"+itoa(rel.ID)+"/remove", nil), http.StatusSeeOther, "/admin/following?done=unfollowed")
	nodetest.Eventually(t, "B no longer has A", func() bool {
		rels, _ := b.Store.Relations(context.Background(), store.Followers, "")
		return len(rels) == 0
	})
	if k := auditKinds(t, a); !strings.Contains(k, "alice follow.add "+b.URL+"/actor") || !strings.Contains(k, "alice follow.remove") {
		t.Errorf("A's audit trail:\n%s", k)
	}
	if k := auditKinds(t, b); !strings.Contains(k, "alice follower.accept "+a.URL+"/actor") {
		t.Errorf("B's audit trail:\n%s", k)
	}
}

// TestAdminNetworkRetry: a follower whose server is down makes its host
// fail; "retry now" makes its deliveries due again.
func TestAdminNetworkRetry(t *testing.T) {
	a := staffNode(t, nodetest.Options{})
	b := nodetest.Start(t, nodetest.Options{})
	setProfile(t, a, nil)
	follow(t, b, a)
	nodetest.Eventually(t, "B follows A", func() bool { return followingState(t, b, a.URL+"/actor") == "accepted" })
	b.Stop()
	createEvent(t, a, "Nobody hears this")
	nodetest.Eventually(t, "B's host fails", func() bool {
		h, err := a.Store.HostHealth(context.Background(), b.Host)
		return err == nil && !h.FailingSince.IsZero()
	})
	alice := a.SignIn("alice", alicePassword)
	page := alice.Get("/admin/network")
	action := "/admin/network/" + b.Host + "/retry"
	if !strings.Contains(page.Body, `action="`+action+`"`) || !strings.Contains(page.Body, "failing since") {
		t.Fatalf("network page: %.3000s", page.Body)
	}
	wantPage(t, "retry", alice.Post(action, nil), http.StatusSeeOther, "/admin/network?done=retrying")
	if k := auditKinds(t, a); !strings.Contains(k, "alice delivery.retry "+b.Host) {
		t.Errorf("audit trail:\n%s", k)
	}
	wantPage(t, "retry an unknown host", alice.Post("/admin/network/nowhere.example/retry", nil), http.StatusNotFound, "")
}

// TestAdminEventReachesFollower: an event published with the admin form
// reaches a follower node, and so do its update and its deletion.
func TestAdminEventReachesFollower(t *testing.T) {
	a := staffNode(t, nodetest.Options{})
	b := nodetest.Start(t, nodetest.Options{})
	setProfile(t, a, nil)
	follow(t, b, a)
	nodetest.Eventually(t, "B follows A", func() bool { return followingState(t, b, a.URL+"/actor") == "accepted" })
	bob := a.SignIn("bob", bobPassword)
	form := formValues(t, bob.Get("/admin/events/new").Body, "/admin/events")
	form.Set("name.en", "Inner source day")
	form.Set("startDate", time.Now().AddDate(0, 1, 0).Format("2006-01-02"))
	form.Set("startClock", "09:30")
	form.Set("endDate", time.Now().AddDate(0, 1, 0).Format("2006-01-02"))
	form.Set("endClock", "17:00")
	form.Set("timezone", "Europe/Berlin")
	p := bob.Post("/admin/events", form)
	if p.Status != http.StatusSeeOther {
		t.Fatalf("create: %d %.500s", p.Status, p.Body)
	}
	id := strings.TrimSuffix(strings.TrimPrefix(p.Location, "/admin/events/"), "?done=published")
	remoteName := func() string {
		evs, _ := b.Store.RemoteEventsOf(context.Background(), a.URL+"/actor")
		if len(evs) != 1 {
			return ""
		}
		return evs[0].Name
	}
	nodetest.Eventually(t, "B has the event", func() bool { return remoteName() == "Inner source day" })
	v := formValues(t, bob.Get("/admin/events/"+id).Body, "/admin/events/"+id)
	v.Set("name.en", "Inner source day (room 2)")
	wantPage(t, "update", bob.Post("/admin/events/"+id, v), http.StatusSeeOther, "")
	nodetest.Eventually(t, "B has the update", func() bool { return remoteName() == "Inner source day (room 2)" })
	wantPage(t, "delete", bob.Post("/admin/events/"+id+"/delete", nil), http.StatusSeeOther, "")
	nodetest.Eventually(t, "B forgot the event", func() bool {
		evs, _ := b.Store.RemoteEventsOf(context.Background(), a.URL+"/actor")
		return len(evs) == 0
	})
}
