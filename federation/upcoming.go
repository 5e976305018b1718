package federation

import (
	"context"
	"encoding/json"

	"github.com/ospod/ospod/federation/as2"
	"github.com/ospod/ospod/store"
)

// This file reads an OSPO's upcoming events from its own collections: for
// an OSPO we just started to follow (backfill) and for one that discovery
// lists. Each item passes acceptRemoteEvent (remote_event.go).

// backfillEvents fetches the upcoming events of an OSPO we just started to
// follow: those published before the follow will never be pushed to us. It
// runs as a background task of the node (lifecycle.go).
func (n *Node) backfillEvents(ctx context.Context, actorID string) {
	ctx, cancel := context.WithTimeout(ctx, 2*n.client.TotalTimeout())
	defer cancel()
	a, err := n.st.Actor(ctx, actorID)
	if err != nil || !a.IsOSPO {
		return
	}
	events := n.newCrawl().upcomingEvents(ctx, a)
	if len(events) == 0 {
		return
	}
	err = n.st.InTx(ctx, func(tx *store.Tx) error { return n.storeRemoteEvents(ctx, tx, events) })
	if err != nil {
		n.log.Warn("backfill events", "actor", actorID, "err", err)
	}
}

// upcomingEvents reads an OSPO's FEP-8a8e upcomingEvents collection (or,
// without one, the first outbox page): the events it accepts that are still
// to come and that the calendar can show, and the withdrawals of events no
// longer public. nil means the collection could not be read.
func (c *crawl) upcomingEvents(ctx context.Context, a *store.Actor) []*remoteEvent {
	items, outbox := c.eventItems(ctx, a)
	if items == nil {
		return nil
	}
	now := c.n.st.Now()
	out := []*remoteEvent{}
	for i, raw := range items {
		if i == c.o.MaxItems {
			break
		}
		var obj map[string]json.RawMessage
		if json.Unmarshal(raw, &obj) != nil {
			continue
		}
		if outbox { // Create activities wrap the events
			if as2.OptString(obj, "type") != "Create" {
				continue
			}
			raw = obj["object"]
			if obj = nil; json.Unmarshal(raw, &obj) != nil {
				continue
			}
		}
		re, err := acceptRemoteEvent(a.ID, obj, raw)
		switch {
		case err != nil, re.action == ignoreObject:
			continue
		case re.action == keepEvent && (re.entry == nil || !re.entry.Event.End.After(now)):
			continue // past, or not for the calendar
		}
		out = append(out, re)
	}
	return out
}

// eventItems fetches the items of an OSPO's upcomingEvents collection, or of
// the first page of its outbox (outbox true) when it has none.
func (c *crawl) eventItems(ctx context.Context, a *store.Actor) (items []json.RawMessage, outbox bool) {
	var doc map[string]json.RawMessage
	_ = json.Unmarshal([]byte(a.Doc), &doc)
	coll, err := as2.IDOf(doc["upcomingEvents"])
	if err != nil {
		if coll, err = as2.IDOf(doc["outbox"]); err != nil {
			return nil, false
		}
		outbox = true
	}
	m := c.getCollection(ctx, coll, a.ID)
	if m == nil {
		return nil, outbox
	}
	if outbox {
		first, err := as2.IDOf(m["first"])
		if err != nil {
			return nil, outbox
		}
		if m = c.getCollection(ctx, first, a.ID); m == nil {
			return nil, outbox
		}
	}
	items = []json.RawMessage{}
	_ = json.Unmarshal(m["orderedItems"], &items)
	return items, outbox
}

// getCollection fetches a collection (or page) on the actor's origin within
// the round's budget; nil when it cannot be read.
func (c *crawl) getCollection(ctx context.Context, url, actor string) map[string]json.RawMessage {
	if !as2.SameOrigin(url, actor) || c.fetch() != nil {
		return nil
	}
	body, err := c.n.getActivity(ctx, url)
	if err != nil {
		return nil
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) != nil {
		return nil
	}
	return m
}
