package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
	_ "time/tzdata" // the events' zones, wherever the tests run

	vocab "github.com/go-ap/activitypub"
	"go.yaml.in/yaml/v3"

	"github.com/ospod/ospod/api"
	"github.com/ospod/ospod/federation"
	"github.com/ospod/ospod/store"
	"github.com/ospod/ospod/store/storetest"
)

// t0 is the pinned clock every node starts with.
var t0 = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

const (
	token      = "test-admin-token-0123456789abcdef"
	acceptAS   = "application/activity+json"
	acceptLD   = `application/ld+json; profile="https://www.w3.org/ns/activitystreams"`
	acceptHTML = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
	ctProblem  = "application/problem+json"
)

// testNode is one ospod node served over real HTTP on 127.0.0.1 with a real SQLite file.
type testNode struct {
	base  string
	dir   string
	st    *store.Store
	fed   *federation.Node
	clock *storetest.Clock
	stop  func()
}

type nodeOptions struct {
	dir      string // data folder; a fresh one when empty
	clock    *storetest.Clock
	ownKey   bool // let the node make its own key instead of the committed test key
	bodySize string
	addr     string // listen address (a restart keeps its base URL); 127.0.0.1:0 when empty
}

// logWriter forwards server logs to the test log.
type logWriter struct {
	mu   sync.Mutex
	t    *testing.T
	done bool
}

func (w *logWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.t.Logf("server: %s", bytes.TrimSpace(p))
	}
	return len(p), nil
}

func startNode(t *testing.T, o nodeOptions) *testNode {
	t.Helper()
	ctx := context.Background()
	if o.dir == "" {
		o.dir = t.TempDir()
	}
	if o.clock == nil {
		o.clock = storetest.NewClock(t0)
	}
	var key string
	if !o.ownKey {
		// RSA key generation is slow under -race: reuse the committed test key.
		b, err := os.ReadFile(filepath.Join("..", "federation", "testdata", "test_key.pem"))
		if err != nil {
			t.Fatal(err)
		}
		key = string(b)
	}
	if o.addr == "" {
		o.addr = "127.0.0.1:0"
	}
	l, err := net.Listen("tcp", o.addr)
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + l.Addr().String()
	lw := &logWriter{t: t}
	log := slog.New(slog.NewTextHandler(lw, &slog.HandlerOptions{Level: slog.LevelWarn}))
	opened, err := federation.Open(ctx, federation.OpenOptions{Dir: o.dir, Now: o.clock.Now, PrivateKeyPEM: key,
		Node: federation.Options{BaseURL: base, Handle: "ospo", Logger: log}})
	if err != nil {
		t.Fatal(err)
	}
	st, fed := opened.Store(), opened
	srv := api.New(fed, api.Options{AdminTokenHash: api.HashToken(token), Logger: log, BodyLimit: o.bodySize})
	sctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(sctx, l) }()
	var once sync.Once
	n := &testNode{base: base, dir: o.dir, st: st, fed: fed, clock: o.clock}
	n.stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Serve returned %v, want nil after a graceful shutdown", err)
			}
			if err := fed.Close(); err != nil { // background tasks, then the store
				t.Errorf("close node: %v", err)
			}
			lw.mu.Lock()
			lw.done = true
			lw.mu.Unlock()
		})
	}
	t.Cleanup(n.stop)
	return n
}

// client never follows redirects, so that tests see them.
var client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

type response struct {
	*http.Response
	body []byte
}

func (r response) contentType() string {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return mt
}

// req sends a request; headers are name/value pairs.
func (n *testNode) req(t *testing.T, method, target string, body io.Reader, headers ...string) response {
	t.Helper()
	if !strings.HasPrefix(target, "http") {
		target = n.base + target
	}
	r, err := http.NewRequest(method, target, body)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		r.Header.Set(headers[i], headers[i+1])
	}
	resp, err := client.Do(r)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{resp, b}
}

func (n *testNode) get(t *testing.T, target string, headers ...string) response {
	t.Helper()
	return n.req(t, http.MethodGet, target, nil, headers...)
}

// admin sends an authenticated admin API request with a JSON body (nil for none).
func (n *testNode) admin(t *testing.T, method, target string, body []byte) response {
	t.Helper()
	var r io.Reader
	hdr := []string{"Authorization", "Bearer " + token}
	if body != nil {
		r = bytes.NewReader(body)
		hdr = append(hdr, "Content-Type", "application/json")
	}
	return n.req(t, method, "/api/v1/admin"+target, r, hdr...)
}

func (n *testNode) eventCount(t *testing.T) int {
	t.Helper()
	_, total, err := n.st.ListEvents(context.Background(), store.EventFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return total
}

func wantStatus(t *testing.T, r response, status int) {
	t.Helper()
	if r.StatusCode != status {
		t.Fatalf("%s %s: status %d, want %d; body: %s", r.Request.Method, r.Request.URL, r.StatusCode, status, r.body)
	}
}

func decode(t *testing.T, r response, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("%s %s: body is not the expected JSON: %v\n%s", r.Request.Method, r.Request.URL, err, r.body)
	}
}

func obj(t *testing.T, r response) map[string]any {
	t.Helper()
	m := map[string]any{}
	decode(t, r, &m)
	return m
}

