package api_test

// Single sign-on against a real OpenID Connect provider on loopback
// (nodetest.OIDCProvider: discovery, JWKS, RS256 ID tokens, PKCE).

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ospod/ospod/api"
	"github.com/ospod/ospod/api/auth"
	"github.com/ospod/ospod/api/nodetest"
	"github.com/ospod/ospod/store"
	"github.com/ospod/ospod/store/storetest"
)

var (
	aliceID = nodetest.OIDCUser{Subject: "a-1", Email: "Alice@City.example", Name: "Alice", EmailVerified: true}
	carolID = nodetest.OIDCUser{Subject: "c-3", Email: "carol+ospo@city.example", Name: "Carol", EmailVerified: true}
)

// ssoNode is staffNode with single sign-on at a test provider; alice's
// account has the e-mail alice@city.example.
func ssoNode(t *testing.T, o nodetest.Options) (*nodetest.Node, *nodetest.OIDCProvider) {
	t.Helper()
	p := nodetest.StartOIDCProvider(t)
	o.OIDC = api.OIDCOptions{Issuer: p.URL, ClientID: p.ClientID, ClientSecret: p.ClientSecret, Name: "City ID"}
	n := staffNode(t, o)
	p.AllowRedirect(n.URL + "/admin/login/oidc/callback")
	email := "alice@city.example"
	if err := n.Store.ChangeStaffAccount(context.Background(), "alice", store.StaffChange{Email: &email}); err != nil {
		t.Fatal(err)
	}
	return n, p
}

