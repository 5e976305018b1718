package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ospod/ospod/federation"
	"github.com/ospod/ospod/store"
)

// peers implements 'ospod peers': the network view of the admin API
// (store.Network): every followed or following account and every OSPO of
// the directory, with its state.
func (e *env) peers(ctx context.Context, args []string) error {
	cfg, err := e.loadConfig("peers", args, nil)
	if err != nil {
		return err
	}
	n, err := e.openNode(ctx, cfg)
	if err != nil {
		return err
	}
	defer n.Close()
	peers, err := n.Store().Network(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KIND\tSTATE\tLAST SUCCESS\tOSPO\tID\tLAST ERROR")
	for _, p := range peers {
		kind := cmp.Or(p.Kind(), "-")
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", kind, p.State(), when(p.LastSuccess()), federation.PeerName(p), p.ID, p.LastError())
	}
	return tw.Flush()
}

func when(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04")
}

// discover implements 'ospod discover': one discovery round now.
func (e *env) discover(ctx context.Context, args []string) error {
	cfg, err := e.loadConfig("discover", args, nil)
	if err != nil {
		return err
	}
	n, err := e.openNode(ctx, cfg)
	if err != nil {
		return err
	}
	defer n.Close()
	rep, err := n.DiscoverOnce(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%d requests, %d discovered, %d refreshed, %d dropped\n",
		rep.Fetches, len(rep.Discovered), rep.Refreshed, len(rep.Dropped))
	for _, d := range rep.Discovered {
		fmt.Fprintln(e.stdout, "  discovered", d)
	}
	for _, msg := range rep.Errors {
		fmt.Fprintln(e.stderr, "  error", msg)
	}
	return nil
}

// block implements 'ospod block DOMAIN [-reason R]', 'ospod unblock DOMAIN' and 'ospod blocks'.
func (e *env) block(ctx context.Context, name string, args []string) error {
	var reason string
	cfg, err := e.loadConfig(name, args, func(fs *flag.FlagSet) {
		if name == "block" {
			fs.StringVar(&reason, "reason", "", "why the domain is blocked (kept for the administrators)")
		}
	})
	if err != nil {
		return err
	}
	if (name == "blocks") != (len(cfg.args) == 0) || len(cfg.args) > 1 {
		return usageError{msg: "usage: ospod block DOMAIN [-reason R] | ospod unblock DOMAIN | ospod blocks"}
	}
	n, err := e.openNode(ctx, cfg)
	if err != nil {
		return err
	}
	defer n.Close()
	switch name {
	case "block":
		if err := n.BlockDomain(ctx, cfg.args[0], reason); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s blocked; its cached data was purged\n", store.NormalizeDomain(cfg.args[0]))
		return cliAudit(ctx, n.Store(), "block.add", store.NormalizeDomain(cfg.args[0]), reason)
	case "unblock":
		if err := n.UnblockDomain(ctx, cfg.args[0]); err != nil {
			return fmt.Errorf("%s: not blocked", cfg.args[0])
		}
		fmt.Fprintf(e.stdout, "%s unblocked\n", store.NormalizeDomain(cfg.args[0]))
		return cliAudit(ctx, n.Store(), "block.remove", store.NormalizeDomain(cfg.args[0]), "")
	default:
		blocks, err := n.Store().DomainBlocks(ctx)
		if err != nil {
			return err
		}
		for _, b := range blocks {
			fmt.Fprintf(e.stdout, "%s\t%s\t%s\n", b.Domain, when(b.CreatedAt), b.Reason)
		}
	}
	return nil
}

// importList implements 'ospod import ospometa FILE|URL [-licence L] [-source S]'.
func (e *env) importList(ctx context.Context, args []string) error {
	var licence, source string
	cfg, err := e.loadConfig("import", args, func(fs *flag.FlagSet) {
		fs.StringVar(&licence, "licence", "", "licence of the list's data, e.g. CC0-1.0 or Etalab-2.0")
		fs.StringVar(&source, "source", "", "where the list comes from (default: the file or URL)")
	})
	if err != nil {
		return err
	}
	if len(cfg.args) != 2 || cfg.args[0] != "ospometa" {
		return usageError{msg: "usage: ospod import ospometa FILE|URL [-licence L] [-source S]"}
	}
	n, err := e.openNode(ctx, cfg)
	if err != nil {
		return err
	}
	defer n.Close()
	from := cfg.args[1]
	var data []byte
	if strings.HasPrefix(from, "http://") || strings.HasPrefix(from, "https://") {
		data, err = n.FetchList(ctx, from)
	} else {
		data, err = os.ReadFile(from)
	}
	if err != nil {
		return err
	}
	if source == "" {
		source = from
	}
	rep, err := n.ImportOSPOmeta(ctx, data, source, licence)
	if err != nil {
		return err
	}
	broken := map[string]bool{}
	for _, i := range rep.Errors {
		broken[i.Entry] = true
	}
	fmt.Fprintf(e.stdout, "%d imported, %d skipped, %d with errors\n", len(rep.Imported), len(rep.Skipped), len(broken))
	for _, s := range rep.Skipped {
		fmt.Fprintln(e.stdout, "  skipped", s)
	}
	for _, i := range rep.Errors {
		fmt.Fprintln(e.stderr, "  error", i)
	}
	if len(broken) > 0 {
		// The good entries are imported; the exit code still tells scripts.
		return fmt.Errorf("%d entries not imported (see the errors above)", len(broken))
	}
	return nil
}
