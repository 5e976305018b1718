package as2_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/url"
	"os"
	"testing"
	"unicode/utf8"

	"github.com/ospod/ospod/federation/as2"
)

// FuzzCanonicalURL: canonicalising a URL is idempotent (an id CheckID
// accepts is one CanonicalURL leaves alone, and so is its canonical form).
// Idempotence is asked only of what
// url.Parse accepts: in "%7%41" a bare "%" becomes an escape once "%41" is
// decoded, and such a string is no URL (CheckID refuses it either way).
func FuzzCanonicalURL(f *testing.F) {
	for _, s := range []string{"https://ospo.example.org/actor", "HTTPS://Ospo.Example.ORG.:443/a%7eb%2f?q=%41#x",
		"http://[::1]:80/", "http://user@h:8080/%zz%", "https://h:/", "mailto:x@y", "https://a@b@c/", "://"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := as2.CanonicalURL(s)
		if _, err := url.Parse(s); err != nil {
			return
		}
		if again := as2.CanonicalURL(c); again != c {
			t.Fatalf("CanonicalURL(%q) = %q, but CanonicalURL of that is %q", s, c, again)
		}
		if as2.CheckID(s) == nil && (c != s || as2.CheckID(c) != nil) {
			t.Fatalf("CheckID accepts %q, which canonicalises to %q", s, c)
		}
	})
}

// FuzzParseActivity: the inbox's decoder never panics; what it accepts has
// canonical http(s) ids; and CheckDepth refuses exactly the valid JSON that
// nests deeper than MaxJSONDepth (measured here with encoding/json).
func FuzzParseActivity(f *testing.F) {
	for _, s := range []string{
		`{"@context":"https://www.w3.org/ns/activitystreams","id":"https://a.example/1","type":"Follow","actor":"https://a.example/actor","object":"https://b.example/actor"}`,
		`{"id":"https://a.example/1","type":"Create","actor":{"id":"https://a.example/actor"},"object":{"id":"https://a.example/e","type":"Event","name":"x"}}`,
		`{"id":"https://a.example/f","type":"Flag","actor":"https://a.example/actor","object":["https://b.example/1","https://b.example/2"]}`,
		`{"id":"HTTPS://a.example:443/1","type":"Like","actor":"https://a.example/actor","object":"https://b.example/%7e"}`,
		`{"@context":null,"id":"https://a.example/1","type":"Like","actor":"https://a.example/a"}`,
		`[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]`, `{"a":"[[[["}`, `"\"{"`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if json.Valid(body) {
			deep := jsonDepth(t, body) > as2.MaxJSONDepth
			if err := as2.CheckDepth(body); deep != (err != nil) {
				t.Fatalf("CheckDepth = %v, but the document nests %d levels", err, jsonDepth(t, body))
			}
		}
		in, err := as2.ParseActivity(body)
		if err != nil {
			return
		}
		if in.Type == "" {
			t.Fatal("accepted without a type")
		}
		for _, id := range []string{in.ID, in.Actor} {
			if err := as2.CheckID(id); err != nil {
				t.Fatalf("accepted an id CheckID refuses: %v", err)
			}
		}
		if as2.IsHTTPURL(in.ObjectID) && as2.CheckID(in.ObjectID) != nil {
			t.Fatalf("accepted a non-canonical object id %q", in.ObjectID)
		}
	})
}

// jsonDepth is the deepest nesting of objects and arrays in a valid document.
func jsonDepth(t *testing.T, b []byte) int {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber() // 1E700 is valid JSON, beyond float64
	depth, deepest := 0, 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return deepest
		}
		if err != nil {
			t.Fatalf("valid JSON does not tokenise: %v", err)
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
			deepest = max(deepest, depth)
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
	}
}