func example(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "docs", "examples", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// eventDoc is a valid event document starting at start, as JSON.
func eventDoc(t *testing.T, start time.Time, name string) []byte {
	t.Helper()
	e := storetest.Event(start)
	e.Name = store.LangMap{"en": name}
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// createEvent stores an event through the node (fast setup) and moves the clock a minute on.
func (n *testNode) createEvent(t *testing.T, start time.Time, name string) string {
	t.Helper()
	n.clock.Advance(time.Minute)
	e := storetest.Event(start)
	e.Name = store.LangMap{"en": name}
	if err := n.fed.CreateEvent(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	return e.ID
}

// problemOf checks an RFC 9457 body and returns it.
func problemOf(t *testing.T, r response, status int) api.Problem {
	t.Helper()
	wantStatus(t, r, status)
	if r.contentType() != ctProblem {
		t.Errorf("content type %q, want %s", r.Header.Get("Content-Type"), ctProblem)
	}
	var p api.Problem
	decode(t, r, &p)
	if p.Status != status || p.Title != http.StatusText(status) || p.Type != "about:blank" {
		t.Errorf("problem = %+v, want status %d titled %q", p, status, http.StatusText(status))
	}
	return p
}

func problemFields(p api.Problem) []string {
	out := []string{}
	for _, f := range p.Errors {
		out = append(out, f.Field)
	}
	return out
}

func TestWebFinger(t *testing.T) {
	n := startNode(t, nodeOptions{})
	host := strings.TrimPrefix(n.base, "http://")
	acct := "acct:ospo@" + host
	tests := []struct {
		name, rawQuery string
		status         int
	}{
		{"unencoded acct", "resource=" + acct, 200},
		{"percent-encoded acct", "resource=" + url.QueryEscape(acct), 200},
		{"only @ encoded", "resource=acct:ospo%40" + host, 200},
		{"actor URL", "resource=" + url.QueryEscape(n.base+"/actor"), 200},
		{"upper-case user", "resource=acct:OSPO@" + host, 200},
		{"unknown user", "resource=acct:someone@" + host, 404},
		{"host without port", "resource=acct:ospo@127.0.0.1", 404},
		{"other host", "resource=acct:ospo@ospo.example.org", 404},
		{"no resource", "", 400},
		// Malformed resources are a 400 (RFC 7033 §4.2): no scheme, or an
		// acct URI without a user and a host (RFC 7565).
		{"empty acct", "resource=acct:", 400},
		{"acct without host", "resource=acct:ospo", 400},
		{"acct without user", "resource=acct:@" + host, 400},
		{"no scheme", "resource=ospo@" + host, 400},
		{"blank", "resource=%20", 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := n.get(t, "/.well-known/webfinger?"+tt.rawQuery)
			// Browsers' scripts read the errors too (RFC 7033 §5).
			if r.Header.Get("Access-Control-Allow-Origin") != "*" {
				t.Errorf("%d without Access-Control-Allow-Origin: *", r.StatusCode)
			}
			if tt.status != 200 {
				problemOf(t, r, tt.status)
				return
			}
			wantStatus(t, r, 200)
			if ct := r.Header.Get("Content-Type"); ct != "application/jrd+json" {
				t.Errorf("content type %q, want application/jrd+json", ct)
			}
			var jrd struct {
				Subject string
				Aliases []string
				Links   []struct{ Rel, Type, Href string }
			}
			decode(t, r, &jrd)
			if jrd.Subject != acct {
				t.Errorf("subject = %q, want %q", jrd.Subject, acct)
			}
			if !reflect.DeepEqual(jrd.Aliases, []string{n.base + "/actor"}) {
				t.Errorf("aliases = %q", jrd.Aliases)
			}
			self := 0
			for _, l := range jrd.Links {
				if l.Rel == "self" {
					self++
					if l.Type != "application/activity+json" || l.Href != n.base+"/actor" {
						t.Errorf("self link = %+v", l)
					}
				}
			}
			if self != 1 {
				t.Errorf("%d self links, want 1", self)
			}
		})
	}
}

// TestWebFingerRel: with rel parameters the links are those of the rels
// asked for, subject and aliases unchanged (RFC 7033 §4.3).
func TestWebFingerRel(t *testing.T) {
	n := startNode(t, nodeOptions{})
	resource := "resource=" + url.QueryEscape("acct:ospo@"+strings.TrimPrefix(n.base, "http://"))
	const profilePage = "http://webfinger.net/rel/profile-page"
	for _, tt := range []struct {
		rels []string
		want []string
	}{
		{nil, []string{"self", profilePage}},
		{[]string{"self"}, []string{"self"}},
		{[]string{profilePage}, []string{profilePage}},
		{[]string{"self", profilePage}, []string{"self", profilePage}},
		{[]string{"http://ostatus.org/schema/1.0/subscribe"}, []string{}},
	} {
		q := resource
		for _, rel := range tt.rels {
			q += "&rel=" + url.QueryEscape(rel)
		}
		r := n.get(t, "/.well-known/webfinger?"+q)
		wantStatus(t, r, 200)
		var jrd struct {
			Subject string
			Aliases []string
			Links   []struct{ Rel string }
		}
		decode(t, r, &jrd)
		got := []string{}
		for _, l := range jrd.Links {
			got = append(got, l.Rel)
		}
		if !reflect.DeepEqual(got, tt.want) || jrd.Subject == "" || len(jrd.Aliases) != 1 {
			t.Errorf("rel %q: links %q, subject %q, aliases %q; want links %q", tt.rels, got, jrd.Subject, jrd.Aliases, tt.want)
		}
	}
}

func TestActorContentNegotiation(t *testing.T) {
	n := startNode(t, nodeOptions{})
	wantStatus(t, n.admin(t, http.MethodPut, "/profile", example(t, "profile.json")), 200)
	tests := []struct {
		accept   string
		wantCT   string // full Content-Type header
		wantHTML bool
	}{
		{acceptAS, "application/activity+json", false},
		{acceptLD, acceptLD, false},
		{"application/ld+json", acceptLD, false},
		{"application/activity+json, text/html;q=0.5", "application/activity+json", false},
		{`application/ld+json; profile="https://www.w3.org/ns/activitystreams", application/activity+json`, "application/activity+json", false},
		{"text/html", "text/html; charset=UTF-8", true},
		{acceptHTML, "text/html; charset=UTF-8", true},
	}
	for _, tt := range tests {
		t.Run(tt.accept, func(t *testing.T) {
			r := n.get(t, "/actor", "Accept", tt.accept)
			wantStatus(t, r, 200)
			if ct := r.Header.Get("Content-Type"); ct != tt.wantCT {
				t.Errorf("Content-Type = %q, want %q", ct, tt.wantCT)
			}
			vary := strings.Join(r.Header.Values("Vary"), ",")
			if !strings.Contains(vary, "Accept") {
				t.Errorf("Vary = %q, want Accept", vary)
			}
			if tt.wantHTML {
				body := string(r.body)
				if !strings.Contains(body, "<h1 lang=\"en\">Open Source Program Office of the City of Exampleton</h1>") ||
					!strings.Contains(body, "ospo@"+strings.TrimPrefix(n.base, "http://")) {
					t.Errorf("HTML page lacks the OSPO's name or handle:\n%s", body)
				}
				if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
					t.Errorf("Content-Security-Policy = %q", csp)
				}
				return
			}
			it, err := vocab.UnmarshalJSON(r.body)
			if err != nil {
				t.Fatal(err)
			}
			a, err := vocab.ToActor(it)
			if err != nil {
				t.Fatal(err)
			}
			if a.Type != vocab.OrganizationType || string(a.ID) != n.base+"/actor" || a.Inbox.GetLink().String() != n.base+"/actor/inbox" ||
				string(a.PublicKey.ID) != n.base+"/actor#main-key" || !strings.HasPrefix(a.PublicKey.PublicKeyPem, "-----BEGIN PUBLIC KEY-----") {
				t.Errorf("actor: type %s id %s inbox %v key %s", a.Type, a.ID, a.Inbox, a.PublicKey.ID)
			}
			m := obj(t, r)
			if ctxs, _ := m["@context"].([]any); len(ctxs) < 2 || ctxs[1] != "https://w3id.org/security/v1" {
				t.Errorf("@context = %v", m["@context"])
			}
		})
	}

	// The home page and the @handle alias lead to the actor.
	r := n.get(t, "/", "Accept", acceptAS)
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != n.base+"/actor" {
		t.Errorf("GET / as AP client: %d Location %q", r.StatusCode, r.Header.Get("Location"))
	}
	r = n.get(t, "/@ospo")
	if r.StatusCode != http.StatusMovedPermanently || r.Header.Get("Location") != n.base+"/actor" {
		t.Errorf("GET /@ospo: %d Location %q", r.StatusCode, r.Header.Get("Location"))
	}
	problemOf(t, n.get(t, "/@someone", "Accept", acceptAS), 404)
}

func TestAdminAuth(t *testing.T) {
	n := startNode(t, nodeOptions{})
	wrongSameLength := strings.Repeat("x", len(token))
	tests := []struct {
		name, auth string
		status     int
	}{
		{"no header", "", 401},
		{"wrong token of the same length", "Bearer " + wrongSameLength, 401},
		{"token with one character changed", "Bearer " + token[:len(token)-1] + "g", 401},
		{"token prefix", "Bearer " + token[:10], 401},
		{"wrong scheme", "Basic " + token, 401},
		{"token without scheme", token, 401},
		{"scheme without token", "Bearer", 401},
		{"empty bearer", "Bearer ", 401},
		{"right token", "Bearer " + token, 200},
		{"scheme is case-insensitive", "bearer " + token, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var hdr []string
			if tt.auth != "" {
				hdr = []string{"Authorization", tt.auth}
			}
			r := n.get(t, "/api/v1/admin/profile", hdr...)
			if tt.status == 200 {
				wantStatus(t, r, 200)
				return
			}
			problemOf(t, r, 401)
			if got := r.Header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer") {
				t.Errorf("WWW-Authenticate = %q, want a Bearer challenge", got)
			}
			if bytes.Contains(r.body, []byte(token)) {
				t.Error("the 401 body contains the token")
			}
		})
	}
	// Writes are refused too, and store nothing.
	r := n.req(t, http.MethodPost, "/api/v1/admin/events", bytes.NewReader(example(t, "event.json")),
		"Content-Type", "application/json", "Authorization", "Bearer "+wrongSameLength)
	problemOf(t, r, 401)
	if c := n.eventCount(t); c != 0 {
		t.Errorf("%d events stored by an unauthenticated POST", c)
	}
	// Unknown admin paths reveal nothing before authentication.
	problemOf(t, n.get(t, "/api/v1/admin/secrets"), 401)
	problemOf(t, n.admin(t, http.MethodGet, "/secrets", nil), 404)
}

