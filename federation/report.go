package federation

import (
	"context"
	"fmt"
	"net/url"

	"github.com/ospod/ospod/store"
)

// AnswerReport resolves or dismisses a received report (state
// store.ReportResolved or store.ReportDismissed) with a note, recording who
// answered. Resolving may block a domain in the same step (blockDomain, e.g.
// ReportedDomain's answer): the block, the purge and the answer are one
// transaction, so a refused block leaves the report open.
func (n *Node) AnswerReport(ctx context.Context, id int64, state, note, by, blockDomain string) (*store.Report, error) {
	if _, err := n.st.Report(ctx, id); err != nil {
		return nil, err
	}
	answer := func(tx *store.Tx) error { return tx.AnswerReport(ctx, id, state, note, by) }
	var err error
	if blockDomain != "" && state == store.ReportResolved {
		reason := fmt.Sprintf("report %d", id)
		if note != "" {
			reason += ": " + note
		}
		err = n.blockDomain(ctx, blockDomain, reason, answer)
	} else {
		err = n.st.InTx(ctx, answer)
	}
	if err != nil {
		return nil, err
	}
	return n.st.Report(ctx, id)
}

// ReportedDomain is the domain a report is about: the host of the first
// reported object that is not on this node, else the reporter's host; ""
// when neither is another server's.
func (n *Node) ReportedDomain(r *store.Report) string {
	for _, id := range append(append([]string{}, r.Objects...), r.ActorID) {
		u, err := url.Parse(id)
		if err != nil || u.Host == "" || store.DomainMatches(n.base.Host, u.Host) {
			continue
		}
		return store.NormalizeDomain(u.Host)
	}
	return ""
}
