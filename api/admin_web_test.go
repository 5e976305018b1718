package api_test

// The admin web interface over real HTTP with real SQLite files: sign-in,
// sessions, throttling, CSRF and cross-origin refusal, roles, users, the
// audit trail, the second factor and the first start.

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ospod/ospod/api/auth"
	"github.com/ospod/ospod/api/nodetest"
	"github.com/ospod/ospod/store"
	"github.com/ospod/ospod/store/storetest"
)

const (
	alicePassword = "correct horse battery staple"
	bobPassword   = "editor password 12345"
)

// staffNode is a node with an admin (alice) and an editor (bob).
func staffNode(t *testing.T, o nodetest.Options) *nodetest.Node {
	t.Helper()
	n := nodetest.Start(t, o)
	n.AddStaff("alice", store.RoleAdmin, alicePassword)
	n.AddStaff("bob", store.RoleEditor, bobPassword)
	return n
}

func wantPage(t *testing.T, what string, p nodetest.Page, status int, location string) {
	t.Helper()
	if p.Status != status || (location != "" && p.Location != location) {
		t.Errorf("%s: %d to %q, want %d to %q", what, p.Status, p.Location, status, location)
	}
}

func TestAdminSignIn(t *testing.T) {
	n := staffNode(t, nodetest.Options{NoWorker: true})
	anon := n.NewStaffClient()
	for _, path := range []string{"/admin", "/admin/users", "/admin/profile", "/admin/no-such-page", "/admin/audit"} {
		wantPage(t, "anonymous "+path, anon.Get(path), http.StatusSeeOther, "/admin/login")
	}
	login := anon.Get("/admin/login")
	if login.Status != 200 || !strings.Contains(login.Body, `name="username"`) || !strings.Contains(login.Body, `name="password"`) {
		t.Fatalf("login page: %d %.200s", login.Status, login.Body)
	}

	// A wrong password, an unknown name: 401, no session.
	for _, creds := range [][2]string{{"alice", "wrong password here"}, {"nobody", alicePassword}, {"alice", ""}} {
		p := anon.Post("/admin/login", url.Values{"username": {creds[0]}, "password": {creds[1]}})
		wantPage(t, "sign in "+creds[0], p, http.StatusUnauthorized, "")
		if !strings.Contains(p.Body, `value="`+creds[0]+`"`) {
			t.Errorf("the form lost the name after a failure")
		}
	}
	wantPage(t, "after failures", anon.Get("/admin"), http.StatusSeeOther, "/admin/login")

	// The right password: 303 to /admin and a strict cookie.
	req, _ := http.NewRequest(http.MethodPost, n.URL+"/admin/login",
		strings.NewReader(url.Values{"username": {"alice"}, "password": {alicePassword}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := anon.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin" {
		t.Fatalf("sign in: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	ck := resp.Header.Get("Set-Cookie")
	for _, want := range []string{"Path=/admin", "HttpOnly", "SameSite=Lax"} {
		if !strings.Contains(ck, want) {
			t.Errorf("session cookie %q lacks %s", ck, want)
		}
	}
	if strings.Contains(ck, "Secure") {
		t.Errorf("session cookie %q is Secure on an http node", ck)
	}
	dash := anon.Get("/admin")
	if dash.Status != 200 || !strings.Contains(dash.Body, `action="/admin/logout"`) || !strings.Contains(dash.Body, `name="csrf"`) {
		t.Fatalf("dashboard: %d %.300s", dash.Status, dash.Body)
	}
	if dash.Body != "" && strings.Contains(strings.ToLower(dash.Body), "<script") {
		t.Error("the dashboard has a script")
	}
	// The database holds only the hash of the session id.
	id := strings.TrimPrefix(strings.SplitN(ck, ";", 2)[0], "ospod_session=")
	if ss, _, err := n.Store.StaffSession(context.Background(), auth.TokenHash(id)); err != nil || ss.AccountID == 0 {
		t.Errorf("session row by hash: %v", err)
	}
	if _, _, err := n.Store.StaffSession(context.Background(), []byte(id)); err == nil {
		t.Error("the session id itself is stored")
	}
}

func TestAdminSignInThrottled(t *testing.T) {
	n := staffNode(t, nodetest.Options{NoWorker: true})
	c := n.NewStaffClient()
	for i := range 10 {
		p := c.Post("/admin/login", url.Values{"username": {"bob"}, "password": {"not his password"}})
		wantPage(t, "failure", p, http.StatusUnauthorized, "")
		_ = i
	}
	p := c.Post("/admin/login", url.Values{"username": {"bob"}, "password": {bobPassword}})
	wantPage(t, "the right password after ten failures", p, http.StatusTooManyRequests, "")
	if !strings.Contains(p.Body, "15 minutes") {
		t.Errorf("the 429 page does not say when to retry: %.400s", p.Body)
	}
	wantPage(t, "no session after 429", c.Get("/admin"), http.StatusSeeOther, "/admin/login")
	// The address is blocked too: alice cannot sign in from it either.
	wantPage(t, "another account from the same address", c.Post("/admin/login",
		url.Values{"username": {"alice"}, "password": {alicePassword}}), http.StatusTooManyRequests, "")
}

func TestAdminSignInThrottleWindow(t *testing.T) {
	clock := storetest.NewClock(time.Now().UTC())
	n := staffNode(t, nodetest.Options{NoWorker: true, Now: clock.Now})
	c := n.NewStaffClient()
	for range 10 {
		c.Post("/admin/login", url.Values{"username": {"bob"}, "password": {"not his password"}})
	}
	wantPage(t, "blocked", c.Post("/admin/login", url.Values{"username": {"bob"}, "password": {bobPassword}}), 429, "")
	clock.Set(clock.Now().Add(15*time.Minute + time.Second))
	wantPage(t, "after the window", c.Post("/admin/login", url.Values{"username": {"bob"}, "password": {bobPassword}}),
		http.StatusSeeOther, "/admin")
}

func TestAdminBearerThrottled(t *testing.T) {
	n := nodetest.Start(t, nodetest.Options{NoWorker: true})
	get := func(token string) int {
		req, _ := http.NewRequest(http.MethodGet, n.URL+"/api/v1/admin/profile", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	if c := get(nodetest.Token); c != 200 {
		t.Fatalf("right token: %d", c)
	}
	for i := range 10 {
		if c := get("wrong-token"); c != 401 {
			t.Fatalf("wrong token %d: %d, want 401", i, c)
		}
	}
	for _, tok := range []string{"wrong-token", nodetest.Token} {
		if c := get(tok); c != http.StatusTooManyRequests {
			t.Errorf("after ten wrong tokens: %d, want 429", c)
		}
	}
}

func TestAdminCSRFAndOrigin(t *testing.T) {
	n := staffNode(t, nodetest.Options{NoWorker: true})
	alice := n.SignIn("alice", alicePassword)
	add := url.Values{"name": {"mallory"}, "role": {"admin"}}
	cases := []struct {
		name string
		form url.Values
		h    http.Header
	}{
		{"no token", add, http.Header{"Origin": {n.URL}}},
		{"wrong token", withCSRF(add, "forged"), http.Header{"Origin": {n.URL}}},
		{"another session's token", withCSRF(add, n.SignIn("bob", bobPassword).CSRF), http.Header{"Origin": {n.URL}}},
		{"cross-origin with the right token", withCSRF(add, alice.CSRF), http.Header{"Origin": {"http://evil.example"}}},
		{"cross-site fetch metadata", withCSRF(add, alice.CSRF), http.Header{"Sec-Fetch-Site": {"cross-site"}, "Origin": {"http://evil.example"}}},
	}
	for _, tc := range cases {
		p := alice.PostWith("/admin/users", tc.form, tc.h)
		wantPage(t, tc.name, p, http.StatusForbidden, "")
	}
	if _, err := n.Store.StaffAccount(context.Background(), "mallory"); err == nil {
		t.Fatal("a refused POST created an account")
	}
	// Logout too needs the token; the session survives refused attempts.
	wantPage(t, "logout without token", alice.PostWith("/admin/logout", url.Values{}, http.Header{"Origin": {n.URL}}), 403, "")
	wantPage(t, "still signed in", alice.Get("/admin"), 200, "")
	// The same request with the token works.
	wantPage(t, "add with the token", alice.Post("/admin/users", url.Values{"name": {"mallory"}, "role": {"editor"}}), 200, "")
}

func withCSRF(v url.Values, token string) url.Values {
	out := url.Values{}
	for k, x := range v {
		out[k] = x
	}
	out.Set("csrf", token)
	return out
}

func TestAdminRoles(t *testing.T) {
	n := staffNode(t, nodetest.Options{NoWorker: true})
	bob := n.SignIn("bob", bobPassword)
	for _, path := range []string{"/admin", "/admin/profile", "/admin/events", "/admin/events/new", "/admin/account"} {
		wantPage(t, "editor "+path, bob.Get(path), 200, "")
	}
	for _, path := range []string{"/admin/users", "/admin/moderation", "/admin/reports", "/admin/audit", "/admin/followers",
		"/admin/following", "/admin/network"} {
		wantPage(t, "editor "+path, bob.Get(path), http.StatusForbidden, "")
	}
	wantPage(t, "editor adds a user", bob.Post("/admin/users", url.Values{"name": {"eve"}, "role": {"admin"}}), 403, "")
	if _, err := n.Store.StaffAccount(context.Background(), "eve"); err == nil {
		t.Error("an editor created an account")
	}
	dash := bob.Get("/admin")
	if strings.Contains(dash.Body, `href="/admin/users"`) {
		t.Error("the editor's navigation links to /admin/users")
	}
	alice := n.SignIn("alice", alicePassword)
	for _, path := range []string{"/admin/users", "/admin/moderation", "/admin/reports", "/admin/audit", "/admin/followers",
		"/admin/following", "/admin/network"} {
		wantPage(t, "admin "+path, alice.Get(path), 200, "")
	}
}

func TestAdminSessionsEnd(t *testing.T) {
	clock := storetest.NewClock(time.Now().UTC())
	n := staffNode(t, nodetest.Options{NoWorker: true, Now: clock.Now, SessionIdle: time.Hour})
	ctx := context.Background()

	// Expiry after inactivity; activity keeps a session alive.
	a := n.SignIn("alice", alicePassword)
	clock.Set(clock.Now().Add(50 * time.Minute))
	wantPage(t, "active after 50 min", a.Get("/admin"), 200, "")
	clock.Set(clock.Now().Add(50 * time.Minute))
	wantPage(t, "50 min after the last request", a.Get("/admin"), 200, "")
	clock.Set(clock.Now().Add(61 * time.Minute))
	wantPage(t, "idle for 61 min", a.Get("/admin"), http.StatusSeeOther, "/admin/login")

	// Sign out ends this session only; sign out everywhere ends all.
	a1, a2 := n.SignIn("alice", alicePassword), n.SignIn("alice", alicePassword)
	wantPage(t, "logout", a1.Post("/admin/logout", nil), http.StatusSeeOther, "/admin/login?done=signed-out")
	wantPage(t, "after logout", a1.Get("/admin"), http.StatusSeeOther, "/admin/login")
	wantPage(t, "the other session", a2.Get("/admin"), 200, "")
	a3 := n.SignIn("alice", alicePassword)
	wantPage(t, "everywhere", a3.Post("/admin/logout/everywhere", nil), http.StatusSeeOther, "")
	for i, s := range []*nodetest.Staff{a2, a3} {
		if p := s.Get("/admin"); p.Status != http.StatusSeeOther {
			t.Errorf("session %d after sign out everywhere: %d", i, p.Status)
		}
	}

	// A changed, disabled or removed account loses its sessions.
	b := n.SignIn("bob", bobPassword)
	admin := n.SignIn("alice", alicePassword)
	wantPage(t, "role change", admin.Post("/admin/users/bob/role", url.Values{"role": {"admin"}}), http.StatusSeeOther, "/admin/users?done=saved")
	wantPage(t, "bob after his role changed", b.Get("/admin"), http.StatusSeeOther, "/admin/login")
	b = n.SignIn("bob", bobPassword)
	wantPage(t, "disable", admin.Post("/admin/users/bob/disable", nil), http.StatusSeeOther, "")
	wantPage(t, "bob disabled", b.Get("/admin"), http.StatusSeeOther, "/admin/login")
	p := n.NewStaffClient().Post("/admin/login", url.Values{"username": {"bob"}, "password": {bobPassword}})
	wantPage(t, "a disabled account signs in", p, http.StatusUnauthorized, "")
	wantPage(t, "enable", admin.Post("/admin/users/bob/enable", nil), http.StatusSeeOther, "")
	b = n.SignIn("bob", bobPassword)
	wantPage(t, "remove", admin.Post("/admin/users/bob/remove", nil), http.StatusSeeOther, "/admin/users?done=removed")
	wantPage(t, "bob removed", b.Get("/admin"), http.StatusSeeOther, "/admin/login")
	if _, err := n.Store.StaffAccount(ctx, "bob"); err == nil {
		t.Error("bob is still there")
	}
	// Nobody changes their own account from the users page.
	wantPage(t, "self-removal", admin.Post("/admin/users/alice/remove", nil), http.StatusBadRequest, "")
	// The trail keeps what happened to bob.
	entries, _, err := n.Store.AuditEntries(ctx, store.AuditFilter{Actor: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range entries {
		if e.Object == "bob" {
			kinds = append(kinds, e.Kind)
		}
	}
	if got := strings.Join(kinds, " "); got != "account.remove account.enable account.disable account.role" {
		t.Errorf("audit of bob: %q", got)
	}
}

func TestAdminInvite(t *testing.T) {
	clock := storetest.NewClock(time.Now().UTC())
	n := staffNode(t, nodetest.Options{NoWorker: true, Now: clock.Now})
	alice := n.SignIn("alice", alicePassword)
	p := alice.Post("/admin/users", url.Values{"name": {"dora"}, "role": {"editor"}, "email": {"dora@city.example"}})
	link := inviteLink(t, n, p)
	wantPage(t, "taken name", alice.Post("/admin/users", url.Values{"name": {"DORA"}, "role": {"editor"}}), http.StatusConflict, "")
	wantPage(t, "dora before her password", n.NewStaffClient().Post("/admin/login",
		url.Values{"username": {"dora"}, "password": {""}}), http.StatusUnauthorized, "")

	invitee := n.NewStaffClient()
	wantPage(t, "invite page", invitee.Get(link), 200, "")
	wantPage(t, "short password", invitee.Post(link, url.Values{"password": {"short"}, "confirm": {"short"}}), 400, "")
	wantPage(t, "mismatch", invitee.Post(link, url.Values{"password": {"dora's long password"}, "confirm": {"dora's long passw0rd"}}), 400, "")
	wantPage(t, "cross-origin", invitee.PostWith(link, url.Values{"password": {"dora's long password"}, "confirm": {"dora's long password"}},
		http.Header{"Origin": {"http://evil.example"}}), 403, "")
	wantPage(t, "set", invitee.Post(link, url.Values{"password": {"dora's long password"}, "confirm": {"dora's long password"}}),
		http.StatusSeeOther, "/admin/login?done=password-set")
	wantPage(t, "the link is used up", invitee.Get(link), http.StatusNotFound, "")
	n.SignIn("dora", "dora's long password")

	// An invitation expires.
	p = alice.Post("/admin/users", url.Values{"name": {"emil"}, "role": {"admin"}})
	link = inviteLink(t, n, p)
	clock.Set(clock.Now().Add(73 * time.Hour))
	wantPage(t, "expired link", n.NewStaffClient().Get(link), http.StatusNotFound, "")
}

func inviteLink(t *testing.T, n *nodetest.Node, p nodetest.Page) string {
	t.Helper()
	i := strings.Index(p.Body, n.URL+"/admin/invite/")
	if p.Status != 200 || i < 0 {
		t.Fatalf("no invitation link: %d %.300s", p.Status, p.Body)
	}
	link := p.Body[i+len(n.URL):]
	return link[:strings.IndexByte(link, '<')]
}

func TestAdminAuditTrail(t *testing.T) {
	n := staffNode(t, nodetest.Options{NoWorker: true})
	ctx := context.Background()
	setProfile(t, n, func(map[string]any) {})
	id := browserEvent(t, n, map[string]any{"name": map[string]string{"en": "Audit talk"}})
	if c := n.Admin(http.MethodDelete, "/api/v1/admin/events/"+id, nil, nil); c != http.StatusNoContent {
		t.Fatalf("delete: %d", c)
	}
	alice := n.SignIn("alice", alicePassword)
	alice.Post("/admin/users", url.Values{"name": {"dora"}, "role": {"editor"}})

	var all struct {
		Items []store.AuditEntry
		Total int
		Next  string
	}
	if c := n.Admin(http.MethodGet, "/api/v1/admin/audit", nil, &all); c != 200 {
		t.Fatalf("audit: %d", c)
	}
	got := map[string]store.AuditEntry{}
	for _, e := range all.Items {
		got[e.Kind] = e
	}
	for kind, actor := range map[string]string{"profile.update": "API token", "event.create": "API token",
		"event.delete": "API token", "account.add": "alice"} {
		e, ok := got[kind]
		if !ok || e.Actor != actor || e.Address != "127.0.0.1" || e.At.IsZero() {
			t.Errorf("%s: %+v, want by %s from 127.0.0.1", kind, e, actor)
		}
	}
	if got["event.delete"].Object != id || got["event.create"].Object != id {
		t.Errorf("event entries name %q and %q, want %s", got["event.create"].Object, got["event.delete"].Object, id)
	}
	if s := got["profile.update"].Summary; !strings.Contains(s, "name") || strings.Contains(s, "updated") {
		t.Errorf("profile summary %q", s)
	}
	// Filter and pages.
	var page struct {
		Items []store.AuditEntry
		Total int
		Next  string
	}
	n.Admin(http.MethodGet, "/api/v1/admin/audit?kind=event&limit=1", nil, &page)
	if page.Total != 2 || len(page.Items) != 1 || page.Items[0].Kind != "event.delete" || !strings.Contains(page.Next, "page=2") {
		t.Errorf("kind=event&limit=1: %+v", page)
	}
	n.Admin(http.MethodGet, "/api/v1/admin/audit?actor=alice", nil, &page)
	if page.Total != 1 || page.Items[0].Object != "dora" {
		t.Errorf("actor=alice: %+v", page)
	}
	// The page shows them, filtered.
	p := alice.Get("/admin/audit?actor=" + url.QueryEscape("API token") + "&kind=event")
	if p.Status != 200 || !strings.Contains(p.Body, "event.delete") || strings.Contains(p.Body, "account.add") {
		t.Errorf("audit page: %d %.300s", p.Status, p.Body)
	}
	// Entries stay when their object is gone.
	if err := n.Store.RemoveStaffAccount(ctx, "dora"); err != nil {
		t.Fatal(err)
	}
	if _, total, _ := n.Store.AuditEntries(ctx, store.AuditFilter{Kind: "account"}); total != 1 {
		t.Errorf("account entries after removal: %d", total)
	}
	b, _ := json.Marshal(all.Items[0])
	if strings.Contains(string(b), "password") {
		t.Errorf("an audit entry mentions a password: %s", b)
	}
}

func TestAdminSecondFactor(t *testing.T) {
	clock := storetest.NewClock(time.Now().UTC())
	n := staffNode(t, nodetest.Options{NoWorker: true, Now: clock.Now})
	ctx := context.Background()
	alice := n.SignIn("alice", alicePassword)
	p := alice.Post("/admin/account/factor/start", nil)
	secret := between(p.Body, "Secret: <code>", "</code>")
	if p.Status != 200 || secret == "" || !strings.Contains(p.Body, "otpauth://totp/") {
		t.Fatalf("enrol: %d %.400s", p.Status, p.Body)
	}
	wantPage(t, "wrong code", alice.Post("/admin/account/factor/confirm", url.Values{"code": {"000000"}}), 400, "")
	p = alice.Post("/admin/account/factor/confirm", url.Values{"code": {auth.TOTPCode(secret, clock.Now())}})
	if p.Status != 200 || strings.Count(p.Body, "<li><code>") != 10 {
		t.Fatalf("confirm: %d %.400s", p.Status, p.Body)
	}
	recovery := between(p.Body, "<li><code>", "</code>")
	alice.ReadCSRF(p) // the session was renewed
	wantPage(t, "still signed in after confirming", alice.Get("/admin"), 200, "")

	// Sign-in now asks for a code.
	c := n.NewStaffClient()
	wantPage(t, "password", c.Post("/admin/login", url.Values{"username": {"alice"}, "password": {alicePassword}}), 303, "/admin/login/code")
	wantPage(t, "dashboard before the code", c.Get("/admin"), 303, "/admin/login/code")
	c.ReadCSRF(c.Get("/admin/login/code"))
	wantPage(t, "wrong code", c.Post("/admin/login/code", url.Values{"code": {"123456"}}), 401, "")
	clock.Set(clock.Now().Add(time.Minute))
	wantPage(t, "right code", c.Post("/admin/login/code", url.Values{"code": {auth.TOTPCode(secret, clock.Now())}}), 303, "/admin")
	wantPage(t, "dashboard", c.Get("/admin"), 200, "")

	// A recovery code works once.
	for i, want := range []int{303, 401} {
		c := n.NewStaffClient()
		c.Post("/admin/login", url.Values{"username": {"alice"}, "password": {alicePassword}})
		c.ReadCSRF(c.Get("/admin/login/code"))
		if p := c.Post("/admin/login/code", url.Values{"code": {strings.ToUpper(recovery)}}); p.Status != want {
			t.Errorf("recovery code, use %d: %d, want %d", i+1, p.Status, want)
		}
	}
	if left, _ := n.Store.RecoveryCodesLeft(ctx, 1); left != 9 {
		t.Errorf("%d recovery codes left, want 9", left)
	}

	// An admin requires a second factor of everyone: bob must turn it on first.
	c.ReadCSRF(c.Get("/admin"))
	wantPage(t, "require", c.Post("/admin/users/second-factor", url.Values{"require": {"true"}}), 303, "/admin/users?done=saved")
	bob := n.SignIn("bob", bobPassword)
	wantPage(t, "bob without a factor", bob.Get("/admin/events"), 303, "/admin/account?need=code")
	wantPage(t, "bob's account page", bob.Get("/admin/account"), 200, "")
}

// TestAdminTOTPReplay: a code works once, even within its 30 seconds; the
// code that confirmed the factor does not sign in, and neither does an
// older one; the next step's code does.
func TestAdminTOTPReplay(t *testing.T) {
	clock := storetest.NewClock(time.Now().UTC())
	n := staffNode(t, nodetest.Options{NoWorker: true, Now: clock.Now})
	alice := n.SignIn("alice", alicePassword)
	secret := between(alice.Post("/admin/account/factor/start", nil).Body, "Secret: <code>", "</code>")
	confirmed := auth.TOTPCode(secret, clock.Now())
	wantPage(t, "confirm", alice.Post("/admin/account/factor/confirm", url.Values{"code": {confirmed}}), 200, "")
	signIn := func(what, code string, status int) {
		t.Helper()
		c := n.NewStaffClient()
		wantPage(t, what+": password", c.Post("/admin/login", url.Values{"username": {"alice"}, "password": {alicePassword}}), 303, "/admin/login/code")
		c.ReadCSRF(c.Get("/admin/login/code"))
		wantPage(t, what, c.Post("/admin/login/code", url.Values{"code": {code}}), status, "")
	}
	signIn("the code that confirmed the factor", confirmed, 401)
	clock.Advance(10 * time.Second)
	signIn("the same code 10 s later", confirmed, 401)
	next := auth.TOTPCode(secret, clock.Now().Add(30*time.Second)) // the next step's code, within the allowed drift
	signIn("the next step's code", next, 303)
	signIn("the next step's code again", next, 401)
	clock.Advance(30 * time.Second)
	signIn("an older code still within the drift", confirmed, 401)
	signIn("the next code once more, in its own step", next, 401)
	clock.Advance(30 * time.Second)
	signIn("a fresh code", auth.TOTPCode(secret, clock.Now()), 303)
}

// TestAdminAuditOnlyChanges: a request that answers 2xx for a state that
// was already there (the same profile or event again, a follow, block,
// allow or federation mode that exists) leaves no entry; a real change does.
func TestAdminAuditOnlyChanges(t *testing.T) {
	n := staffNode(t, nodetest.Options{})
	b := nodetest.Start(t, nodetest.Options{})
	count := func(kind string) int {
		t.Helper()
		var res struct{ Total int }
		if c := n.Admin(http.MethodGet, "/api/v1/admin/audit?kind="+kind, nil, &res); c != 200 {
			t.Fatalf("audit: %d", c)
		}
		return res.Total
	}
	want := func(what, kind string, n int) {
		t.Helper()
		if got := count(kind); got != n {
			t.Errorf("%s: %d %s entries, want %d", what, got, kind, n)
		}
	}
	api := func(method, path string, body any, status int) {
		t.Helper()
		if c := n.Admin(method, path, body, nil); c != status {
			t.Fatalf("%s %s: %d, want %d", method, path, c, status)
		}
	}

	setProfile(t, n, nil)
	setProfile(t, n, nil)
	want("the same profile twice", "profile.update", 1)
	setProfile(t, n, func(p map[string]any) { p["teamSize"] = 7 })
	want("a changed profile", "profile.update", 2)

	ev := exampleDoc(t, "event.json")
	id := browserEvent(t, n, nil)
	delete(ev, "image")
	ev["startTime"], ev["endTime"] = "2038-04-14T10:00:00+02:00", "2038-04-14T11:30:00+02:00"
	api(http.MethodPut, "/api/v1/admin/events/"+id, ev, 200)
	want("the same event again", "event.update", 0)
	ev["name"] = map[string]string{"en": "Renamed"}
	api(http.MethodPut, "/api/v1/admin/events/"+id, ev, 200)
	want("a renamed event", "event.update", 1)

	follow(t, n, b)
	api(http.MethodPost, "/api/v1/admin/following", map[string]string{"account": "ospo@" + b.Host}, 200)
	want("a follow that exists", "follow.add", 1)

	for range 2 {
		api(http.MethodPost, "/api/v1/admin/domain-blocks", map[string]string{"domain": "spam.example", "reason": "spam"}, 201)
	}
	want("the same block twice", "block.add", 1)
	api(http.MethodPost, "/api/v1/admin/domain-blocks", map[string]string{"domain": "SPAM.example", "reason": "spam waves"}, 201)
	want("a block with a new reason", "block.add", 2)
	alice := n.SignIn("alice", alicePassword)
	wantPage(t, "block form, same block", alice.Post("/admin/moderation/blocks", url.Values{"domain": {"spam.example"}, "reason": {"spam waves"}}),
		http.StatusSeeOther, "")
	want("the block form with the same block", "block.add", 2)

	for range 2 {
		api(http.MethodPost, "/api/v1/admin/domain-allows", map[string]string{"domain": "friends.example"}, 201)
	}
	want("the same allowed domain twice", "allow.add", 1)

	api(http.MethodPut, "/api/v1/admin/federation-mode", map[string]bool{"allowlist": false}, 200)
	want("the mode it was in", "federation.mode", 0)
	api(http.MethodPut, "/api/v1/admin/federation-mode", map[string]bool{"allowlist": true}, 200)
	api(http.MethodPut, "/api/v1/admin/federation-mode", map[string]bool{"allowlist": true}, 200)
	wantPage(t, "mode form, same mode", alice.Post("/admin/moderation/allowlist", url.Values{"on": {"true"}}), http.StatusSeeOther, "")
	want("allow-list mode on, three times", "federation.mode", 1)
}

func between(s, start, end string) string {
	i := strings.Index(s, start)
	if i < 0 {
		return ""
	}
	s = s[i+len(start):]
	j := strings.Index(s, end)
	if j < 0 {
		return ""
	}
	return s[:j]
}

func TestAdminFirstStart(t *testing.T) {
	n := nodetest.Start(t, nodetest.Options{NoWorker: true})
	var actor map[string]any
	req, _ := http.NewRequest(http.MethodGet, n.URL+"/actor", nil)
	req.Header.Set("Accept", acceptAS)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	json.NewDecoder(resp.Body).Decode(&actor)
	resp.Body.Close()
	if actor["discoverable"] != false {
		t.Errorf("a node without a profile: discoverable = %v", actor["discoverable"])
	}
	home := n.NewStaffClient().Get("/")
	if !strings.Contains(home.Body, `href="/admin"`) {
		t.Errorf("the home page of a fresh node does not link to /admin")
	}
	login := n.NewStaffClient().Get("/admin/login")
	if !strings.Contains(login.Body, "ospod user add") {
		t.Errorf("the first sign-in page does not explain ospod user add")
	}
	setProfile(t, n, func(map[string]any) {})
	home = n.NewStaffClient().Get("/")
	if strings.Contains(home.Body, `href="/admin"`) {
		t.Errorf("the home page still says the node is being set up")
	}
	n.AddStaff("alice", store.RoleAdmin, alicePassword)
	if strings.Contains(n.NewStaffClient().Get("/admin/login").Body, "ospod user add") {
		t.Errorf("the sign-in page still explains the first account")
	}
}
