package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/ospod/ospod/api/nodetest"
)

// noRedirect answers with the first response, redirects included.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// Content negotiation as third-party clients use it (issue 12): the home page
// redirects ActivityPub clients and says it varies with Accept; plain JSON
// clients get the JSON document, not the HTML page.
func TestContentNegotiationForClients(t *testing.T) {
	n := nodetest.Start(t, nodetest.Options{})
	setProfile(t, n, nil)
	id := postEvent(t, n, nil)

	req, _ := http.NewRequest(http.MethodGet, n.URL+"/", nil)
	req.Header.Set("Accept", "application/activity+json")
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || !varies(resp.Header, "Accept") {
		t.Errorf("GET / as ActivityPub: %d, Vary %q; want 303 with Vary: Accept", resp.StatusCode, resp.Header.Get("Vary"))
	}

	for path, typ := range map[string]string{"/actor": "Organization", "/events/" + id: "Event"} {
		r := odGet(t, http.MethodGet, n.URL+path, "Accept", "application/json")
		var doc struct {
			Type string `json:"type"`
		}
		if r.StatusCode != http.StatusOK || json.Unmarshal(r.body, &doc) != nil || doc.Type != typ {
			t.Errorf("GET %s (Accept: application/json): %d %s, %.80q; want the %s document", path, r.StatusCode,
				r.Header.Get("Content-Type"), r.body, typ)
			continue
		}
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("GET %s (Accept: application/json): Content-Type %q", path, ct)
		}
		if html := odGet(t, http.MethodGet, n.URL+path, "Accept", "text/html,application/xhtml+xml,*/*;q=0.8"); !strings.HasPrefix(html.Header.Get("Content-Type"), "text/html") {
			t.Errorf("GET %s as a browser: Content-Type %q, want the page", path, html.Header.Get("Content-Type"))
		}
	}
}

// Documents fetched again and again (FLOSS-PSO polls /ospometa.yml, crawlers
// the search API and NodeInfo) carry validators and answer conditional GETs.
func TestValidatorsOnPolledDocuments(t *testing.T) {
	n := nodetest.Start(t, nodetest.Options{})
	setProfile(t, n, nil)
	postEvent(t, n, nil)
	for path, lastModified := range map[string]bool{
		"/ospometa.yml":     true,
		"/api/v1/directory": true,
		"/api/v1/calendar":  true,
		"/nodeinfo/2.1":     false,
	} {
		r := odGet(t, http.MethodGet, n.URL+path)
		etag, lm := r.Header.Get("ETag"), r.Header.Get("Last-Modified")
		if r.StatusCode != http.StatusOK || etag == "" || r.Header.Get("Cache-Control") == "" || (lastModified && lm == "") {
			t.Errorf("GET %s: %d, ETag %q, Last-Modified %q, Cache-Control %q", path, r.StatusCode, etag, lm, r.Header.Get("Cache-Control"))
			continue
		}
		if again := odGet(t, http.MethodGet, n.URL+path, "If-None-Match", etag); again.StatusCode != http.StatusNotModified {
			t.Errorf("GET %s with If-None-Match %s: %d, want 304", path, etag, again.StatusCode)
		}
		if lastModified {
			if again := odGet(t, http.MethodGet, n.URL+path, "If-Modified-Since", lm); again.StatusCode != http.StatusNotModified {
				t.Errorf("GET %s with If-Modified-Since %s: %d, want 304", path, lm, again.StatusCode)
			}
		}
	}
}

// varies reports whether the Vary headers name the header field (not one
// that merely starts with it, as Accept-Encoding).
func varies(h http.Header, field string) bool {
	for _, v := range h.Values("Vary") {
		for _, f := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(f), field) {
				return true
			}
		}
	}
	return false
}
