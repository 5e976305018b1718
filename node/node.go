// Package node opens an ospod node from its data folder: the SQLite store
// and the federation node on it. The command, its subcommands, the test
// harnesses and the bench tool all open a node here, so the wiring of the
// layers (cmd -> node -> federation -> store) is written once.
package node

import (
	"context"
	"errors"
	"path/filepath"
	"time"

	"github.com/ospod/ospod/federation"
	"github.com/ospod/ospod/store"
)

// DBFile is the name of the SQLite file inside a data folder.
const DBFile = "ospod.db"

// Options says where a node's data lives and how its parts are tuned.
type Options struct {
	// Dir is the data folder; the database is Dir/ospod.db.
	Dir string
	// Now is the store's clock (default time.Now); tests pin it.
	Now func() time.Time
	// PrivateKeyPEM becomes the node's key when the store holds none yet,
	// instead of a generated one: tests reuse a committed key (generating
	// RSA keys is slow under -race) and the bench tool's simulated peers
	// must know the key before the node first starts.
	PrivateKeyPEM string
	// Federation configures the federation node (base URL, handle, delivery...).
	Federation federation.Options
}

// Node is an opened data folder: the store and the federation node on it.
type Node struct {
	Store *store.Store
	Fed   *federation.Node
}

// DBPath is the SQLite file of a data folder.
func DBPath(dir string) string { return filepath.Join(dir, DBFile) }

// Open opens (creating and migrating when new) the store of o.Dir and
// builds the federation node on it. Close releases both.
func Open(ctx context.Context, o Options) (*Node, error) {
	st, err := store.Open(ctx, store.Options{Path: DBPath(o.Dir), Now: o.Now})
	if err != nil {
		return nil, err
	}
	if o.PrivateKeyPEM != "" {
		if _, err := st.SetSettingIfAbsent(ctx, store.SettingPrivateKey, o.PrivateKeyPEM); err != nil {
			return nil, errors.Join(err, st.Close())
		}
	}
	fed, err := federation.New(ctx, st, o.Federation)
	if err != nil {
		return nil, errors.Join(err, st.Close())
	}
	return &Node{Store: st, Fed: fed}, nil
}

// Close stops the federation node's own background tasks (a backfill after
// a follow), waits for them, then closes the store. Stop the node's workers
// and server first.
func (n *Node) Close() error { return errors.Join(n.Fed.Close(), n.Store.Close()) }
