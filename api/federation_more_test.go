package api_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/ospod/ospod/api/nodetest"
	"github.com/ospod/ospod/federation"
	"github.com/ospod/ospod/federation/fedtest"
	"github.com/ospod/ospod/federation/signature"
	"github.com/ospod/ospod/store"
)

// TestKeyRotation: a peer that rotates its key is re-fetched exactly once;
// further bad signatures within the cool-down cause no fetch at all.
func TestKeyRotation(t *testing.T) {
	n := nodetest.Start(t, nodetest.Options{})
	p := fedtest.New(t)
	if resp, _ := p.Post(t, n.URL+"/inbox", p.Activity("Like", n.URL+"/actor"), nil); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("first request: %d", resp.StatusCode)
	}
	fetches := p.Fetches()
	newKey, err := signature.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	p.Key = newKey // the actor document now publishes the new key
	if resp, b := p.Post(t, n.URL+"/inbox", p.Activity("Like", n.URL+"/actor"), nil); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("signed with the rotated key: %d %s", resp.StatusCode, b)
	}
	if got := p.Fetches() - fetches; got != 1 {
		t.Fatalf("%d key fetches after rotation, want 1", got)
	}
	stranger, _ := signature.GenerateKey()
	for range 5 {
		resp, _ := p.PostWith(t, n.URL+"/inbox", p.Activity("Like", n.URL+"/actor"), fedtest.SignOptions{Key: stranger}, nil)
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("bad signature: %d", resp.StatusCode)
		}
	}
	if got := p.Fetches() - fetches; got != 1 {
		t.Fatalf("%d key fetches after five bad signatures, want still 1", got)
	}
}

// TestInboxRateLimit: a host sending faster than the limit gets 429.
func TestInboxRateLimit(t *testing.T) {
	n := nodetest.Start(t, nodetest.Options{InboxRate: 1})
	p := fedtest.New(t)
	limited := 0
	for range 30 {
		resp, _ := p.Post(t, n.URL+"/inbox", p.Activity("Like", n.URL+"/actor"), nil)
		if resp.StatusCode == http.StatusTooManyRequests {
			limited++
			if resp.Header.Get("Retry-After") == "" {
				t.Fatal("429 without Retry-After")
			}
		}
	}
	if limited == 0 {
		t.Fatal("30 requests at once from one host were never limited")
	}
}

// TestDeliveryOutcomes: 410 is permanent (no retry), 500 is retried later,
// Retry-After is honoured, and a host that keeps failing is marked unreachable.
func TestDeliveryOutcomes(t *testing.T) {
	n := nodetest.Start(t, nodetest.Options{Delivery: federation.DeliveryOptions{RetryBase: time.Hour, UnreachableAfter: time.Nanosecond}})
	ctx := context.Background()
	gone, failing, slow := fedtest.New(t), fedtest.New(t), fedtest.New(t)
	gone.Status = http.StatusGone
	failing.Status = http.StatusInternalServerError
	slow.SetAnswer(func() (time.Duration, int) { return 0, http.StatusTooManyRequests })
	activity := n.URL + "/activities/outcomes"
	err := n.Store.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.AddActivity(ctx, &store.Activity{ID: activity, Type: "Create", Doc: []byte(`{"type":"Create"}`)}); err != nil {
			return err
		}
		return tx.EnqueueTo(ctx, activity, gone.Inbox, failing.Inbox, slow.Inbox)
	})
	if err != nil {
		t.Fatal(err)
	}
	var list []*store.DeliveryInfo
	nodetest.Eventually(t, "three attempts made", func() bool {
		list, err = n.Store.ListDeliveries(ctx, "", 10)
		if err != nil {
			t.Fatal(err)
		}
		done := 0
		for _, d := range list {
			if d.Attempts == 1 && (d.State != store.DeliveryPending || d.LastStatus != 0) {
				done++
			}
		}
		return done == 3
	})
	by := map[string]*store.DeliveryInfo{}
	for _, d := range list {
		by[d.Inbox] = d
	}
	if d := by[gone.Inbox]; d.State != store.DeliveryFailed || d.LastStatus != 410 {
		t.Errorf("410: %+v", d)
	}
	if d := by[failing.Inbox]; d.State != store.DeliveryPending || d.LastStatus != 500 || time.Until(d.NextAt) < 30*time.Minute {
		t.Errorf("500 should be retried after about RetryBase (1h): %+v", d)
	}
	if d := by[slow.Inbox]; d.State != store.DeliveryPending || d.LastStatus != 429 {
		t.Errorf("429: %+v", d)
	}
	h, err := n.Store.HostHealth(ctx, failing.Host())
	if err != nil || !h.Unreachable || h.Pending != 1 {
		t.Fatalf("failing host: %+v %v", h, err)
	}
	// A verified request from the host (now healthy) revives it: its delivery,
	// otherwise due in an hour, is made at once and succeeds.
	failing.SetAnswer(func() (time.Duration, int) { return 0, http.StatusAccepted })
	if resp, _ := failing.Post(t, n.URL+"/inbox", failing.Activity("Like", n.URL+"/actor"), nil); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("like: %d", resp.StatusCode)
	}
	nodetest.Eventually(t, "the revived host got its delivery", func() bool {
		d, _ := n.Store.DeliveriesFor(ctx, activity)
		h, _ := n.Store.HostHealth(ctx, failing.Host())
		return d[failing.Inbox] == store.DeliveryDone && h != nil && !h.Unreachable && h.FailingSince.IsZero()
	})
}

