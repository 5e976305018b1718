package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/ospod/ospod/store"
)

// profile implements 'ospod profile show|set FILE'.
func (e *env) profile(ctx context.Context, args []string) error {
	cfg, err := e.loadConfig("profile", args, nil)
	if err != nil {
		return err
	}
	if len(cfg.args) == 0 {
		return usageError{msg: "usage: ospod profile show | ospod profile set FILE"}
	}
	n, err := e.openNode(ctx, cfg)
	if err != nil {
		return err
	}
	defer n.Close()
	switch sub := cfg.args[0]; {
	case sub == "show" && len(cfg.args) == 1:
		p, err := n.Profile(ctx)
		if err != nil {
			return err
		}
		return e.printJSON(p)
	case sub == "set" && len(cfg.args) == 2:
		var p store.Profile
		if err := e.readDoc(cfg.args[1], &p); err != nil {
			return err
		}
		if err := n.SetProfile(ctx, &p); err != nil {
			return describe(err)
		}
		fmt.Fprintf(e.stderr, "profile saved; actor %s\n", n.URLs.Actor)
		return cliAudit(ctx, n.Store(), "profile.update", "profile", "")
	}
	return usageError{msg: "usage: ospod profile show | ospod profile set FILE"}
}

// event implements 'ospod event list|add|show|update|delete'.
func (e *env) event(ctx context.Context, args []string) error {
	var when string
	cfg, err := e.loadConfig("event", args, func(fs *flag.FlagSet) {
		fs.StringVar(&when, "when", "all", "with list: upcoming, past or all")
	})
	if err != nil {
		return err
	}
	const use = "usage: ospod event list [-when upcoming|past|all] | add FILE | show ID | update ID FILE | delete ID"
	if len(cfg.args) == 0 {
		return usageError{msg: use}
	}
	n, err := e.openNode(ctx, cfg)
	if err != nil {
		return err
	}
	defer n.Close()
	a := cfg.args
	switch {
	case a[0] == "list" && len(a) == 1:
		return e.eventList(ctx, n.Store(), when)
	case a[0] == "add" && len(a) == 2:
		var ev store.Event
		if err := e.readDoc(a[1], &ev); err != nil {
			return err
		}
		if err := n.CreateEvent(ctx, &ev); err != nil {
			return describe(err)
		}
		fmt.Fprintln(e.stdout, ev.ID)
		fmt.Fprintf(e.stderr, "event published: %s\n", n.URLs.Event(ev.ID))
		return cliAudit(ctx, n.Store(), "event.create", ev.ID, "")
	case a[0] == "show" && len(a) == 2:
		ev, err := n.Store().Event(ctx, a[1])
		if err != nil || !ev.Deleted.IsZero() {
			return fmt.Errorf("event %s: not found", a[1])
		}
		return e.printJSON(ev)
	case a[0] == "update" && len(a) == 3:
		var ev store.Event
		if err := e.readDoc(a[2], &ev); err != nil {
			return err
		}
		if err := n.UpdateEvent(ctx, a[1], &ev); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("event %s: not found", a[1])
			}
			return describe(err)
		}
		fmt.Fprintf(e.stderr, "event updated: %s\n", n.URLs.Event(ev.ID))
		return cliAudit(ctx, n.Store(), "event.update", a[1], "")
	case a[0] == "delete" && len(a) == 2:
		if err := n.DeleteEvent(ctx, a[1]); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("event %s: not found", a[1])
			}
			return err
		}
		fmt.Fprintf(e.stderr, "event %s deleted\n", a[1])
		return cliAudit(ctx, n.Store(), "event.delete", a[1], "")
	}
	return usageError{msg: use}
}

// eventList implements 'ospod event list [-when upcoming|past|all]'.
func (e *env) eventList(ctx context.Context, st *store.Store, when string) error {
	f := store.EventFilter{Limit: 500}
	switch when {
	case "all":
	case "upcoming":
		f.When = store.EventsUpcoming
	case "past":
		f.When = store.EventsPast
	default:
		return usageError{msg: "-when must be upcoming, past or all"}
	}
	events, total, err := st.ListEvents(ctx, f)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTART\tSTATUS\tNAME")
	for _, ev := range events {
		name, _ := ev.Name.Best(ev.Language, ev.Language)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", ev.ID, ev.StartTime, ev.Status, name)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "%d event(s)\n", total)
	return nil
}

// readDoc reads a JSON document from a file (or stdin for "-"), strictly.
func (e *env) readDoc(path string, v any) error {
	var r io.Reader = e.stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, 1<<20+1))
	if err != nil {
		return err
	}
	if len(b) > 1<<20 {
		return fmt.Errorf("%s: larger than 1 MiB", path)
	}
	// The JSON API's reading: every wrong field named, no key twice.
	if err := store.DecodeJSON(b, v, "id", "published", "updated"); err != nil {
		if d := describe(err); d != err {
			return d
		}
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func (e *env) printJSON(v any) error {
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// describe spells out a validation error, one field per line.
func describe(err error) error {
	var ve *store.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	var b strings.Builder
	b.WriteString("invalid document, nothing was stored:")
	for _, f := range ve.Fields {
		fmt.Fprintf(&b, "\n  %s: %s", f.Field, f.Reason)
	}
	return usageError{msg: b.String()}
}
