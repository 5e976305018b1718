package store_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/ospod/ospod/store"
	"github.com/ospod/ospod/store/storetest"
)

// fieldsOf returns the field names a validation error reports, in order; nil for nil.
func fieldsOf(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var ve *store.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error %v (%T) is not a *store.ValidationError", err, err)
	}
	if !strings.HasPrefix(ve.Error(), "invalid document: ") {
		t.Errorf("Error() = %q, want the prefix %q", ve.Error(), "invalid document: ")
	}
	out := []string{}
	for _, f := range ve.Fields {
		if f.Reason == "" {
			t.Errorf("field %s has an empty reason", f.Field)
		}
		out = append(out, f.Field)
	}
	return out
}

func ptr[T any](v T) *T { return &v }

func TestProfileValidation(t *testing.T) {
	long := func(n int) string { return strings.Repeat("é", n) } // runes, not bytes, are counted
	tests := []struct {
		name  string
		edit  func(p *store.Profile)
		want  []string                         // invalid fields, in reported order; nil: valid
		check func(*testing.T, *store.Profile) // after a successful validation
	}{
		{name: "fixture is valid", edit: func(p *store.Profile) {}},
		{name: "unknown support area", edit: func(p *store.Profile) { p.SupportAreas = []string{"strategy", "dancing"} },
			want: []string{"supportAreas[1]"}},
		{name: "support area twice", edit: func(p *store.Profile) { p.SupportAreas = []string{"training", "training"} },
			want: []string{"supportAreas[1]"}},
		{name: "more areas than exist", edit: func(p *store.Profile) {
			p.SupportAreas = append(append([]string{}, store.SupportAreas()...), "strategy")
		}, want: []string{"supportAreas", "supportAreas[8]"}},
		{name: "every support area", edit: func(p *store.Profile) { p.SupportAreas = append([]string{}, store.SupportAreas()...) }},
		{name: "bad country code", edit: func(p *store.Profile) { p.Country = "XX" }, want: []string{"country"}},
		{name: "alpha-3 country code", edit: func(p *store.Profile) { p.Country = "FRA" }, want: []string{"country"}},
		{name: "missing country", edit: func(p *store.Profile) { p.Country = "" }, want: []string{"country"}},
		{name: "lower-case country normalised", edit: func(p *store.Profile) { p.Country = " fr " },
			check: func(t *testing.T, p *store.Profile) {
				if p.Country != "FR" {
					t.Errorf("country = %q, want FR", p.Country)
				}
			}},
		{name: "EU and INT are countries", edit: func(p *store.Profile) { p.Country = "eu" }},
		{name: "empty name", edit: func(p *store.Profile) { p.Name = nil }, want: []string{"name"}},
		{name: "blank name texts", edit: func(p *store.Profile) { p.Name = store.LangMap{"en": "  ", "fr": ""} }, want: []string{"name"}},
		{name: "oversized name", edit: func(p *store.Profile) { p.Name = store.LangMap{"en": long(201)} }, want: []string{"name.en"}},
		{name: "name at the limit", edit: func(p *store.Profile) { p.Name = store.LangMap{"en": long(200)} }},
		{name: "oversized summary", edit: func(p *store.Profile) { p.Summary = store.LangMap{"fr": long(2001)} }, want: []string{"summary.fr"}},
		{name: "oversized mandate", edit: func(p *store.Profile) { p.Mandate = store.LangMap{"en": long(20001)} }, want: []string{"mandate.en"}},
		{name: "bad language key in a text", edit: func(p *store.Profile) { p.Name = store.LangMap{"en": "OSPO", "not a tag": "x"} },
			want: []string{"name.not a tag"}},
		{name: "too many languages", edit: func(p *store.Profile) {
			p.Name = store.LangMap{}
			for _, tag := range strings.Fields("en fr de es it nl pt pl cs sk sl hu ro bg el da sv fi et lv lt ga mt hr eu") {
				p.Name[tag] = "OSPO"
			}
		}, want: []string{"name"}},
		{name: "invalid URL", edit: func(p *store.Profile) { p.Website = "not a url" }, want: []string{"website"}},
		{name: "relative URL", edit: func(p *store.Profile) { p.Website = "/about" }, want: []string{"website"}},
		{name: "javascript: URL", edit: func(p *store.Profile) { p.Website = "javascript:alert(1)" }, want: []string{"website"}},
		{name: "ftp URL", edit: func(p *store.Profile) { p.FlossPolicy = "ftp://files.example/policy.pdf" }, want: []string{"flossPolicy"}},
		{name: "URL with credentials", edit: func(p *store.Profile) { p.Logo = "https://user:pw@img.example/logo.png" }, want: []string{"logo"}},
		{name: "oversized URL", edit: func(p *store.Profile) { p.Website = "https://x.example/" + strings.Repeat("a", 2048) }, want: []string{"website"}},
		{name: "empty code forge", edit: func(p *store.Profile) { p.CodeForges = []string{"https://code.example", ""} }, want: []string{"codeForges[1]"}},
		{name: "too many code forges", edit: func(p *store.Profile) {
			p.CodeForges = make([]string, 51)
			for i := range p.CodeForges {
				p.CodeForges[i] = "https://code.example"
			}
		}, want: []string{"codeForges"}},
		{name: "bad email", edit: func(p *store.Profile) { p.Email = "not-an-email" }, want: []string{"email"}},
		{name: "email with display name", edit: func(p *store.Profile) { p.Email = "OSPO <ospo@city.example>" }, want: []string{"email"}},
		{name: "mailto: email normalised", edit: func(p *store.Profile) { p.Email = "mailto:ospo@city.example" },
			check: func(t *testing.T, p *store.Profile) {
				if p.Email != "ospo@city.example" {
					t.Errorf("email = %q, want ospo@city.example", p.Email)
				}
			}},
		{name: "bad language tag", edit: func(p *store.Profile) { p.Language = "english" }, want: []string{"language"}},
		{name: "language tag canonicalised", edit: func(p *store.Profile) { p.Language = "FR-be" },
			check: func(t *testing.T, p *store.Profile) {
				if p.Language != "fr-BE" {
					t.Errorf("language = %q, want fr-BE", p.Language)
				}
			}},
		{name: "missing government level", edit: func(p *store.Profile) { p.GovernmentLevel = "" }, want: []string{"governmentLevel"}},
		{name: "unknown government level", edit: func(p *store.Profile) { p.GovernmentLevel = "federal" }, want: []string{"governmentLevel"}},
		{name: "bad founded month", edit: func(p *store.Profile) { p.Founded = "2023-13" }, want: []string{"founded"}},
		{name: "bad founded day", edit: func(p *store.Profile) { p.Founded = "2023-02-30" }, want: []string{"founded"}},
		{name: "two-digit founded", edit: func(p *store.Profile) { p.Founded = "23" }, want: []string{"founded"}},
		{name: "founded date", edit: func(p *store.Profile) { p.Founded = "2023-03-14" }},
		{name: "negative team size", edit: func(p *store.Profile) { p.TeamSize = ptr(-1) }, want: []string{"teamSize"}},
		{name: "identifier scheme and value", edit: func(p *store.Profile) {
			p.Identifiers = []store.Identifier{{Scheme: "wikidata", Value: "Q1"}, {Scheme: "WikiData", Value: "", URL: "wikidata"}}
		}, want: []string{"identifiers[1].scheme", "identifiers[1].value", "identifiers[1].url"}},
		{name: "latitude out of range", edit: func(p *store.Profile) { p.Location.Latitude = ptr(91.0) }, want: []string{"location.latitude"}},
		{name: "longitude out of range", edit: func(p *store.Profile) { p.Location.Longitude = ptr(-180.5) }, want: []string{"location.longitude"}},
		{name: "latitude without longitude", edit: func(p *store.Profile) { p.Location.Longitude = nil }, want: []string{"location"}},
		{name: "empty location", edit: func(p *store.Profile) { p.Location = &store.Place{} }, want: []string{"location"}},
		{name: "bad address country", edit: func(p *store.Profile) { p.Location.Address.AddressCountry = "ZZ" },
			want: []string{"location.address.addressCountry"}},
		{name: "oversized postal code", edit: func(p *store.Profile) { p.Location.Address.PostalCode = strings.Repeat("9", 33) },
			want: []string{"location.address.postalCode"}},
		{name: "parent organisation without name", edit: func(p *store.Profile) {
			p.ParentOrganization = &store.Organization{URL: "https://city.example"}
		}, want: []string{"parentOrganization.name"}},
		{name: "empty parent organisation dropped", edit: func(p *store.Profile) { p.ParentOrganization = &store.Organization{} },
			check: func(t *testing.T, p *store.Profile) {
				if p.ParentOrganization != nil {
					t.Errorf("parentOrganization = %+v, want nil", p.ParentOrganization)
				}
			}},
		{name: "membership without name, bad URL", edit: func(p *store.Profile) {
			p.Memberships = []store.Organization{{Name: store.LangMap{"en": "EU OSPO Network"}}, {URL: "network.example"}}
		}, want: []string{"memberships[1].name", "memberships[1].url"}},
		{name: "several fields at once", edit: func(p *store.Profile) {
			p.Name, p.Country, p.SupportAreas, p.Website, p.Email = nil, "ATL", []string{"magic"}, "javascript:void(0)", "@"
		}, want: []string{"name", "country", "supportAreas[0]", "website", "email"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := storetest.Profile()
			tt.edit(p)
			p.Normalize()
			err := p.Validate()
			if got := fieldsOf(t, err); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("invalid fields = %q, want %q (error: %v)", got, tt.want, err)
			}
			if err == nil && tt.check != nil {
				tt.check(t, p)
			}
		})
	}
}

