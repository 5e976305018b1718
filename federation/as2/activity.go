package as2

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/ospod/ospod/store"
)

// activity is an activity we send (fields in alphabetical order, see actor).
type activity struct {
	Context   any      `json:"@context,omitempty"`
	Actor     string   `json:"actor"`
	CC        []string `json:"cc,omitempty"`
	ID        string   `json:"id"`
	Object    any      `json:"object"`
	Published string   `json:"published,omitempty"`
	To        []string `json:"to,omitempty"`
	Type      string   `json:"type"`
	Updated   string   `json:"updated,omitempty"`
}

// tombstone is what remains of a deleted event.
type tombstone struct {
	Context    any    `json:"@context"`
	Deleted    string `json:"deleted"`
	FormerType string `json:"formerType"`
	ID         string `json:"id"`
	Type       string `json:"type"`
}

// deletedObject is the tombstone inside a Delete; its fields keep the order
// go-ap wrote them in.
type deletedObject struct {
	ID         string `json:"id"`
	Type       string `json:"type"`
	FormerType string `json:"formerType"`
	Deleted    string `json:"deleted"`
}

// publicActivity is addressed as everything we publish: to the public, cc
// our followers.
func publicActivity(u URLs, id, typ string, object any, at time.Time) *activity {
	return &activity{Actor: u.Actor, CC: []string{u.Followers}, ID: id, Object: object,
		Published: timeString(at), To: []string{Public}, Type: typ}
}

func unixNano(at time.Time) string { return strconv.FormatInt(at.UnixNano(), 10) }

// CreateEvent is the Create(Event) that published an event, and its id.
func CreateEvent(u URLs, e *store.Event, p *store.Profile) (string, []byte, error) {
	act := createActivity(u, e, p)
	act.Context = eventContext
	doc, err := json.Marshal(act)
	return act.ID, doc, err
}

// createActivity wraps an event in the Create that published it.
func createActivity(u URLs, e *store.Event, p *store.Profile) *activity {
	return publicActivity(u, u.EventActivity(e.ID), "Create", eventObject(u, e, p), e.Published)
}

// UpdateEvent is the Update(Event) sent after an edit, and its id.
func UpdateEvent(u URLs, e *store.Event, p *store.Profile, at time.Time) (string, []byte, error) {
	id := u.Event(e.ID) + "#updates/" + unixNano(at)
	act := publicActivity(u, id, "Update", eventObject(u, e, p), at)
	act.Context, act.Updated = eventContext, timeString(at)
	doc, err := json.Marshal(act)
	return id, doc, err
}

// DeleteEvent is the Delete sent when an event is removed, with a Tombstone, and its id.
func DeleteEvent(u URLs, eventID string, at time.Time) (string, []byte, error) {
	id := u.Event(eventID) + "#delete"
	act := publicActivity(u, id, "Delete", deletedObject{ID: u.Event(eventID), Type: "Tombstone",
		FormerType: "Event", Deleted: timeString(at)}, at)
	act.Context = plainContext
	doc, err := json.Marshal(act)
	return id, doc, err
}

// Tombstone is a deleted event's document (served with 410 Gone).
func Tombstone(u URLs, eventID string, deleted time.Time) ([]byte, error) {
	return json.Marshal(tombstone{Context: plainContext, Deleted: timeString(deleted), FormerType: "Event",
		ID: u.Event(eventID), Type: "Tombstone"})
}

// Follow is a Follow of a remote actor, and its id.
func Follow(u URLs, target string, at time.Time) (string, []byte, error) {
	id := u.newFollowID(at)
	doc, err := json.Marshal(activity{Context: plainContext, Actor: u.Actor, ID: id, Object: target,
		To: []string{target}, Type: "Follow"})
	return id, doc, err
}

// UndoFollow withdraws our Follow of a remote actor; it returns its id.
func UndoFollow(u URLs, followID, target string, at time.Time) (string, []byte, error) {
	follow := activity{Actor: u.Actor, ID: followID, Object: target, Type: "Follow"}
	return answer(u, "Undo", follow, target, at)
}

// Accept accepts a remote actor's Follow; it embeds the Follow, as Mastodon
// expects, and returns its id.
func Accept(u URLs, followID, follower string, at time.Time) (string, []byte, error) {
	return answer(u, "Accept", activity{Actor: follower, ID: followID, Object: u.Actor, Type: "Follow"}, follower, at)
}

// Reject refuses a remote actor's Follow (embedded, as in Accept); it returns its id.
func Reject(u URLs, followID, follower string, at time.Time) (string, []byte, error) {
	return answer(u, "Reject", activity{Actor: follower, ID: followID, Object: u.Actor, Type: "Follow"}, follower, at)
}

// Ignore answers a Join: FEP-8a8e asks servers without RSVP to send Ignore.
// It returns its id.
func Ignore(u URLs, joinID, actor string, at time.Time) (string, []byte, error) {
	return answer(u, "Ignore", joinID, actor, at)
}

// answer is an activity of ours about object, sent to one actor.
func answer(u URLs, typ string, object any, to string, at time.Time) (string, []byte, error) {
	id := u.newActivityID(at)
	doc, err := json.Marshal(activity{Context: plainContext, Actor: u.Actor, ID: id, Object: object,
		To: []string{to}, Type: typ})
	return id, doc, err
}
