package federation

import (
	"context"
	"errors"
	"fmt"

	"github.com/ospod/ospod/federation/as2"
	"github.com/ospod/ospod/store"
)

// This file serves the node's ActivityStreams documents: it reads the store
// and lets as2 render them.

// ErrGone means the object existed and was deleted (answer 410 with its tombstone).
var ErrGone = errors.New("gone")

// OutboxPageSize is the number of activities on one outbox page.
const OutboxPageSize = 20

// ActorCounts are the collection sizes shown on the actor page.
type ActorCounts struct{ Followers, Following, Events int }

// ActorDocument returns the actor as ActivityStreams JSON.
func (n *Node) ActorDocument(ctx context.Context) ([]byte, error) {
	p, err := n.Profile(ctx)
	if err != nil {
		return nil, err
	}
	return as2.Actor(n.URLs, p, n.opts.Handle, n.pubPEM)
}

// EventDocument returns an event as ActivityStreams JSON. For a deleted event
// it returns its Tombstone and ErrGone; an unknown id gives store.ErrNotFound.
func (n *Node) EventDocument(ctx context.Context, id string) ([]byte, error) {
	e, err := n.st.Event(ctx, id)
	if err != nil {
		return nil, err
	}
	if !e.Deleted.IsZero() {
		doc, err := as2.Tombstone(n.URLs, e.ID, e.Deleted)
		if err != nil {
			return nil, err
		}
		return doc, ErrGone
	}
	p, err := n.Profile(ctx)
	if err != nil {
		return nil, err
	}
	return as2.Event(n.URLs, e, p)
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
	_, doc, err := as2.CreateEvent(n.URLs, e, p)
	return doc, err
}

// OutboxDocument returns the outbox collection (page 0) or one of its pages
// (page >= 1): Create activities, newest first.
func (n *Node) OutboxDocument(ctx context.Context, page int) ([]byte, error) {
	_, total, err := n.st.ListEvents(ctx, store.EventFilter{When: store.EventsAll, Limit: 1})
	if err != nil {
		return nil, err
	}
	pages := max(1, (total+OutboxPageSize-1)/OutboxPageSize)
	if page <= 0 {
		return as2.Outbox(n.URLs, total, pages)
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
	return as2.OutboxPage(n.URLs, page, pages, events, p)
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
	return as2.UpcomingEvents(n.URLs, events, total, p)
}

// Counts returns how many events and followers the node has.
func (n *Node) Counts(ctx context.Context) (ActorCounts, error) {
	_, events, err := n.st.ListEvents(ctx, store.EventFilter{Limit: 1})
	if err != nil {
		return ActorCounts{}, fmt.Errorf("count events: %w", err)
	}
	return ActorCounts{Events: events}, nil
}