func TestAdminProfile(t *testing.T) {
	n := startNode(t, nodeOptions{})
	// Before one is set: a placeholder named after the handle.
	var placeholder map[string]any
	decode(t, n.get(t, "/api/v1/profile"), &placeholder)
	if !reflect.DeepEqual(placeholder["name"], map[string]any{"en": "ospo"}) {
		t.Errorf("placeholder name = %v", placeholder["name"])
	}

	src := example(t, "profile.json")
	put := n.admin(t, http.MethodPut, "/profile", src)
	wantStatus(t, put, 200)
	var want map[string]any
	if err := json.Unmarshal(src, &want); err != nil {
		t.Fatal(err)
	}
	for _, r := range []response{put, n.admin(t, http.MethodGet, "/profile", nil), n.get(t, "/api/v1/profile")} {
		got := obj(t, r)
		for k, v := range want {
			if !reflect.DeepEqual(got[k], v) {
				t.Errorf("%s %s: %s = %v, want %v (as sent)", r.Request.Method, r.Request.URL.Path, k, got[k], v)
			}
		}
		if got["actor"] != n.base+"/actor" || got["account"] != "ospo@"+strings.TrimPrefix(n.base, "http://") {
			t.Errorf("actor %v account %v", got["actor"], got["account"])
		}
		if got["published"] != "2026-06-01T12:00:00Z" || got["updated"] != "2026-06-01T12:00:00Z" {
			t.Errorf("published %v updated %v", got["published"], got["updated"])
		}
	}
	if r := n.get(t, "/api/v1/profile", "Origin", "https://elsewhere.example"); r.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("public API without CORS: %q", r.Header.Get("Access-Control-Allow-Origin"))
	}

	// GET -> edit -> PUT: the read-only fields GET adds are accepted and ignored.
	n.clock.Advance(time.Hour)
	got := obj(t, n.admin(t, http.MethodGet, "/profile", nil))
	got["country"] = "be"
	got["published"] = "1999-01-01T00:00:00Z"
	b, _ := json.Marshal(got)
	r := n.admin(t, http.MethodPut, "/profile", b)
	wantStatus(t, r, 200)
	after := obj(t, n.get(t, "/api/v1/profile"))
	if after["country"] != "BE" || after["published"] != "2026-06-01T12:00:00Z" || after["updated"] != "2026-06-01T13:00:00Z" {
		t.Errorf("after round trip: country %v published %v updated %v", after["country"], after["published"], after["updated"])
	}
}

