package federation

import (
	"context"
	"errors"
	"path/filepath"
	"time"

	"github.com/ospod/ospod/store"
)

// DBFile is the name of the SQLite file inside a data folder.
const DBFile = "ospod.db"

// DBPath is the SQLite file of a data folder.
func DBPath(dir string) string { return filepath.Join(dir, DBFile) }

// OpenOptions says where a node's data lives and how the node is tuned.
type OpenOptions struct {
	// Dir is the data folder; the database is Dir/ospod.db.
	Dir string
	// Now is the store's clock (default time.Now); tests pin it.
	Now func() time.Time
	// PrivateKeyPEM becomes the node's key when the store holds none yet,
	// instead of a generated one: tests reuse a committed key (generating
	// RSA keys is slow under -race) and the bench tool's simulated peers
	// must know the key before the node first starts.
	PrivateKeyPEM string
	// MustExist opens only an existing data folder (store.ErrNoDatabase
	// otherwise); without it, Open creates the folder and a new node.
	MustExist bool
	// Node configures the node itself (base URL, handle, delivery...).
	Node Options
}

// Open opens (creating and migrating when new) the store of o.Dir and
// builds the node on it. The command, its subcommands, the test harnesses
// and the bench tool all open a node here, so the wiring of the layers is
// written once. The node owns that store: Close closes it, after the
// node's background tasks.
func Open(ctx context.Context, o OpenOptions) (*Node, error) {
	st, err := store.Open(ctx, store.Options{Path: DBPath(o.Dir), Now: o.Now, MustExist: o.MustExist})
	if err != nil {
		return nil, err
	}
	if o.PrivateKeyPEM != "" {
		if _, err := st.SetSettingIfAbsent(ctx, store.SettingPrivateKey, o.PrivateKeyPEM); err != nil {
			return nil, errors.Join(err, st.Close())
		}
	}
	n, err := New(ctx, st, o.Node)
	if err != nil {
		return nil, errors.Join(err, st.Close())
	}
	n.ownsStore = true
	return n, nil
}
