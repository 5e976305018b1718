package api_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ospod/ospod/api/nodetest"
	"github.com/ospod/ospod/federation/fedtest"
	"github.com/ospod/ospod/federation/signature"
	"github.com/ospod/ospod/store"
)

// effects counts what an inbox request can change, to assert nothing was stored.
type effects struct{ seen, followers, events int }

func countEffects(t *testing.T, n *nodetest.Node, peerActor string) effects {
	t.Helper()
	ctx := context.Background()
	seen, err := n.Store.CountSeen(ctx)
	if err != nil {
		t.Fatal(err)
	}
	followers, err := n.Store.Relations(ctx, store.Followers, "")
	if err != nil {
		t.Fatal(err)
	}
	events, err := n.Store.RemoteEventsOf(ctx, peerActor)
	if err != nil {
		t.Fatal(err)
	}
	return effects{seen: seen, followers: len(followers), events: len(events)}
}

// followPeer makes node n follow the fake peer and has the peer accept.
func followPeer(t *testing.T, n *nodetest.Node, p *fedtest.Peer) {
	t.Helper()
	var rel struct{ Follow string }
	if code := n.Admin(http.MethodPost, "/api/v1/admin/following", map[string]string{"account": "peer@" + p.Host()}, &rel); code != http.StatusAccepted {
		t.Fatalf("follow peer: %d", code)
	}
	if resp, b := p.Post(t, n.URL+"/inbox", p.Activity("Accept", rel.Follow), nil); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("peer's Accept: %d %s", resp.StatusCode, b)
	}
	var res struct{ Items []relation }
	n.Admin(http.MethodGet, "/api/v1/admin/following", nil, &res)
	if len(res.Items) != 1 || res.Items[0].State != "accepted" {
		t.Fatalf("following after Accept: %+v", res.Items)
	}
}

func peerEvent(p *fedtest.Peer, id, name string) map[string]any {
	return map[string]any{
		"id": id, "type": "Event", "name": name, "attributedTo": p.ActorID,
		"startTime": "2032-01-10T10:00:00+01:00", "endTime": "2032-01-10T12:00:00+01:00",
		"to": []string{"https://www.w3.org/ns/activitystreams#Public"},
	}
}