func TestAdminEventLifecycle(t *testing.T) {
	n := startNode(t, nodeOptions{})
	src := example(t, "event.json")
	r := n.admin(t, http.MethodPost, "/events", src)
	wantStatus(t, r, http.StatusCreated)
	created := obj(t, r)
	id, _ := created["id"].(string)
	if !store.ValidID(id) {
		t.Fatalf("created id %q is not valid", id)
	}
	if created["url"] != n.base+"/events/"+id || r.Header.Get("Location") != "/api/v1/admin/events/"+id {
		t.Errorf("url %v Location %q", created["url"], r.Header.Get("Location"))
	}
	var want map[string]any
	if err := json.Unmarshal(src, &want); err != nil {
		t.Fatal(err)
	}
	for _, r := range []response{n.admin(t, http.MethodGet, "/events/"+id, nil), n.get(t, "/api/v1/events/"+id)} {
		wantStatus(t, r, 200)
		got := obj(t, r)
		for k, v := range want {
			if !reflect.DeepEqual(got[k], v) {
				t.Errorf("%s: %s = %v, want %v (as sent)", r.Request.URL.Path, k, got[k], v)
			}
		}
	}

	// The ActivityPub object at its id.
	ap := n.get(t, "/events/"+id, "Accept", acceptAS)
	wantStatus(t, ap, 200)
	if ap.Header.Get("Content-Type") != "application/activity+json" {
		t.Errorf("event Content-Type %q", ap.Header.Get("Content-Type"))
	}
	it, err := vocab.UnmarshalJSON(ap.body)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := vocab.ToObject(it)
	if err != nil {
		t.Fatal(err)
	}
	if ev.Type != vocab.EventType || string(ev.ID) != n.base+"/events/"+id ||
		!ev.StartTime.Equal(time.Date(2032, 4, 14, 8, 0, 0, 0, time.UTC)) || string(ev.Name.First().Value) != "Webinar: choosing a licence for public code" {
		t.Errorf("event: type %s id %s start %v name %v", ev.Type, ev.ID, ev.StartTime, ev.Name)
	}
	act := n.get(t, "/events/"+id+"/activity", "Accept", acceptAS)
	wantStatus(t, act, 200)
	if m := obj(t, act); m["type"] != "Create" || m["id"] != n.base+"/events/"+id+"/activity" {
		t.Errorf("activity: type %v id %v", m["type"], m["id"])
	}
	page := n.get(t, "/events/"+id, "Accept", acceptHTML)
	wantStatus(t, page, 200)
	if !bytes.Contains(page.body, []byte("Webinar: choosing a licence for public code")) {
		t.Errorf("event page lacks the name:\n%s", page.body)
	}

	// Update.
	n.clock.Advance(time.Hour)
	var doc map[string]any
	if err := json.Unmarshal(src, &doc); err != nil {
		t.Fatal(err)
	}
	doc["name"] = "Renamed webinar"
	doc["id"], doc["url"] = id, "https://ignored.example" // read-only fields are ignored
	b, _ := json.Marshal(doc)
	r = n.admin(t, http.MethodPut, "/events/"+id, b)
	wantStatus(t, r, 200)
	got := obj(t, n.admin(t, http.MethodGet, "/events/"+id, nil))
	if !reflect.DeepEqual(got["name"], map[string]any{"en": "Renamed webinar"}) || got["updated"] != "2026-06-01T13:00:00Z" || got["published"] != "2026-06-01T12:00:00Z" {
		t.Errorf("after update: name %v published %v updated %v", got["name"], got["published"], got["updated"])
	}
	if m := obj(t, n.get(t, "/events/"+id, "Accept", acceptAS)); m["name"] != "Renamed webinar" || m["updated"] != "2026-06-01T13:00:00Z" {
		t.Errorf("AP event after update: name %v updated %v", m["name"], m["updated"])
	}

	// Delete: 204, then gone everywhere.
	n.clock.Advance(time.Hour)
	r = n.admin(t, http.MethodDelete, "/events/"+id, nil)
	wantStatus(t, r, http.StatusNoContent)
	problemOf(t, n.admin(t, http.MethodGet, "/events/"+id, nil), 404)
	problemOf(t, n.get(t, "/api/v1/events/"+id), 404)
	problemOf(t, n.admin(t, http.MethodDelete, "/events/"+id, nil), 404)
	problemOf(t, n.admin(t, http.MethodPut, "/events/"+id, b), 404)
	for _, accept := range []string{acceptAS, acceptLD} {
		gone := n.get(t, "/events/"+id, "Accept", accept)
		wantStatus(t, gone, http.StatusGone)
		it, err := vocab.UnmarshalJSON(gone.body)
		if err != nil {
			t.Fatal(err)
		}
		ts, err := vocab.ToTombstone(it)
		if err != nil {
			t.Fatal(err)
		}
		if ts.Type != vocab.TombstoneType || string(ts.ID) != n.base+"/events/"+id || ts.FormerType != vocab.EventType ||
			!ts.Deleted.Equal(time.Date(2026, 6, 1, 14, 0, 0, 0, time.UTC)) {
			t.Errorf("tombstone = %+v", ts)
		}
		if accept == acceptLD && gone.Header.Get("Content-Type") != acceptLD {
			t.Errorf("tombstone Content-Type %q", gone.Header.Get("Content-Type"))
		}
	}
	wantStatus(t, n.get(t, "/events/"+id, "Accept", acceptHTML), http.StatusGone)
	wantStatus(t, n.get(t, "/events/"+id+"/activity", "Accept", acceptAS), http.StatusGone)
	if list := obj(t, n.get(t, "/api/v1/events")); list["total"] != 0.0 {
		t.Errorf("public list after delete: total %v", list["total"])
	}
}

func TestNotFoundAndMethodNotAllowed(t *testing.T) {
	n := startNode(t, nodeOptions{})
	unknown := store.NewID(t0)
	auth := []string{"Authorization", "Bearer " + token}
	tests := []struct {
		name, method, target string
		headers              []string
		status               int
		allow                string // expected in Allow for 405
	}{
		{"unknown event, AP", "GET", "/events/" + unknown, []string{"Accept", acceptAS}, 404, ""},
		{"malformed event id, AP", "GET", "/events/not-an-id", []string{"Accept", acceptAS}, 404, ""},
		{"unknown event activity", "GET", "/events/" + unknown + "/activity", []string{"Accept", acceptAS}, 404, ""},
		{"unknown event, public API", "GET", "/api/v1/events/" + unknown, nil, 404, ""},
		{"unknown event, admin GET", "GET", "/api/v1/admin/events/" + unknown, auth, 404, ""},
		{"unknown event, admin PUT", "PUT", "/api/v1/admin/events/" + unknown, auth, 404, ""},
		{"unknown event, admin DELETE", "DELETE", "/api/v1/admin/events/" + unknown, auth, 404, ""},
		{"unknown path", "GET", "/nothing/here", nil, 404, ""},
		{"POST to the actor", "POST", "/actor", nil, 405, "GET"},
		{"DELETE the outbox", "DELETE", "/actor/outbox", nil, 405, "GET"},
		{"PUT on WebFinger", "PUT", "/.well-known/webfinger", nil, 405, "GET"},
		{"POST to the public events", "POST", "/api/v1/events", nil, 405, "GET"},
		{"DELETE the admin profile", "DELETE", "/api/v1/admin/profile", auth, 405, "PUT"},
		{"PATCH an admin event", "PATCH", "/api/v1/admin/events/" + unknown, auth, 405, "DELETE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body io.Reader
			if tt.method == "PUT" {
				body = bytes.NewReader(eventDoc(t, t0.Add(time.Hour), "x"))
				tt.headers = append(tt.headers, "Content-Type", "application/json")
			}
			r := n.req(t, tt.method, tt.target, body, tt.headers...)
			problemOf(t, r, tt.status)
			if tt.allow != "" && !strings.Contains(r.Header.Get("Allow"), tt.allow) {
				t.Errorf("Allow = %q, want it to list %s", r.Header.Get("Allow"), tt.allow)
			}
		})
	}
	// Browsers get an HTML error page.
	r := n.get(t, "/nothing/here", "Accept", acceptHTML)
	wantStatus(t, r, 404)
	if r.contentType() != "text/html" {
		t.Errorf("browser 404 Content-Type %q, want text/html", r.Header.Get("Content-Type"))
	}
}

