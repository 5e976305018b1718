package main

import (
	"context"
	"flag"
	"fmt"
	"strconv"
	"text/tabwriter"

	"github.com/ospod/ospod/store"
)

// report implements 'ospod report list [-state S]' and 'ospod report
// resolve|dismiss ID [-note N] [-block DOMAIN]': the reports (Flag
// activities) other servers sent, answered as on /admin/reports.
func (e *env) report(ctx context.Context, args []string) error {
	var state, note, block string
	cfg, err := e.loadConfig("report", args, func(fs *flag.FlagSet) {
		fs.StringVar(&state, "state", "", "with list: open, resolved or dismissed (default all)")
		fs.StringVar(&note, "note", "", "with resolve or dismiss: what was done, kept with the report")
		fs.StringVar(&block, "block", "", "with resolve: also block this domain (e.g. the reported one)")
	})
	if err != nil {
		return err
	}
	const use = "usage: ospod report list [-state open|resolved|dismissed] | ospod report resolve|dismiss ID [-note N] [-block DOMAIN]"
	a := cfg.args
	if len(a) == 0 {
		return usageError{msg: use}
	}
	n, err := e.openNode(ctx, cfg)
	if err != nil {
		return err
	}
	defer n.Close()
	switch {
	case a[0] == "list" && len(a) == 1:
		switch state {
		case "", store.ReportOpen, store.ReportResolved, store.ReportDismissed:
		default:
			return usageError{msg: "-state must be open, resolved or dismissed"}
		}
		reports, err := n.Store().Reports(ctx, store.ReportFilter{State: state, Limit: 500})
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(e.stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tRECEIVED\tSTATE\tFROM\tDOMAIN\tCONTENT")
		for _, r := range reports {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%.60s\n", r.ID, when(r.ReceivedAt), r.State, r.ActorID, n.ReportedDomain(r), r.Content)
		}
		return tw.Flush()
	case (a[0] == "resolve" || a[0] == "dismiss") && len(a) == 2:
		id, err := strconv.ParseInt(a[1], 10, 64)
		if err != nil {
			return usageError{msg: use}
		}
		st := store.ReportResolved
		if a[0] == "dismiss" {
			if block != "" {
				return usageError{msg: "-block goes only with resolve"}
			}
			st = store.ReportDismissed
		}
		r, err := n.AnswerReport(ctx, id, st, note, store.AuditActorCLI, block)
		if err != nil {
			return fmt.Errorf("report %d: %w", id, err)
		}
		if block != "" {
			if err := cliAudit(ctx, n.Store(), "block.add", store.NormalizeDomain(block), "report "+a[1]); err != nil {
				return err
			}
		}
		if err := cliAudit(ctx, n.Store(), "report."+a[0], a[1], note); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "report %d %s\n", r.ID, r.State)
		return nil
	}
	return usageError{msg: use}
}
