package store_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/ospod/ospod/store"
)

// FuzzEventTimes: the event's time checks never panic, and what they accept
// is stable: an end after the start within a year, and the times as
// rewritten in the event's zone pass again and name the same instants (what
// is stored in the document and in the indexed columns must agree).
func FuzzEventTimes(f *testing.F) {
	f.Add("2026-03-05T10:00:00+01:00", "2026-03-05T12:00:00+01:00", "Europe/Paris")
	f.Add("2026-03-29t01:30:00z", "2026-03-29T03:30:00+02:00", " Europe/Paris ")
	f.Add("2026-10-25T02:30:00+01:00", "2026-10-25T02:30:00+02:00", "Europe/Berlin")
	f.Add("9999-12-31T23:00:00Z", "9999-12-31T23:30:00Z", "Pacific/Kiritimati")
	f.Add("1970-01-01T00:00:00Z", "1970-01-01T00:00:01.5Z", "America/St_Johns")
	f.Add("2026-01-01T00:00:00Z", "2026-01-01T00:00:01.5Z", "UTC")
	f.Add("2026-01-01T00:00:00.2Z", "2026-01-01T00:00:00.7Z", "UTC")
	f.Add("2026-01-01T00:00:00-00:00", "2027-01-02T00:00:00Z", "Local")
	f.Add("2026-01-01T10:00:00+05:45", "2026-01-01T11:00:00+05:45", "Asia/Kathmandu")
	f.Fuzz(func(t *testing.T, start, end, zone string) {
		e := &store.Event{Name: store.LangMap{"en": "Meetup"}, StartTime: start, EndTime: end, Timezone: zone}
		e.Normalize("en")
		if e.Validate() != nil {
			return
		}
		if e.Start.Location() != time.UTC || e.End.Location() != time.UTC {
			t.Fatalf("Start %v, End %v not in UTC", e.Start, e.End)
		}
		if !e.End.After(e.Start) || e.End.Sub(e.Start) > 366*24*time.Hour {
			t.Fatalf("accepted %v..%v", e.Start, e.End)
		}
		again := &store.Event{Name: e.Name, StartTime: e.StartTime, EndTime: e.EndTime, Timezone: e.Timezone}
		again.Normalize("en")
		if err := again.Validate(); err != nil {
			t.Fatalf("%q..%q in %q became %q..%q, which is refused: %v", start, end, zone, e.StartTime, e.EndTime, err)
		}
		if again.StartTime != e.StartTime || again.EndTime != e.EndTime || !again.Start.Equal(e.Start) || !again.End.Equal(e.End) {
			t.Fatalf("%q..%q in %q: validating %s..%s (%v..%v) again gives %s..%s (%v..%v)", start, end, zone,
				e.StartTime, e.EndTime, e.Start, e.End, again.StartTime, again.EndTime, again.Start, again.End)
		}
	})
}

// FuzzDecodeJSON: the strict decoder shared by the API, the forms and the
// command line never panics, and fails only with the errors it documents: a
// *json.SyntaxError for what is not JSON, a *store.ValidationError otherwise.
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{
		`{"name":{"en":"Meetup"},"startTime":"2026-03-05T10:00:00+01:00","endTime":"2026-03-05T12:00:00+01:00","timezone":"Europe/Paris"}`,
		`{"name":{"en":"a"},"name":{"fr":"b"},"tags":["x",1],"location":{"address":{"addressCountry":7}},"extra":true}`,
		`{"online":{"url":"https://v.example/","name":null},"published":"x","id":"y"}`, `[]`, `null`, `{"a":{"b":{"c":[[[]]]}}}`, `{`, `"\ud800"`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var e store.Event
		err := store.DecodeJSON(body, &e, "id", "published", "updated")
		if err == nil {
			return
		}
		var syntax *json.SyntaxError
		var invalid *store.ValidationError
		if !errors.As(err, &syntax) && !errors.As(err, &invalid) {
			t.Fatalf("DecodeJSON(%q) failed with %T: %v", body, err, err)
		}
	})
}