// HEAD must work wherever GET does (RFC 9110, 9.1).
func TestHeadRequests(t *testing.T) {
	n := startNode(t, nodeOptions{})
	for _, target := range []string{"/actor", "/api/v1/events", "/.well-known/nodeinfo"} {
		t.Run(target, func(t *testing.T) {
			r := n.req(t, http.MethodHead, target, nil, "Accept", acceptAS)
			wantStatus(t, r, 200)
			if len(r.body) != 0 || r.Header.Get("Content-Type") == "" {
				t.Errorf("HEAD: %d body bytes, Content-Type %q", len(r.body), r.Header.Get("Content-Type"))
			}
		})
	}
}

func TestValidationErrors(t *testing.T) {
	n := startNode(t, nodeOptions{})
	wantStatus(t, n.admin(t, http.MethodPut, "/profile", example(t, "profile.json")), 200)
	live := obj(t, n.admin(t, http.MethodPost, "/events", example(t, "event.json")))["id"].(string)

	edit := func(name string, change func(m map[string]any)) []byte {
		var m map[string]any
		if err := json.Unmarshal(example(t, name), &m); err != nil {
			t.Fatal(err)
		}
		change(m)
		b, _ := json.Marshal(m)
		return b
	}
	tests := []struct {
		name, method, target string
		body                 []byte
		fields               []string
	}{
		{"profile: unknown support area", "PUT", "/profile",
			edit("profile.json", func(m map[string]any) { m["supportAreas"] = []string{"strategy", "astrology"} }), []string{"supportAreas[1]"}},
		{"profile: bad country code", "PUT", "/profile",
			edit("profile.json", func(m map[string]any) { m["country"] = "XY" }), []string{"country"}},
		{"profile: empty name", "PUT", "/profile",
			edit("profile.json", func(m map[string]any) { m["name"] = "" }), []string{"name"}},
		{"profile: oversized summary", "PUT", "/profile",
			edit("profile.json", func(m map[string]any) { m["summary"] = map[string]string{"en": strings.Repeat("a", 2001)} }), []string{"summary.en"}},
		{"profile: invalid URLs and email", "PUT", "/profile",
			edit("profile.json", func(m map[string]any) {
				m["website"], m["logo"], m["email"] = "javascript:alert(1)", "logo.png", "nobody"
			}), []string{"website", "email", "logo"}},
		{"event: end before start", "POST", "/events",
			edit("event.json", func(m map[string]any) { m["endTime"] = "2032-04-14T09:00:00+02:00" }), []string{"endTime"}},
		{"event: invalid time zone and URL", "POST", "/events",
			edit("event.json", func(m map[string]any) { m["timezone"] = "Europe/Nowhere"; m["registrationUrl"] = "ftp://x.example" }),
			[]string{"timezone", "registrationUrl"}},
		{"event: empty name, no offset", "POST", "/events",
			edit("event.json", func(m map[string]any) { m["name"] = map[string]string{}; m["startTime"] = "2032-04-14T10:00:00" }),
			[]string{"name", "startTime"}},
		{"event update: bad status and category", "PUT", "/events/" + live,
			edit("event.json", func(m map[string]any) { m["status"] = "maybe"; m["category"] = "NAPPING" }), []string{"status", "category"}},
		{"unknown JSON field", "POST", "/events",
			edit("event.json", func(m map[string]any) { m["colour"] = "blue" }), []string{"colour"}},
		{"unknown profile field", "PUT", "/profile",
			edit("profile.json", func(m map[string]any) { m["motto"] = "share" }), []string{"motto"}},
		{"wrong type", "PUT", "/profile",
			edit("profile.json", func(m map[string]any) { m["teamSize"] = "four" }), []string{"teamSize"}},
		{"wrong type of a list", "PUT", "/profile",
			edit("profile.json", func(m map[string]any) { m["supportAreas"] = "strategy" }), []string{"supportAreas"}},
		{"wrong type of a text", "POST", "/events",
			edit("event.json", func(m map[string]any) { m["name"] = 42 }), []string{"name"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := n.eventCount(t)
			profileBefore := n.get(t, "/api/v1/profile").body
			eventBefore := n.admin(t, http.MethodGet, "/events/"+live, nil).body
			p := problemOf(t, n.admin(t, tt.method, tt.target, tt.body), 400)
			if got := problemFields(p); !reflect.DeepEqual(got, tt.fields) {
				t.Errorf("errors name %q, want %q (problem %+v)", got, tt.fields, p)
			}
			for _, f := range p.Errors {
				if f.Reason == "" {
					t.Errorf("field %s without a reason", f.Field)
				}
			}
			if after := n.eventCount(t); after != before {
				t.Errorf("event count %d -> %d: an invalid document was stored", before, after)
			}
			if after := n.get(t, "/api/v1/profile").body; !bytes.Equal(after, profileBefore) {
				t.Errorf("profile changed by an invalid request")
			}
			if after := n.admin(t, http.MethodGet, "/events/"+live, nil).body; !bytes.Equal(after, eventBefore) {
				t.Errorf("event changed by an invalid request")
			}
		})
	}
}

func TestRequestBodyErrors(t *testing.T) {
	n := startNode(t, nodeOptions{bodySize: "64K"})
	auth := []string{"Authorization", "Bearer " + token}
	valid := eventDoc(t, t0.Add(time.Hour), "ok")
	big := append(append([]byte(`{"name":"`), bytes.Repeat([]byte("a"), 70<<10)...), `"}`...)
	tests := []struct {
		name   string
		body   io.Reader
		ct     string
		status int
	}{
		{"wrong content type", bytes.NewReader(valid), "text/plain", 415},
		{"form content type", bytes.NewReader(valid), "application/x-www-form-urlencoded", 415},
		{"malformed content type", bytes.NewReader(valid), "application/json; =", 415},
		{"oversized body", bytes.NewReader(big), "application/json", 413},
		{"oversized chunked body", io.MultiReader(bytes.NewReader(big)), "application/json", 413},
		{"empty body", bytes.NewReader(nil), "application/json", 400},
		{"not JSON", strings.NewReader(`{"name":`), "application/json", 400},
		{"JSON array", strings.NewReader(`[1,2]`), "application/json", 400},
		{"json with charset", bytes.NewReader(valid), "application/json; charset=utf-8", 201},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := n.eventCount(t)
			r := n.req(t, http.MethodPost, "/api/v1/admin/events", tt.body, append([]string{"Content-Type", tt.ct}, auth...)...)
			if tt.status == 201 {
				wantStatus(t, r, 201)
				return
			}
			problemOf(t, r, tt.status)
			if after := n.eventCount(t); after != before {
				t.Errorf("event count %d -> %d", before, after)
			}
		})
	}
}

