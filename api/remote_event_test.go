package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ospod/ospod/api/nodetest"
	"github.com/ospod/ospod/federation"
	"github.com/ospod/ospod/federation/as2"
	"github.com/ospod/ospod/federation/fedtest"
	"github.com/ospod/ospod/store"
)

// remoteEventCase is one event a peer sends or lists, and what the node must make of it.
type remoteEventCase struct {
	name   string
	before func(p *fedtest.Peer) map[string]any // an earlier version, accepted first (nil: none)
	obj    func(p *fedtest.Peer) map[string]any
	// owned: the id is already held for another actor of the peer's origin.
	owned  bool
	status int      // the inbox's answer
	want   []string // the peer's events the node keeps, by name
}

// remoteEventStart is when the cases' events start (the same in each run of a case).
var remoteEventStart = time.Now().Add(48 * time.Hour).UTC().Truncate(time.Hour)

// remotePeerEvent is a valid, public, upcoming Event of the peer.
func remotePeerEvent(p *fedtest.Peer, slug, name string) map[string]any {
	start := remoteEventStart
	return map[string]any{
		"id": p.URL + "/events/" + slug, "type": "Event", "name": name,
		"attributedTo": p.ActorID, "to": []string{as2.Public}, "cc": []string{p.ActorID + "/followers"},
		"startTime": start.Format(time.RFC3339), "endTime": start.Add(2 * time.Hour).Format(time.RFC3339),
		"content": "<p>About " + name + "</p>", "url": p.URL + "/events/" + slug,
	}
}

func withMembers(m map[string]any, kv ...any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(out, kv[i].(string))
		} else {
			out[kv[i].(string)] = kv[i+1]
		}
	}
	return out
}

var remoteEventCases = []remoteEventCase{
	{name: "valid new event", status: http.StatusAccepted, want: []string{"Meetup"},
		obj: func(p *fedtest.Peer) map[string]any { return remotePeerEvent(p, "e1", "Meetup") }},
	{name: "update of an existing event", status: http.StatusAccepted, want: []string{"Meetup (moved)"},
		before: func(p *fedtest.Peer) map[string]any { return remotePeerEvent(p, "e1", "Meetup") },
		obj:    func(p *fedtest.Peer) map[string]any { return remotePeerEvent(p, "e1", "Meetup (moved)") }},
	{name: "wrong origin", status: http.StatusForbidden,
		obj: func(p *fedtest.Peer) map[string]any {
			return withMembers(remotePeerEvent(p, "e1", "Meetup"), "id", "http://elsewhere.example/events/e1")
		}},
	{name: "attributed to another actor", status: http.StatusForbidden,
		obj: func(p *fedtest.Peer) map[string]any {
			return withMembers(remotePeerEvent(p, "e1", "Meetup"), "attributedTo", p.URL+"/users/other")
		}},
	{name: "attributed to several actors", status: http.StatusForbidden,
		obj: func(p *fedtest.Peer) map[string]any {
			return withMembers(remotePeerEvent(p, "e1", "Meetup"), "attributedTo", []string{p.ActorID, p.URL + "/users/other"})
		}},
	{name: "not public", status: http.StatusAccepted,
		obj: func(p *fedtest.Peer) map[string]any {
			return withMembers(remotePeerEvent(p, "e1", "Meetup"), "to", []string{p.ActorID + "/followers"})
		}},
	{name: "update to not public withdraws it", status: http.StatusAccepted,
		before: func(p *fedtest.Peer) map[string]any { return remotePeerEvent(p, "e1", "Meetup") },
		obj: func(p *fedtest.Peer) map[string]any {
			return withMembers(remotePeerEvent(p, "e1", "Meetup"), "to", []string{p.ActorID + "/followers"})
		}},
	{name: "id owned by another actor", owned: true, status: http.StatusForbidden,
		obj: func(p *fedtest.Peer) map[string]any { return remotePeerEvent(p, "e1", "Meetup") }},
	{name: "oversize", status: http.StatusBadRequest,
		obj: func(p *fedtest.Peer) map[string]any {
			return withMembers(remotePeerEvent(p, "e1", "Meetup"), "content", strings.Repeat("x", 300<<10))
		}},
	{name: "ends before it starts", status: http.StatusBadRequest,
		obj: func(p *fedtest.Peer) map[string]any {
			e := remotePeerEvent(p, "e1", "Meetup")
			return withMembers(e, "startTime", e["endTime"], "endTime", e["startTime"])
		}},
	{name: "start not RFC 3339", status: http.StatusBadRequest,
		obj: func(p *fedtest.Peer) map[string]any {
			return withMembers(remotePeerEvent(p, "e1", "Meetup"), "startTime", "next Tuesday")
		}},
	{name: "no name", status: http.StatusBadRequest,
		obj: func(p *fedtest.Peer) map[string]any {
			return withMembers(remotePeerEvent(p, "e1", "Meetup"), "name", nil)
		}},
	{name: "a note is ignored", status: http.StatusAccepted,
		obj: func(p *fedtest.Peer) map[string]any {
			return withMembers(remotePeerEvent(p, "e1", "Meetup"), "type", "Note")
		}},
}

