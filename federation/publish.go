package federation

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	vocab "github.com/go-ap/activitypub"

	"github.com/ospod/ospod/store"
)

// This file builds the activities we send. Each is recorded with its exact
// bytes in the same transaction as the change it announces, together with its
// deliveries (a transactional outbox): a crash leaves either both or neither.

// announce records an activity and queues it for every follower's inbox.
func (n *Node) announce(ctx context.Context, tx *store.Tx, id, typ, objectID string, doc []byte) error {
	if err := tx.AddActivity(ctx, &store.Activity{ID: id, Type: typ, ObjectID: objectID, Doc: doc}); err != nil {
		return err
	}
	_, err := tx.EnqueueToFollowers(ctx, id)
	return err
}

// sendTo records an activity and queues it for the given inboxes.
func (n *Node) sendTo(ctx context.Context, tx *store.Tx, id, typ, objectID string, doc []byte, inboxes ...string) error {
	if err := tx.AddActivity(ctx, &store.Activity{ID: id, Type: typ, ObjectID: objectID, Doc: doc}); err != nil {
		return err
	}
	return tx.EnqueueTo(ctx, id, inboxes...)
}

// publicAddressing sets the audience of everything we publish: the public and our followers.
func (n *Node) publicAddressing(act *vocab.Activity, at time.Time) {
	act.Actor = vocab.IRI(n.URLs.Actor)
	act.To = vocab.ItemCollection{vocab.PublicNS}
	act.CC = vocab.ItemCollection{vocab.IRI(n.URLs.Followers)}
	act.Published = at.UTC().Truncate(time.Second)
}

// updateActorDoc is the Update(actor) sent after a profile change.
func (n *Node) updateActorDoc(p *store.Profile, at time.Time) (string, []byte, error) {
	id := n.URLs.Actor + "#updates/" + strconv.FormatInt(at.UnixNano(), 10)
	obj, err := n.actorMap(p)
	if err != nil {
		return "", nil, err
	}
	act := vocab.UpdateNew(vocab.ID(id), nil)
	n.publicAddressing(act, at)
	doc, err := marshalDoc(act, actorContext, map[string]any{"object": obj})
	return id, doc, err
}

// createEventDoc is the Create(Event) that publishes an event.
func (n *Node) createEventDoc(e *store.Event, p *store.Profile) (string, []byte, error) {
	act, err := n.createActivity(e, p)
	if err != nil {
		return "", nil, err
	}
	act["@context"] = eventContext
	doc, err := json.Marshal(act)
	return n.URLs.EventActivity(e.ID), doc, err
}

// updateEventDoc is the Update(Event) sent after an edit.
func (n *Node) updateEventDoc(e *store.Event, p *store.Profile, at time.Time) (string, []byte, error) {
	id := n.URLs.Event(e.ID) + "#updates/" + strconv.FormatInt(at.UnixNano(), 10)
	obj, err := n.eventObject(e, p)
	if err != nil {
		return "", nil, err
	}
	act := vocab.UpdateNew(vocab.ID(id), nil)
	n.publicAddressing(act, at)
	act.Updated = at.UTC().Truncate(time.Second)
	doc, err := marshalDoc(act, eventContext, map[string]any{"object": obj})
	return id, doc, err
}

// deleteEventDoc is the Delete sent when an event is removed, with a Tombstone.
func (n *Node) deleteEventDoc(eventID string, at time.Time) (string, []byte, error) {
	id := n.URLs.Event(eventID) + "#delete"
	act := &vocab.Activity{ID: vocab.ID(id), Type: vocab.DeleteType,
		Object: &vocab.Tombstone{ID: vocab.ID(n.URLs.Event(eventID)), Type: vocab.TombstoneType,
			FormerType: vocab.EventType, Deleted: at.UTC().Truncate(time.Second)}}
	n.publicAddressing(act, at)
	doc, err := marshalDoc(act, plainContext, nil)
	return id, doc, err
}

// followDoc is a Follow of a remote actor.
func (n *Node) followDoc(target string, at time.Time) (string, []byte, error) {
	id := n.URLs.Base + "/follows/" + store.NewID(at)
	act := &vocab.Activity{ID: vocab.ID(id), Type: vocab.FollowType,
		Actor: vocab.IRI(n.URLs.Actor), Object: vocab.IRI(target)}
	doc, err := marshalDoc(act, plainContext, map[string]any{"to": []string{target}})
	return id, doc, err
}

// undoFollowDoc withdraws our Follow of a remote actor.
func (n *Node) undoFollowDoc(followID, target string, at time.Time) (string, []byte, error) {
	id := n.URLs.Base + "/activities/" + store.NewID(at)
	follow := map[string]any{"id": followID, "type": "Follow", "actor": n.URLs.Actor, "object": target}
	act := &vocab.Activity{ID: vocab.ID(id), Type: vocab.UndoType, Actor: vocab.IRI(n.URLs.Actor)}
	doc, err := marshalDoc(act, plainContext, map[string]any{"object": follow, "to": []string{target}})
	return id, doc, err
}

// answerFollowDoc is our Accept or Reject of a remote actor's Follow; it
// embeds the Follow, as Mastodon expects.
func (n *Node) answerFollowDoc(typ vocab.ActivityVocabularyType, followID, follower string, at time.Time) (string, []byte, error) {
	id := n.URLs.Base + "/activities/" + store.NewID(at)
	follow := map[string]any{"id": followID, "type": "Follow", "actor": follower, "object": n.URLs.Actor}
	act := &vocab.Activity{ID: vocab.ID(id), Type: typ, Actor: vocab.IRI(n.URLs.Actor)}
	doc, err := marshalDoc(act, plainContext, map[string]any{"object": follow, "to": []string{follower}})
	return id, doc, err
}

// ignoreDoc answers a Join: FEP-8a8e asks servers without RSVP to send Ignore.
func (n *Node) ignoreDoc(joinID, actor string, at time.Time) (string, []byte, error) {
	id := n.URLs.Base + "/activities/" + store.NewID(at)
	act := &vocab.Activity{ID: vocab.ID(id), Type: vocab.IgnoreType, Actor: vocab.IRI(n.URLs.Actor), Object: vocab.IRI(joinID)}
	doc, err := marshalDoc(act, plainContext, map[string]any{"to": []string{actor}})
	return id, doc, err
}
