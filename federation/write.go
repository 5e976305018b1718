package federation

import (
	"context"
	"errors"

	"github.com/ospod/ospod/federation/as2"
	"github.com/ospod/ospod/store"
)

// Profile returns the OSPO's profile; before the administrator sets one, a
// placeholder named after the handle and not discoverable: a node being
// set up is not presented to the network as an OSPO.
func (n *Node) Profile(ctx context.Context) (*store.Profile, error) {
	p, err := n.st.Profile(ctx)
	if errors.Is(err, store.ErrNotFound) {
		no := false
		return &store.Profile{Name: store.LangMap{"en": n.opts.Handle}, Discoverable: &no}, nil
	}
	return p, err
}

// SetProfile validates and stores the profile and sends Update(actor) to the
// followers, in one transaction. Nothing is stored when it is invalid.
func (n *Node) SetProfile(ctx context.Context, p *store.Profile) error {
	p.Normalize()
	if err := p.Validate(); err != nil {
		return err
	}
	err := n.st.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.PutProfile(ctx, p); err != nil {
			return err
		}
		if err := n.indexSelf(ctx, tx, p); err != nil {
			return err
		}
		id, doc, err := as2.UpdateActor(n.URLs, p, n.opts.Handle, n.pubPEM, tx.Now())
		if err != nil {
			return err
		}
		return n.announce(ctx, tx, id, "Update", n.URLs.Actor, doc)
	})
	n.written(err)
	return err
}

// CreateEvent validates and stores a new event and sends Create to the followers.
func (n *Node) CreateEvent(ctx context.Context, e *store.Event) error {
	p, err := n.prepareEvent(ctx, e)
	if err != nil {
		return err
	}
	err = n.st.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.CreateEvent(ctx, e); err != nil {
			return err
		}
		if err := n.indexOwnEvent(ctx, tx, e); err != nil {
			return err
		}
		id, doc, err := as2.CreateEvent(n.URLs, e, p)
		if err != nil {
			return err
		}
		return n.announce(ctx, tx, id, "Create", n.URLs.Event(e.ID), doc)
	})
	n.written(err)
	return err
}

// UpdateEvent validates and replaces an event and sends Update to the
// followers; store.ErrNotFound if it does not exist.
func (n *Node) UpdateEvent(ctx context.Context, id string, e *store.Event) error {
	p, err := n.prepareEvent(ctx, e)
	if err != nil {
		return err
	}
	err = n.st.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.UpdateEvent(ctx, id, e); err != nil {
			return err
		}
		if err := n.indexOwnEvent(ctx, tx, e); err != nil {
			return err
		}
		aid, doc, err := as2.UpdateEvent(n.URLs, e, p, tx.Now())
		if err != nil {
			return err
		}
		return n.announce(ctx, tx, aid, "Update", n.URLs.Event(id), doc)
	})
	n.written(err)
	return err
}

// DeleteEvent removes an event, leaving a tombstone, and sends Delete to the
// followers; store.ErrNotFound if it does not exist.
func (n *Node) DeleteEvent(ctx context.Context, id string) error {
	err := n.st.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.DeleteEvent(ctx, id); err != nil {
			return err
		}
		if err := tx.DeleteCalendarEntry(ctx, n.URLs.Event(id)); err != nil {
			return err
		}
		aid, doc, err := as2.DeleteEvent(n.URLs, id, tx.Now())
		if err != nil {
			return err
		}
		return n.announce(ctx, tx, aid, "Delete", n.URLs.Event(id), doc)
	})
	n.written(err)
	return err
}

func (n *Node) prepareEvent(ctx context.Context, e *store.Event) (*store.Profile, error) {
	p, err := n.Profile(ctx)
	if err != nil {
		return nil, err
	}
	e.Normalize(p.DefaultLanguage())
	return p, e.Validate()
}

// written follows a successful change of the profile or an event: cached
// documents are stale, and deliveries are queued.
func (n *Node) written(err error) {
	if err == nil {
		n.docs.invalidate()
	}
	n.nudge(err)
}

// nudge wakes the delivery worker after a successful enqueue.
func (n *Node) nudge(err error) {
	if err != nil {
		return
	}
	select {
	case n.wake <- struct{}{}:
	default:
	}
}
