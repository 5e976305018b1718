package api_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/ospod/ospod/api/nodetest"
	"github.com/ospod/ospod/federation/fedtest"
	"github.com/ospod/ospod/store"
)

// TestPurgedActorKeyForgotten: whatever removes a remote actor from the
// database (its own Delete, a domain block, allow-list mode) also removes
// its key from the node's memory, so the actor's next signed request
// fetches the key again instead of being refused with 401 until a restart.
func TestPurgedActorKeyForgotten(t *testing.T) {
	purges := []struct {
		name  string
		purge func(t *testing.T, n *nodetest.Node, p *fedtest.Peer)
	}{
		{"self-Delete", func(t *testing.T, n *nodetest.Node, p *fedtest.Peer) {
			if resp, b := p.Post(t, n.URL+"/inbox", p.Activity("Delete", p.ActorID), nil); resp.StatusCode != http.StatusAccepted {
				t.Fatalf("Delete: %d %s", resp.StatusCode, b)
			}
		}},
		{"block then unblock", func(t *testing.T, n *nodetest.Node, p *fedtest.Peer) {
			if code := n.Admin(http.MethodPost, "/api/v1/admin/domain-blocks", map[string]string{"domain": p.Host(), "reason": "test"}, nil); code != http.StatusCreated {
				t.Fatalf("block: %d", code)
			}
			if code := n.Admin(http.MethodDelete, "/api/v1/admin/domain-blocks/"+url.PathEscape(p.Host()), nil, nil); code != http.StatusNoContent {
				t.Fatalf("unblock: %d", code)
			}
		}},
		{"allow-list mode on then off", func(t *testing.T, n *nodetest.Node, p *fedtest.Peer) {
			if code := n.Admin(http.MethodPost, "/api/v1/admin/domain-allows", map[string]string{"domain": "other.example"}, nil); code != http.StatusCreated {
				t.Fatalf("allow: %d", code)
			}
			for _, on := range []bool{true, false} {
				if code := n.Admin(http.MethodPut, "/api/v1/admin/federation-mode", map[string]bool{"allowlist": on}, nil); code != http.StatusOK {
					t.Fatalf("allow-list mode %v: %d", on, code)
				}
			}
		}},
	}
	for _, tc := range purges {
		t.Run(tc.name, func(t *testing.T) {
			n := nodetest.Start(t, nodetest.Options{})
			p := fedtest.New(t)
			if resp, b := p.Post(t, n.URL+"/inbox", p.Activity("Follow", n.URL+"/actor"), nil); resp.StatusCode != http.StatusAccepted {
				t.Fatalf("first Follow: %d %s", resp.StatusCode, b)
			}
			tc.purge(t, n, p)
			if _, err := n.Store.Actor(context.Background(), p.ActorID); err != store.ErrNotFound {
				t.Fatalf("the purge left the actor stored: %v", err)
			}
			before := p.Fetches()
			if resp, b := p.Post(t, n.URL+"/inbox", p.Activity("Follow", n.URL+"/actor"), nil); resp.StatusCode != http.StatusAccepted {
				t.Fatalf("Follow after the purge: %d %s", resp.StatusCode, b)
			}
			if p.Fetches() == before {
				t.Fatal("the purged actor was not fetched again")
			}
			if _, err := n.Store.Actor(context.Background(), p.ActorID); err != nil {
				t.Fatalf("the actor is not stored again: %v", err)
			}
		})
	}
}