func TestEventValidation(t *testing.T) {
	start := time.Date(2032, 4, 14, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		edit  func(e *store.Event)
		want  []string
		check func(*testing.T, *store.Event)
	}{
		{name: "fixture is valid", edit: func(e *store.Event) {}},
		{name: "end before start", edit: func(e *store.Event) { e.EndTime = "2032-04-14T09:00:00+02:00" }, want: []string{"endTime"}},
		{name: "end equals start", edit: func(e *store.Event) { e.EndTime = e.StartTime }, want: []string{"endTime"}},
		{name: "end more than a year later", edit: func(e *store.Event) { e.EndTime = "2028-04-15T10:00:00+02:00" }, want: []string{"endTime"}},
		{name: "missing offset in startTime", edit: func(e *store.Event) { e.StartTime = "2032-04-14T10:00:00" }, want: []string{"startTime"}},
		{name: "date only", edit: func(e *store.Event) { e.EndTime = "2032-04-15" }, want: []string{"endTime"}},
		{name: "missing times", edit: func(e *store.Event) { e.StartTime, e.EndTime = "", "" }, want: []string{"startTime", "endTime"}},
		{name: "before 1970", edit: func(e *store.Event) { e.StartTime = "1969-12-31T10:00:00Z" }, want: []string{"startTime"}},
		{name: "lower-case z accepted", edit: func(e *store.Event) {
			e.StartTime, e.EndTime = "2032-04-14t08:00:00z", "2032-04-14t09:30:00z"
		}, check: func(t *testing.T, e *store.Event) {
			if e.StartTime != "2032-04-14T10:00:00+02:00" {
				t.Errorf("startTime = %q, want it in the event's zone", e.StartTime)
			}
		}},
		{name: "times rewritten in the event's zone", edit: func(e *store.Event) {
			e.StartTime, e.EndTime, e.Timezone = "2032-04-14T08:00:00Z", "2032-04-14T05:30:00-04:00", "America/New_York"
		}, check: func(t *testing.T, e *store.Event) {
			if e.StartTime != "2032-04-14T04:00:00-04:00" || e.EndTime != "2032-04-14T05:30:00-04:00" {
				t.Errorf("times = %s - %s, want 2032-04-14T04:00:00-04:00 - 2032-04-14T05:30:00-04:00", e.StartTime, e.EndTime)
			}
			if !e.Start.Equal(start) || e.Start.Location() != time.UTC || !e.End.Equal(start.Add(90*time.Minute)) {
				t.Errorf("Start/End = %v / %v, want UTC instants", e.Start, e.End)
			}
		}},
		{name: "an offset that contradicts the time zone", edit: func(e *store.Event) {
			e.StartTime, e.EndTime = "2032-04-14T10:00:00+05:00", "2032-04-14T11:30:00+00:00"
		}, want: []string{"startTime", "endTime"}},
		{name: "winter offset in summer", edit: func(e *store.Event) { e.StartTime = "2032-04-14T09:00:00+01:00" }, want: []string{"startTime"}},
		{name: "both offsets of a repeated hour", edit: func(e *store.Event) {
			e.Timezone, e.StartTime, e.EndTime = "America/New_York", "2032-11-07T01:30:00-04:00", "2032-11-07T01:30:00-05:00"
		}},
		{name: "invalid time zone", edit: func(e *store.Event) { e.Timezone = "Europe/Atlantis" }, want: []string{"timezone"}},
		{name: "Local is not a time zone", edit: func(e *store.Event) { e.Timezone = "Local" }, want: []string{"timezone"}},
		{name: "missing time zone", edit: func(e *store.Event) { e.Timezone = "" }, want: []string{"timezone"}},
		{name: "latitude out of range", edit: func(e *store.Event) {
			e.Location = &store.Place{Name: "Hall", Latitude: ptr(-90.5), Longitude: ptr(2.0)}
		}, want: []string{"location.latitude"}},
		{name: "bad category", edit: func(e *store.Event) { e.Category = "PARTYING" }, want: []string{"category"}},
		{name: "lower-case category normalised", edit: func(e *store.Event) { e.Category = "science_tech" },
			check: func(t *testing.T, e *store.Event) {
				if e.Category != "SCIENCE_TECH" {
					t.Errorf("category = %q", e.Category)
				}
			}},
		{name: "bad status", edit: func(e *store.Event) { e.Status = "maybe" }, want: []string{"status"}},
		{name: "empty status is scheduled", edit: func(e *store.Event) { e.Status = "" },
			check: func(t *testing.T, e *store.Event) {
				if e.Status != "scheduled" {
					t.Errorf("status = %q, want scheduled", e.Status)
				}
			}},
		{name: "too many tags", edit: func(e *store.Event) {
			e.Tags = make([]string, 21)
			for i := range e.Tags {
				e.Tags[i] = "t"
			}
		}, want: []string{"tags"}},
		{name: "bad tag", edit: func(e *store.Event) { e.Tags = []string{"ok", "two words", ""} }, want: []string{"tags[1]", "tags[2]"}},
		{name: "hash in tags dropped", edit: func(e *store.Event) { e.Tags = []string{"#EUPL", " #open_source "} },
			check: func(t *testing.T, e *store.Event) {
				if !reflect.DeepEqual(e.Tags, []string{"EUPL", "open_source"}) {
					t.Errorf("tags = %q", e.Tags)
				}
			}},
		{name: "empty name", edit: func(e *store.Event) { e.Name = store.LangMap{} }, want: []string{"name"}},
		{name: "oversized name", edit: func(e *store.Event) { e.Name = store.LangMap{"de": strings.Repeat("x", 301)} }, want: []string{"name.de"}},
		{name: "oversized description", edit: func(e *store.Event) { e.Description = store.LangMap{"en": strings.Repeat("x", 20001)} },
			want: []string{"description.en"}},
		{name: "javascript: online URL", edit: func(e *store.Event) { e.Online = &store.OnlineLocation{URL: "javascript:alert(1)"} },
			want: []string{"online.url"}},
		{name: "online without URL", edit: func(e *store.Event) { e.Online = &store.OnlineLocation{Name: "Room"} }, want: []string{"online.url"}},
		{name: "invalid registration and image URLs", edit: func(e *store.Event) { e.RegistrationURL, e.Image = "register here", "data:image/png;base64,AAAA" },
			want: []string{"registrationUrl", "image"}},
		{name: "bad language tag", edit: func(e *store.Event) { e.Language = "123" }, want: []string{"language"}},
		{name: "several fields at once", edit: func(e *store.Event) {
			e.Name, e.Timezone, e.Status, e.Category = nil, "Mars/Olympus", "done", "x"
			e.EndTime = "2032-04-14T09:00:00+02:00"
		}, want: []string{"name", "timezone", "endTime", "status", "category"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := storetest.Event(start)
			e.StartTime, e.EndTime = "2032-04-14T10:00:00+02:00", "2032-04-14T11:30:00+02:00"
			e.Start, e.End = time.Time{}, time.Time{}
			tt.edit(e)
			e.Normalize("en")
			err := e.Validate()
			if got := fieldsOf(t, err); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("invalid fields = %q, want %q (error: %v)", got, tt.want, err)
			}
			if err != nil && (!e.Start.IsZero() || !e.End.IsZero()) {
				t.Errorf("invalid event got Start/End set: %v %v", e.Start, e.End)
			}
			if err == nil && tt.check != nil {
				tt.check(t, e)
			}
		})
	}
}