// entryPoint makes a node receive a peer's objects one way; deliver returns
// the inbox's status (0 for the ways that read collections).
type entryPoint struct {
	name    string
	start   func(t *testing.T, p *fedtest.Peer) *nodetest.Node
	deliver func(t *testing.T, n *nodetest.Node, p *fedtest.Peer, obj map[string]any) int
}

// followFedPeer makes n follow p, and p accept (which starts a backfill).
func followFedPeer(t *testing.T, n *nodetest.Node, p *fedtest.Peer) {
	t.Helper()
	var rel struct{ Follow string }
	if code := n.Admin(http.MethodPost, "/api/v1/admin/following", map[string]string{"account": p.ActorID}, &rel); code != http.StatusAccepted {
		t.Fatalf("follow: %d", code)
	}
	acceptFollow(t, n, p, rel.Follow)
}

func acceptFollow(t *testing.T, n *nodetest.Node, p *fedtest.Peer, follow string) {
	t.Helper()
	if resp, body := p.Post(t, n.URL+"/inbox", p.Activity("Accept", follow), nil); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("Accept: %d %s", resp.StatusCode, body)
	}
	n.Fed.Wait() // the backfill it started
}

func followID(t *testing.T, n *nodetest.Node, actor string) string {
	rel, err := n.Store.RelationWith(context.Background(), store.Following, actor)
	if err != nil {
		t.Fatal(err)
	}
	return rel.FollowID
}

func discoveryRound(t *testing.T, n *nodetest.Node) {
	t.Helper()
	if _, err := n.Fed.DiscoverOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
}

var remoteEventEntryPoints = []entryPoint{
	{name: "inbox",
		start: func(t *testing.T, p *fedtest.Peer) *nodetest.Node {
			n := nodetest.Start(t, nodetest.Options{})
			followFedPeer(t, n, p)
			return n
		},
		deliver: func(t *testing.T, n *nodetest.Node, p *fedtest.Peer, obj map[string]any) int {
			resp, _ := p.Post(t, n.URL+"/inbox", p.Activity("Create", obj), nil)
			return resp.StatusCode
		}},
	{name: "backfill",
		start: func(t *testing.T, p *fedtest.Peer) *nodetest.Node { return nodetest.Start(t, nodetest.Options{}) },
		deliver: func(t *testing.T, n *nodetest.Node, p *fedtest.Peer, obj map[string]any) int {
			p.SetEvents([]map[string]any{obj})
			if _, err := n.Store.RelationWith(context.Background(), store.Following, p.ActorID); err != nil {
				followFedPeer(t, n, p)
			} else { // accepted again: another backfill
				acceptFollow(t, n, p, followID(t, n, p.ActorID))
			}
			return 0
		}},
	{name: "discovery",
		start: func(t *testing.T, p *fedtest.Peer) *nodetest.Node {
			return nodetest.Start(t, nodetest.Options{Discovery: federation.DiscoveryOptions{
				Seeds: []string{p.ActorID}, Refresh: time.Nanosecond}})
		},
		deliver: func(t *testing.T, n *nodetest.Node, p *fedtest.Peer, obj map[string]any) int {
			p.SetEvents([]map[string]any{obj})
			discoveryRound(t, n) // lists the peer, then refreshes it
			return 0
		}},
	{name: "refresh",
		start: func(t *testing.T, p *fedtest.Peer) *nodetest.Node {
			n := nodetest.Start(t, nodetest.Options{Discovery: federation.DiscoveryOptions{
				Seeds: []string{p.ActorID}, Refresh: time.Nanosecond}})
			p.SetEvents([]map[string]any{})
			discoveryRound(t, n) // listed without events
			return n
		},
		deliver: func(t *testing.T, n *nodetest.Node, p *fedtest.Peer, obj map[string]any) int {
			p.SetEvents([]map[string]any{obj})
			discoveryRound(t, n)
			return 0
		}},
}

