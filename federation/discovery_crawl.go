package federation

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/ospod/ospod/federation/as2"
	"github.com/ospod/ospod/store"
)

// This file walks outwards from a candidate: it checks the candidate is an
// OSPO node, lists it, and reads its collections and profile links for
// the next candidates.

// visit checks a candidate (listing it if it is a new OSPO) and returns its
// neighbours to visit next.
func (c *crawl) visit(ctx context.Context, cand candidate) ([]candidate, error) {
	n := c.n
	if !n.Allowed(ctx, store.HostOf(cand.actor)) {
		return nil, nil
	}
	kind := ""
	if e, err := n.st.DirectoryEntry(ctx, cand.actor); err == nil {
		kind = e.Kind
	}
	if p, err := n.st.Peer(ctx, cand.actor); err == nil && p.State == store.PeerDismissed {
		return nil, nil
	}
	var a *store.Actor
	var p *store.Profile // nil unless an OSPO with a usable profile
	if kind == "" {      // a new candidate: check it is an OSPO node
		if err := c.fetch(); err != nil {
			return nil, err
		}
		actor, prof, err := n.fetchActor(ctx, cand.actor)
		if err != nil {
			return nil, err
		}
		a, p = actor, prof
		ok, err := c.isOSPONode(ctx, a, p)
		if err != nil || !ok {
			return nil, err
		}
		if err := c.list(ctx, a, p, cand); err != nil {
			return nil, err
		}
		c.rep.Discovered = append(c.rep.Discovered, a.ID)
	} else {
		actor, err := n.st.Actor(ctx, cand.actor)
		if err != nil {
			return nil, nil
		}
		a = actor
		if prof, ok := as2.ReadProfile([]byte(a.Doc)); ok {
			p = prof
		}
	}
	if cand.depth >= c.o.MaxDepth {
		return nil, nil
	}
	var next []candidate
	add := func(id string) {
		if id != "" && !c.seen[id] && as2.IsHTTPURL(id) {
			c.seen[id] = true
			next = append(next, candidate{actor: id, depth: cand.depth + 1, via: a.ID})
		}
	}
	var doc map[string]json.RawMessage
	_ = json.Unmarshal([]byte(a.Doc), &doc)
	for _, key := range []string{"following", "followers"} {
		if coll, err := as2.IDOf(doc[key]); err == nil && as2.SameOrigin(coll, a.ID) {
			items, err := c.collectionItems(ctx, coll)
			if errors.Is(err, errBudget) {
				return next, nil
			}
			for _, id := range items {
				add(id)
			}
		}
	}
	// Profile links that may be OSPO nodes themselves: memberships, parent.
	if p != nil {
		for _, m := range p.Memberships {
			add(m.URL)
		}
		if p.ParentOrganization != nil {
			add(p.ParentOrganization.URL)
		}
	}
	return next, nil
}

// collectionItems reads the ids in an (Ordered)Collection, following its
// pages within the round's bounds and never revisiting a page.
func (c *crawl) collectionItems(ctx context.Context, coll string) ([]string, error) {
	var ids []string
	pages := map[string]bool{}
	cur := coll
	for page := 0; cur != "" && page <= c.o.MaxPages && len(ids) < c.o.MaxItems; page++ {
		if pages[cur] || !as2.SameOrigin(cur, coll) {
			break
		}
		pages[cur] = true
		if err := c.fetch(); err != nil {
			return ids, err
		}
		doc, err := c.n.getActivity(ctx, cur)
		if err != nil {
			return ids, nil // a private or missing collection is not an error of ours
		}
		var m map[string]json.RawMessage
		if json.Unmarshal(doc, &m) != nil {
			return ids, nil
		}
		for _, key := range []string{"orderedItems", "items"} {
			for _, id := range as2.IDsOf(m[key]) {
				if len(ids) < c.o.MaxItems {
					ids = append(ids, id)
				}
			}
		}
		next := ""
		if first, ok := m["first"]; ok && page == 0 {
			// first may be an IRI or an embedded page.
			var fm map[string]json.RawMessage
			if json.Unmarshal(first, &fm) == nil {
				for _, key := range []string{"orderedItems", "items"} {
					for _, id := range as2.IDsOf(fm[key]) {
						if len(ids) < c.o.MaxItems {
							ids = append(ids, id)
						}
					}
				}
				next, _ = as2.IDOf(fm["next"])
			} else {
				next, _ = as2.IDOf(first)
			}
		} else {
			next, _ = as2.IDOf(m["next"])
		}
		cur = next
	}
	return ids, nil
}

// list puts a newly discovered OSPO in the directory with its upcoming events.
func (c *crawl) list(ctx context.Context, a *store.Actor, p *store.Profile, cand candidate) error {
	n := c.n
	events := c.upcomingEvents(ctx, a)
	now := n.st.Now()
	return n.st.InTx(ctx, func(tx *store.Tx) error {
		if kind, err := tx.DirectoryKind(ctx, a.ID); err == nil && kind != store.KindDiscovered {
			return nil // followed or follower meanwhile: kept fresh by push
		}
		if err := n.putDiscovered(ctx, tx, a, p, events); err != nil {
			return err
		}
		return tx.PutPeer(ctx, &store.Peer{ActorID: a.ID, State: store.PeerActive, Depth: cand.depth, Via: cand.via,
			LastSuccessAt: now, NextFetchAt: now.Add(c.o.Refresh)})
	})
}
