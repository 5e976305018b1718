package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/ospod/ospod/api/nodetest"
	"github.com/ospod/ospod/federation/fedtest"
)

// TestInboxRefusesWhatNoPeerSends: an @context JSON-LD does not allow, and
// ids written in a non-canonical form (which would be stored beside the
// canonical one), are refused with 400 and nothing is stored.
func TestInboxRefusesWhatNoPeerSends(t *testing.T) {
	n := nodetest.Start(t, nodetest.Options{})
	p := fedtest.New(t)
	followPeer(t, n, p)
	upper := func(s string) string { return strings.Replace(s, "http://", "HTTP://", 1) }
	cases := []struct {
		name   string
		mutate func(a map[string]any)
	}{
		{"@context a number", func(a map[string]any) { a["@context"] = 42 }},
		{"@context null", func(a map[string]any) { a["@context"] = nil }},
		{"@context a list with a number", func(a map[string]any) {
			a["@context"] = []any{"https://www.w3.org/ns/activitystreams", 1}
		}},
		{"@context an empty string", func(a map[string]any) { a["@context"] = "" }},
		{"activity id with an upper-case scheme", func(a map[string]any) { a["id"] = upper(a["id"].(string)) }},
		{"activity id with a trailing dot on the host", func(a map[string]any) {
			a["id"] = strings.Replace(a["id"].(string), "127.0.0.1", "127.0.0.1.", 1)
		}},
		{"event id percent-encoded", func(a map[string]any) {
			a["object"].(map[string]any)["id"] = p.URL + "/%65vents/1"
		}},
		{"event id with lower-case percent hex", func(a map[string]any) {
			a["object"].(map[string]any)["id"] = p.URL + "/events/caf%c3%a9"
		}},
		{"object id with an upper-case scheme", func(a map[string]any) {
			a["object"].(map[string]any)["id"] = upper(p.URL) + "/events/1"
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			create := p.Activity("Create", peerEvent(p, p.URL+"/events/1", "Once only"))
			tc.mutate(create)
			resp, b := p.Post(t, n.URL+"/inbox", create, nil)
			if resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("status %d (want 400): %s", resp.StatusCode, b)
			}
			if evs, _ := n.Store.RemoteEventsOf(context.Background(), p.ActorID); len(evs) != 0 {
				t.Fatalf("stored: %+v", evs)
			}
		})
	}
	// The canonical form is accepted (default ports: TestCanonicalURL).
	if resp, b := p.Post(t, n.URL+"/inbox", p.Activity("Create", peerEvent(p, p.URL+"/events/caf%C3%A9", "Canonical")), nil); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("canonical event: %d %s", resp.StatusCode, b)
	}
}