// The default limit is 1 MiB, as docs/api.md says.
func TestDefaultBodyLimit(t *testing.T) {
	n := startNode(t, nodeOptions{})
	big := append(append([]byte(`{"name":"`), bytes.Repeat([]byte("a"), 1<<20)...), `"}`...)
	problemOf(t, n.admin(t, http.MethodPut, "/profile", big), http.StatusRequestEntityTooLarge)
	just := append(append([]byte(`{"name":"x","country":"FR","governmentLevel":"other","summary":"`), bytes.Repeat([]byte(" "), 300<<10)...), `"}`...)
	wantStatus(t, n.admin(t, http.MethodPut, "/profile", just), 200)
}

func TestOutbox(t *testing.T) {
	n := startNode(t, nodeOptions{})
	var ids []string // in creation order
	for i := 0; i < federation.OutboxPageSize+5; i++ {
		ids = append(ids, n.createEvent(t, t0.Add(time.Duration(i)*time.Hour), fmt.Sprintf("Event %02d", i)))
	}
	deleted := ids[3]
	if err := n.fed.DeleteEvent(context.Background(), deleted); err != nil {
		t.Fatal(err)
	}
	live := append(append([]string{}, ids[:3]...), ids[4:]...)
	total := len(live) // 24
	outbox := n.base + "/actor/outbox"

	r := n.get(t, "/actor/outbox", "Accept", acceptAS)
	wantStatus(t, r, 200)
	it, err := vocab.UnmarshalJSON(r.body)
	if err != nil {
		t.Fatal(err)
	}
	oc, err := vocab.ToOrderedCollection(it)
	if err != nil {
		t.Fatal(err)
	}
	if oc.Type != vocab.OrderedCollectionType || string(oc.ID) != outbox || oc.TotalItems != uint(total) ||
		oc.First.GetLink().String() != outbox+"?page=1" {
		t.Errorf("outbox: type %s id %s totalItems %d first %v", oc.Type, oc.ID, oc.TotalItems, oc.First)
	}
	if m := obj(t, r); m["last"] != outbox+"?page=2" {
		t.Errorf("last = %v", m["last"])
	}

	// Walk the pages from first through next: Create activities, newest first.
	var seen []string
	next, pages := oc.First.GetLink().String(), 0
	for next != "" {
		pages++
		if pages > 5 {
			t.Fatal("too many pages")
		}
		r := n.get(t, next, "Accept", acceptAS)
		wantStatus(t, r, 200)
		it, err := vocab.UnmarshalJSON(r.body)
		if err != nil {
			t.Fatal(err)
		}
		pg, err := vocab.ToOrderedCollectionPage(it)
		if err != nil {
			t.Fatal(err)
		}
		if pg.Type != vocab.OrderedCollectionPageType || string(pg.ID) != next || pg.PartOf.GetLink().String() != outbox {
			t.Errorf("page %d: type %s id %s partOf %v", pages, pg.Type, pg.ID, pg.PartOf)
		}
		wantItems := federation.OutboxPageSize
		if pages == 2 {
			wantItems = total - federation.OutboxPageSize
		}
		if len(pg.OrderedItems) != wantItems {
			t.Errorf("page %d has %d items, want %d", pages, len(pg.OrderedItems), wantItems)
		}
		for _, item := range pg.OrderedItems {
			act, err := vocab.ToActivity(item)
			if err != nil {
				t.Fatal(err)
			}
			if act.Type != vocab.CreateType || act.Actor.GetLink().String() != n.base+"/actor" {
				t.Errorf("item: type %s actor %v", act.Type, act.Actor)
			}
			evID := strings.TrimPrefix(act.Object.GetLink().String(), n.base+"/events/")
			if string(act.ID) != n.base+"/events/"+evID+"/activity" {
				t.Errorf("activity id %s for object %s", act.ID, act.Object.GetLink())
			}
			seen = append(seen, evID)
		}
		next = ""
		if pg.Next != nil {
			next = pg.Next.GetLink().String()
			if want := fmt.Sprintf("%s?page=%d", outbox, pages+1); next != want {
				t.Errorf("next = %s, want %s", next, want)
			}
		}
		if pages == 2 && (pg.Prev == nil || pg.Prev.GetLink().String() != outbox+"?page=1") {
			t.Errorf("page 2 prev = %v", pg.Prev)
		}
	}
	var want []string
	for i := len(live) - 1; i >= 0; i-- {
		want = append(want, live[i])
	}
	if !reflect.DeepEqual(seen, want) {
		t.Errorf("outbox order:\n got %v\nwant %v (newest first, without the deleted event)", seen, want)
	}
	problemOf(t, n.get(t, "/actor/outbox?page=0", "Accept", acceptAS), 400)
	problemOf(t, n.get(t, "/actor/outbox?page=x", "Accept", acceptAS), 400)
	if r := n.get(t, "/actor/outbox", "Accept", acceptHTML); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/events" {
		t.Errorf("browser on the outbox: %d %q", r.StatusCode, r.Header.Get("Location"))
	}
}

func TestEmptyCollections(t *testing.T) {
	n := startNode(t, nodeOptions{})
	for _, name := range []string{"followers", "following", "featured", "outbox", "upcoming-events"} {
		t.Run(name, func(t *testing.T) {
			r := n.get(t, "/actor/"+name, "Accept", acceptAS)
			wantStatus(t, r, 200)
			it, err := vocab.UnmarshalJSON(r.body)
			if err != nil {
				t.Fatal(err)
			}
			oc, err := vocab.ToOrderedCollection(it)
			if err != nil {
				t.Fatal(err)
			}
			if oc.Type != vocab.OrderedCollectionType || string(oc.ID) != n.base+"/actor/"+name {
				t.Errorf("type %s id %s", oc.Type, oc.ID)
			}
			m := obj(t, r)
			if m["totalItems"] != 0.0 {
				t.Errorf("totalItems = %v, want 0", m["totalItems"])
			}
		})
	}
}

func TestUpcomingEventsCollection(t *testing.T) {
	n := startNode(t, nodeOptions{})
	late := n.createEvent(t, t0.Add(72*time.Hour), "Late")
	n.createEvent(t, t0.Add(-72*time.Hour), "Past")
	soon := n.createEvent(t, t0.Add(2*time.Hour), "Soon")
	running := n.createEvent(t, t0.Add(-30*time.Minute), "Running") // ends in an hour
	n.clock.Set(t0)

	r := n.get(t, "/actor/upcoming-events", "Accept", acceptAS)
	wantStatus(t, r, 200)
	var oc struct {
		Type         string
		ID           string
		TotalItems   int
		OrderedItems []struct{ Type, ID, Name string }
	}
	decode(t, r, &oc)
	var got []string
	for _, it := range oc.OrderedItems {
		if it.Type != "Event" {
			t.Errorf("item type %s", it.Type)
		}
		got = append(got, it.ID)
	}
	want := []string{n.base + "/events/" + running, n.base + "/events/" + soon, n.base + "/events/" + late}
	if oc.Type != "OrderedCollection" || oc.TotalItems != 3 || !reflect.DeepEqual(got, want) {
		t.Errorf("upcoming: type %s total %d items %v, want %v", oc.Type, oc.TotalItems, got, want)
	}
	var actor map[string]any
	decode(t, n.get(t, "/actor", "Accept", acceptAS), &actor)
	if actor["upcomingEvents"] != n.base+"/actor/upcoming-events" {
		t.Errorf("actor upcomingEvents = %v", actor["upcomingEvents"])
	}
}

