package as2_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	vocab "github.com/go-ap/activitypub"

	"github.com/ospod/ospod/federation/as2"
	"github.com/ospod/ospod/store"
	"github.com/ospod/ospod/store/storetest"
)

func TestEvent(t *testing.T) {
	p := exampleProfile(t)
	e := exampleEvent(t, p)
	doc, err := as2.Event(testURLs, e, p)
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "event.golden.json", doc)

	id := testBase + "/events/" + e.ID
	actor := testBase + "/actor"
	it, err := vocab.UnmarshalJSON(doc)
	if err != nil || vocab.IsNil(it) {
		t.Fatalf("vocab.UnmarshalJSON: %v, %v", it, err)
	}
	ev, err := vocab.ToObject(it)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2032, 4, 14, 8, 0, 0, 0, time.UTC)
	core := []struct{ field, got, want string }{
		{"type", string(ev.Type), "Event"},
		{"id", string(ev.ID), id},
		{"url", ev.URL.GetLink().String(), id},
		{"attributedTo", ev.AttributedTo.GetLink().String(), actor},
		{"name", nlv(ev.Name), "Webinar: choosing a licence for public code"},
		{"startTime", ev.StartTime.UTC().Format(time.RFC3339), start.Format(time.RFC3339)},
		{"endTime", ev.EndTime.UTC().Format(time.RFC3339), start.Add(90 * time.Minute).Format(time.RFC3339)},
		{"published", ev.Published.Format(time.RFC3339), "2026-11-25T09:30:00Z"},
		// Mastodon shows it under the title, GoToSocial as the content warning.
		{"summary", nlv(ev.Summary), "📅 Wed 14 Apr 2032, 10:00–11:30 CEST (Europe/Paris) · 📍 Exampleton City Hall, room 2, 1 Place de l'Hôtel de Ville, 99000 Exampleton, FR · 💻 Video room"},
	}
	for _, c := range core {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.field, c.got, c.want)
		}
	}
	if !ev.To.Contains(vocab.PublicNS) || len(ev.To) != 1 {
		t.Errorf("to = %v, want [Public]", ev.To)
	}
	if !ev.CC.Contains(vocab.IRI(actor+"/followers")) || len(ev.CC) != 1 {
		t.Errorf("cc = %v, want [followers]", ev.CC)
	}

	m := jsonObj(t, doc)
	plain := []struct {
		keys []string
		want any
	}{
		{[]string{"@context", "0"}, "https://www.w3.org/ns/activitystreams"},
		{[]string{"startTime"}, "2032-04-14T10:00:00+02:00"},
		{[]string{"endTime"}, "2032-04-14T11:30:00+02:00"},
		{[]string{"timezone"}, "Europe/Paris"},
		{[]string{"eventStatus"}, "https://w3id.org/fep/8a8e/EventScheduled"},
		{[]string{"organizers", "type"}, "OrderedCollection"},
		{[]string{"organizers", "totalItems"}, 1.0},
		{[]string{"organizers", "orderedItems", "0"}, actor},
		{[]string{"nameMap", "fr"}, "Webinaire : choisir une licence pour le code public"},
		{[]string{"location", "0", "type"}, "Place"},
		{[]string{"location", "0", "name"}, "Exampleton City Hall, room 2"},
		{[]string{"location", "0", "address", "type"}, "PostalAddress"},
		{[]string{"location", "0", "address", "streetAddress"}, "1 Place de l'Hôtel de Ville"},
		{[]string{"location", "0", "address", "addressCountry"}, "FR"},
		{[]string{"location", "0", "latitude"}, 48.8566},
		{[]string{"location", "0", "longitude"}, 2.3522},
		{[]string{"location", "1", "type"}, "VirtualLocation"},
		{[]string{"location", "1", "url"}, "https://visio.exampleton.example/licensing-webinar"},
		{[]string{"isOnline"}, true},
		{[]string{"category"}, "LEARNING"},
		{[]string{"inLanguage"}, "en"},
		{[]string{"joinMode"}, "external"},
		{[]string{"externalParticipationUrl"}, "https://opensource.exampleton.example/events/licensing-webinar"},
		{[]string{"image", "url"}, "https://opensource.exampleton.example/media/licensing-webinar.png"},
		{[]string{"tag", "1", "name"}, "#EUPL"},
		{[]string{"tag", "1", "type"}, "Hashtag"},
	}
	for _, c := range plain {
		if got := jpath(t, m, c.keys...); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s = %#v, want %#v", strings.Join(c.keys, "."), got, c.want)
		}
	}
	if got := strs(t, m, "to"); !reflect.DeepEqual(got, []string{as2.Public}) {
		t.Errorf("to = %q, want [%s]", got, as2.Public)
	}
	if got := strs(t, m, "cc"); !reflect.DeepEqual(got, []string{actor + "/followers"}) {
		t.Errorf("cc = %q", got)
	}
	// GoToSocial shows content below the summary, never the name: content
	// starts with the name, then the links, and does not repeat the date.
	wantStart := `<p><strong>Webinar: choosing a licence for public code</strong></p><p>💻 <a href="https://visio.exampleton.example/licensing-webinar">`
	if got := str(t, m, "content"); !strings.HasPrefix(got, wantStart) || !strings.Contains(got, "<strong>EUPL, MPL, GPL or Apache?</strong>") || strings.Contains(got, "📅") {
		t.Errorf("content = %q\nwant it to start with %q, without the date", got, wantStart)
	}
	if got := str(t, m, "contentMap", "fr"); !strings.HasPrefix(got, "<p><strong>Webinaire : choisir une licence pour le code public</strong></p><p>💻 ") {
		t.Errorf("contentMap.fr = %q", got)
	}
	checkMicroblogShape(t, m, actor)
}