// ssoToCallback follows the sign-in link through the provider's login page
// and returns the node's callback path (with code and state), not yet
// requested.
func ssoToCallback(t *testing.T, n *nodetest.Node, c *nodetest.Staff) string {
	t.Helper()
	start := c.Get("/admin/login/oidc")
	if start.Status != http.StatusSeeOther || !strings.Contains(start.Location, "/authorize?") {
		t.Fatalf("sign-in link: %d to %q %.300s", start.Status, start.Location, start.Body)
	}
	u, _ := url.Parse(start.Location)
	q := u.Query()
	for _, k := range []string{"state", "nonce", "code_challenge"} {
		if q.Get(k) == "" {
			t.Errorf("the authorization request has no %s", k)
		}
	}
	page, err := http.Get(start.Location)
	if err != nil {
		t.Fatal(err)
	}
	page.Body.Close()
	if page.StatusCode != 200 {
		t.Fatalf("provider's login page: %d", page.StatusCode)
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.PostForm(u.Scheme+"://"+u.Host+"/authorize", q)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	back := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(back, n.URL+"/admin/login/oidc/callback?") {
		t.Fatalf("provider's approval: %d to %q", resp.StatusCode, back)
	}
	return strings.TrimPrefix(back, n.URL)
}

func TestAdminSSO(t *testing.T) {
	n, p := ssoNode(t, nodetest.Options{NoWorker: true})
	ctx := context.Background()
	c := n.NewStaffClient()
	if login := c.Get("/admin/login"); !strings.Contains(login.Body, `href="/admin/login/oidc"`) ||
		!strings.Contains(login.Body, "Sign in with City ID") {
		t.Errorf("the sign-in page has no single sign-on link: %.600s", login.Body)
	}

	// The verified e-mail, in other letter case, maps to alice's account.
	p.SetUser(aliceID)
	req, _ := http.NewRequest(http.MethodGet, n.URL+"/admin/login/oidc", nil)
	resp, err := c.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	ck := resp.Header.Get("Set-Cookie")
	for _, want := range []string{"ospod_oidc=", "Path=/admin/login/oidc", "HttpOnly", "SameSite=Lax", "Max-Age=600"} {
		if !strings.Contains(ck, want) {
			t.Errorf("sign-in cookie %q lacks %s", ck, want)
		}
	}
	back := ssoToCallback(t, n, c)
	cbURL, _ := url.Parse(n.URL + "/admin/login/oidc/callback")
	flowCookies := c.Client.Jar.Cookies(cbURL)
	wantPage(t, "callback", c.Get(back), http.StatusSeeOther, "/admin")
	if p := c.Get("/admin"); p.Status != 200 || !strings.Contains(p.Body, "alice") {
		t.Errorf("dashboard after single sign-on: %d", p.Status)
	}
	entries, _, err := n.Store.AuditEntries(ctx, store.AuditFilter{Actor: "alice"})
	if err != nil || len(entries) == 0 || entries[0].Kind != "account.signin" || !strings.Contains(entries[0].Summary, "single sign-on") {
		t.Errorf("audit after single sign-on: %+v %v", entries, err)
	}

	// The same callback again, with the same cookie: refused, no session.
	jar, _ := cookiejar.New(nil)
	jar.SetCookies(cbURL, flowCookies)
	replay := n.NewStaffClient()
	replay.Client.Jar = jar
	if len(flowCookies) != 1 {
		t.Fatalf("flow cookies before the callback: %v", flowCookies)
	}
	r := replay.Get(back)
	wantPage(t, "replayed callback", r, http.StatusBadRequest, "")
	if !strings.Contains(r.Body, "expired or was already used") {
		t.Errorf("replayed callback: no clear message: %.400s", r.Body)
	}
	wantPage(t, "after the replay", replay.Get("/admin"), http.StatusSeeOther, "/admin/login")
}

func TestAdminSSORefusals(t *testing.T) {
	n, p := ssoNode(t, nodetest.Options{NoWorker: true})
	cases := []struct {
		name   string
		user   nodetest.OIDCUser
		status int
		msg    string
		tamper func(string) string
	}{
		{"unknown e-mail", nodetest.OIDCUser{Subject: "x", Email: "mallory@city.example", EmailVerified: true}, 401, "No account of this node", nil},
		{"unverified e-mail", nodetest.OIDCUser{Subject: "a-1", Email: "alice@city.example"}, 401, "has not verified your e-mail", nil},
		{"no e-mail", nodetest.OIDCUser{Subject: "a-1", EmailVerified: true}, 401, "has not verified your e-mail", nil},
		{"wrong state", aliceID, 400, "expired or was already used", func(s string) string {
			return strings.Replace(s, "state=", "state=x", 1)
		}},
		{"no cookie", aliceID, 400, "expired or was already used", nil},
		{"provider error", aliceID, 401, "did not confirm who you are", func(s string) string { return s + "&error=access_denied" }},
		{"wrong code", aliceID, 401, "did not confirm who you are", func(s string) string {
			return strings.Replace(s, "code=", "code=x", 1)
		}},
	}
	for _, tc := range cases {
		p.SetUser(tc.user)
		c := n.NewStaffClient()
		back := ssoToCallback(t, n, c)
		if tc.tamper != nil {
			back = tc.tamper(back)
		}
		if tc.name == "no cookie" {
			c = n.NewStaffClient()
		}
		got := c.Get(back)
		wantPage(t, tc.name, got, tc.status, "")
		if !strings.Contains(got.Body, tc.msg) || !strings.Contains(got.Body, `name="password"`) {
			t.Errorf("%s: the sign-in page lacks %q: %.500s", tc.name, tc.msg, got.Body)
		}
		wantPage(t, tc.name+": no session", c.Get("/admin"), http.StatusSeeOther, "/admin/login")
	}

	// A disabled account cannot sign in either.
	off := true
	if err := n.Store.ChangeStaffAccount(context.Background(), "alice", store.StaffChange{Disabled: &off}); err != nil {
		t.Fatal(err)
	}
	p.SetUser(aliceID)
	c := n.NewStaffClient()
	wantPage(t, "disabled account", c.Get(ssoToCallback(t, n, c)), http.StatusUnauthorized, "")

	// Those eight failures count toward the throttle; two more block the address.
	for range 2 {
		wantPage(t, "bad state", c.Get("/admin/login/oidc/callback?code=x&state=y"), http.StatusBadRequest, "")
	}
	wantPage(t, "throttled start", c.Get("/admin/login/oidc"), http.StatusTooManyRequests, "")
	wantPage(t, "throttled password", c.Post("/admin/login", url.Values{"username": {"bob"}, "password": {bobPassword}}),
		http.StatusTooManyRequests, "")
}

func TestAdminSSOSignUp(t *testing.T) {
	n, p := ssoNode(t, nodetest.Options{NoWorker: true})
	ctx := context.Background()
	p.SetUser(carolID)
	c := n.NewStaffClient()
	wantPage(t, "carol before sign-up is allowed", c.Get(ssoToCallback(t, n, c)), http.StatusUnauthorized, "")

	alice := n.SignIn("alice", alicePassword)
	users := alice.Get("/admin/users")
	if !strings.Contains(users.Body, "New accounts from City ID") || !strings.Contains(users.Body, "alice@city.example") {
		t.Errorf("users page lacks the sign-up setting or the e-mail: %.300s", users.Body)
	}
	wantPage(t, "bad role", alice.Post("/admin/users/sign-up", url.Values{"role": {"owner"}}), http.StatusBadRequest, "")
	wantPage(t, "allow sign-up", alice.Post("/admin/users/sign-up", url.Values{"role": {"editor"}}), http.StatusSeeOther, "/admin/users?done=saved")

	c = n.NewStaffClient()
	wantPage(t, "carol signs up", c.Get(ssoToCallback(t, n, c)), http.StatusSeeOther, "/admin")
	a, err := n.Store.StaffAccountByEmail(ctx, carolID.Email)
	if err != nil || a.Role != store.RoleEditor || a.Name != "carol-ospo@city.example" || a.PasswordHash != "" {
		t.Fatalf("carol's account: %+v %v", a, err)
	}
	wantPage(t, "carol is an editor", c.Get("/admin/users"), http.StatusForbidden, "")
	if e, _, _ := n.Store.AuditEntries(ctx, store.AuditFilter{Actor: a.Name, Kind: "account"}); len(e) != 2 {
		t.Errorf("carol's audit entries: %+v", e)
	}
	// She signs in again into the same account; an unverified stranger still may not.
	c = n.NewStaffClient()
	wantPage(t, "carol again", c.Get(ssoToCallback(t, n, c)), http.StatusSeeOther, "/admin")
	if all, _ := n.Store.StaffAccounts(ctx); len(all) != 3 {
		t.Errorf("%d accounts, want 3", len(all))
	}
	p.SetUser(nodetest.OIDCUser{Subject: "d", Email: "dan@city.example"})
	c = n.NewStaffClient()
	wantPage(t, "unverified stranger", c.Get(ssoToCallback(t, n, c)), http.StatusUnauthorized, "")

	// Sign-up off again: refused.
	wantPage(t, "stop sign-up", alice.Post("/admin/users/sign-up", url.Values{"role": {""}}), http.StatusSeeOther, "")
	p.SetUser(nodetest.OIDCUser{Subject: "e", Email: "erin@city.example", EmailVerified: true})
	c = n.NewStaffClient()
	wantPage(t, "erin after sign-up stopped", c.Get(ssoToCallback(t, n, c)), http.StatusUnauthorized, "")
}

// TestAdminSSOTokenChecks: ID tokens signed by the provider but not for
// this sign-in (nonce, audience, issuer, expiry) are refused.
func TestAdminSSOTokenChecks(t *testing.T) {
	n, p := ssoNode(t, nodetest.Options{NoWorker: true})
	p.SetUser(aliceID)
	for name, f := range map[string]func(map[string]any){
		"wrong nonce":    func(c map[string]any) { c["nonce"] = "another" },
		"no nonce":       func(c map[string]any) { delete(c, "nonce") },
		"wrong audience": func(c map[string]any) { c["aud"] = "another-client" },
		"wrong issuer":   func(c map[string]any) { c["iss"] = "http://127.0.0.1:1" },
		"expired":        func(c map[string]any) { c["exp"] = time.Now().Add(-time.Minute).Unix() },
	} {
		p.Tamper(f)
		c := n.NewStaffClient()
		got := c.Get(ssoToCallback(t, n, c))
		wantPage(t, name, got, http.StatusUnauthorized, "")
		if !strings.Contains(got.Body, "did not confirm who you are") {
			t.Errorf("%s: no clear message", name)
		}
	}
}

// TestAdminSSOEmail: e-mail addresses are set on /admin/users, valid and
// unique; single sign-on then maps to the account.
func TestAdminSSOEmail(t *testing.T) {
	n, p := ssoNode(t, nodetest.Options{NoWorker: true})
	alice := n.SignIn("alice", alicePassword)
	wantPage(t, "bad e-mail", alice.Post("/admin/users/bob/email", url.Values{"email": {"bob at city"}}), http.StatusBadRequest, "")
	wantPage(t, "alice's e-mail", alice.Post("/admin/users/bob/email", url.Values{"email": {"ALICE@city.example"}}), http.StatusConflict, "")
	wantPage(t, "bob's e-mail", alice.Post("/admin/users/bob/email", url.Values{"email": {"bob@city.example"}}), http.StatusSeeOther, "/admin/users?done=saved")
	wantPage(t, "still signed in", alice.Get("/admin/users"), http.StatusOK, "")
	p.SetUser(nodetest.OIDCUser{Subject: "b", Email: "bob@city.example", EmailVerified: true})
	c := n.NewStaffClient()
	wantPage(t, "bob by single sign-on", c.Get(ssoToCallback(t, n, c)), http.StatusSeeOther, "/admin")
	wantPage(t, "bob is an editor", c.Get("/admin/audit"), http.StatusForbidden, "")
}

// TestAdminSSOSecondFactor: an account with a second factor is asked for
// it after single sign-on, as after a password.
func TestAdminSSOSecondFactor(t *testing.T) {
	clock := storetest.NewClock(time.Now().UTC())
	n, p := ssoNode(t, nodetest.Options{NoWorker: true, Now: clock.Now})
	secret, _, err := auth.NewTOTP("test", "alice")
	if err != nil {
		t.Fatal(err)
	}
	on := true
	if err := n.Store.ChangeStaffAccount(context.Background(), "alice", store.StaffChange{TOTPSecret: &secret, TOTPEnabled: &on}); err != nil {
		t.Fatal(err)
	}
	p.SetUser(aliceID)
	c := n.NewStaffClient()
	wantPage(t, "callback", c.Get(ssoToCallback(t, n, c)), http.StatusSeeOther, "/admin/login/code")
	wantPage(t, "dashboard before the code", c.Get("/admin"), http.StatusSeeOther, "/admin/login/code")
	c.ReadCSRF(c.Get("/admin/login/code"))
	wantPage(t, "code", c.Post("/admin/login/code", url.Values{"code": {auth.TOTPCode(secret, clock.Now())}}), http.StatusSeeOther, "/admin")
	wantPage(t, "dashboard", c.Get("/admin"), http.StatusOK, "")
}

// TestAdminSSOProviderDown: a provider that cannot be reached, because it
// is down or because the node's network rules forbid its address, gives a
// clear message and counts as a failure.
func TestAdminSSOProviderDown(t *testing.T) {
	n, p := ssoNode(t, nodetest.Options{NoWorker: true})
	p.Stop()
	c := n.NewStaffClient()
	got := c.Get("/admin/login/oidc")
	wantPage(t, "provider down", got, http.StatusBadGateway, "")
	if !strings.Contains(got.Body, "City ID could not be reached") {
		t.Errorf("provider down: no clear message: %.400s", got.Body)
	}
	if until, _ := n.Store.AuthBlockedUntil(context.Background(), "", "127.0.0.1", 1, time.Hour); until.IsZero() {
		t.Error("the failure was not recorded")
	}

	// Loopback allowed only for 127.0.0.2: the provider on 127.0.0.1 is refused.
	guarded, p2 := ssoNode(t, nodetest.Options{NoWorker: true, AllowPrefixes: []netip.Prefix{netip.MustParsePrefix("127.0.0.2/32")}})
	p2.SetUser(aliceID)
	wantPage(t, "provider on a forbidden address", guarded.NewStaffClient().Get("/admin/login/oidc"), http.StatusBadGateway, "")
}

// TestAdminSSOOff: without an issuer there is no link and no route.
func TestAdminSSOOff(t *testing.T) {
	n := staffNode(t, nodetest.Options{NoWorker: true})
	c := n.NewStaffClient()
	if strings.Contains(c.Get("/admin/login").Body, "/admin/login/oidc") {
		t.Error("sign-in page links to single sign-on that is off")
	}
	wantPage(t, "start", c.Get("/admin/login/oidc"), http.StatusNotFound, "")
	wantPage(t, "callback", c.Get("/admin/login/oidc/callback?code=x&state=y"), http.StatusNotFound, "")
}
