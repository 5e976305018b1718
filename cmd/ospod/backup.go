package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/ospod/ospod/federation"
	"github.com/ospod/ospod/store"
)

// backup implements 'ospod backup FILE': a consistent, checked copy of the
// node's database while the node runs (store.Backup), written 0600, never
// over an existing file.
func (e *env) backup(ctx context.Context, args []string) error {
	cfg, err := e.loadConfig("backup", args, nil)
	if err != nil {
		return err
	}
	if len(cfg.args) != 1 {
		return usageError{msg: "usage: ospod backup FILE"}
	}
	file := cfg.args[0]
	n, err := e.openNode(ctx, cfg)
	if err != nil {
		return err
	}
	defer n.Close()
	fmt.Fprintf(e.stderr, "backing up %s to %s...\n", n.Store().Path(), file)
	if err := n.Store().Backup(ctx, file); err != nil {
		return err
	}
	fi, err := os.Stat(file)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s: %d bytes, integrity check ok, node %s\n", file, fi.Size(), n.Account())
	return nil
}

// restore implements 'ospod restore FILE [-force]': a backup into the empty
// data folder of a stopped node. A backup of another node (another
// OSPO_BASE_URL or OSPO_HANDLE than configured) is refused unless forced:
// restored, it would make this node speak with that node's key and ids.
func (e *env) restore(ctx context.Context, args []string) error {
	var force bool
	cfg, err := e.loadConfig("restore", args, func(fs *flag.FlagSet) {
		fs.BoolVar(&force, "force", false, "restore a backup of another node's identity (base URL or handle)")
	})
	if err != nil {
		return err
	}
	if len(cfg.args) != 1 {
		return usageError{msg: "usage: ospod restore FILE [-force]"}
	}
	file := cfg.args[0]
	if err := checkDataFolder(cfg.Data, cfg.logger(e.stderr)); err != nil {
		return err
	}
	info, err := store.InspectBackup(ctx, file)
	if err != nil {
		return err
	}
	same := true
	for _, c := range []struct{ name, got, want string }{
		{"OSPO_BASE_URL", info.BaseURL, cfg.BaseURL.String()}, {"OSPO_HANDLE", info.Handle, cfg.Handle},
	} {
		if c.got != "" && c.got != c.want {
			same = false
			if !force {
				return fmt.Errorf("%s is a backup of the node with %s=%s, not %s: use that node's settings, "+
					"or -force to restore it anyway (the node then starts only with %s=%s)", file, c.name, c.got, c.want, c.name, c.got)
			}
		}
	}
	if err := store.RestoreBackup(ctx, file, federation.DBPath(cfg.Data)); err != nil {
		return err
	}
	if !same {
		fmt.Fprintf(e.stdout, "restored %s into %s (another node's identity: start it with %s and handle %s)\n",
			file, cfg.Data, info.BaseURL, info.Handle)
		return nil
	}
	// Open it once as the node will: migrations of a backup from an older
	// version apply now, and the identity is recorded.
	n, err := e.openNode(ctx, cfg)
	if err != nil {
		return err
	}
	defer n.Close()
	fmt.Fprintf(e.stdout, "restored %s into %s: node %s; start it with 'ospod serve'\n", file, cfg.Data, n.Account())
	return nil
}
