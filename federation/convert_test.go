package federation

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the events' zones, wherever the tests run

	vocab "github.com/go-ap/activitypub"

	"github.com/ospod/ospod/federation/as2"
	"github.com/ospod/ospod/federation/signature"
	"github.com/ospod/ospod/store"
	"github.com/ospod/ospod/store/storetest"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files under testdata/")

// convNow is the pinned clock of the conversion tests.
var convNow = time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)

const convBase = "https://ospo.exampleton.example"

// convNode is a node on its own temporary store with the committed test key
// and a clock the test can move.
func convNode(t *testing.T, base string) (*Node, *storetest.Clock) {
	t.Helper()
	clock := storetest.NewClock(convNow)
	st := storetest.OpenWith(t, store.Options{Now: clock.Now})
	pemKey, err := os.ReadFile(filepath.Join("testdata", "test_key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetSetting(context.Background(), store.SettingPrivateKey, string(pemKey)); err != nil {
		t.Fatal(err)
	}
	n, err := New(context.Background(), st, Options{BaseURL: base, Handle: "ospo"})
	if err != nil {
		t.Fatal(err)
	}
	return n, clock
}

// readExample decodes docs/examples/NAME strictly, as the admin API does.
func readExample(t *testing.T, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "docs", "examples", name))
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

func exampleNode(t *testing.T) (*Node, *store.Event) {
	t.Helper()
	ctx := context.Background()
	n, _ := convNode(t, convBase)
	var p store.Profile
	readExample(t, "profile.json", &p)
	if err := n.SetProfile(ctx, &p); err != nil {
		t.Fatal(err)
	}
	var e store.Event
	readExample(t, "event.json", &e)
	if err := n.CreateEvent(ctx, &e); err != nil {
		t.Fatal(err)
	}
	return n, &e
}

// checkGolden compares doc (indented) with testdata/NAME, rewriting it with -update.
func checkGolden(t *testing.T, name string, doc []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Indent(&buf, doc, "", "  "); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, doc)
	}
	buf.WriteByte('\n')
	path := filepath.Join("testdata", name)
	if *updateGolden {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("output differs from %s (run go test ./federation -run %s -update if intended):\ngot:\n%s", path, t.Name(), buf.Bytes())
	}
}

// jsonObj decodes a JSON object for the checks on what go-ap drops.
func jsonObj(t *testing.T, doc []byte) map[string]any {
	t.Helper()
	m := map[string]any{}
	if err := json.Unmarshal(doc, &m); err != nil {
		t.Fatalf("not a JSON object: %v\n%s", err, doc)
	}
	return m
}

// path walks a decoded JSON value by keys and array indexes ("location", "0", "name").
func jpath(t *testing.T, v any, keys ...string) any {
	t.Helper()
	for i, k := range keys {
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[k]; !ok {
				t.Fatalf("no %q at %v", k, keys[:i])
			}
		case []any:
			var idx int
			if err := json.Unmarshal([]byte(k), &idx); err != nil || idx >= len(x) {
				t.Fatalf("no index %s at %v (length %d)", k, keys[:i], len(x))
			}
			v = x[idx]
		default:
			t.Fatalf("cannot take %q of %T at %v", k, v, keys[:i])
		}
	}
	return v
}

func str(t *testing.T, v any, keys ...string) string {
	t.Helper()
	s, ok := jpath(t, v, keys...).(string)
	if !ok {
		t.Fatalf("%v is %T, want a string", keys, jpath(t, v, keys...))
	}
	return s
}

