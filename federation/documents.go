package federation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	vocab "github.com/go-ap/activitypub"

	"github.com/ospod/ospod/store"
)

// ErrGone means the object existed and was deleted (answer 410 with its tombstone).
var ErrGone = errors.New("gone")

// OutboxPageSize is the number of activities on one outbox page.
const OutboxPageSize = 20

// ActorDocument returns the actor as ActivityStreams JSON.
func (n *Node) ActorDocument(ctx context.Context) ([]byte, error) {
	p, err := n.Profile(ctx)
	if err != nil {
		return nil, err
	}
	return n.actorDoc(p)
}

// EventDocument returns an event as ActivityStreams JSON. For a deleted event
// it returns its Tombstone and ErrGone; an unknown id gives store.ErrNotFound.
func (n *Node) EventDocument(ctx context.Context, id string) ([]byte, error) {
	e, err := n.st.Event(ctx, id)
	if err != nil {
		return nil, err
	}
	if !e.Deleted.IsZero() {
		doc, err := n.tombstoneDoc(e)
		if err != nil {
			return nil, err
		}
		return doc, ErrGone
	}
	p, err := n.Profile(ctx)
	if err != nil {
		return nil, err
	}
	m, err := n.eventObject(e, p)
	if err != nil {
		return nil, err
	}
	m["@context"] = eventContext
	return json.Marshal(m)
}

// EventActivityDocument returns the Create activity that published an event.
func (n *Node) EventActivityDocument(ctx context.Context, id string) ([]byte, error) {
	e, err := n.st.Event(ctx, id)
	if err != nil {
		return nil, err
	}
	if !e.Deleted.IsZero() {
		return nil, ErrGone
	}
	p, err := n.Profile(ctx)
	if err != nil {
		return nil, err
	}
	act, err := n.createActivity(e, p)
	if err != nil {
		return nil, err
	}
	act["@context"] = eventContext
	return json.Marshal(act)
}

func (n *Node) tombstoneDoc(e *store.Event) ([]byte, error) {
	t := &vocab.Tombstone{ID: vocab.ID(n.URLs.Event(e.ID)), Type: vocab.TombstoneType,
		FormerType: vocab.EventType, Deleted: e.Deleted.UTC().Truncate(time.Second)}
	return marshalDoc(t, plainContext, nil)
}

// createActivity wraps an event in the Create that published it.
func (n *Node) createActivity(e *store.Event, p *store.Profile) (map[string]any, error) {
	obj, err := n.eventObject(e, p)
	if err != nil {
		return nil, err
	}
	act := vocab.CreateNew(vocab.ID(n.URLs.EventActivity(e.ID)), nil)
	act.Actor = vocab.IRI(n.URLs.Actor)
	act.To = vocab.ItemCollection{vocab.PublicNS}
	act.CC = vocab.ItemCollection{vocab.IRI(n.URLs.Followers)}
	act.Published = e.Published.UTC().Truncate(time.Second)
	m, err := docMap(act, map[string]any{"object": obj})
	if err != nil {
		return nil, err
	}
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	return out, nil
}

// OutboxDocument returns the outbox collection (page 0) or one of its pages
// (page >= 1): Create activities, newest first.
func (n *Node) OutboxDocument(ctx context.Context, page int) ([]byte, error) {
	_, total, err := n.st.ListEvents(ctx, store.EventFilter{When: store.EventsAll, Limit: 1})
	if err != nil {
		return nil, err
	}
	id := vocab.IRI(n.URLs.Outbox)
	oc := vocab.OrderedCollectionNew(vocab.ID(id))
	oc.TotalItems = uint(total)
	oc.First = vocab.IRI(pageURL(n.URLs.Outbox, 1))
	last := max(1, (total+OutboxPageSize-1)/OutboxPageSize)
	if page <= 0 {
		return marshalDoc(oc, plainContext, map[string]any{"last": pageURL(n.URLs.Outbox, last)})
	}
	events, _, err := n.st.ListEvents(ctx, store.EventFilter{When: store.EventsAll,
		Limit: OutboxPageSize, Offset: (page - 1) * OutboxPageSize})
	if err != nil {
		return nil, err
	}
	p, err := n.Profile(ctx)
	if err != nil {
		return nil, err
	}
	items := make([]map[string]any, 0, len(events))
	for _, e := range events {
		act, err := n.createActivity(e, p)
		if err != nil {
			return nil, err
		}
		items = append(items, act)
	}
	pg := vocab.OrderedCollectionPageNew(oc)
	pg.ID = vocab.ID(pageURL(n.URLs.Outbox, page))
	pg.PartOf = id
	extra := map[string]any{"orderedItems": items, "first": nil, "totalItems": nil}
	if page < last {
		pg.Next = vocab.IRI(pageURL(n.URLs.Outbox, page+1))
	}
	if page > 1 {
		pg.Prev = vocab.IRI(pageURL(n.URLs.Outbox, page-1))
	}
	return marshalDoc(pg, eventContext, extra)
}

// UpcomingEventsDocument returns the FEP-8a8e upcomingEvents collection:
// events not yet ended, soonest first.
func (n *Node) UpcomingEventsDocument(ctx context.Context) ([]byte, error) {
	events, total, err := n.st.ListEvents(ctx, store.EventFilter{When: store.EventsUpcoming, Limit: 100})
	if err != nil {
		return nil, err
	}
	p, err := n.Profile(ctx)
	if err != nil {
		return nil, err
	}
	items := make([]map[string]any, 0, len(events))
	for _, e := range events {
		obj, err := n.eventObject(e, p)
		if err != nil {
			return nil, err
		}
		items = append(items, obj)
	}
	oc := vocab.OrderedCollectionNew(vocab.ID(n.URLs.UpcomingEvents))
	oc.TotalItems = uint(total)
	return marshalDoc(oc, eventContext, map[string]any{"orderedItems": items})
}

// CollectionDocument returns an ordered collection of IRIs (followers,
// following, featured) with its size; items are listed only when given.
func (n *Node) CollectionDocument(id string, total int, items []string) ([]byte, error) {
	oc := vocab.OrderedCollectionNew(vocab.ID(id))
	oc.TotalItems = uint(total)
	extra := map[string]any{}
	if items != nil {
		extra["orderedItems"] = items
	}
	return marshalDoc(oc, plainContext, extra)
}

func pageURL(collection string, page int) string {
	return collection + "?page=" + strconv.Itoa(page)
}

// Counts returns how many events and followers the node has.
func (n *Node) Counts(ctx context.Context) (ActorCounts, error) {
	_, events, err := n.st.ListEvents(ctx, store.EventFilter{Limit: 1})
	if err != nil {
		return ActorCounts{}, fmt.Errorf("count events: %w", err)
	}
	return ActorCounts{Events: events}, nil
}