// checkMicroblogShape checks what Mastodon and GoToSocial read of an event
// with a picture: the picture as a media attachment (they ignore "image"),
// and an interaction policy that lets only the author reply, in both
// spellings of GoToSocial's vocabulary.
func checkMicroblogShape(t *testing.T, m map[string]any, actor string) {
	t.Helper()
	var doc map[string]any
	for _, a := range m["attachment"].([]any) {
		if a := a.(map[string]any); a["type"] == "Document" {
			doc = a
		}
	}
	if doc == nil || doc["url"] != jpath(t, m, "image", "url") || doc["mediaType"] != "image/png" || doc["name"] != m["name"] {
		t.Errorf("no Document attachment for the image with its mediaType and the title as description: %v", m["attachment"])
	}
	policy := map[string]string{"canReply": actor, "canLike": as2.Public, "canAnnounce": as2.Public}
	for rule, who := range policy {
		for _, key := range []string{"always", "automaticApproval"} {
			if got := strs(t, m, "interactionPolicy", rule, key); !reflect.DeepEqual(got, []string{who}) {
				t.Errorf("interactionPolicy.%s.%s = %q, want [%s]", rule, key, got, who)
			}
		}
	}
	if _, ok := m["interactionPolicy"].(map[string]any)["canReply"].(map[string]any)["approvalRequired"]; ok {
		t.Error("canReply has approvalRequired: the node approves no replies")
	}
	if m["commentsEnabled"] != false {
		t.Errorf("commentsEnabled = %v, want false", m["commentsEnabled"])
	}
}