func strs(t *testing.T, v any, keys ...string) []string {
	t.Helper()
	arr, ok := jpath(t, v, keys...).([]any)
	if !ok {
		t.Fatalf("%v is %T, want an array", keys, jpath(t, v, keys...))
	}
	out := []string{}
	for _, x := range arr {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

func nlv(n vocab.NaturalLanguageValues) string { return string(n.First().Value) }

func TestActorDocument(t *testing.T) {
	n, _ := exampleNode(t)
	doc, err := n.ActorDocument(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "actor.golden.json", doc)

	// Core ActivityStreams fields, as a go-ap based peer reads them.
	it, err := vocab.UnmarshalJSON(doc)
	if err != nil || vocab.IsNil(it) {
		t.Fatalf("vocab.UnmarshalJSON: %v, %v", it, err)
	}
	a, err := vocab.ToActor(it)
	if err != nil {
		t.Fatal(err)
	}
	actor := convBase + "/actor"
	core := []struct{ field, got, want string }{
		{"type", string(a.Type), "Organization"},
		{"id", string(a.ID), actor},
		{"url", a.URL.GetLink().String(), actor},
		{"inbox", a.Inbox.GetLink().String(), actor + "/inbox"},
		{"outbox", a.Outbox.GetLink().String(), actor + "/outbox"},
		{"followers", a.Followers.GetLink().String(), actor + "/followers"},
		{"following", a.Following.GetLink().String(), actor + "/following"},
		{"preferredUsername", nlv(a.PreferredUsername), "ospo"},
		{"name", nlv(a.Name), "Open Source Program Office of the City of Exampleton"},
		{"summary", nlv(a.Summary), "<p>We help the city&#39;s departments use, publish and contribute to open source software.</p>"},
		{"publicKey.id", string(a.PublicKey.ID), actor + "#main-key"},
		{"publicKey.owner", a.PublicKey.Owner.String(), actor},
		{"publicKey.publicKeyPem", a.PublicKey.PublicKeyPem, n.PublicKeyPEM()},
		{"published", a.Published.Format(time.RFC3339), "2026-11-25T09:30:00Z"},
		{"updated", a.Updated.Format(time.RFC3339), "2026-11-25T09:30:00Z"},
	}
	for _, c := range core {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.field, c.got, c.want)
		}
	}
	if a.Endpoints == nil || a.Endpoints.SharedInbox.GetLink().String() != convBase+"/inbox" {
		t.Errorf("endpoints.sharedInbox = %+v, want %s/inbox", a.Endpoints, convBase)
	}
	if icon, err := vocab.ToObject(a.Icon); err != nil || icon.Type != vocab.ImageType || icon.URL.GetLink().String() != "https://opensource.exampleton.example/logo.png" {
		t.Errorf("icon = %+v (%v), want an Image of the logo", a.Icon, err)
	}
	key, err := signature.ParsePublicKeyPEM(a.PublicKey.PublicKeyPem)
	if err != nil || key.N.BitLen() != 2048 {
		t.Errorf("publicKeyPem: %v (bits %v)", err, key)
	}

	// What go-ap drops, read as plain JSON.
	m := jsonObj(t, doc)
	ctxList, ok := m["@context"].([]any)
	if !ok || len(ctxList) < 3 || ctxList[0] != "https://www.w3.org/ns/activitystreams" || ctxList[1] != "https://w3id.org/security/v1" {
		t.Errorf("@context = %v, want ActivityStreams, security/v1 and a term map", m["@context"])
	}
	if terms, _ := ctxList[len(ctxList)-1].(map[string]any); terms["ospo"] != as2.OSPONamespace || terms["schema"] != "http://schema.org/" {
		t.Errorf("@context term map lacks ospo or schema: %v", terms)
	}
	wantNameMap := map[string]any{
		"en": "Open Source Program Office of the City of Exampleton",
		"fr": "Bureau du logiciel libre de la Ville d'Exampleton",
		"de": "Open-Source-Büro der Stadt Exampleton",
	}
	if !reflect.DeepEqual(m["nameMap"], wantNameMap) {
		t.Errorf("nameMap = %v", m["nameMap"])
	}
	if got := str(t, m, "summaryMap", "fr"); got != "<p>Nous aidons les services de la ville à utiliser, publier et contribuer au logiciel libre.</p>" {
		t.Errorf("summaryMap.fr = %q", got)
	}
	plain := []struct {
		keys []string
		want any
	}{
		{[]string{"manuallyApprovesFollowers"}, false},
		{[]string{"discoverable"}, true},
		{[]string{"featured"}, convBase + "/actor/featured"},
		{[]string{"upcomingEvents"}, convBase + "/actor/upcoming-events"},
		{[]string{"ospo:country"}, "FR"},
		{[]string{"ospo:governmentLevel"}, "municipal"},
		{[]string{"ospo:founded"}, "2023-03-14"},
		{[]string{"ospo:teamSize"}, 4.0},
		{[]string{"ospo:website"}, "https://opensource.exampleton.example"},
		{[]string{"ospo:flossPolicy"}, "https://opensource.exampleton.example/policy"},
		{[]string{"ospo:parentOrganization", "url"}, "https://www.exampleton.example"},
		{[]string{"ospo:memberOf", "1", "url"}, "https://ospo-alliance.org"},
		{[]string{"ospo:identifiers", "0", "value"}, "Q4115189"},
		{[]string{"location", "type"}, "Place"},
		{[]string{"location", "address", "type"}, "PostalAddress"},
		{[]string{"location", "address", "postalCode"}, "99000"},
		{[]string{"location", "latitude"}, 48.8566},
		{[]string{"tag", "0", "type"}, "Hashtag"},
		{[]string{"tag", "0", "name"}, "#ospo_strategy"},
	}
	for _, c := range plain {
		if got := jpath(t, m, c.keys...); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s = %#v, want %#v", strings.Join(c.keys, "."), got, c.want)
		}
	}
	if got := strs(t, m, "ospo:supportAreas"); !reflect.DeepEqual(got, []string{"strategy", "licensing", "development-release", "training", "ecosystem-relations"}) {
		t.Errorf("ospo:supportAreas = %q", got)
	}
	if got := str(t, m, "ospo:mandate"); !strings.HasPrefix(got, "<p>Set up by the <strong>city council</strong>") || !strings.Contains(got, "<li>") {
		t.Errorf("ospo:mandate is not the rendered Markdown: %q", got)
	}
	// Mastodon's profile fields.
	fields := map[string]string{}
	for _, pv := range jpath(t, m, "attachment").([]any) {
		pv := pv.(map[string]any)
		if pv["type"] != "PropertyValue" {
			t.Errorf("attachment of type %v, want PropertyValue", pv["type"])
		}
		fields[pv["name"].(string)] = pv["value"].(string)
	}
	wantFields := map[string]string{
		"Country": "FR",
		"Level":   "municipal",
		"Website": `<a href="https://opensource.exampleton.example" rel="me nofollow noopener" target="_blank">opensource.exampleton.example</a>`,
		"Email":   `<a href="mailto:ospo@exampleton.example">ospo@exampleton.example</a>`,
	}
	for k, v := range wantFields {
		if fields[k] != v {
			t.Errorf("PropertyValue %s = %q, want %q", k, fields[k], v)
		}
	}
}

