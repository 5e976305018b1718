package federation

import (
	"context"
	"time"
)

// seenRetention is how long processed activity ids are remembered. Replays
// are only possible inside the signature's Date window (an hour), so two
// weeks is a wide margin.
const seenRetention = 14 * 24 * time.Hour

// RunMaintenance prunes old de-duplication records every hour until ctx ends.
func (n *Node) RunMaintenance(ctx context.Context) error {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if removed, err := n.st.PruneSeen(ctx, time.Now().Add(-seenRetention)); err != nil && ctx.Err() == nil {
			n.log.Warn("prune inbox records", "err", err)
		} else if removed > 0 {
			n.log.Debug("pruned inbox records", "removed", removed)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