func TestLangMapJSON(t *testing.T) {
	tests := []struct {
		in      string
		want    store.LangMap
		wantErr bool
	}{
		{`"Hello"`, store.LangMap{"und": "Hello"}, false},
		{`""`, nil, false},
		{`null`, nil, false},
		{`{"en":"Hello","fr":"Bonjour"}`, store.LangMap{"en": "Hello", "fr": "Bonjour"}, false},
		{`{}`, store.LangMap{}, false},
		{`42`, nil, true},
		{`["Hello"]`, nil, true},
		{`{"en":1}`, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var m store.LangMap
			err := json.Unmarshal([]byte(tt.in), &m)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Unmarshal(%s) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			}
			if !tt.wantErr && !reflect.DeepEqual(m, tt.want) {
				t.Errorf("Unmarshal(%s) = %#v, want %#v", tt.in, m, tt.want)
			}
		})
	}

	// It is written back as a map.
	b, err := json.Marshal(store.LangMap{"fr": "Bonjour", "en": "Hello"})
	if err != nil || string(b) != `{"en":"Hello","fr":"Bonjour"}` {
		t.Errorf("Marshal = %s, %v", b, err)
	}
}

// A plain-string text takes the document's language on Normalize; tags are canonicalised.
func TestLangMapNormalize(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want store.LangMap
	}{
		{"string without language is en", `{"name":"OSPO"}`, store.LangMap{"en": "OSPO"}},
		{"string takes the document language", `{"name":"OSPO","language":"fr"}`, store.LangMap{"fr": "OSPO"}},
		{"tags canonicalised, blanks dropped", `{"name":{"EN-gb":" OSPO ","fr":"  "}}`, store.LangMap{"en-GB": "OSPO"}},
		{"und kept when the language is taken", `{"name":{"und":"A","en":"B"}}`, store.LangMap{"und": "A", "en": "B"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p store.Profile
			if err := json.Unmarshal([]byte(tt.doc), &p); err != nil {
				t.Fatal(err)
			}
			p.Normalize()
			if !reflect.DeepEqual(p.Name, tt.want) {
				t.Errorf("name = %#v, want %#v", p.Name, tt.want)
			}
		})
	}
}

