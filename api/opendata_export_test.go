package api_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
	"go.yaml.in/yaml/v3"

	"github.com/ospod/ospod/api"
	"github.com/ospod/ospod/api/nodetest"
	"github.com/ospod/ospod/federation"
	"github.com/ospod/ospod/federation/ospometa"
	"github.com/ospod/ospod/store"
)

// TestOpenDataNetwork: A follows B; B's event reaches A's network calendar
// (iCalendar and Atom) with B's id as UID, and B joins A's directory
// exports; the country filter narrows every export.
func TestOpenDataNetwork(t *testing.T) {
	a := nodetest.Start(t, nodetest.Options{})
	b := nodetest.Start(t, nodetest.Options{})
	setProfile(t, a, func(p map[string]any) {
		// A formula in a cell must reach spreadsheets as text.
		p["name"] = map[string]string{"en": "=HYPERLINK(\"http://evil.example\",\"Exampleton\")"}
	})
	setProfile(t, b, func(p map[string]any) {
		p["name"] = map[string]string{"de": "Open-Source-Büro Beispielstadt"}
		p["language"], p["country"], p["website"] = "de", "DE", "https://opensource.beispielstadt.example"
		p["email"] = "ospo@beispielstadt.example"
		p["supportAreas"] = []string{"licensing", "training"}
	})
	// C asks directories not to list it: A follows it, but leaves it out of bulk exports.
	c := nodetest.Start(t, nodetest.Options{})
	setProfile(t, c, func(p map[string]any) {
		p["discoverable"], p["country"], p["website"] = false, "DE", "https://unlisted.example"
	})
	aID := postEvent(t, a, nil)
	follow(t, a, b)
	follow(t, a, c)
	for _, n := range []*nodetest.Node{b, c} {
		nodetest.Eventually(t, "A's follow accepted", func() bool { return followingState(t, a, n.URL+"/actor") == "accepted" })
	}
	bID := postEvent(t, b, func(e map[string]any) {
		e["name"] = map[string]string{"de": "Lizenzsprechstunde"}
		e["language"], e["timezone"] = "de", "Europe/Berlin"
		e["startTime"], e["endTime"] = "2032-05-03T14:00:00+02:00", "2032-05-03T15:00:00+02:00"
		e["location"].(map[string]any)["address"].(map[string]any)["addressCountry"] = "DE"
		e["location"].(map[string]any)["latitude"] = 52.52
		e["location"].(map[string]any)["longitude"] = 13.405
		e["status"] = "postponed"
	})
	bUID := b.URL + "/events/" + bID
	var cal *ics.Calendar
	nodetest.Eventually(t, "B's event in A's network calendar", func() bool {
		cal = parseICS(t, odFetch(t, a.URL+"/calendar.ics", "text/calendar; charset=utf-8"))
		return vevents(cal)[bUID] != nil
	})
	events := vevents(cal)
	if events[a.URL+"/events/"+aID] == nil || len(events) != 2 {
		t.Fatalf("A's network calendar: %v", slices.Collect(mapKeys(events)))
	}
	e := &events[bUID].ComponentBase
	checks := []struct{ what, got, want string }{
		{"SUMMARY", prop(e, "SUMMARY"), "Lizenzsprechstunde"},
		{"SUMMARY;LANGUAGE", param(e, "SUMMARY", "LANGUAGE"), "de"},
		{"DTSTART", prop(e, "DTSTART"), "20320503T140000"},
		{"DTSTART;TZID", param(e, "DTSTART", "TZID"), "Europe/Berlin"},
		{"DTEND", prop(e, "DTEND"), "20320503T150000"},
		{"GEO", prop(e, "GEO"), "52.52;13.405"},
		{"STATUS", prop(e, "STATUS"), "TENTATIVE"},
		{"URL", prop(e, "URL"), bUID},
		{"ORGANIZER", prop(e, "ORGANIZER"), "mailto:ospo@beispielstadt.example"},
		{"ORGANIZER;CN", param(e, "ORGANIZER", "CN"), "Open-Source-Büro Beispielstadt"},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("B's event %s = %q, want %q", ch.what, ch.got, ch.want)
		}
	}
	if got, want := instant(t, cal, events[bUID], "DTSTART"), time.Date(2032, 5, 3, 12, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("DTSTART through the VTIMEZONE = %v, want %v", got, want)
	}
	// The same event has the same UID on its own node.
	if vevents(parseICS(t, odFetch(t, b.URL+"/events.ics", "text/calendar; charset=utf-8")))[bUID] == nil {
		t.Error("B's own feed has another UID for the event")
	}

	for q, want := range map[string][]string{
		"?country=DE":              {bUID},
		"?country=FR":              {a.URL + "/events/" + aID},
		"?country=FR&online=false": {a.URL + "/events/" + aID},
		"?q=Lizenzsprechstunde":    {bUID},
	} {
		got := slices.Sorted(mapKeys(vevents(parseICS(t, odFetch(t, a.URL+"/calendar.ics"+q, "text/calendar; charset=utf-8")))))
		if !slices.Equal(got, want) {
			t.Errorf("calendar.ics%s: %v, want %v", q, got, want)
		}
	}
	if r := odGet(t, http.MethodGet, a.URL+"/calendar.ics?country=France"); r.StatusCode != http.StatusBadRequest {
		t.Errorf("bad filter: %d", r.StatusCode)
	}

	doc := parseAtom(t, odFetch(t, a.URL+"/calendar.atom", "application/atom+xml; charset=utf-8"))
	if doc.ID != a.URL+"/calendar" || len(doc.Entries) != 2 {
		t.Fatalf("calendar.atom: id %q, %d entries", doc.ID, len(doc.Entries))
	}
	for _, en := range doc.Entries {
		if en.ID == bUID && (en.Title != "Lizenzsprechstunde" || link(en.Links, "via", "text/html") != bUID ||
			en.Author.Name != "Open-Source-Büro Beispielstadt" || !strings.HasPrefix(link(en.Links, "alternate", "text/html"), a.URL+"/calendar/")) {
			t.Errorf("B's entry %+v", en)
		}
	}
	if doc := parseAtom(t, odFetch(t, a.URL+"/calendar.atom?country=DE", "application/atom+xml; charset=utf-8")); len(doc.Entries) != 1 || doc.Entries[0].ID != bUID {
		t.Errorf("calendar.atom?country=DE: %+v", doc.Entries)
	}

	// CSV: a header and one row per OSPO, the formula neutralised.
	rows, err := csv.NewReader(bytes.NewReader(odFetch(t, a.URL+"/directory.csv", "text/csv; charset=utf-8"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || strings.Join(rows[0], ",") != "id,name,kind,country,level,supportAreas,languages,website,email,account,founded,flossPolicy,codeForges,source,licence,updated" {
		t.Fatalf("CSV rows %q", rows)
	}
	byID := map[string][]string{}
	for _, r := range rows[1:] {
		byID[r[0]] = r
	}
	self, peer := byID[a.URL+"/actor"], byID[b.URL+"/actor"]
	if self == nil || peer == nil {
		t.Fatalf("CSV ids %v", slices.Collect(mapKeys(byID)))
	}
	if self[1] != `'=HYPERLINK("http://evil.example","Exampleton")` || self[2] != "self" {
		t.Errorf("self row %q", self)
	}
	if peer[1] != "Open-Source-Büro Beispielstadt" || peer[2] != "followed" || peer[3] != "DE" || peer[5] != "licensing;training" ||
		peer[9] != "ospo@"+b.Host || peer[13] != b.URL+"/actor" {
		t.Errorf("peer row %q", peer)
	}
	// C opted out (discoverable: false): followed, but listed nowhere.
	if _, err := a.Store.DirectoryEntry(t.Context(), c.URL+"/actor"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("C (discoverable: false) is in A's directory: %v", err)
	}
	if bytes.Contains(odFetch(t, a.URL+"/directory.csv", "text/csv; charset=utf-8"), []byte(c.URL)) {
		t.Error("an OSPO with discoverable: false is in the CSV export")
	}
	if rows := odCSV(t, a.URL+"/directory.csv?country=DE"); len(rows) != 2 || rows[1][0] != b.URL+"/actor" {
		t.Errorf("directory.csv?country=DE: %q", rows)
	}

	// JSON: the API's items, a licence, a source per entry.
	var dir struct {
		Licence struct{ ID, URL, Note string }
		Updated time.Time
		Total   int
		Items   []struct {
			ID, Kind, Source, Page string
			Profile                struct {
				Country string
				Name    map[string]string
			}
		}
	}
	if err := json.Unmarshal(odFetch(t, a.URL+"/directory.json", "application/json; charset=utf-8"), &dir); err != nil {
		t.Fatal(err)
	}
	if dir.Licence.ID != "CC0-1.0" || dir.Licence.URL != "https://creativecommons.org/publicdomain/zero/1.0/" ||
		!strings.Contains(dir.Licence.Note, "republished as received") || dir.Updated.IsZero() || dir.Total != 2 || len(dir.Items) != 2 {
		t.Fatalf("directory.json %+v", dir)
	}
	for _, it := range dir.Items {
		if it.ID == b.URL+"/actor" && (it.Source != b.URL+"/actor" || it.Kind != "followed" || it.Profile.Country != "DE" ||
			it.Profile.Name["de"] != "Open-Source-Büro Beispielstadt") {
			t.Errorf("B's item %+v", it)
		}
	}
	if err := json.Unmarshal(odFetch(t, a.URL+"/directory.json?country=DE", "application/json; charset=utf-8"), &dir); err != nil || dir.Total != 1 || dir.Items[0].ID != b.URL+"/actor" {
		t.Errorf("directory.json?country=DE: %v %+v", err, dir.Items)
	}

	// OSPOmeta: keyed by website, the licence in a comment.
	body := odFetch(t, a.URL+"/directory.ospometa.yml", "application/yaml; charset=utf-8")
	if !bytes.HasPrefix(body, []byte("# OSPOmeta")) || !bytes.Contains(body, []byte("# Licence: CC0-1.0 (https://creativecommons.org/publicdomain/zero/1.0/)")) {
		t.Errorf("OSPOmeta header:\n%s", body)
	}
	var meta map[string]ospometa.Entry
	if err := yaml.Unmarshal(body, &meta); err != nil {
		t.Fatalf("not YAML: %v\n%s", err, body)
	}
	bm, ok := meta["https://opensource.beispielstadt.example"]
	if len(meta) != 2 || !ok || bm.Name != "Open-Source-Büro Beispielstadt" || bm.Country != "DE" || bm.Actor != b.URL+"/actor" ||
		bm.Account != "ospo@"+b.Host || bm.Source != b.URL+"/actor" {
		t.Errorf("OSPOmeta %+v", meta)
	}
	if am := meta["https://opensource.exampleton.example"]; am.Email != "ospo@exampleton.example" || am.FlossPolicy == "" || len(am.Code) != 2 {
		t.Errorf("A in OSPOmeta %+v", am)
	}
	var fr map[string]ospometa.Entry
	if err := yaml.Unmarshal(odFetch(t, a.URL+"/directory.ospometa.yml?country=FR", "application/yaml; charset=utf-8"), &fr); err != nil || len(fr) != 1 {
		t.Errorf("OSPOmeta?country=FR: %v %v", err, fr)
	}
}

func odCSV(t *testing.T, url string) [][]string {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(odFetch(t, url, "text/csv; charset=utf-8"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestOpenDataCaching: every feed and export has a strong ETag, a
// Last-Modified, public caching, CORS and the licence link, and answers
// conditional requests (If-None-Match before If-Modified-Since) and HEAD.
func TestOpenDataCaching(t *testing.T) {
	n := nodetest.Start(t, nodetest.Options{})
	setProfile(t, n, nil)
	id := postEvent(t, n, nil)
	feeds := map[string]string{
		"/events.ics":             "text/calendar; charset=utf-8",
		"/events/" + id + ".ics":  "text/calendar; charset=utf-8",
		"/events.atom":            "application/atom+xml; charset=utf-8",
		"/calendar.ics":           "text/calendar; charset=utf-8",
		"/calendar.atom":          "application/atom+xml; charset=utf-8",
		"/directory.csv":          "text/csv; charset=utf-8",
		"/directory.json":         "application/json; charset=utf-8",
		"/directory.ospometa.yml": "application/yaml; charset=utf-8",
		"/api/v1/open-data":       "application/json; charset=utf-8",
	}
	for path, mediaType := range feeds {
		t.Run(path, func(t *testing.T) {
			url := n.URL + path
			r := odGet(t, http.MethodGet, url)
			etag, lm := r.Header.Get("ETag"), r.Header.Get("Last-Modified")
			if r.StatusCode != 200 || r.Header.Get("Content-Type") != mediaType {
				t.Fatalf("%d %q", r.StatusCode, r.Header.Get("Content-Type"))
			}
			if !strings.HasPrefix(etag, `"`) || len(etag) < 10 {
				t.Errorf("ETag %q is not a strong validator", etag)
			}
			for h, want := range map[string]string{"Cache-Control": "public, max-age=300", "Access-Control-Allow-Origin": "*",
				"Link": `<https://creativecommons.org/publicdomain/zero/1.0/>; rel="license"`} {
				if got := r.Header.Get(h); got != want {
					t.Errorf("%s: %q, want %q", h, got, want)
				}
			}
			if path == "/api/v1/open-data" {
				lm = time.Now().UTC().Format(http.TimeFormat) // an index, not data: no Last-Modified
			} else if _, err := http.ParseTime(lm); err != nil {
				t.Fatalf("Last-Modified %q", lm)
			}
			lmTime, _ := http.ParseTime(lm)
			before := lmTime.Add(-time.Hour).Format(http.TimeFormat)
			cases := []struct {
				name    string
				headers []string
				want    int
			}{
				{"If-None-Match", []string{"If-None-Match", etag}, 304},
				{"If-None-Match list, weak", []string{"If-None-Match", `"x", W/` + etag}, 304},
				{"If-None-Match *", []string{"If-None-Match", "*"}, 304},
				{"If-None-Match other", []string{"If-None-Match", `"other"`}, 200},
				{"If-Modified-Since", []string{"If-Modified-Since", lm}, 304},
				{"If-Modified-Since earlier", []string{"If-Modified-Since", before}, 200},
				{"If-None-Match wins", []string{"If-None-Match", `"other"`, "If-Modified-Since", lm}, 200},
			}
			for _, c := range cases {
				if path == "/api/v1/open-data" && strings.HasPrefix(c.name, "If-Modified-Since") {
					continue
				}
				r := odGet(t, http.MethodGet, url, c.headers...)
				if r.StatusCode != c.want {
					t.Errorf("%s: %d, want %d", c.name, r.StatusCode, c.want)
				}
				if c.want == 304 && (len(r.body) != 0 || r.Header.Get("ETag") != etag) {
					t.Errorf("%s: 304 with %d body bytes, ETag %q", c.name, len(r.body), r.Header.Get("ETag"))
				}
			}
			// HEAD answers the headers GET would: the GET above took gzip
			// (Go's client asks for it), so this one asks too (same ETag).
			h := odGet(t, http.MethodHead, url, "Accept-Encoding", "gzip")
			if h.StatusCode != 200 || len(h.body) != 0 || h.Header.Get("ETag") != etag || h.Header.Get("Content-Type") != mediaType {
				t.Errorf("HEAD: %d, %d bytes, ETag %q", h.StatusCode, len(h.body), h.Header.Get("ETag"))
			}
		})
	}

	// A change gives a new ETag, so the old one no longer matches.
	before := odGet(t, http.MethodGet, n.URL+"/events.ics").Header.Get("ETag")
	time.Sleep(1100 * time.Millisecond) // Last-Modified has one-second resolution
	postEvent(t, n, nil)
	r := odGet(t, http.MethodGet, n.URL+"/events.ics", "If-None-Match", before)
	if r.StatusCode != 200 || r.Header.Get("ETag") == before {
		t.Errorf("after a change: %d, ETag %q", r.StatusCode, r.Header.Get("ETag"))
	}
	if len(vevents(parseICS(t, r.body))) != 2 {
		t.Error("the new event is missing")
	}
}

// TestOpenDataIndex: /api/v1/open-data lists every feed; each one answers
// with the media type the index gives.
func TestOpenDataIndex(t *testing.T) {
	n := nodetest.Start(t, nodetest.Options{})
	setProfile(t, n, nil)
	id := postEvent(t, n, nil)
	var idx struct {
		Licence struct{ ID, URL, Note string }
		Feeds   []struct {
			URL, MediaType, Title, Description string
			Filters                            []string
		}
	}
	if err := json.Unmarshal(odFetch(t, n.URL+"/api/v1/open-data", "application/json; charset=utf-8"), &idx); err != nil {
		t.Fatal(err)
	}
	if idx.Licence.ID != "CC0-1.0" || len(idx.Feeds) < 9 {
		t.Fatalf("index %+v", idx)
	}
	for _, f := range idx.Feeds {
		if f.Title == "" || f.Description == "" {
			t.Errorf("%s: no title or description", f.URL)
		}
		url := strings.Replace(f.URL, "{id}", id, 1)
		mt := f.MediaType
		if url == n.URL+"/ospometa.yml" {
			mt = "application/yaml; charset=utf-8"
		}
		if r := odGet(t, http.MethodGet, url); r.StatusCode != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), strings.Split(mt, ";")[0]) {
			t.Errorf("%s: %d %q, index says %q", url, r.StatusCode, r.Header.Get("Content-Type"), f.MediaType)
		}
	}
}

// TestOpenDataLicence: the operator's licence reaches every statement; an
// identifier that is not SPDX-shaped is never replaced by a permissive one.
func TestOpenDataLicence(t *testing.T) {
	for _, c := range []struct{ option, id, url string }{
		{"CC-BY-4.0", "CC-BY-4.0", "https://creativecommons.org/licenses/by/4.0/"},
		{"MIT", "MIT", "https://spdx.org/licenses/MIT.html"},
		{"all rights\r\nreserved", "NOASSERTION", ""},
	} {
		t.Run(c.id, func(t *testing.T) {
			base := startWithOptions(t, api.Options{DataLicence: c.option})
			r := odGet(t, http.MethodGet, base+"/directory.json")
			want := "<" + c.url + `>; rel="license"`
			if c.url == "" {
				want = ""
			}
			if got := r.Header.Get("Link"); got != want {
				t.Errorf("Link %q, want %q", got, want)
			}
			var doc struct{ Licence struct{ ID, URL string } }
			if err := json.Unmarshal(r.body, &doc); err != nil || doc.Licence.ID != c.id || doc.Licence.URL != c.url {
				t.Errorf("licence %+v %v", doc.Licence, err)
			}
			if got := calProp(parseICS(t, odGet(t, http.MethodGet, base+"/events.ics").body), "X-LICENSE"); got != c.id {
				t.Errorf("X-LICENSE %q", got)
			}
			if y := odGet(t, http.MethodGet, base+"/directory.ospometa.yml").body; !bytes.Contains(y, []byte("# Licence: "+c.id)) {
				t.Errorf("OSPOmeta:\n%s", y)
			}
		})
	}
	if !api.ValidDataLicence("CC0-1.0") || api.ValidDataLicence("CC0 1.0") {
		t.Error("ValidDataLicence")
	}
}

// startWithOptions serves a node with the given API options (nodetest
// does not take them) and returns its base URL.
func startWithOptions(t *testing.T, o api.Options) string {
	t.Helper()
	var h http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	n, err := federation.Open(ctx, federation.OpenOptions{Dir: t.TempDir(),
		Node: federation.Options{BaseURL: srv.URL, Handle: "ospo", AllowPrivateNetworks: true}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	h = api.New(n, o).Handler()
	return srv.URL
}

// TestDirectoryCSVByteOrderMark: ?bom=1 starts the CSV with the UTF-8 byte
// order mark, without which Excel on Windows reads it as Windows-1252 and
// shows "LumiÃ¨re" (issue 12). It is another body, so it has its own
// validators; a value other than a yes or a no is a 400.
func TestDirectoryCSVByteOrderMark(t *testing.T) {
	n := nodetest.Start(t, nodetest.Options{})
	setProfile(t, n, nil)
	const bom = "\uFEFF"
	plain := odFetch(t, n.URL+"/directory.csv", "text/csv; charset=utf-8")
	if bytes.HasPrefix(plain, []byte(bom)) {
		t.Errorf("plain CSV starts with a BOM")
	}
	for _, q := range []string{"?bom=1", "?bom=true", "?bom=1&country=DE"} {
		r := odGet(t, http.MethodGet, n.URL+"/directory.csv"+q)
		if r.StatusCode != http.StatusOK || r.Header.Get("Content-Type") != "text/csv; charset=utf-8" {
			t.Errorf("%s: %d %q", q, r.StatusCode, r.Header.Get("Content-Type"))
			continue
		}
		if q == "?bom=1" && string(r.body) != bom+string(plain) {
			t.Errorf("%s: %.40q, want the BOM then the plain CSV %.40q", q, r.body, plain)
		}
		if !bytes.HasPrefix(r.body, []byte(bom)) {
			t.Errorf("%s: %.20q does not start with the BOM", q, r.body)
		}
	}
	tagged := odGet(t, http.MethodGet, n.URL+"/directory.csv?bom=1", "Accept-Encoding", "identity")
	untagged := odGet(t, http.MethodGet, n.URL+"/directory.csv", "Accept-Encoding", "identity")
	if tagged.Header.Get("ETag") == untagged.Header.Get("ETag") {
		t.Errorf("the BOM variant has the plain CSV's ETag %s", tagged.Header.Get("ETag"))
	}
	if r := odGet(t, http.MethodGet, n.URL+"/directory.csv?bom=0"); !bytes.Equal(r.body, plain) {
		t.Errorf("?bom=0: %.20q, want the plain CSV", r.body)
	}
	if r := odGet(t, http.MethodGet, n.URL+"/directory.csv?bom=maybe"); r.StatusCode != http.StatusBadRequest {
		t.Errorf("?bom=maybe: %d, want 400", r.StatusCode)
	}
}