// FuzzReadActor: reading a fetched actor never panics, and an accepted actor
// has what the rest of the node relies on: a canonical id, inbox and key on
// its own origin, a key, a username of valid UTF-8 within its bound.
func FuzzReadActor(f *testing.F) {
	golden, err := os.ReadFile("testdata/actor.golden.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(golden)
	f.Add([]byte(`{"id":"https://a.example/u","type":"Person","inbox":"https://a.example/inbox","preferredUsername":"a` +
		string(bytes.Repeat([]byte("é"), 60)) + `","publicKey":{"id":"https://a.example/u#k","owner":"https://a.example/u","publicKeyPem":"x"},` +
		`"ospo:country":"FR","name":"x"}`))
	f.Add([]byte(`{"id":"https://a.example/u","type":"Service","inbox":"https://b.example/inbox"}`))
	f.Add([]byte(`{"type":"Note"}`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		a, p, err := as2.ReadActor(doc)
		if err != nil {
			return
		}
		if err := as2.CheckID(a.ID); err != nil {
			t.Fatalf("actor id: %v", err)
		}
		if !as2.SameOrigin(a.Inbox, a.ID) || !as2.SameOrigin(a.KeyID, a.ID) {
			t.Fatalf("inbox %q or key %q not on the origin of %q", a.Inbox, a.KeyID, a.ID)
		}
		if a.SharedInbox != "" && !as2.SameOrigin(a.SharedInbox, a.ID) {
			t.Fatalf("shared inbox %q not on the origin of %q", a.SharedInbox, a.ID)
		}
		if a.PublicKeyPEM == "" {
			t.Fatal("accepted without a key")
		}
		if len(a.Username) > 100 || !utf8.ValidString(a.Username) {
			t.Fatalf("username %q: over 100 bytes or not UTF-8", a.Username)
		}
		if p != nil && !a.IsOSPO {
			t.Fatal("a profile for an actor that is not an OSPO")
		}
	})
}

// FuzzReadEvent: reading a remote Event never panics. An indexed event has a
// bounded UTF-8 name and an end not before its start; an event the calendar
// shows passes the store's own validation again, unchanged.
func FuzzReadEvent(f *testing.F) {
	golden, err := os.ReadFile("testdata/event.golden.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(golden)
	f.Add([]byte(`{"type":"Event","name":"Meetup","startTime":"2026-03-05T10:00:00+01:00","endTime":"2026-03-05T12:00:00+01:00","timezone":"Europe/Paris"}`))
	f.Add([]byte(`{"type":"Event","nameMap":{"fr":"Rencontre"},"startTime":"2026-10-25t02:30:00z","timezone":"Europe/Paris","location":[{"type":"VirtualLocation","url":"https://v.example/r"},{"type":"Place","name":"<b>Hall</b>","address":"1 rue X"}],"tag":[{"type":"Hashtag","name":"#floss"}]}`))
	f.Add([]byte(`{"name":"` + string(bytes.Repeat([]byte("€"), 400)) + `","startTime":"9999-12-31T23:00:00Z","timezone":"Pacific/Kiritimati"}`))
	f.Add([]byte(`{"name":"x","startTime":"2026-01-01T00:00:00.123456789-00:00","endTime":"2025-01-01T00:00:00Z"}`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		var m map[string]json.RawMessage
		if json.Unmarshal(doc, &m) != nil {
			return
		}
		if ev, err := as2.ReadRemoteEvent("https://a.example/e", "https://a.example/u", m, doc); err == nil {
			if ev.Name == "" || len(ev.Name) > 1000 || !utf8.ValidString(ev.Name) {
				t.Fatalf("name %q: empty, over 1000 bytes or not UTF-8", ev.Name)
			}
			if !ev.Start.IsZero() && !ev.End.IsZero() && ev.End.Before(ev.Start) {
				t.Fatalf("end %v before start %v", ev.End, ev.Start)
			}
		}
		e, page, ok := as2.ReadEvent(m)
		if page != "" {
			if _, err := url.Parse(page); err != nil || !as2.IsHTTPURL(page) {
				t.Fatalf("page URL %q is not an http(s) URL", page)
			}
		}
		if !ok {
			return
		}
		before := *e
		if err := e.Validate(); err != nil {
			t.Fatalf("a cleaned event fails validation: %v", err)
		}
		if e.StartTime != before.StartTime || e.EndTime != before.EndTime || !e.Start.Equal(before.Start) || !e.End.Equal(before.End) {
			t.Fatalf("validating again moved the times: %s..%s (%v..%v) -> %s..%s (%v..%v)",
				before.StartTime, before.EndTime, before.Start, before.End, e.StartTime, e.EndTime, e.Start, e.End)
		}
	})
}
