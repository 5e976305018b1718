package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ospod/ospod/api/nodetest"
	"github.com/ospod/ospod/store/storetest"
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

// gzipGet requests url as a client that takes gzip and reads it itself (the
// default transport would undo the encoding and hide Content-Encoding).
func gzipGet(t *testing.T, url string, headers ...string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := (&http.Client{Transport: &http.Transport{DisableCompression: true}}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// A gzip-encoded answer is another representation, so it has its own strong
// validator (RFC 9110 §8.8.3), and either tag revalidates (issue 12).
func TestGzipHasItsOwnETag(t *testing.T) {
	n := nodetest.Start(t, nodetest.Options{})
	setProfile(t, n, nil)
	postEvent(t, n, nil)
	for _, c := range []struct{ path, accept string }{
		{"/api/v1/open-data", ""},
		{"/directory.json", ""},
		{"/api/v1/directory", ""},
		{"/actor", "application/activity+json"},
	} {
		plain := odGet(t, http.MethodGet, n.URL+c.path, "Accept", c.accept, "Accept-Encoding", "identity")
		zipped := gzipGet(t, n.URL+c.path, "Accept", c.accept)
		tag, ztag := plain.Header.Get("ETag"), zipped.Header.Get("ETag")
		if plain.StatusCode != 200 || zipped.StatusCode != 200 || zipped.Header.Get("Content-Encoding") != "gzip" {
			t.Errorf("GET %s: %d, gzip %d %q", c.path, plain.StatusCode, zipped.StatusCode, zipped.Header.Get("Content-Encoding"))
			continue
		}
		if tag == "" || ztag != strings.TrimSuffix(tag, `"`)+`-gzip"` {
			t.Errorf("GET %s: ETag %s, gzip-encoded %s; want the identity tag suffixed with -gzip", c.path, tag, ztag)
		}
		for _, inm := range []string{tag, ztag} {
			if r := gzipGet(t, n.URL+c.path, "Accept", c.accept, "If-None-Match", inm); r.StatusCode != 304 || r.Header.Get("ETag") != ztag {
				t.Errorf("GET %s gzip, If-None-Match %s: %d, ETag %s; want 304 with %s", c.path, inm, r.StatusCode, r.Header.Get("ETag"), ztag)
			}
			r := odGet(t, http.MethodGet, n.URL+c.path, "Accept", c.accept, "Accept-Encoding", "identity", "If-None-Match", inm)
			if r.StatusCode != 304 || r.Header.Get("ETag") != tag {
				t.Errorf("GET %s identity, If-None-Match %s: %d, ETag %s; want 304 with %s", c.path, inm, r.StatusCode, r.Header.Get("ETag"), tag)
			}
		}
	}
	// A body too short to be compressed keeps the identity tag.
	small := gzipGet(t, n.URL+"/nodeinfo/2.1")
	if small.Header.Get("Content-Encoding") != "" || strings.HasSuffix(small.Header.Get("ETag"), `-gzip"`) {
		t.Errorf("GET /nodeinfo/2.1: Content-Encoding %q, ETag %s; want a short body unencoded, with the identity tag",
			small.Header.Get("Content-Encoding"), small.Header.Get("ETag"))
	}
}

// After a delete, Last-Modified moves on: a client that revalidates with
// If-Modified-Since gets the new document, not a 304 for its stale copy
// (issue 12: it was the latest updated_at of the remaining rows, which went
// back when the latest event was deleted).
func TestLastModifiedAfterDelete(t *testing.T) {
	clock := storetest.NewClock(time.Now().UTC().Truncate(time.Second))
	n := nodetest.Start(t, nodetest.Options{Now: clock.Now})
	setProfile(t, n, nil)
	clock.Advance(time.Minute)
	postEvent(t, n, nil)
	clock.Advance(time.Minute)
	latest := postEvent(t, n, nil)
	paths := []string{"/api/v1/calendar", "/calendar.ics", "/calendar.atom", "/events.ics"}
	seen := map[string]string{}
	for _, p := range paths {
		seen[p] = odGet(t, http.MethodGet, n.URL+p).Header.Get("Last-Modified")
	}
	clock.Advance(time.Minute)
	if code := n.Admin(http.MethodDelete, "/api/v1/admin/events/"+latest, nil, nil); code != http.StatusNoContent {
		t.Fatalf("delete: %d", code)
	}
	for _, p := range paths {
		r := odGet(t, http.MethodGet, n.URL+p, "If-Modified-Since", seen[p])
		if r.StatusCode != http.StatusOK || r.Header.Get("Last-Modified") == seen[p] {
			t.Errorf("GET %s, If-Modified-Since %s after a delete: %d, Last-Modified %s; want 200 and a later time",
				p, seen[p], r.StatusCode, r.Header.Get("Last-Modified"))
		}
	}
}
