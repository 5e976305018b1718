package federation

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the events' zones, wherever the tests run

	"github.com/ospod/ospod/store"
	"github.com/ospod/ospod/store/storetest"
)

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

// jsonObj decodes a JSON object for the checks on what go-ap drops.
func jsonObj(t *testing.T, doc []byte) map[string]any {
	t.Helper()
	m := map[string]any{}
	if err := json.Unmarshal(doc, &m); err != nil {
		t.Fatalf("not a JSON object: %v\n%s", err, doc)
	}
	return m
}

// The node serves what as2 renders from the stored profile and event: the
// store round trip (normalising, saving, reading back) changes nothing.
func TestDocumentsAsStored(t *testing.T) {
	n, e := exampleNode(t)
	ctx := context.Background()
	actor, err := n.ActorDocument(ctx)
	if err != nil {
		t.Fatal(err)
	}
	event, err := n.EventDocument(ctx, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	// The event's id is random: the golden file has EVENTID.
	event = bytes.ReplaceAll(event, []byte(e.ID), []byte("EVENTID"))
	for name, doc := range map[string][]byte{"actor.golden.json": actor, "event.golden.json": event} {
		want, err := os.ReadFile(filepath.Join("as2", "testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		if err := json.Indent(&got, doc, "", "  "); err != nil {
			t.Fatal(err)
		}
		got.WriteByte('\n')
		if !bytes.Equal(got.Bytes(), want) {
			t.Errorf("the node's document differs from as2/testdata/%s:\n%s", name, got.Bytes())
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
	a := jsonObj(t, act)
	obj, _ := a["object"].(map[string]any)
	if a["type"] != "Create" || a["id"] != n.URLs.Event(id)+"/activity" || a["actor"] != n.URLs.Actor ||
		obj["id"] != n.URLs.Event(id) || obj["type"] != "Event" {
		t.Errorf("Create activity = type %v id %v actor %v object %v", a["type"], a["id"], a["actor"], a["object"])
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

// TestWebFingerResourceShape: what RFC 7033 §4.2 calls malformed (a 400),
// apart from a well-formed resource of another account (a 404).
func TestWebFingerResourceShape(t *testing.T) {
	for resource, want := range map[string]bool{
		"acct:ospo@localhost:8080": true, "acct:@ospo@host": true, "ACCT:a@b": true, "acct:other@evil.example": true,
		"http://localhost:8080/actor": true, "mailto:ospo@example.org": true,
		"acct:": false, "acct:ospo": false, "acct:@host": false, "acct:ospo@": false,
		"ospo@localhost:8080": false, "localhost/actor": false, "": false, " ": false, "http:": false,
	} {
		if got := WellFormedResource(resource); got != want {
			t.Errorf("WellFormedResource(%q) = %v, want %v", resource, got, want)
		}
	}
}
