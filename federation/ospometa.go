package federation

import (
	"context"
	"strings"

	"github.com/ospod/ospod/federation/ospometa"
	"github.com/ospod/ospod/store"
)

// OSPOmeta returns the node's own OSPO as an OSPOmeta YAML document.
// Before the administrator sets a profile there is nothing valid to
// publish: store.ErrNotFound.
func (n *Node) OSPOmeta(ctx context.Context) ([]byte, error) {
	p, err := n.st.Profile(ctx)
	if err != nil {
		return nil, err
	}
	return ospometa.Document(p, n.URLs.Actor, n.URLs.Actor, n.Account())
}

// ImportReport says what an OSPOmeta import did.
type ImportReport struct {
	Imported []string         `json:"imported"`
	Skipped  []ospometa.Issue `json:"skipped"`
	Errors   []ospometa.Issue `json:"errors"`
}

// ImportOSPOmeta reads an OSPOmeta YAML list and lists its valid entries in
// the directory as "listed", with their source and licence. Broken entries
// are reported one by one and the rest imported. An OSPO already in the
// directory through its own node is skipped: the federated entry wins.
func (n *Node) ImportOSPOmeta(ctx context.Context, data []byte, source, licence string) (*ImportReport, error) {
	list, err := ospometa.Parse(data)
	if err != nil {
		return nil, err
	}
	rep := &ImportReport{Imported: []string{}, Skipped: []ospometa.Issue{}, Errors: []ospometa.Issue{}}
	federated, err := n.federatedWebsites(ctx)
	if err != nil {
		return nil, err
	}
	skip := func(key, reason string) {
		rep.Skipped = append(rep.Skipped, ospometa.Issue{Entry: key, Reason: reason})
	}
	var good []*store.DirectoryEntry
	for _, l := range list {
		switch {
		case len(l.Issues) > 0:
			rep.Errors = append(rep.Errors, l.Issues...)
		case n.dismissed(ctx, l.Key):
			skip(l.Key, "removed from the directory by the administrator")
		case federated[strings.TrimSuffix(l.Key, "/")]:
			skip(l.Key, "already in the directory through its own node")
		default:
			good = append(good, &store.DirectoryEntry{ID: l.Key, Kind: store.KindListed, Host: store.HostOf(l.Key),
				Profile: l.Profile, Source: source, Licence: licence})
		}
	}
	err = n.st.InTx(ctx, func(tx *store.Tx) error {
		for _, e := range good {
			if kind, err := tx.DirectoryKind(ctx, e.ID); err == nil && kind != store.KindListed {
				skip(e.ID, "already in the directory")
				continue
			}
			if err := tx.PutDirectoryEntry(ctx, e); err != nil {
				return err
			}
			rep.Imported = append(rep.Imported, e.ID)
		}
		return nil
	})
	return rep, err
}

// federatedWebsites are the websites of the OSPOs in the directory through
// their own node, without a trailing slash.
func (n *Node) federatedWebsites(ctx context.Context) (map[string]bool, error) {
	entries, err := n.st.DirectoryEntries(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, e := range entries {
		if e.Kind != store.KindListed && e.Profile.Website != "" {
			out[strings.TrimSuffix(e.Profile.Website, "/")] = true
		}
	}
	return out, nil
}

// dismissed reports whether the administrator removed this entry from the directory.
func (n *Node) dismissed(ctx context.Context, key string) bool {
	p, err := n.st.Peer(ctx, key)
	return err == nil && p.State == store.PeerDismissed
}

// FetchList downloads a list (OSPOmeta YAML) from a URL within the usual
// bounds (size, time, private addresses, blocks).
func (n *Node) FetchList(ctx context.Context, url string) ([]byte, error) {
	if err := n.allowedURL(ctx, url); err != nil {
		return nil, err
	}
	return n.client.GetJSON(ctx, url, "application/yaml, text/yaml, text/plain;q=0.5, */*;q=0.1", nil)
}
