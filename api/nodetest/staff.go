package nodetest

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"

	"github.com/ospod/ospod/api/auth"
	"github.com/ospod/ospod/store"
)

// AddStaff creates a staff account (role store.RoleAdmin or store.RoleEditor).
func (n *Node) AddStaff(name, role, password string) {
	n.t.Helper()
	hash, err := auth.HashPassword(password)
	if err != nil {
		n.t.Fatal(err)
	}
	if err := n.Store.AddStaffAccount(context.Background(), &store.StaffAccount{Name: name, Role: role, PasswordHash: hash}); err != nil {
		n.t.Fatal(err)
	}
}

// Staff is a signed-in browser session of a test node: a cookie jar,
// redirects not followed, and the session's CSRF token.
type Staff struct {
	Client *http.Client
	CSRF   string
	node   *Node
}

// Page is an answer to a Staff request.
type Page struct {
	Status   int
	Location string
	Body     string
}

// NewStaffClient returns a Staff without a session (for sign-in tests).
func (n *Node) NewStaffClient() *Staff {
	jar, _ := cookiejar.New(nil)
	return &Staff{node: n, Client: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// SignIn signs in through POST /admin/login and fails the test unless it
// answers 303 to /admin; it reads the CSRF token from /admin/account
// (open even when the node requires a second factor the account lacks).
func (n *Node) SignIn(name, password string) *Staff {
	n.t.Helper()
	s := n.NewStaffClient()
	p := s.Post("/admin/login", url.Values{"username": {name}, "password": {password}})
	if p.Status != http.StatusSeeOther || p.Location != "/admin" {
		n.t.Fatalf("sign in as %s: %d to %q", name, p.Status, p.Location)
	}
	s.ReadCSRF(s.Get("/admin/account"))
	return s
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// ReadCSRF takes the CSRF token from a page's forms.
func (s *Staff) ReadCSRF(p Page) {
	s.node.t.Helper()
	m := csrfRe.FindStringSubmatch(p.Body)
	if m == nil {
		s.node.t.Fatalf("no CSRF token in the page (%d)", p.Status)
	}
	s.CSRF = m[1]
}

// Get requests a path with the session cookie.
func (s *Staff) Get(path string) Page {
	s.node.t.Helper()
	return s.do(http.MethodGet, path, nil, nil)
}

// Post submits a form with the session's CSRF token (unless form sets
// "csrf" itself) and a same-origin Origin header.
func (s *Staff) Post(path string, form url.Values) Page {
	s.node.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["csrf"]; !ok && s.CSRF != "" {
		form.Set("csrf", s.CSRF)
	}
	return s.do(http.MethodPost, path, form, http.Header{"Origin": {s.node.URL}})
}

// PostWith submits a form as given, with these headers (refusal tests).
func (s *Staff) PostWith(path string, form url.Values, h http.Header) Page {
	s.node.t.Helper()
	return s.do(http.MethodPost, path, form, h)
}

func (s *Staff) do(method, path string, form url.Values, h http.Header) Page {
	s.node.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, s.node.URL+path, body)
	if err != nil {
		s.node.t.Fatal(err)
	}
	req.Header.Set("Accept", "text/html")
	for k, v := range h {
		req.Header[k] = v
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := s.Client.Do(req)
	if err != nil {
		s.node.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return Page{Status: resp.StatusCode, Location: resp.Header.Get("Location"), Body: string(b)}
}