func TestPublicEvents(t *testing.T) {
	n := startNode(t, nodeOptions{})
	// Through the admin API, a minute apart.
	var ids []string
	starts := []time.Duration{-48 * time.Hour, 24 * time.Hour, -24 * time.Hour, 48 * time.Hour, 72 * time.Hour}
	for i, d := range starts {
		n.clock.Advance(time.Minute)
		r := n.admin(t, http.MethodPost, "/events", eventDoc(t, t0.Add(d), fmt.Sprintf("E%d", i)))
		wantStatus(t, r, 201)
		ids = append(ids, obj(t, r)["id"].(string))
	}
	n.clock.Set(t0)

	type page struct {
		Items []struct{ ID, URL string }
		Total int
		Page  int
		Limit int
		Next  string
	}
	walk := func(t *testing.T, first string) (got []string, pages []page) {
		t.Helper()
		next := n.base + first
		for next != "" && len(pages) < 10 {
			var p page
			r := n.get(t, next)
			wantStatus(t, r, 200)
			decode(t, r, &p)
			for _, it := range p.Items {
				if it.URL != n.base+"/events/"+it.ID {
					t.Errorf("item url %s", it.URL)
				}
				got = append(got, it.ID)
			}
			pages = append(pages, p)
			next = p.Next
		}
		return got, pages
	}
	tests := []struct {
		name, query string
		want        []string
		pages       int
		total       int // on every page
	}{
		{"all newest first", "/api/v1/events", []string{ids[4], ids[3], ids[2], ids[1], ids[0]}, 1, 5},
		{"all by two", "/api/v1/events?limit=2", []string{ids[4], ids[3], ids[2], ids[1], ids[0]}, 3, 5},
		{"upcoming soonest first", "/api/v1/events?when=upcoming", []string{ids[1], ids[3], ids[4]}, 1, 3},
		{"upcoming by two", "/api/v1/events?when=upcoming&limit=2", []string{ids[1], ids[3], ids[4]}, 2, 3},
		{"past most recent first", "/api/v1/events?when=past&limit=1", []string{ids[2], ids[0]}, 2, 2},
		{"second page", "/api/v1/events?when=all&page=2&limit=2", []string{ids[2], ids[1], ids[0]}, 2, 5},
		{"admin list", "/api/v1/admin/events?limit=3", nil, 0, 0}, // needs the token
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.want == nil {
				problemOf(t, n.get(t, tt.query), 401)
				return
			}
			got, pages := walk(t, tt.query)
			if !reflect.DeepEqual(got, tt.want) || len(pages) != tt.pages {
				t.Errorf("got %v in %d pages, want %v in %d", got, len(pages), tt.want, tt.pages)
			}
			for i, p := range pages {
				if p.Total != tt.total {
					t.Errorf("page %d: total %d, want %d", i+1, p.Total, tt.total)
				}
			}
			if last := pages[len(pages)-1]; last.Next != "" {
				t.Errorf("last page has next %q", last.Next)
			}
			if len(pages) > 1 {
				u, err := url.Parse(pages[0].Next)
				if err != nil || !strings.HasPrefix(pages[0].Next, n.base+"/api/v1/events?") || u.Query().Get("page") != fmt.Sprint(pages[0].Page+1) {
					t.Errorf("next = %q", pages[0].Next)
				}
			}
		})
	}
	// The admin list pages the same way, with the token.
	r := n.admin(t, http.MethodGet, "/events?limit=3", nil)
	wantStatus(t, r, 200)
	var p page
	decode(t, r, &p)
	if p.Total != 5 || len(p.Items) != 3 || p.Next != n.base+"/api/v1/admin/events?limit=3&page=2" {
		t.Errorf("admin list: total %d items %d next %q", p.Total, len(p.Items), p.Next)
	}
	for _, q := range []struct{ query, field string }{{"when=soon", "when"}, {"page=0", "page"}, {"limit=1000", "limit"}, {"page=x", "page"}} {
		p := problemOf(t, n.get(t, "/api/v1/events?"+q.query), 400)
		if got := problemFields(p); !reflect.DeepEqual(got, []string{q.field}) {
			t.Errorf("?%s: errors name %q, want [%s]", q.query, got, q.field)
		}
	}
	// The events page lists them for browsers.
	page2 := n.get(t, "/events", "Accept", acceptHTML)
	wantStatus(t, page2, 200)
	for i := range ids {
		if !bytes.Contains(page2.body, []byte(fmt.Sprintf(">E%d<", i))) {
			t.Errorf("events page lacks E%d", i)
		}
	}
}

func TestDiscoveryDocuments(t *testing.T) {
	n := startNode(t, nodeOptions{})
	wantStatus(t, n.admin(t, http.MethodPut, "/profile", example(t, "profile.json")), 200)
	n.createEvent(t, t0.Add(time.Hour), "One")

	// NodeInfo discovery, then the document.
	r := n.get(t, "/.well-known/nodeinfo")
	wantStatus(t, r, 200)
	var links struct{ Links []struct{ Rel, Href string } }
	decode(t, r, &links)
	if len(links.Links) != 1 || links.Links[0].Rel != "http://nodeinfo.diaspora.software/ns/schema/2.1" || links.Links[0].Href != n.base+"/nodeinfo/2.1" {
		t.Fatalf("nodeinfo links = %+v", links)
	}
	r = n.get(t, links.Links[0].Href)
	wantStatus(t, r, 200)
	if mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" ||
		params["profile"] != "http://nodeinfo.diaspora.software/ns/schema/2.1#" {
		t.Errorf("NodeInfo Content-Type %q", r.Header.Get("Content-Type"))
	}
	var ni struct {
		Version   string
		Software  struct{ Name string }
		Protocols []string
		Usage     struct{ LocalPosts int }
		Metadata  struct {
			OSPO struct{ SchemaVersion, Actor, Country string } `json:"ospo"`
		}
	}
	decode(t, r, &ni)
	if ni.Version != "2.1" || ni.Software.Name != "ospod" || !reflect.DeepEqual(ni.Protocols, []string{"activitypub"}) ||
		ni.Usage.LocalPosts != 1 || ni.Metadata.OSPO.SchemaVersion != "1" || ni.Metadata.OSPO.Actor != n.base+"/actor" || ni.Metadata.OSPO.Country != "FR" {
		t.Errorf("nodeinfo = %+v", ni)
	}

	// host-meta points at WebFinger.
	r = n.get(t, "/.well-known/host-meta")
	wantStatus(t, r, 200)
	if r.contentType() != "application/xrd+xml" {
		t.Errorf("host-meta Content-Type %q", r.Header.Get("Content-Type"))
	}
	var xrd struct {
		XMLName xml.Name
		Links   []struct {
			Rel      string `xml:"rel,attr"`
			Type     string `xml:"type,attr"`
			Template string `xml:"template,attr"`
		} `xml:"Link"`
	}
	if err := xml.Unmarshal(r.body, &xrd); err != nil {
		t.Fatal(err)
	}
	if xrd.XMLName.Local != "XRD" || len(xrd.Links) != 1 || xrd.Links[0].Rel != "lrdd" ||
		xrd.Links[0].Template != n.base+"/.well-known/webfinger?resource={uri}" {
		t.Errorf("host-meta = %+v", xrd)
	}
	// The template works.
	wf := strings.Replace(xrd.Links[0].Template, "{uri}", url.QueryEscape("acct:ospo@"+strings.TrimPrefix(n.base, "http://")), 1)
	wantStatus(t, n.get(t, wf), 200)
}