func TestLangMapBest(t *testing.T) {
	m := store.LangMap{"en-GB": "colour", "fr": "couleur", "de": "Farbe"}
	tests := []struct {
		name      string
		m         store.LangMap
		fallback  string
		prefs     []string
		text, tag string
	}{
		{"exact preference", m, "de", []string{"fr"}, "couleur", "fr"},
		{"first matching preference wins", m, "de", []string{"es", "de", "fr"}, "Farbe", "de"},
		{"base language match", m, "de", []string{"en"}, "colour", "en-GB"},
		{"region variant matches base", m, "de", []string{"fr-CA"}, "couleur", "fr"},
		{"fallback when nothing matches", m, "de", []string{"es"}, "Farbe", "de"},
		{"fallback without preferences", m, "fr", nil, "couleur", "fr"},
		{"first tag when no fallback", m, "it", []string{"es"}, "Farbe", "de"},
		{"empty map", store.LangMap{}, "en", []string{"en"}, "", ""},
		{"nil map", nil, "en", nil, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text, tag := tt.m.Best(tt.fallback, tt.prefs...)
			if text != tt.text || tag != tt.tag {
				t.Errorf("Best(%q, %q) = %q, %q; want %q, %q", tt.fallback, tt.prefs, text, tag, tt.text, tt.tag)
			}
		})
	}
}

