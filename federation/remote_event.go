package federation

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/ospod/ospod/federation/as2"
	"github.com/ospod/ospod/store"
)

// What we accept from a remote server: its events.
//
// An event of another OSPO reaches this node three ways: pushed to the inbox
// in a Create or an Update (inbox.go); read from the OSPO's upcomingEvents
// collection (or outbox) right after it accepted our follow, since what it
// published before will never be pushed (backfill, upcoming.go); and read
// from the same collection of an OSPO that discovery lists, when it is
// listed and at each refresh (discovery*.go). Whichever way it came, an
// event passes acceptRemoteEvent and then storeRemoteEvent:
//
//   - its owner is the actor that signed the delivery, or whose collection
//     listed it; the object's id is on the owner's origin and the object is
//     attributed to the owner alone (else refused as forbidden);
//   - an object that is not an Event (a note, an article) is ignored;
//   - an Event not addressed to Public in "to" (FEP-8a8e: public calendars
//     show only those) is withdrawn: a copy we hold of it is removed;
//   - the document is at most 256 KiB, has a name, and RFC 3339 times that
//     do not end before they start (else refused as invalid); names and texts
//     become plain text, URLs must be http(s), and the calendar form must
//     pass store.Event.CleanRemote or the calendar does not show it;
//   - when stored (in the caller's transaction) an id we already hold for
//     another actor is refused as forbidden; the document is kept for an
//     OSPO we follow, and its calendar entry while the OSPO is listed as
//     followed or discovered.
//
// Collections are read for the calendar: from them we keep only upcoming
// events it can show, and a refused item is skipped, not fatal.

// maxRemoteEventBytes bounds what we keep of one remote event.
const maxRemoteEventBytes = 256 << 10

// eventAction is what storing an accepted remote object does.
type eventAction int

const (
	keepEvent     eventAction = iota // store the event, or replace our copy
	withdrawEvent                    // not public (any more): remove our copy
	ignoreObject                     // not an Event: nothing to keep
)

// remoteEvent is a remote object that passed acceptRemoteEvent.
type remoteEvent struct {
	id, owner string
	action    eventAction
	ev        *store.RemoteEvent   // what we keep (keepEvent)
	entry     *store.CalendarEntry // its calendar entry (keepEvent); nil when the calendar cannot show it
}

// eventRefusal says why a remote event is not kept.
type eventRefusal struct {
	forbidden bool // refused for who sent it (403 at the inbox), not for what it says (400)
	reason    string
}

func (r *eventRefusal) Error() string { return r.reason }

// acceptRemoteEvent decides whether obj, sent by or listed in a collection
// of owner, is an event we accept, and reads it into the records we keep.
// doc is the object as sent (nil: obj is encoded again). It reads nothing
// from the store: what the store knows is checked by storeRemoteEvent.
func acceptRemoteEvent(owner string, obj map[string]json.RawMessage, doc json.RawMessage) (*remoteEvent, error) {
	if obj == nil {
		return nil, &eventRefusal{reason: "the object is not a JSON object"}
	}
	id, err := as2.IDOf(obj["id"])
	if err != nil {
		return nil, &eventRefusal{reason: "the object has no id"}
	}
	if err := as2.CheckID(id); err != nil {
		return nil, &eventRefusal{reason: "the object's id: " + err.Error()}
	}
	if !as2.SameOrigin(id, owner) {
		return nil, &eventRefusal{forbidden: true, reason: "the object is not on the actor's origin"}
	}
	if owners := as2.IDsOf(obj["attributedTo"]); len(owners) != 1 || owners[0] != owner {
		return nil, &eventRefusal{forbidden: true, reason: "the object is not attributed to the actor"}
	}
	re := &remoteEvent{id: id, owner: owner}
	switch {
	case as2.OptString(obj, "type") != "Event":
		re.action = ignoreObject
		return re, nil
	case !as2.IsPublic(as2.IDsOf(obj["to"])):
		re.action = withdrawEvent
		return re, nil
	}
	if doc == nil {
		if doc, err = json.Marshal(obj); err != nil {
			return nil, err
		}
	}
	if len(doc) > maxRemoteEventBytes {
		return nil, &eventRefusal{reason: "invalid event: event document too large"}
	}
	if re.ev, err = as2.ReadRemoteEvent(id, owner, obj, doc); err != nil {
		return nil, &eventRefusal{reason: "invalid event: " + err.Error()}
	}
	if e, url, ok := as2.ReadEvent(obj); ok {
		if url == "" || !as2.SameOrigin(url, id) {
			url = id
		}
		re.entry = &store.CalendarEntry{ID: id, OSPOID: owner, Event: e, URL: url}
	}
	return re, nil
}

// storeRemoteEvent stores an accepted remote event in tx, after the checks
// that need the store: an id held for another actor is refused
// (*eventRefusal); the document is kept only for an OSPO we follow, the
// calendar entry only while the OSPO is listed as followed or discovered.
func (n *Node) storeRemoteEvent(ctx context.Context, tx *store.Tx, re *remoteEvent) error {
	src, err := tx.EventSource(ctx, re.id, re.owner)
	if err != nil {
		return err
	}
	if src.StoredBy != "" && src.StoredBy != re.owner {
		return &eventRefusal{forbidden: true, reason: "the object belongs to another actor"}
	}
	switch re.action {
	case ignoreObject:
		return nil
	case withdrawEvent:
		if src.StoredBy == "" {
			return nil
		}
		if err := tx.DeleteCalendarEntry(ctx, re.id); err != nil {
			return err
		}
		return tx.DeleteRemoteEvent(ctx, re.id)
	}
	if src.Following == store.FollowAccepted {
		if err := tx.PutRemoteEvent(ctx, re.ev); err != nil {
			return err
		}
	}
	if src.Kind != store.KindFollowed && src.Kind != store.KindDiscovered {
		return nil
	}
	if re.entry == nil {
		return tx.DeleteCalendarEntry(ctx, re.id)
	}
	entry := *re.entry // a batch may run twice: keep the accepted entry as it was
	return tx.PutCalendarEntry(ctx, &entry)
}

// storeRemoteEvents stores the events read from an OSPO's collection:
// a refused one is skipped (and logged), any other error ends the transaction.
func (n *Node) storeRemoteEvents(ctx context.Context, tx *store.Tx, events []*remoteEvent) error {
	for _, re := range events {
		err := n.storeRemoteEvent(ctx, tx, re)
		var refused *eventRefusal
		if errors.As(err, &refused) {
			n.log.Debug("remote event refused", "id", re.id, "owner", re.owner, "reason", refused.reason)
			continue
		}
		if err != nil {
			return err
		}
	}
	return nil
}