// TestInboxRefusals sends requests that must be refused and checks, for
// each, the status and that nothing was stored.
func TestInboxRefusals(t *testing.T) {
	n := nodetest.Start(t, nodetest.Options{})
	owner := fedtest.New(t) // an OSPO we follow, owner of an event
	followPeer(t, n, owner)
	ownedEvent := owner.URL + "/events/1"
	if resp, b := owner.Post(t, n.URL+"/inbox", owner.Activity("Create", peerEvent(owner, ownedEvent, "Owned event")), nil); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("owner's Create: %d %s", resp.StatusCode, b)
	}
	other := fedtest.New(t) // another server, trying to act on the owner's objects
	inbox := n.URL + "/actor/inbox"
	follow := func(p *fedtest.Peer) map[string]any { return p.Activity("Follow", n.URL+"/actor") }

	cases := []struct {
		name   string
		peer   *fedtest.Peer
		body   any
		sign   fedtest.SignOptions
		mutate func(*http.Request)
		status int
	}{
		{name: "unsigned", peer: other, body: follow(other), sign: fedtest.SignOptions{Unsigned: true}, status: 401},
		{name: "digest not signed", peer: other, body: follow(other),
			sign: fedtest.SignOptions{Headers: []string{signature.RequestTarget, "host", "date"}}, status: 401},
		{name: "host not signed", peer: other, body: follow(other),
			sign: fedtest.SignOptions{Headers: []string{signature.RequestTarget, "date", "digest"}}, status: 401},
		{name: "request-target not signed", peer: other, body: follow(other),
			sign: fedtest.SignOptions{Headers: []string{"host", "date", "digest"}}, status: 401},
		{name: "only date signed", peer: other, body: follow(other),
			sign: fedtest.SignOptions{Headers: []string{"date"}}, status: 401},
		{name: "body changed after signing", peer: other, body: follow(other), status: 401,
			mutate: func(r *http.Request) {
				b, _ := json.Marshal(other.Activity("Follow", n.URL+"/actor"))
				r.Body = readCloser(b)
				r.ContentLength = int64(len(b))
			}},
		{name: "date two hours old", peer: other, body: follow(other), sign: fedtest.SignOptions{Date: time.Now().Add(-2 * time.Hour)}, status: 401},
		{name: "date two hours ahead", peer: other, body: follow(other), sign: fedtest.SignOptions{Date: time.Now().Add(2 * time.Hour)}, status: 401},
		{name: "signed with another key", peer: other, body: follow(other), sign: fedtest.SignOptions{Key: owner.Key}, status: 401},
		{name: "key owner is not the actor", peer: other, body: owner.Activity("Follow", n.URL+"/actor"), status: 401},
		{name: "activity id on another host", peer: other, status: 403,
			body: func() map[string]any { a := follow(other); a["id"] = owner.URL + "/activities/x"; return a }()},
		{name: "Update of another actor's event", peer: other, status: 403,
			body: other.Activity("Update", func() map[string]any {
				e := peerEvent(other, ownedEvent, "Hijacked")
				return e
			}())},
		{name: "Delete of another actor's event", peer: other, status: 403, body: other.Activity("Delete", ownedEvent)},
		{name: "Create attributed to another actor", peer: other, status: 403,
			body: other.Activity("Create", peerEvent(owner, other.URL+"/events/9", "Spoofed"))},
		{name: "Undo of another actor's Follow", peer: other, status: 403,
			body: other.Activity("Undo", map[string]any{"type": "Follow", "id": owner.URL + "/f", "actor": owner.ActorID, "object": n.URL + "/actor"})},
		{name: "malformed JSON", peer: other, body: []byte(`{"type":"Follow",`), status: 400},
		{name: "id not a string", peer: other, body: []byte(`{"id":{"x":1},"type":"Follow","actor":"` + other.ActorID + `","object":"x"}`), status: 400},
		{name: "deeply nested JSON", peer: other, body: []byte(`{"id":"` + other.URL + `/a","type":"Note","actor":"` + other.ActorID + `","object":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}`), status: 400},
		{name: "wrong content type", peer: other, body: follow(other), status: 415,
			mutate: func(r *http.Request) { r.Header.Set("Content-Type", "text/plain") }},
		{name: "oversized body", peer: other, status: 413,
			body: func() map[string]any { a := follow(other); a["padding"] = strings.Repeat("x", 2<<20); return a }()},
	}
	// Prime the other peer's key so the Undo/Update/Delete cases reach the ownership checks.
	if resp, _ := other.Post(t, n.URL+"/inbox", other.Activity("Like", owner.URL+"/x"), nil); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("priming Like: %d", resp.StatusCode)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := countEffects(t, n, owner.ActorID)
			resp, body := tc.peer.PostWith(t, inbox, tc.body, tc.sign, tc.mutate)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, body)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
				t.Fatalf("content type %q", ct)
			}
			if after := countEffects(t, n, owner.ActorID); after != before {
				t.Fatalf("stored something: before %+v, after %+v", before, after)
			}
		})
	}
	evs, _ := n.Store.RemoteEventsOf(context.Background(), owner.ActorID)
	if len(evs) != 1 || evs[0].Name != "Owned event" {
		t.Fatalf("owner's event changed: %+v", evs)
	}
}

// TestInboxFetchedActorChecks: a key owner served with the wrong content
// type or claiming another id is refused, and not cached.
func TestInboxFetchedActorChecks(t *testing.T) {
	n := nodetest.Start(t, nodetest.Options{})
	for name, setup := range map[string]func(*fedtest.Peer){
		"content type application/json": func(p *fedtest.Peer) { p.ContentType = "application/json" },
		"content type text/html":        func(p *fedtest.Peer) { p.ContentType = "text/html" },
		"ld+json with another profile":  func(p *fedtest.Peer) { p.ContentType = `application/ld+json; profile="https://example.org/other"` },
		"id not the fetched URL":        func(p *fedtest.Peer) { p.ActorIDOverride = p.URL + "/users/someone-else" },
	} {
		t.Run(name, func(t *testing.T) {
			p := fedtest.New(t)
			setup(p)
			resp, body := p.Post(t, n.URL+"/inbox", p.Activity("Follow", n.URL+"/actor"), nil)
			if resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			if _, err := n.Store.Actor(context.Background(), p.ActorID); err != store.ErrNotFound {
				t.Fatalf("actor cached: %v", err)
			}
			if p.Fetches() == 0 {
				t.Fatal("the actor was never fetched: the test proves nothing")
			}
		})
	}
}