func TestProfileNormalizeDropsTimestamps(t *testing.T) {
	// Published and Updated are read-only: Normalize clears what a client sent.
	var p store.Profile
	doc := `{"name":"OSPO","country":"BE","governmentLevel":"other","published":"2001-01-01T00:00:00Z","updated":"2001-01-01T00:00:00Z"}`
	if err := json.Unmarshal([]byte(doc), &p); err != nil {
		t.Fatal(err)
	}
	p.Normalize()
	if !p.Published.IsZero() || !p.Updated.IsZero() {
		t.Errorf("Normalize kept client timestamps: %v %v", p.Published, p.Updated)
	}
	if err := p.Validate(); err != nil {
		t.Errorf("minimal profile: %v", err)
	}
}

func TestPlaceText(t *testing.T) {
	lat, lon := 48.85660, 2.35220
	places := []struct {
		p    store.Place
		want string
	}{
		{store.Place{Name: "Hall"}, "Hall"},
		{store.Place{Name: "Hall", Address: &store.PostalAddress{StreetAddress: "1 Main St", PostalCode: "1000", AddressLocality: "Brussels", AddressCountry: "BE"}},
			"Hall, 1 Main St, 1000 Brussels, BE"},
		{store.Place{Latitude: &lat, Longitude: &lon}, "48.85660, 2.35220"},
	}
	for _, tt := range places {
		if got := tt.p.Text(); got != tt.want {
			t.Errorf("Place.Text = %q, want %q", got, tt.want)
		}
	}
}