// TestRemoteEventWaysIn runs each accept/refuse case through each way a
// remote event comes in: the inbox, the backfill after a follow, discovery
// and its refresh. Each keeps the same thing (the calendar entries, and for
// a followed OSPO the event documents); the inbox answers the verdict.
func TestRemoteEventWaysIn(t *testing.T) {
	for _, c := range remoteEventCases {
		t.Run(c.name, func(t *testing.T) {
			kept := map[string]string{}
			docs := map[string]string{}
			for _, ep := range remoteEventEntryPoints {
				p := fedtest.New(t)
				p.OSPONode = true
				n := ep.start(t, p)
				if c.owned {
					holdForOther(t, n, p, c.obj(p))
				}
				if c.before != nil {
					if got := ep.deliver(t, n, p, c.before(p)); got != 0 && got != http.StatusAccepted {
						t.Fatalf("%s: the earlier version: status %d", ep.name, got)
					}
				}
				if got := ep.deliver(t, n, p, c.obj(p)); got != 0 && got != c.status {
					t.Errorf("%s: status %d, want %d", ep.name, got, c.status)
				}
				// The peers differ only in their address.
				kept[ep.name] = strings.ReplaceAll(calendarOf(t, n, p.ActorID), p.URL, "PEER")
				if want := strings.Join(c.want, "|"); entryNames(kept[ep.name]) != want {
					t.Errorf("%s keeps %q, want %q", ep.name, entryNames(kept[ep.name]), want)
				}
				if ep.name == "inbox" || ep.name == "backfill" {
					docs[ep.name] = strings.ReplaceAll(remoteEventsOf(t, n, p.ActorID), p.URL, "PEER")
				}
				if c.owned {
					if e, err := n.Store.CalendarEntry(context.Background(), c.obj(p)["id"].(string)); err != nil || e.OSPOID == p.ActorID {
						t.Errorf("%s: the other actor's event is gone or taken: %+v %v", ep.name, e, err)
					}
				}
			}
			for name, got := range kept {
				if got != kept["inbox"] {
					t.Errorf("%s keeps\n%s\nthe inbox keeps\n%s", name, got, kept["inbox"])
				}
			}
			if docs["inbox"] != docs["backfill"] {
				t.Errorf("event documents differ: inbox\n%s\nbackfill\n%s", docs["inbox"], docs["backfill"])
			}
		})
	}
}

// holdForOther stores obj's id as an event of another actor on the peer's origin.
func holdForOther(t *testing.T, n *nodetest.Node, p *fedtest.Peer, obj map[string]any) {
	t.Helper()
	ctx := context.Background()
	other := p.URL + "/users/other"
	id := obj["id"].(string)
	err := n.Store.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.PutDirectoryEntry(ctx, &store.DirectoryEntry{ID: other, Kind: store.KindDiscovered, Host: p.Host(),
			Account: "other@" + p.Host(), Profile: &store.Profile{Name: store.LangMap{"en": "Other"}}, Source: other}); err != nil {
			return err
		}
		start := time.Now().Add(24 * time.Hour).UTC().Truncate(time.Second)
		ev := &store.Event{Name: store.LangMap{"en": "Theirs"}, StartTime: start.Format(time.RFC3339),
			EndTime: start.Add(time.Hour).Format(time.RFC3339), Timezone: "UTC", Status: "scheduled"}
		if err := ev.Validate(); err != nil {
			return err
		}
		return tx.PutCalendarEntry(ctx, &store.CalendarEntry{ID: id, OSPOID: other, URL: id, Event: ev})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// calendarOf describes the calendar entries of one OSPO, one line each.
func calendarOf(t *testing.T, n *nodetest.Node, ospo string) string {
	t.Helper()
	res, err := n.Store.SearchCalendar(context.Background(), store.CalendarFilter{OSPO: ospo, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, e := range res.Entries {
		ev, _ := json.Marshal(e.Event)
		lines = append(lines, fmt.Sprintf("%s %s %s", e.ID, e.URL, ev))
	}
	return strings.Join(lines, "\n")
}

// entryNames lists the event names of calendarOf's lines.
func entryNames(lines string) string {
	var out []string
	for _, l := range strings.Split(lines, "\n") {
		if _, ev, ok := strings.Cut(l, " {"); ok {
			var e store.Event
			if json.Unmarshal([]byte("{"+ev), &e) == nil {
				for _, v := range e.Name {
					out = append(out, v)
				}
			}
		}
	}
	return strings.Join(out, "|")
}

// remoteEventsOf describes the event documents kept of a followed OSPO.
func remoteEventsOf(t *testing.T, n *nodetest.Node, actor string) string {
	t.Helper()
	evs, err := n.Store.RemoteEventsOf(context.Background(), actor)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, e := range evs {
		lines = append(lines, fmt.Sprintf("%s %s %s %s %s", e.ID, e.Name, e.Start, e.End, e.Doc))
	}
	return strings.Join(lines, "\n")
}