// Before the administrator sets a profile the actor is a placeholder named after the handle.
func TestActorDocumentWithoutProfile(t *testing.T) {
	n, _ := convNode(t, "http://localhost:8080")
	doc, err := n.ActorDocument(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	m := jsonObj(t, doc)
	if m["name"] != "ospo" || m["type"] != "Organization" || m["id"] != "http://localhost:8080/actor" {
		t.Errorf("placeholder actor: name %v type %v id %v", m["name"], m["type"], m["id"])
	}
	for _, k := range []string{"summary", "summaryMap", "location", "ospo:country", "published", "icon"} {
		if _, ok := m[k]; ok {
			t.Errorf("placeholder actor has %q: %v", k, m[k])
		}
	}
	if _, ok := m["publicKey"]; !ok {
		t.Error("placeholder actor has no publicKey")
	}
}

func TestEventDocument(t *testing.T) {
	n, e := exampleNode(t)
	doc, err := n.EventDocument(context.Background(), e.ID)
	if err != nil {
		t.Fatal(err)
	}
	// The id is random: pin it for the golden file.
	checkGolden(t, "event.golden.json", bytes.ReplaceAll(doc, []byte(e.ID), []byte("EVENTID")))

	id := convBase + "/events/" + e.ID
	actor := convBase + "/actor"
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
		{"summary", nlv(ev.Summary), ""}, // Mastodon would make it a content warning
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
	if _, ok := m["summary"]; ok {
		t.Errorf("event has a summary: %v", m["summary"])
	}
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
	// Mastodon and GoToSocial show only the content: name, date and place come first.
	wantStart := "<p><strong>Webinar: choosing a licence for public code</strong></p><p>📅 Wed 14 Apr 2032, 10:00–11:30 CEST (Europe/Paris)<br>📍 Exampleton City Hall, room 2, 1 Place de l&#39;Hôtel de Ville, 99000 Exampleton, FR<br>💻 "
	if got := str(t, m, "content"); !strings.HasPrefix(got, wantStart) || !strings.Contains(got, "<strong>EUPL, MPL, GPL or Apache?</strong>") {
		t.Errorf("content = %q\nwant it to start with %q", got, wantStart)
	}
	if got := str(t, m, "contentMap", "fr"); !strings.HasPrefix(got, "<p><strong>Webinaire : choisir une licence pour le code public</strong></p><p>📅 ") {
		t.Errorf("contentMap.fr = %q", got)
	}
}

func TestEventDocumentVariants(t *testing.T) {
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
			if c := str(t, m, "content"); !strings.Contains(c, "</p><p>⚠️ CANCELLED<br>📅 ") {
				t.Errorf("content does not flag the cancellation: %q", c)
			}
		}},
		{"moved online", func(e *store.Event) { e.Status = "moved-online" }, func(t *testing.T, m map[string]any) {
			if m["eventStatus"] != as2.FEP8a8e+"EventMovedOnline" || m["isOnline"] != true {
				t.Errorf("eventStatus %v isOnline %v", m["eventStatus"], m["isOnline"])
			}
			if c := str(t, m, "content"); !strings.Contains(c, "⚠️ MOVED ONLINE") {
				t.Errorf("content = %q", c)
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
			ctx := context.Background()
			n, _ := convNode(t, convBase)
			e := storetest.Event(start)
			tt.edit(e)
			if err := n.CreateEvent(ctx, e); err != nil {
				t.Fatal(err)
			}
			doc, err := n.EventDocument(ctx, e.ID)
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

func TestEventUpdatedAndTombstone(t *testing.T) {
	ctx := context.Background()
	n, clock := convNode(t, convBase)
	e := storetest.Event(time.Date(2027, 1, 10, 9, 0, 0, 0, time.UTC))
	if err := n.CreateEvent(ctx, e); err != nil {
		t.Fatal(err)
	}
	id := e.ID
	clock.Advance(time.Hour)
	upd := storetest.Event(time.Date(2027, 1, 11, 9, 0, 0, 0, time.UTC))
	if err := n.UpdateEvent(ctx, id, upd); err != nil {
		t.Fatal(err)
	}
	doc, err := n.EventDocument(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	m := jsonObj(t, doc)
	if m["updated"] != "2026-11-25T10:30:00Z" || m["published"] != "2026-11-25T09:30:00Z" {
		t.Errorf("published %v updated %v", m["published"], m["updated"])
	}

	// The Create activity that published it.
	act, err := n.EventActivityDocument(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	it, err := vocab.UnmarshalJSON(act)
	if err != nil {
		t.Fatal(err)
	}
	a, err := vocab.ToActivity(it)
	if err != nil {
		t.Fatal(err)
	}
	if a.Type != vocab.CreateType || string(a.ID) != n.URLs.Event(id)+"/activity" || a.Actor.GetLink().String() != n.URLs.Actor ||
		a.Object.GetLink().String() != n.URLs.Event(id) || !a.To.Contains(vocab.PublicNS) {
		t.Errorf("Create activity = type %s id %s actor %v object %v to %v", a.Type, a.ID, a.Actor, a.Object, a.To)
	}
	if obj, _ := vocab.ToObject(a.Object); obj == nil || obj.Type != vocab.EventType {
		t.Errorf("Create does not embed the Event: %v", a.Object)
	}

	clock.Advance(time.Hour)
	if err := n.DeleteEvent(ctx, id); err != nil {
		t.Fatal(err)
	}
	doc, err = n.EventDocument(ctx, id)
	if !errors.Is(err, ErrGone) {
		t.Fatalf("EventDocument(deleted) error = %v, want ErrGone", err)
	}
	m = jsonObj(t, doc)
	want := map[string]any{"type": "Tombstone", "formerType": "Event", "id": n.URLs.Event(id), "deleted": "2026-11-25T11:30:00Z"}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("tombstone %s = %v, want %v", k, m[k], v)
		}
	}
	if _, err := n.EventActivityDocument(ctx, id); !errors.Is(err, ErrGone) {
		t.Errorf("EventActivityDocument(deleted) error = %v, want ErrGone", err)
	}
	if err := n.DeleteEvent(ctx, id); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("second delete: %v, want store.ErrNotFound", err)
	}
	unknown := store.NewID(convNow)
	if _, err := n.EventDocument(ctx, unknown); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("EventDocument(unknown) error = %v, want store.ErrNotFound", err)
	}
}

func TestWebFinger(t *testing.T) {
	n, _ := convNode(t, "http://LocalHost:8080/")
	tests := []struct {
		resource string
		ok       bool
	}{
		{"acct:ospo@localhost:8080", true},
		{"acct:OSPO@LOCALHOST:8080", true},
		{"ACCT:ospo@localhost:8080", true},
		{" acct:ospo@localhost:8080 ", true},
		{"acct:@ospo@localhost:8080", true},
		{"acct:ospo@localhost:8080.", true},
		{"http://localhost:8080/actor", true},
		{"http://localhost:8080/@ospo", true},
		{"acct:ospo@localhost", false}, // the port is part of the host
		{"acct:ospo@localhost:8081", false},
		{"acct:other@localhost:8080", false},
		{"acct:ospo@evil.example", false},
		{"acct:ospo", false},
		{"ospo@localhost:8080", false},
		{"http://localhost:8080/actor/outbox", false},
		{"https://localhost:8080/actor", false},
		{"", false},
	}
	for _, tt := range tests {
		t.Run(tt.resource, func(t *testing.T) {
			jrd, ok := n.WebFinger(tt.resource)
			if ok != tt.ok {
				t.Fatalf("WebFinger(%q) matched = %v, want %v", tt.resource, ok, tt.ok)
			}
			if !ok {
				if jrd != nil {
					t.Errorf("no match but a JRD: %+v", jrd)
				}
				return
			}
			if jrd.Subject != "acct:ospo@localhost:8080" {
				t.Errorf("subject = %q", jrd.Subject)
			}
			if !reflect.DeepEqual(jrd.Aliases, []string{"http://localhost:8080/actor"}) {
				t.Errorf("aliases = %q", jrd.Aliases)
			}
			var self *JRDLink
			for i := range jrd.Links {
				if jrd.Links[i].Rel == "self" {
					self = &jrd.Links[i]
				}
			}
			if self == nil || self.Type != "application/activity+json" || self.Href != "http://localhost:8080/actor" {
				t.Errorf("self link = %+v", self)
			}
		})
	}
}

func TestNodeInfo(t *testing.T) {
	ctx := context.Background()
	n, _ := exampleNode(t)
	if err := n.CreateEvent(ctx, storetest.Event(time.Date(2025, 1, 1, 10, 0, 0, 0, time.UTC))); err != nil {
		t.Fatal(err)
	}
	links, err := json.Marshal(n.NodeInfoLinks())
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"links":[{"href":"` + convBase + `/nodeinfo/2.1","rel":"http://nodeinfo.diaspora.software/ns/schema/2.1"}]}`; string(links) != want {
		t.Errorf("NodeInfoLinks = %s\nwant %s", links, want)
	}
	doc, err := n.NodeInfo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	var ni struct {
		Version           string
		Software          struct{ Name, Version string }
		Protocols         []string
		OpenRegistrations *bool
		Usage             struct {
			Users      struct{ Total int }
			LocalPosts *int
		}
		Metadata struct {
			NodeName string
			OSPO     struct {
				SchemaVersion, Actor, Account, Country, GovernmentLevel, OSPOmeta string
				Discoverable                                                      bool
			} `json:"ospo"`
		}
	}
	if err := json.Unmarshal(b, &ni); err != nil {
		t.Fatal(err)
	}
	checks := []struct{ field, got, want string }{
		{"version", ni.Version, "2.1"},
		{"software.name", ni.Software.Name, "ospod"},
		{"software.version", ni.Software.Version, Version},
		{"protocols", strings.Join(ni.Protocols, ","), "activitypub"},
		{"metadata.nodeName", ni.Metadata.NodeName, "Open Source Program Office of the City of Exampleton"},
		{"metadata.ospo.schemaVersion", ni.Metadata.OSPO.SchemaVersion, "1"},
		{"metadata.ospo.actor", ni.Metadata.OSPO.Actor, convBase + "/actor"},
		{"metadata.ospo.account", ni.Metadata.OSPO.Account, "ospo@ospo.exampleton.example"},
		{"metadata.ospo.country", ni.Metadata.OSPO.Country, "FR"},
		{"metadata.ospo.governmentLevel", ni.Metadata.OSPO.GovernmentLevel, "municipal"},
		{"metadata.ospo.ospometa", ni.Metadata.OSPO.OSPOmeta, convBase + "/ospometa.yml"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.field, c.got, c.want)
		}
	}
	if ni.Usage.Users.Total != 1 || ni.Usage.LocalPosts == nil || *ni.Usage.LocalPosts != 2 {
		t.Errorf("usage = %+v, want 1 user and 2 local posts", ni.Usage)
	}
	if ni.OpenRegistrations == nil || *ni.OpenRegistrations {
		t.Errorf("openRegistrations = %v, want false", ni.OpenRegistrations)
	}
	if !ni.Metadata.OSPO.Discoverable {
		t.Error("metadata.ospo.discoverable = false, want true")
	}
}

func TestOSPOmetaForFallsBackToActor(t *testing.T) {
	p := &store.Profile{Name: store.LangMap{"fr": "Bureau", "en": "Office"}, Language: "fr", Country: "FR"}
	key, e := OSPOmetaFor(p, "https://node.example/actor")
	if key != "https://node.example/actor" || e.Name != "Bureau" || e.Country != "FR" || e.Description != nil {
		t.Errorf("OSPOmetaFor = %q, %+v", key, e)
	}
}
