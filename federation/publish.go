package federation

import (
	"context"

	"github.com/ospod/ospod/store"
)

// This file records the activities we send (as2 builds them). Each is recorded with its exact
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
