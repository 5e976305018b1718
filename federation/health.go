package federation

import (
	"context"
	"errors"
	"time"
)

// deliveryStall is how long the delivery worker may go without a round of
// its loop before the node counts as not ready: the loop wakes at least
// every poll interval (1 s by default), so this only trips when it is gone
// or stuck on the database.
const deliveryStall = 30 * time.Second

// Ready reports whether the node can do its work: the database is migrated
// and takes writes, and the delivery worker is running.
func (n *Node) Ready(ctx context.Context) error {
	if err := n.st.CheckReady(ctx); err != nil {
		return err
	}
	beat := n.deliveryBeat.Load()
	if beat == 0 {
		return errors.New("delivery worker not running")
	}
	stall := max(deliveryStall, 5*n.opts.Delivery.Poll)
	if since := time.Since(time.Unix(0, beat)); since > stall {
		return errors.New("delivery worker stalled for " + since.Round(time.Second).String())
	}
	return nil
}
