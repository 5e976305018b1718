package federation

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ospod/ospod/federation/as2"
	"github.com/ospod/ospod/federation/remote"
	"github.com/ospod/ospod/store"
)

// This file keeps the discovered OSPOs fresh: it re-fetches them on a
// schedule, writes them and their events, and drops those that went away
// or stopped being OSPOs.

// putDiscovered writes a discovered OSPO and replaces its calendar events. A
// listed entry (imported list) for the same website is upgraded: removed in
// favour of the federated one.
func (n *Node) putDiscovered(ctx context.Context, tx *store.Tx, a *store.Actor, p *store.Profile, events []*remoteEvent) error {
	if err := tx.PutDirectoryEntry(ctx, &store.DirectoryEntry{ID: a.ID, Kind: store.KindDiscovered, Host: a.Host,
		Account: a.Account(), Profile: p, Source: a.ID}); err != nil {
		return err
	}
	if err := replaceListed(ctx, tx, p.Website); err != nil {
		return err
	}
	if events == nil {
		return nil // events could not be read: keep what we had
	}
	if err := tx.DeleteCalendarEntriesOf(ctx, a.ID); err != nil {
		return err
	}
	return n.storeRemoteEvents(ctx, tx, events)
}

// replaceListed removes the imported (listed) entry of an OSPO whose own
// node is now in the directory: the federated entry wins.
func replaceListed(ctx context.Context, tx *store.Tx, website string) error {
	if website == "" {
		return nil
	}
	for _, id := range []string{website, strings.TrimSuffix(website, "/"), strings.TrimSuffix(website, "/") + "/"} {
		if kind, err := tx.DirectoryKind(ctx, id); err == nil && kind == store.KindListed {
			if err := tx.DeleteDirectoryEntry(ctx, id); err != nil {
				return err
			}
		}
	}
	return nil
}

// refreshDue re-fetches the discovered OSPOs whose refresh is due, with a
// conditional GET; failures back off, then mark the OSPO unreachable, then
// drop it; a 410 Gone drops it at once.
func (c *crawl) refreshDue(ctx context.Context) error {
	n := c.n
	due, err := n.st.DuePeers(ctx, 100)
	if err != nil {
		return err
	}
	for _, p := range due {
		if ctx.Err() != nil {
			return nil
		}
		if kind, err := n.st.DirectoryEntry(ctx, p.ActorID); err != nil || kind.Kind != store.KindDiscovered {
			// Followed (push) or gone from the directory: no schedule needed.
			_ = n.st.InTx(ctx, func(tx *store.Tx) error { return tx.DeletePeer(ctx, p.ActorID) })
			continue
		}
		if c.fetch() != nil {
			return nil
		}
		c.seen[p.ActorID] = true
		c.refresh(ctx, p)
	}
	return nil
}

// refreshFailed records a failed refresh: it backs off, marks the OSPO
// unreachable after UnreachableAfter and drops it after DropAfter; a 410
// Gone or a blocked domain drops it at once.
func (c *crawl) refreshFailed(ctx context.Context, p *store.Peer, err error, now time.Time) {
	var status *remote.StatusError
	if errors.As(err, &status) && status.Gone() || errors.Is(err, ErrDomainBlocked) {
		c.drop(ctx, p.ActorID)
		return
	}
	p.Failures++
	p.LastError = err.Error()
	if p.FailingSince.IsZero() {
		p.FailingSince = now
	}
	if now.Sub(p.FailingSince) >= c.o.DropAfter {
		c.drop(ctx, p.ActorID)
		return
	}
	if now.Sub(p.FailingSince) >= c.o.UnreachableAfter {
		p.State = store.PeerUnreachable
	}
	backoff := c.o.Refresh / 6 << min(p.Failures, 6)
	p.NextFetchAt = now.Add(min(backoff, 24*time.Hour))
	_ = c.n.st.InTx(ctx, func(tx *store.Tx) error { return tx.PutPeer(ctx, p) })
}

// refresh re-fetches one discovered OSPO (conditionally) and rewrites its
// entry and events.
func (c *crawl) refresh(ctx context.Context, p *store.Peer) {
	n := c.n
	now := n.st.Now()
	fail := func(err error) { c.refreshFailed(ctx, p, err, now) }
	if err := n.allowedURL(ctx, p.ActorID); err != nil {
		fail(err)
		return
	}
	doc, v, err := n.client.GetActivityIfChanged(ctx, p.ActorID, n.signer(), remote.Validators{ETag: p.ETag, LastModified: p.LastModified})
	switch {
	case errors.Is(err, remote.ErrNotModified):
		doc = nil
	case err != nil:
		fail(err)
		return
	}
	a, err := n.st.Actor(ctx, p.ActorID)
	var prof *store.Profile
	if doc != nil {
		parsed, parsedProf, perr := readActor(doc)
		if perr != nil || parsed.ID != p.ActorID {
			fail(fmt.Errorf("actor document: %v", perr))
			return
		}
		if err == nil { // keys change only through signature verification
			parsed.KeyID, parsed.PublicKeyPEM = a.KeyID, a.PublicKeyPEM
		}
		a, prof, err = parsed, parsedProf, nil
		p.ETag, p.LastModified = v.ETag, v.LastModified
	} else if err != nil {
		fail(err)
		return
	} else if pr, ok := as2.ReadProfile([]byte(a.Doc)); ok {
		prof = pr // not modified: the stored document
	}
	if !a.IsOSPO || prof == nil || !prof.IsDiscoverable() {
		c.drop(ctx, p.ActorID) // no longer an OSPO, or opted out
		return
	}
	events := c.upcomingEvents(ctx, a)
	p.State, p.Failures, p.FailingSince, p.LastError = store.PeerActive, 0, time.Time{}, ""
	p.LastSuccessAt, p.NextFetchAt = now, now.Add(c.o.Refresh)
	err = n.st.InTx(ctx, func(tx *store.Tx) error {
		if doc != nil {
			if err := tx.PutActor(ctx, a); err != nil {
				return err
			}
		}
		if err := n.putDiscovered(ctx, tx, a, prof, events); err != nil {
			return err
		}
		return tx.PutPeer(ctx, p)
	})
	if err != nil {
		c.rep.Errors = append(c.rep.Errors, p.ActorID+": "+err.Error())
		return
	}
	c.rep.Refreshed++
}

// drop removes a discovered OSPO and its events from the directory.
func (c *crawl) drop(ctx context.Context, actorID string) {
	err := c.n.st.InTx(ctx, func(tx *store.Tx) error {
		if kind, err := tx.DirectoryKind(ctx, actorID); err == nil && kind == store.KindDiscovered {
			if err := tx.DeleteDirectoryEntry(ctx, actorID); err != nil {
				return err
			}
		}
		return tx.DeletePeer(ctx, actorID)
	})
	if err == nil {
		c.rep.Dropped = append(c.rep.Dropped, actorID)
	}
}