func TestEventVariants(t *testing.T) {
	start := time.Date(2027, 1, 10, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		edit  func(e *store.Event)
		check func(t *testing.T, m map[string]any)
	}{
		{"physical only: one Place, not online", func(e *store.Event) {}, func(t *testing.T, m map[string]any) {
			if str(t, m, "location", "type") != "Place" || m["isOnline"] != false {
				t.Errorf("location %v isOnline %v", m["location"], m["isOnline"])
			}
			if _, ok := m["attachment"]; ok {
				t.Errorf("attachment without an online location: %v", m["attachment"])
			}
			if m["joinMode"] != "none" {
				t.Errorf("joinMode = %v, want none", m["joinMode"])
			}
		}},
		{"online only: one VirtualLocation and a Link", func(e *store.Event) {
			e.Location, e.Online = nil, &store.OnlineLocation{URL: "https://meet.example/room"}
		}, func(t *testing.T, m map[string]any) {
			if str(t, m, "location", "type") != "VirtualLocation" || str(t, m, "location", "url") != "https://meet.example/room" || m["isOnline"] != true {
				t.Errorf("location %v isOnline %v", m["location"], m["isOnline"])
			}
			if str(t, m, "attachment", "0", "type") != "Link" || str(t, m, "attachment", "0", "href") != "https://meet.example/room" {
				t.Errorf("attachment = %v", m["attachment"])
			}
			if s := str(t, m, "summary"); !strings.HasSuffix(s, " · 💻 meet.example") || strings.Contains(s, "📍") {
				t.Errorf("summary = %q, want the room's host last and no place", s)
			}
		}},
		{"no location at all", func(e *store.Event) { e.Location = nil }, func(t *testing.T, m map[string]any) {
			if _, ok := m["location"]; ok {
				t.Errorf("location = %v, want none", m["location"])
			}
		}},
		{"cancelled", func(e *store.Event) { e.Status = "cancelled" }, func(t *testing.T, m map[string]any) {
			if m["eventStatus"] != as2.FEP8a8e+"EventCancelled" || m["status"] != "CANCELLED" {
				t.Errorf("eventStatus %v status %v", m["eventStatus"], m["status"])
			}
			// Mobilizon reads both keys literally, older versions only ical:status.
			if m["ical:status"] != "CANCELLED" {
				t.Errorf("ical:status = %v, want CANCELLED beside status", m["ical:status"])
			}
			if s := str(t, m, "summary"); !strings.HasPrefix(s, "⚠️ CANCELLED · 📅 Sun 10 Jan 2027") {
				t.Errorf("summary does not flag the cancellation first: %q", s)
			}
		}},
		{"moved online", func(e *store.Event) { e.Status = "moved-online" }, func(t *testing.T, m map[string]any) {
			if m["eventStatus"] != as2.FEP8a8e+"EventMovedOnline" || m["isOnline"] != true {
				t.Errorf("eventStatus %v isOnline %v", m["eventStatus"], m["isOnline"])
			}
			if s := str(t, m, "summary"); !strings.HasPrefix(s, "⚠️ MOVED ONLINE · ") {
				t.Errorf("summary = %q", s)
			}
		}},
		{"postponed", func(e *store.Event) { e.Status = "postponed" }, func(t *testing.T, m map[string]any) {
			if m["eventStatus"] != as2.FEP8a8e+"EventPostponed" {
				t.Errorf("eventStatus %v", m["eventStatus"])
			}
		}},
		{"markdown description is sanitised", func(e *store.Event) {
			e.Description = store.LangMap{"en": "Hi <script>alert(1)</script> [x](javascript:alert(2)) **bold**"}
		}, func(t *testing.T, m map[string]any) {
			c := str(t, m, "content")
			if strings.Contains(c, "<script") || strings.Contains(c, "javascript:") || !strings.Contains(c, "<strong>bold</strong>") {
				t.Errorf("content not sanitised: %q", c)
			}
		}},
		{"name is HTML-escaped in content", func(e *store.Event) { e.Name = store.LangMap{"en": "<b>R&D</b> day"} },
			func(t *testing.T, m map[string]any) {
				if c := str(t, m, "content"); !strings.HasPrefix(c, "<p><strong>&lt;b&gt;R&amp;D&lt;/b&gt; day</strong></p>") {
					t.Errorf("content = %q", c)
				}
				if m["name"] != "<b>R&D</b> day" {
					t.Errorf("name = %v", m["name"])
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := storetest.Event(start)
			e.ID, e.Published, e.Updated = "EVENTID", testNow, testNow
			tt.edit(e)
			if err := e.Validate(); err != nil {
				t.Fatal(err)
			}
			doc, err := as2.Event(testURLs, e, &store.Profile{})
			if err != nil {
				t.Fatal(err)
			}
			m := jsonObj(t, doc)
			if _, ok := m["updated"]; ok {
				t.Errorf("a never-updated event has updated = %v", m["updated"])
			}
			tt.check(t, m)
		})
	}
}