// TestInboxPrivateAddresses: with the private-network guard on, a keyId on a
// blocked address is never connected to, and a delivery to one is refused.
func TestInboxPrivateAddresses(t *testing.T) {
	canary, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("no 127.0.0.2 on this machine: %v", err)
	}
	var accepts atomic.Int32
	go func() {
		for {
			c, err := canary.Accept()
			if err != nil {
				return
			}
			accepts.Add(1)
			c.Close()
		}
	}()
	t.Cleanup(func() { canary.Close() })
	n := nodetest.Start(t, nodetest.Options{AllowPrefixes: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}})
	p := fedtest.New(t)
	blockedKey := "http://" + canary.Addr().String() + "/users/x#main-key"
	resp, body := p.PostWith(t, n.URL+"/inbox", p.Activity("Follow", n.URL+"/actor"), fedtest.SignOptions{KeyID: blockedKey}, nil)
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	// A delivery queued to a blocked inbox fails permanently without a connection.
	ctx := context.Background()
	blockedInbox := "http://" + canary.Addr().String() + "/inbox"
	err = n.Store.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.AddActivity(ctx, &store.Activity{ID: n.URL + "/activities/t", Type: "Create", Doc: []byte(`{}`)}); err != nil {
			return err
		}
		return tx.EnqueueTo(ctx, n.URL+"/activities/t", blockedInbox)
	})
	if err != nil {
		t.Fatal(err)
	}
	nodetest.Eventually(t, "delivery refused", func() bool {
		d, _ := n.Store.DeliveriesFor(ctx, n.URL+"/activities/t")
		return d[blockedInbox] == store.DeliveryFailed
	})
	if got := accepts.Load(); got != 0 {
		t.Fatalf("the canary on 127.0.0.2 got %d connections", got)
	}
}

// TestInboxIdempotent: the same signed activity, replayed and sent
// concurrently, is applied once.
func TestInboxIdempotent(t *testing.T) {
	n := nodetest.Start(t, nodetest.Options{})
	p := fedtest.New(t)
	followPeer(t, n, p)
	create := p.Activity("Create", peerEvent(p, p.URL+"/events/7", "Once"))
	before := countEffects(t, n, p.ActorID)
	done := make(chan int, 10)
	for range 10 {
		go func() {
			resp, _ := p.Post(t, n.URL+"/inbox", create, nil)
			done <- resp.StatusCode
		}()
	}
	for range 10 {
		if code := <-done; code != http.StatusAccepted {
			t.Fatalf("status %d", code)
		}
	}
	after := countEffects(t, n, p.ActorID)
	if after.seen != before.seen+1 || after.events != before.events+1 {
		t.Fatalf("before %+v after %+v: want exactly one new activity and event", before, after)
	}
}

// TestInboxFollowFromFakePeer: a Follow is accepted with a signed Accept
// delivered to the follower's inbox, embedding the Follow.
func TestInboxFollowFromFakePeer(t *testing.T) {
	n := nodetest.Start(t, nodetest.Options{})
	p := fedtest.New(t)
	f := p.Activity("Follow", n.URL+"/actor")
	if resp, b := p.Post(t, n.URL+"/actor/inbox", f, nil); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("follow: %d %s", resp.StatusCode, b)
	}
	nodetest.Eventually(t, "Accept delivered", func() bool { return len(p.Received()) == 1 })
	got := p.Received()[0]
	if !got.Verified {
		t.Fatal("the Accept's signature did not verify")
	}
	obj, _ := got.Activity["object"].(map[string]any)
	if got.Activity["type"] != "Accept" || got.Activity["actor"] != n.URL+"/actor" || obj["id"] != f["id"] {
		t.Fatalf("accept = %v", got.Activity)
	}
	// Undo(Follow) removes the follower.
	if resp, _ := p.Post(t, n.URL+"/inbox", p.Activity("Undo", f), nil); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("undo: %d", resp.StatusCode)
	}
	if e := countEffects(t, n, p.ActorID); e.followers != 0 {
		t.Fatalf("followers after Undo: %d", e.followers)
	}
}

type bytesReadCloser struct{ *strings.Reader }

func (bytesReadCloser) Close() error { return nil }

func readCloser(b []byte) bytesReadCloser { return bytesReadCloser{strings.NewReader(string(b))} }
