package federation

import (
	"context"
	"errors"

	"github.com/ospod/ospod/federation/as2"
	"github.com/ospod/ospod/store"
)

// This file keeps the directory and calendar index in step with what the
// node knows: its own profile and events, and those of the OSPOs it
// follows or that follow it. Each function runs inside the transaction of
// the change that calls for it.

// indexSelf puts the node's own OSPO in the directory.
func (n *Node) indexSelf(ctx context.Context, tx *store.Tx, p *store.Profile) error {
	cp := *p
	return tx.PutDirectoryEntry(ctx, &store.DirectoryEntry{ID: n.URLs.Actor, Kind: store.KindSelf,
		Host: n.base.Host, Account: n.Account(), Profile: &cp, Source: n.URLs.Actor})
}

// indexOwnEvent puts one of the node's events in the calendar.
func (n *Node) indexOwnEvent(ctx context.Context, tx *store.Tx, e *store.Event) error {
	cp := *e
	return tx.PutCalendarEntry(ctx, &store.CalendarEntry{ID: n.URLs.Event(e.ID), OSPOID: n.URLs.Actor,
		Event: &cp, URL: n.URLs.Event(e.ID)})
}

// reindexSelf fills the index from the node's own data when it is missing
// (first start after an upgrade that added the index).
func (n *Node) reindexSelf(ctx context.Context) error {
	if _, err := n.st.DirectoryEntry(ctx, n.URLs.Actor); err == nil || !errors.Is(err, store.ErrNotFound) {
		return err
	}
	p, err := n.Profile(ctx)
	if err != nil {
		return err
	}
	events, _, err := n.st.ListEvents(ctx, store.EventFilter{Limit: 500})
	if err != nil {
		return err
	}
	return n.st.InTx(ctx, func(tx *store.Tx) error {
		if err := n.indexSelf(ctx, tx, p); err != nil {
			return err
		}
		for _, e := range events {
			if err := n.indexOwnEvent(ctx, tx, e); err != nil {
				return err
			}
		}
		return nil
	})
}

// indexPeer puts a remote OSPO in the directory (or takes it out) according
// to our relations with it: followed, follower, or no longer known.
func (n *Node) indexPeer(ctx context.Context, tx *store.Tx, actorID string) error {
	a, err := tx.Actor(ctx, actorID)
	if errors.Is(err, store.ErrNotFound) {
		return tx.DeleteDirectoryEntry(ctx, actorID)
	}
	if err != nil {
		return err
	}
	var p *store.Profile
	if a.IsOSPO {
		if prof, ok := as2.ReadProfile([]byte(a.Doc)); ok {
			p = prof
		}
	}
	return n.indexActor(ctx, tx, a, p)
}

// indexActor is indexPeer for an actor just read, with its profile (nil
// when it is not an OSPO or its profile is unusable).
func (n *Node) indexActor(ctx context.Context, tx *store.Tx, a *store.Actor, p *store.Profile) error {
	kind := ""
	if r, err := tx.RelationWith(ctx, store.Following, a.ID); err == nil && r.State == store.FollowAccepted {
		kind = store.KindFollowed
	} else if r, err := tx.RelationWith(ctx, store.Followers, a.ID); err == nil && r.State == store.FollowAccepted {
		kind = store.KindFollower
	}
	dismissed := false
	if pr, err := tx.Peer(ctx, a.ID); err == nil && pr.State == store.PeerDismissed {
		dismissed = true
	}
	if kind == "" || p == nil || !p.IsDiscoverable() || dismissed {
		// Not (or no longer) related, not an OSPO, opted out of listings,
		// or removed by the administrator.
		return tx.DeleteDirectoryEntry(ctx, a.ID)
	}
	if err := replaceListed(ctx, tx, p.Website); err != nil {
		return err
	}
	if kind != store.KindFollowed {
		// Events are kept only of OSPOs we follow.
		if err := tx.DeleteCalendarEntriesOf(ctx, a.ID); err != nil {
			return err
		}
	}
	cp := *p // the entry keeps its own copy: callers may still use p
	return tx.PutDirectoryEntry(ctx, &store.DirectoryEntry{ID: a.ID, Kind: kind, Host: a.Host,
		Account: a.Account(), Profile: &cp, Source: a.ID})
}
