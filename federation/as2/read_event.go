package as2

import (
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/ospod/ospod/federation/markup"
	"github.com/ospod/ospod/store"
)

// This file turns Events from other servers into store records. Every value
// is checked and cleaned before use: names and descriptions become plain
// text, URLs must be http(s), the rest passes store.Event.CleanRemote.

// ReadRemoteEvent reads what we index of a remote Event besides its calendar
// form: its name and times, with doc (the object as sent) kept as it came.
// It fails when the event has no name or its times are not RFC 3339, or end
// before they start.
func ReadRemoteEvent(id, owner string, obj map[string]json.RawMessage, doc json.RawMessage) (*store.RemoteEvent, error) {
	name := OptString(obj, "name")
	if name == "" {
		for _, v := range LangMapField(obj, "nameMap") {
			name = v
			break
		}
	}
	if name == "" {
		return nil, errors.New("event has no name")
	}
	name = clip(name, 1000)
	ev := &store.RemoteEvent{ID: id, ActorID: owner, Name: name, Doc: string(doc)}
	var err error
	if ev.Start, err = rfc3339(obj, "startTime"); err != nil {
		return nil, err
	}
	if ev.End, err = rfc3339(obj, "endTime"); err != nil {
		return nil, err
	}
	if !ev.Start.IsZero() && !ev.End.IsZero() && ev.End.Before(ev.Start) {
		return nil, errors.New("endTime is before startTime")
	}
	return ev, nil
}

// rfc3339 reads an optional time member in UTC (zero when absent).
func rfc3339(obj map[string]json.RawMessage, key string) (time.Time, error) {
	s := OptString(obj, key)
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, strings.ToUpper(s))
	if err != nil {
		return time.Time{}, errors.New(key + " is not RFC 3339")
	}
	return t.UTC(), nil
}

// ReadEvent reads an Event from a remote object (FEP-8a8e, with Mobilizon's
// and Gancio's variants), cleaned for the calendar, and the page URL it
// names (only an http(s) one). ok is false when the calendar cannot show it.
func ReadEvent(m map[string]json.RawMessage) (*store.Event, string, bool) {
	e := &store.Event{}
	get := func(key string, v any) { _ = json.Unmarshal(m[key], v) }
	get("inLanguage", &e.Language)
	e.Name = textMap(m, "name", "nameMap", e.Language)
	if !getMap(m, "ospo:descriptionMap", &e.Description) {
		e.Description = textMap(m, "content", "contentMap", e.Language) // the markup is stripped
	}
	get("startTime", &e.StartTime)
	get("endTime", &e.EndTime)
	get("timezone", &e.Timezone)
	if e.EndTime == "" && e.StartTime != "" {
		// An open end (FEP-8a8e displayEndTime:false): show it as two hours.
		if t, err := time.Parse(time.RFC3339, strings.ToUpper(e.StartTime)); err == nil {
			e.EndTime = t.Add(2 * time.Hour).Format(time.RFC3339)
		}
	}
	var status, icalStatus string
	get("eventStatus", &status)
	get("status", &icalStatus)
	e.Status = eventStatusFrom(status, icalStatus)
	for _, loc := range locationsFrom(m["location"]) {
		switch {
		case loc.place != nil && e.Location == nil:
			e.Location = loc.place
		case loc.online != nil && e.Online == nil:
			e.Online = loc.online
		}
	}
	var tags []map[string]json.RawMessage
	if json.Unmarshal(m["tag"], &tags) == nil {
		for _, t := range tags {
			if OptString(t, "type") == "Hashtag" {
				e.Tags = append(e.Tags, strings.TrimPrefix(OptString(t, "name"), "#"))
			}
		}
	}
	get("category", &e.Category)
	get("externalParticipationUrl", &e.RegistrationURL)
	var img struct {
		URL json.RawMessage `json:"url"`
	}
	if json.Unmarshal(m["image"], &img) == nil {
		e.Image, _ = IDOf(img.URL)
	}
	url, _ := IDOf(m["url"])
	if !IsHTTPURL(url) {
		url = ""
	}
	ok := e.CleanRemote("")
	return e, url, ok
}

func getMap(m map[string]json.RawMessage, key string, out *store.LangMap) bool {
	if _, ok := m[key]; !ok {
		return false
	}
	return json.Unmarshal(m[key], out) == nil && len(*out) > 0
}

// textMap reads a plain-text property and its language map.
func textMap(m map[string]json.RawMessage, key, mapKey, lang string) store.LangMap {
	out := store.LangMap{}
	_ = json.Unmarshal(m[mapKey], (*map[string]string)(&out))
	for k, v := range out {
		out[k] = markup.PlainText(v)
	}
	var s string
	if json.Unmarshal(m[key], &s) == nil && s != "" && len(out) == 0 {
		tag := lang
		if tag == "" {
			tag = store.UndeterminedLanguage
		}
		out[tag] = markup.PlainText(s)
	}
	return out
}

func eventStatusFrom(status, ical string) string {
	switch strings.TrimPrefix(strings.TrimPrefix(status, FEP8a8e), "https://schema.org/") {
	case "EventCancelled":
		return "cancelled"
	case "EventPostponed":
		return "postponed"
	case "EventMovedOnline":
		return "moved-online"
	}
	if strings.EqualFold(ical, "CANCELLED") {
		return "cancelled"
	}
	return "scheduled"
}

type location struct {
	place  *store.Place
	online *store.OnlineLocation
}

// locationsFrom reads location: one Place/VirtualLocation or a list of them.
func locationsFrom(raw json.RawMessage) []location {
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) != nil {
		list = []json.RawMessage{raw}
	}
	var out []location
	for i, r := range list {
		if i == 5 {
			break
		}
		var m map[string]json.RawMessage
		if json.Unmarshal(r, &m) != nil {
			continue
		}
		switch OptString(m, "type") {
		case "VirtualLocation":
			if u, err := IDOf(m["url"]); err == nil && IsHTTPURL(u) {
				out = append(out, location{online: &store.OnlineLocation{URL: u, Name: markup.PlainText(OptString(m, "name"))}})
			}
		case "Place", "":
			if p := placeFrom(r); p != nil {
				out = append(out, location{place: p})
			}
		}
	}
	return out
}

// placeFrom reads a Place with a schema.org PostalAddress (or an address string).
func placeFrom(raw json.RawMessage) *store.Place {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return nil
	}
	p := &store.Place{Name: markup.PlainText(OptString(m, "name"))}
	var addr store.PostalAddress
	if json.Unmarshal(m["address"], &addr) == nil && addr != (store.PostalAddress{}) {
		p.Address = &addr
	} else if s := OptString(m, "address"); s != "" {
		p.Address = &store.PostalAddress{StreetAddress: markup.PlainText(s)}
	}
	var lat, lon float64
	if json.Unmarshal(m["latitude"], &lat) == nil && json.Unmarshal(m["longitude"], &lon) == nil {
		p.Latitude, p.Longitude = &lat, &lon
	}
	if p.Name == "" && p.Address == nil && p.Latitude == nil {
		return nil
	}
	return p
}
