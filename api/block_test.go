package api_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/ospod/ospod/api/nodetest"
	"github.com/ospod/ospod/federation/as2"
	"github.com/ospod/ospod/federation/fedtest"
	"github.com/ospod/ospod/store"
)

// TestRemoteBlockEndsBothFollows: a Block from an actor we follow and that
// follows us ends both relations, as Mastodon and GoToSocial do; our
// following collection no longer lists it, and a later follow request
// sends a fresh Follow instead of answering with the stale relation.
func TestRemoteBlockEndsBothFollows(t *testing.T) {
	n := nodetest.Start(t, nodetest.Options{})
	ctx := context.Background()
	p := fedtest.New(t)
	followPeer(t, n, p)
	if resp, b := p.Post(t, n.URL+"/inbox", p.Activity("Follow", n.URL+"/actor"), nil); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("peer's Follow: %d %s", resp.StatusCode, b)
	}
	if resp, b := p.Post(t, n.URL+"/inbox", p.Activity("Block", n.URL+"/actor"), nil); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("Block: %d %s", resp.StatusCode, b)
	}
	for _, table := range []store.RelationTable{store.Following, store.Followers} {
		if rels, err := n.Store.Relations(ctx, table, ""); err != nil || len(rels) != 0 {
			t.Errorf("%s after the Block: %+v, %v", table, rels, err)
		}
	}
	req, _ := http.NewRequest(http.MethodGet, n.URL+"/actor/following", nil)
	req.Header.Set("Accept", as2.ContentTypeActivity)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if strings.Contains(string(body), p.ActorID) {
		t.Errorf("/actor/following still lists the blocking actor: %s", body)
	}

	follows := func() int {
		c := 0
		for _, r := range p.Received() {
			if r.Activity["type"] == "Follow" {
				c++
			}
		}
		return c
	}
	nodetest.Eventually(t, "the first Follow delivered", func() bool { return follows() == 1 })
	var rel struct{ Follow, State string }
	if code := n.Admin(http.MethodPost, "/api/v1/admin/following", map[string]string{"account": "peer@" + p.Host()}, &rel); code != http.StatusAccepted {
		t.Fatalf("follow again after the Block: %d %+v", code, rel)
	}
	nodetest.Eventually(t, "a fresh Follow delivered", func() bool { return follows() == 2 })
}
