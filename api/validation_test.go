package api_test

// Validation seen from a person's side, on the JSON API: every invalid
// field at once, duplicate keys refused, an offset that contradicts the
// time zone refused with a clear message, the body limit named in its 413.

import (
	"bytes"
	"net/http"
	"slices"
	"strings"
	"testing"
)

func TestAPIValidationEveryField(t *testing.T) {
	n := startNode(t, nodeOptions{})
	tests := []struct {
		name, path, method, body string
		want                     []string // fields named, at least these
	}{
		{"four wrongly typed profile fields", "/profile", http.MethodPut,
			`{"name": 5, "country": true, "teamSize": "three", "supportAreas": "adoption", "governmentLevel": "municipal"}`,
			[]string{"name", "country", "supportAreas", "teamSize"}},
		{"wrong types and invalid values together", "/profile", http.MethodPut,
			`{"name": {"en": "OSPO"}, "country": "XY", "teamSize": "three", "website": "ftp://x", "governmentLevel": "castle"}`,
			[]string{"teamSize", "country", "governmentLevel", "website"}},
		{"four wrongly typed event fields", "/events", http.MethodPost,
			`{"name": ["x"], "startTime": 10, "endTime": false, "timezone": {"zone": "Europe/Paris"}, "tags": "a"}`,
			[]string{"name", "startTime", "endTime", "timezone", "tags"}},
		{"a key given twice", "/profile", http.MethodPut,
			`{"name": "OSPO", "country": "FR", "governmentLevel": "municipal", "country": "DE"}`, []string{"country"}},
		{"a nested key given twice", "/events", http.MethodPost,
			`{"name": {"en": "a", "en": "b"}, "startTime": "2032-04-14T10:00:00+02:00", "endTime": "2032-04-14T11:00:00+02:00", "timezone": "Europe/Paris"}`,
			[]string{"name.en"}},
		{"an offset that contradicts the time zone", "/events", http.MethodPost,
			`{"name": "Meetup", "startTime": "2032-04-14T10:00:00+05:00", "endTime": "2032-04-14T11:00:00+02:00", "timezone": "Europe/Paris"}`,
			[]string{"startTime"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := n.eventCount(t)
			p := problemOf(t, n.admin(t, tt.method, tt.path, []byte(tt.body)), http.StatusBadRequest)
			got := problemFields(p)
			for _, f := range tt.want {
				if !slices.Contains(got, f) {
					t.Errorf("fields %v lack %s (%+v)", got, f, p.Errors)
				}
			}
			if n.eventCount(t) != before {
				t.Error("an invalid event was stored")
			}
			if tt.name == "an offset that contradicts the time zone" {
				if r := p.Errors[0].Reason; !strings.Contains(r, "+05:00") || !strings.Contains(r, "Europe/Paris is at +02:00") ||
					!strings.Contains(r, "2032-04-14T10:00:00+02:00") {
					t.Errorf("message %q", r)
				}
			}
		})
	}
	// The profile did not change: the first PUT would have been refused anyway.
	r := n.admin(t, http.MethodGet, "/profile", nil)
	if strings.Contains(string(r.body), `"country":"DE"`) {
		t.Error("a refused profile was stored")
	}
}

func TestAPIBodyLimitNamed(t *testing.T) {
	n := startNode(t, nodeOptions{})
	big := append([]byte(`{"name": "`), bytes.Repeat([]byte("x"), 1<<20+10)...)
	big = append(big, `"}`...)
	p := problemOf(t, n.admin(t, http.MethodPut, "/profile", big), http.StatusRequestEntityTooLarge)
	if !strings.Contains(p.Detail, "1 MiB") {
		t.Errorf("413 detail %q does not name the limit", p.Detail)
	}
}
