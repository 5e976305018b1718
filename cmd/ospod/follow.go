package main

import (
	"context"
	"fmt"
	"strconv"
	"text/tabwriter"

	"github.com/ospod/ospod/store"
)

// follow implements 'ospod follow HANDLE|URL'. The Follow is queued in the
// data folder; the running node delivers it.
func (e *env) follow(ctx context.Context, args []string) error {
	cfg, err := e.loadConfig("follow", args, nil)
	if err != nil {
		return err
	}
	if len(cfg.args) != 1 {
		return usageError{msg: "usage: ospod follow HANDLE|ACTOR-URL   (e.g. ospod follow ospo@city.example)"}
	}
	n, err := e.openNode(ctx, cfg)
	if err != nil {
		return err
	}
	defer n.Close()
	rel, created, err := n.Follow(ctx, cfg.args[0])
	if err != nil {
		return err
	}
	if created {
		fmt.Fprintf(e.stdout, "follow request queued for %s (relation %d, pending until they accept)\n", rel.ActorID, rel.ID)
	} else {
		fmt.Fprintf(e.stdout, "already following %s (relation %d, %s)\n", rel.ActorID, rel.ID, rel.State)
	}
	return cliAudit(ctx, n.Store(), "follow.add", rel.ActorID, "")
}

// unfollow implements 'ospod unfollow ID'.
func (e *env) unfollow(ctx context.Context, args []string) error {
	cfg, err := e.loadConfig("unfollow", args, nil)
	if err != nil {
		return err
	}
	var id int64
	if len(cfg.args) == 1 {
		id, err = strconv.ParseInt(cfg.args[0], 10, 64)
	}
	if len(cfg.args) != 1 || err != nil {
		return usageError{msg: "usage: ospod unfollow ID   (IDs from 'ospod following')"}
	}
	n, err := e.openNode(ctx, cfg)
	if err != nil {
		return err
	}
	defer n.Close()
	if err := n.Unfollow(ctx, id); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "unfollowed; Undo queued")
	return cliAudit(ctx, n.Store(), "follow.remove", cfg.args[0], "")
}

// relations implements 'ospod following' and 'ospod followers'.
func (e *env) relations(ctx context.Context, name string, t store.RelationTable, args []string) error {
	cfg, err := e.loadConfig(name, args, nil)
	if err != nil {
		return err
	}
	n, err := e.openNode(ctx, cfg)
	if err != nil {
		return err
	}
	defer n.Close()
	rels, err := n.Store().Relations(ctx, t, "")
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATE\tACTOR")
	for _, r := range rels {
		fmt.Fprintf(tw, "%d\t%s\t%s\n", r.ID, r.State, r.ActorID)
	}
	return tw.Flush()
}