// The vocabularies are copies: a caller writing into one changes nothing
// that validation accepts.
func TestVocabulariesAreCopies(t *testing.T) {
	for _, vocab := range [][]string{store.GovernmentLevels(), store.SupportAreas(), store.EventStatuses(), store.EventCategories()} {
		if len(vocab) == 0 {
			t.Fatal("empty vocabulary")
		}
		for i := range vocab {
			vocab[i] = "changed"
		}
	}
	p := storetest.Profile()
	p.GovernmentLevel, p.SupportAreas = store.GovernmentLevels()[0], store.SupportAreas()
	if err := p.Validate(); err != nil {
		t.Errorf("after writing into the returned slices: %v", err)
	}
	if got := store.SupportAreas()[0]; got != "strategy" {
		t.Errorf("SupportAreas()[0] = %q after a caller changed its copy", got)
	}
}

func TestOffsetMessage(t *testing.T) {
	e := storetest.Event(time.Date(2032, 4, 14, 8, 0, 0, 0, time.UTC))
	e.StartTime, e.EndTime, e.Timezone = "2032-04-14T10:00:00+05:00", "2032-04-14T11:30:00+02:00", "Europe/Paris"
	e.Normalize("en")
	var ve *store.ValidationError
	if err := e.Validate(); !errors.As(err, &ve) || len(ve.Fields) != 1 {
		t.Fatalf("Validate: %v", err)
	}
	want := "has the offset +05:00, but Europe/Paris is at +02:00 on 2032-04-14: write 2032-04-14T10:00:00+02:00 for 10:00 there, or give the time in UTC (ending in Z)"
	if got := ve.Fields[0]; got.Field != "startTime" || got.Reason != want {
		t.Errorf("got %s: %s\nwant startTime: %s", got.Field, got.Reason, want)
	}
}

// TestErrorTextsStayUTF8: a remote error text cut to its stored length
// never ends in half a character.
func TestErrorTextsStayUTF8(t *testing.T) {
	st := storetest.Open(t)
	ctx := t.Context()
	long := strings.Repeat("é", 400) // 800 bytes: byte 500 falls inside a character
	p := &store.Peer{ActorID: "https://far.example/actor", State: store.PeerActive, LastError: "x" + long}
	if err := st.InTx(ctx, func(tx *store.Tx) error { return tx.PutPeer(ctx, p) }); err != nil {
		t.Fatal(err)
	}
	got, err := st.Peer(ctx, p.ActorID)
	if err != nil {
		t.Fatal(err)
	}
	if !utf8.ValidString(got.LastError) || len(got.LastError) != 499 {
		t.Errorf("stored error: %d bytes, valid UTF-8 %v", len(got.LastError), utf8.ValidString(got.LastError))
	}
}
