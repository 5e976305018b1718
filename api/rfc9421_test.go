package api_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/ospod/ospod/api/nodetest"
	"github.com/ospod/ospod/federation/fedtest"
	"github.com/ospod/ospod/store"
)

// TestInboxAcceptsRFC9421: a request signed with RFC 9421 HTTP Message
// Signatures (as Mastodon 4.5 accepts and newer versions send) is verified
// beside draft-cavage; a tampered one is refused.
func TestInboxAcceptsRFC9421(t *testing.T) {
	n := nodetest.Start(t, nodetest.Options{})
	p := fedtest.New(t)
	resp, b := p.PostWith(t, n.URL+"/inbox", p.Activity("Follow", n.URL+"/actor"), fedtest.SignOptions{RFC9421: true}, nil)
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("RFC 9421 Follow: %d %s", resp.StatusCode, b)
	}
	if rels, _ := n.Store.Relations(context.Background(), store.Followers, ""); len(rels) != 1 {
		t.Fatalf("followers = %d, want 1", len(rels))
	}
	resp, b = p.PostWith(t, n.URL+"/inbox", p.Activity("Follow", n.URL+"/actor"), fedtest.SignOptions{RFC9421: true},
		func(r *http.Request) {
			r.Header.Set("Content-Digest", "sha-256=:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=:")
		})
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("tampered RFC 9421 request: %d %s", resp.StatusCode, b)
	}
}

// TestDeliveryRetriesWithRFC9421: a peer that refuses draft-cavage with 401
// gets the same delivery again at once, signed with RFC 9421.
func TestDeliveryRetriesWithRFC9421(t *testing.T) {
	n := nodetest.Start(t, nodetest.Options{})
	p := fedtest.New(t)
	p.RequireRFC9421 = true
	if resp, b := p.Post(t, n.URL+"/inbox", p.Activity("Follow", n.URL+"/actor"), nil); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("Follow: %d %s", resp.StatusCode, b)
	}
	nodetest.Eventually(t, "the Accept delivered with an RFC 9421 signature", func() bool {
		for _, r := range p.Received() {
			if r.Activity["type"] == "Accept" && r.Verified && r.RFC9421 {
				return true
			}
		}
		return false
	})
}
