package federation

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/ospod/ospod/federation/as2"
	"github.com/ospod/ospod/federation/markup"
	"github.com/ospod/ospod/store"
)

// This file turns ActivityStreams documents from other servers into store
// records (the inbound half of convert.go). Everything is read as plain JSON
// with fixed keys, and every value is checked and cleaned before use.

// profileFromActor reads an OSPO profile from a remote actor document.
func profileFromActor(doc []byte) (*store.Profile, bool) {
	var m map[string]json.RawMessage
	if json.Unmarshal(doc, &m) != nil {
		return nil, false
	}
	p := &store.Profile{}
	get := func(key string, v any) { _ = json.Unmarshal(m[key], v) }
	get("ospo:language", &p.Language)
	p.Name = textMap(m, "name", "nameMap", p.Language)
	p.Summary = htmlTextMap(m, "summary", "summaryMap", p.Language)
	get("ospo:mandateMap", &p.Mandate)
	get("ospo:country", &p.Country)
	get("ospo:governmentLevel", &p.GovernmentLevel)
	get("ospo:supportAreas", &p.SupportAreas)
	get("ospo:website", &p.Website)
	get("ospo:email", &p.Email)
	get("ospo:founded", &p.Founded)
	get("ospo:flossPolicy", &p.FlossPolicy)
	get("ospo:codeForges", &p.CodeForges)
	get("ospo:teamSize", &p.TeamSize)
	get("ospo:identifiers", &p.Identifiers)
	get("ospo:parentOrganization", &p.ParentOrganization)
	get("ospo:memberOf", &p.Memberships)
	get("ospo:logo", &p.Logo)
	get("discoverable", &p.Discoverable)
	if p.Logo == "" {
		var icon struct {
			URL json.RawMessage `json:"url"`
		}
		if json.Unmarshal(m["icon"], &icon) == nil {
			p.Logo, _ = idOf(icon.URL)
		}
	}
	if p.Website == "" {
		if u, err := idOf(m["url"]); err == nil {
			p.Website = u
		}
	}
	p.Location = placeFrom(m["location"])
	if len(p.Name) == 0 {
		var user string
		get("preferredUsername", &user)
		if user != "" {
			p.Name = store.LangMap{store.UndeterminedLanguage: user}
		}
	}
	ok := p.CleanRemote()
	return p, ok
}

// eventFromObject reads an Event from a remote object (FEP-8a8e, with
// Mobilizon's and Gancio's variants).
func eventFromObject(m map[string]json.RawMessage) (*store.Event, string, bool) {
	e := &store.Event{}
	get := func(key string, v any) { _ = json.Unmarshal(m[key], v) }
	get("inLanguage", &e.Language)
	e.Name = textMap(m, "name", "nameMap", e.Language)
	if !getMap(m, "ospo:descriptionMap", &e.Description) {
		e.Description = htmlTextMap(m, "content", "contentMap", e.Language)
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
			if optString(t, "type") == "Hashtag" {
				e.Tags = append(e.Tags, strings.TrimPrefix(optString(t, "name"), "#"))
			}
		}
	}
	get("category", &e.Category)
	get("externalParticipationUrl", &e.RegistrationURL)
	var img struct {
		URL json.RawMessage `json:"url"`
	}
	if json.Unmarshal(m["image"], &img) == nil {
		e.Image, _ = idOf(img.URL)
	}
	url, _ := idOf(m["url"])
	if !isHTTPURL(url) {
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

// htmlTextMap reads an HTML property (summary, content) as plain text.
func htmlTextMap(m map[string]json.RawMessage, key, mapKey, lang string) store.LangMap {
	return textMap(m, key, mapKey, lang) // plainText strips the markup
}

func eventStatusFrom(status, ical string) string {
	switch strings.TrimPrefix(strings.TrimPrefix(status, as2.FEP8a8e), "https://schema.org/") {
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
		switch optString(m, "type") {
		case "VirtualLocation":
			if u, err := idOf(m["url"]); err == nil && isHTTPURL(u) {
				out = append(out, location{online: &store.OnlineLocation{URL: u, Name: markup.PlainText(optString(m, "name"))}})
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
	p := &store.Place{Name: markup.PlainText(optString(m, "name"))}
	var addr store.PostalAddress
	if json.Unmarshal(m["address"], &addr) == nil && addr != (store.PostalAddress{}) {
		p.Address = &addr
	} else if s := optString(m, "address"); s != "" {
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