// TestSharedInboxOncePerServer: followers on one server sharing an inbox get one delivery.
func TestSharedInboxOncePerServer(t *testing.T) {
	n := nodetest.Start(t, nodetest.Options{NoWorker: true})
	ctx := context.Background()
	for i, id := range []string{"https://m.example/users/a", "https://m.example/users/b", "https://other.example/users/c"} {
		host := store.HostOf(id)
		a := &store.Actor{ID: id, Type: "Person", Host: host, Inbox: id + "/inbox", SharedInbox: "https://" + host + "/inbox",
			KeyID: id + "#main-key", PublicKeyPEM: "x", Doc: "{}"}
		if err := n.Store.PutActor(ctx, a); err != nil {
			t.Fatal(err)
		}
		err := n.Store.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.PutRelation(ctx, store.Followers, id, id+"/follow/"+itoa(int64(i)), store.FollowAccepted)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	var ev struct{ ID string }
	doc := exampleDoc(t, "event.json")
	if code := n.Admin(http.MethodPost, "/api/v1/admin/events", doc, &ev); code != http.StatusCreated {
		t.Fatalf("create: %d", code)
	}
	got, err := n.Store.DeliveriesFor(ctx, n.URL+"/events/"+ev.ID+"/activity")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got["https://m.example/inbox"] == "" || got["https://other.example/inbox"] == "" {
		t.Fatalf("deliveries = %v, want one per shared inbox", got)
	}
}

// TestExtensionsIgnored: properties other servers add (an LD signature, a
// FEP-8b32 proof, unknown extensions) are ignored, not refused.
func TestExtensionsIgnored(t *testing.T) {
	n := nodetest.Start(t, nodetest.Options{})
	p := fedtest.New(t)
	followPeer(t, n, p)
	ev := peerEvent(p, p.URL+"/events/ext", "With extensions")
	ev["mz:joinMode"] = "free"
	create := p.Activity("Create", ev)
	create["signature"] = map[string]any{"type": "RsaSignature2017", "creator": p.KeyID, "signatureValue": "AAAA"}
	create["proof"] = map[string]any{"type": "DataIntegrityProof", "cryptosuite": "eddsa-jcs-2022", "proofValue": "zzz"}
	create["@context"] = []any{"https://www.w3.org/ns/activitystreams", map[string]any{"actor": "https://evil.example/redefined"}}
	if resp, b := p.Post(t, n.URL+"/inbox", create, nil); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("status %d: %s", resp.StatusCode, b)
	}
	evs, err := n.Store.RemoteEventsOf(context.Background(), p.ActorID)
	if err != nil || len(evs) != 1 || evs[0].Name != "With extensions" {
		t.Fatalf("events = %+v, %v", evs, err)
	}
}

// TestDeleteActor: an actor deleting itself is forgotten with its events and
// relations; a Delete from an actor we never knew is accepted without any fetch.
func TestDeleteActor(t *testing.T) {
	n := nodetest.Start(t, nodetest.Options{})
	ctx := context.Background()
	p := fedtest.New(t)
	followPeer(t, n, p)
	if resp, _ := p.Post(t, n.URL+"/inbox", p.Activity("Create", peerEvent(p, p.URL+"/events/1", "Soon gone")), nil); resp.StatusCode != http.StatusAccepted {
		t.Fatal("create refused")
	}
	if resp, _ := p.Post(t, n.URL+"/inbox", p.Activity("Delete", p.ActorID), nil); resp.StatusCode != http.StatusAccepted {
		t.Fatal("delete refused")
	}
	if _, err := n.Store.Actor(ctx, p.ActorID); err != store.ErrNotFound {
		t.Fatalf("actor still stored: %v", err)
	}
	if evs, _ := n.Store.RemoteEventsOf(ctx, p.ActorID); len(evs) != 0 {
		t.Fatalf("events still stored: %d", len(evs))
	}
	if rels, _ := n.Store.Relations(ctx, store.Following, ""); len(rels) != 0 {
		t.Fatalf("relations still stored: %d", len(rels))
	}

	unknown := fedtest.New(t)
	resp, _ := unknown.Post(t, n.URL+"/inbox", unknown.Activity("Delete", unknown.ActorID), nil)
	if resp.StatusCode != http.StatusAccepted || unknown.Fetches() != 0 {
		t.Fatalf("Delete of an unknown actor: status %d, %d fetches (want 202, 0)", resp.StatusCode, unknown.Fetches())
	}
}
