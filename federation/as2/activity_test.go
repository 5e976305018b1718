package as2_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/ospod/ospod/federation/as2"
	"github.com/ospod/ospod/store"
	"github.com/ospod/ospod/store/storetest"
)

// docs gathers documents by name into one golden file; minted activity ids
// (random) are replaced by ACTIVITYID.
type docs map[string]json.RawMessage

func (d docs) add(t *testing.T, name, id string, doc []byte, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if strings.Contains(id, "/activities/") || strings.Contains(id, "/follows/") {
		doc = bytes.ReplaceAll(doc, []byte(id), []byte(testBase+"/activities/ACTIVITYID"))
	}
	d[name] = doc
}

func (d docs) check(t *testing.T, golden string) {
	t.Helper()
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, golden, b)
}

// The activities we send, as peers receive them.
func TestActivities(t *testing.T) {
	at := time.Date(2026, 11, 26, 8, 15, 0, 123456789, time.UTC)
	p := exampleProfile(t)
	e := exampleEvent(t, p)
	d := docs{}
	id, doc, err := as2.UpdateActor(testURLs, &store.Profile{Name: store.LangMap{"en": "ospo"}}, "ospo", publicKeyPEM(t), at)
	d.add(t, "Update(actor)", id, doc, err)
	id, doc, err = as2.CreateEvent(testURLs, e, p)
	d.add(t, "Create(Event)", id, doc, err)
	id, doc, err = as2.UpdateEvent(testURLs, e, p, at)
	d.add(t, "Update(Event)", id, doc, err)
	id, doc, err = as2.DeleteEvent(testURLs, e.ID, at)
	d.add(t, "Delete(Event)", id, doc, err)
	doc, err = as2.Tombstone(testURLs, e.ID, at)
	d.add(t, "Tombstone", "", doc, err)
	id, doc, err = as2.Follow(testURLs, "https://remote.example/users/a", at)
	d.add(t, "Follow", id, doc, err)
	id, doc, err = as2.UndoFollow(testURLs, testBase+"/follows/X", "https://remote.example/users/a", at)
	d.add(t, "Undo(Follow)", id, doc, err)
	id, doc, err = as2.Accept(testURLs, "https://remote.example/f/1", "https://remote.example/users/b", at)
	d.add(t, "Accept(Follow)", id, doc, err)
	id, doc, err = as2.Reject(testURLs, "https://remote.example/f/1", "https://remote.example/users/b", at)
	d.add(t, "Reject(Follow)", id, doc, err)
	id, doc, err = as2.Ignore(testURLs, "https://remote.example/join/1", "https://remote.example/users/c", at)
	d.add(t, "Ignore(Join)", id, doc, err)
	d.check(t, "activities.golden.json")

	for _, typ := range []string{"Follow", "Undo(Follow)", "Accept(Follow)"} {
		if !bytes.Contains(d[typ], []byte(testBase+"/activities/ACTIVITYID")) {
			t.Errorf("%s: the minted id is not under %s: %s", typ, testBase, d[typ])
		}
	}
}

// The collections we serve: followers/following/featured, upcoming events,
// the outbox and a page between two others.
func TestCollections(t *testing.T) {
	p := exampleProfile(t)
	var events []*store.Event
	for i, day := range []int{12, 10} {
		e := storetest.Event(time.Date(2030, 1, day, 9, 0, 0, 0, time.UTC))
		e.ID, e.Published, e.Updated = "EVENT"+string(rune('A'+i)), testNow, testNow
		events = append(events, e)
	}
	d := docs{}
	doc, err := as2.Collection(testURLs.Followers, 3, []string{"https://a.example/1", "https://b.example/2", "https://c.example/3"})
	d.add(t, "followers", "", doc, err)
	doc, err = as2.Collection(testURLs.Following, 7, nil)
	d.add(t, "following, not listed", "", doc, err)
	doc, err = as2.Collection(testURLs.Featured, 0, []string{})
	d.add(t, "featured, empty", "", doc, err)
	doc, err = as2.UpcomingEvents(testURLs, events, 2, p)
	d.add(t, "upcomingEvents", "", doc, err)
	doc, err = as2.Outbox(testURLs, 42, 3)
	d.add(t, "outbox", "", doc, err)
	doc, err = as2.OutboxPage(testURLs, 2, 3, events, p)
	d.add(t, "outbox page 2 of 3", "", doc, err)
	doc, err = as2.OutboxPage(testURLs, 1, 1, nil, p)
	d.add(t, "outbox page 1 of 1, empty", "", doc, err)
	d.check(t, "collections.golden.json")
}
