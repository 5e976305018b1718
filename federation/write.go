package federation

import (
	"context"
	"errors"

	"github.com/ospod/ospod/store"
)

// Profile returns the OSPO's profile; before the administrator sets one, a
// placeholder named after the handle.
func (n *Node) Profile(ctx context.Context) (*store.Profile, error) {
	p, err := n.st.Profile(ctx)
	if errors.Is(err, store.ErrNotFound) {
		return &store.Profile{Name: store.LangMap{"en": n.opts.Handle}}, nil
	}
	return p, err
}

// SetProfile validates and stores the profile. Nothing is stored when it is invalid.
func (n *Node) SetProfile(ctx context.Context, p *store.Profile) error {
	p.Normalize()
	if err := p.Validate(); err != nil {
		return err
	}
	return n.st.InTx(ctx, func(tx *store.Tx) error {
		return tx.PutProfile(ctx, p)
	})
}

// CreateEvent validates and stores a new event.
func (n *Node) CreateEvent(ctx context.Context, e *store.Event) error {
	if err := n.prepareEvent(ctx, e); err != nil {
		return err
	}
	return n.st.InTx(ctx, func(tx *store.Tx) error {
		return tx.CreateEvent(ctx, e)
	})
}

// UpdateEvent validates and replaces an event; store.ErrNotFound if it does not exist.
func (n *Node) UpdateEvent(ctx context.Context, id string, e *store.Event) error {
	if err := n.prepareEvent(ctx, e); err != nil {
		return err
	}
	return n.st.InTx(ctx, func(tx *store.Tx) error {
		return tx.UpdateEvent(ctx, id, e)
	})
}

// DeleteEvent removes an event, leaving a tombstone; store.ErrNotFound if it does not exist.
func (n *Node) DeleteEvent(ctx context.Context, id string) error {
	return n.st.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.DeleteEvent(ctx, id)
		return err
	})
}

func (n *Node) prepareEvent(ctx context.Context, e *store.Event) error {
	p, err := n.Profile(ctx)
	if err != nil {
		return err
	}
	e.Normalize(p.DefaultLanguage())
	return e.Validate()
}