func TestOSPOmeta(t *testing.T) {
	n := startNode(t, nodeOptions{})
	// Nothing valid to publish before the profile is set.
	wantStatus(t, n.get(t, "/ospometa.yml"), 404)
	wantStatus(t, n.admin(t, http.MethodPut, "/profile", example(t, "profile.json")), 200)
	r := n.get(t, "/ospometa.yml")
	wantStatus(t, r, 200)
	if r.contentType() != "application/yaml" {
		t.Errorf("Content-Type %q", r.Header.Get("Content-Type"))
	}
	var doc map[string]struct {
		Name        string            `yaml:"name"`
		Country     string            `yaml:"country"`
		Description map[string]string `yaml:"description"`
		Email       string            `yaml:"email"`
		Created     string            `yaml:"created"`
		FlossPolicy string            `yaml:"floss_policy"`
		Code        []string          `yaml:"code"`
		Actor       string            `yaml:"activitypub_actor"`
	}
	if err := yaml.Unmarshal(r.body, &doc); err != nil {
		t.Fatalf("not YAML: %v\n%s", err, r.body)
	}
	e, ok := doc["https://opensource.exampleton.example"]
	if len(doc) != 1 || !ok {
		t.Fatalf("OSPOmeta keys: %v, want the website", doc)
	}
	checks := []struct{ field, got, want string }{
		{"name", e.Name, "Open Source Program Office of the City of Exampleton"},
		{"country", e.Country, "FR"},
		{"description.en", e.Description["en"], "We help the city's departments use, publish and contribute to open source software."},
		{"description.de", e.Description["de"], "Wir helfen den Ämtern der Stadt, Open-Source-Software zu nutzen, zu veröffentlichen und mitzuentwickeln."},
		{"email", e.Email, "ospo@exampleton.example"},
		{"created", e.Created, "2023-03-14"},
		{"floss_policy", e.FlossPolicy, "https://opensource.exampleton.example/policy"},
		{"code", strings.Join(e.Code, " "), "https://code.exampleton.example/city https://github.com/exampleton-city"},
		{"activitypub_actor", e.Actor, n.base + "/actor"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.field, c.got, c.want)
		}
	}
}

func TestRestartPersistence(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	clock := storetest.NewClock(t0)
	a := startNode(t, nodeOptions{dir: dir, clock: clock, ownKey: true})
	wantStatus(t, a.admin(t, http.MethodPut, "/profile", example(t, "profile.json")), 200)
	keep := obj(t, a.admin(t, http.MethodPost, "/events", example(t, "event.json")))["id"].(string)
	clock.Advance(time.Minute)
	gone := obj(t, a.admin(t, http.MethodPost, "/events", eventDoc(t, t0.Add(time.Hour), "Gone")))["id"].(string)
	wantStatus(t, a.admin(t, http.MethodDelete, "/events/"+gone, nil), 204)
	keyBefore := obj(t, a.get(t, "/actor", "Accept", acceptAS))["publicKey"].(map[string]any)["publicKeyPem"]
	profileBefore := obj(t, a.get(t, "/api/v1/profile"))
	eventBefore := obj(t, a.get(t, "/api/v1/events/"+keep))
	a.stop()
	if _, err := net.Dial("tcp", strings.TrimPrefix(a.base, "http://")); err == nil {
		t.Error("the first server still accepts connections after stop")
	}

	b := startNode(t, nodeOptions{dir: dir, clock: clock, ownKey: true, addr: strings.TrimPrefix(a.base, "http://")})
	if got := obj(t, b.get(t, "/actor", "Accept", acceptAS))["publicKey"].(map[string]any)["publicKeyPem"]; got != keyBefore || got == nil {
		t.Errorf("the actor key changed across a restart")
	}
	profileAfter := obj(t, b.get(t, "/api/v1/profile"))
	delete(profileBefore, "actor")
	delete(profileBefore, "account")
	for k, v := range profileBefore {
		if !reflect.DeepEqual(profileAfter[k], v) {
			t.Errorf("profile %s after restart = %v, want %v", k, profileAfter[k], v)
		}
	}
	eventAfter := obj(t, b.get(t, "/api/v1/events/"+keep))
	delete(eventBefore, "url")
	for k, v := range eventBefore {
		if !reflect.DeepEqual(eventAfter[k], v) {
			t.Errorf("event %s after restart = %v, want %v", k, eventAfter[k], v)
		}
	}
	wantStatus(t, b.get(t, "/events/"+gone, "Accept", acceptAS), http.StatusGone)
	var list struct{ Total int }
	decode(t, b.get(t, "/api/v1/events"), &list)
	if list.Total != 1 {
		t.Errorf("events after restart: %d, want 1", list.Total)
	}
	if res, err := b.st.IntegrityCheck(context.Background()); err != nil || res != "ok" {
		t.Errorf("integrity_check = %q, %v", res, err)
	}
}

func TestSecurityHeaders(t *testing.T) {
	n := startNode(t, nodeOptions{})
	r := n.get(t, "/actor", "Accept", acceptAS)
	want := map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY"}
	for k, v := range want {
		if r.Header.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, r.Header.Get(k), v)
		}
	}
	if r.Header.Get("X-Request-Id") == "" {
		t.Error("no X-Request-Id")
	}
	// A problem carries the request id, so a log line can be found.
	rr := n.get(t, "/api/v1/admin/profile")
	p := problemOf(t, rr, 401)
	if p.RequestID == "" || p.RequestID != rr.Header.Get("X-Request-Id") {
		t.Errorf("problem requestId %q, header %q", p.RequestID, rr.Header.Get("X-Request-Id"))
	}
}
