package api_test

import (
	"encoding/json"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/ospod/ospod/api/nodetest"
)

type relation struct {
	ID    int64  `json:"id"`
	Actor string `json:"actor"`
	State string `json:"state"`
}

type peer struct {
	Actor     string          `json:"actor"`
	Name      string          `json:"name"`
	IsOSPO    bool            `json:"isOspo"`
	Following string          `json:"following"`
	Profile   json.RawMessage `json:"profile"`
	Events    []struct {
		ID     string          `json:"id"`
		Name   string          `json:"name"`
		Object json.RawMessage `json:"object"`
	} `json:"events"`
}

func exampleDoc(t *testing.T, name string) map[string]any {
	t.Helper()
	b, err := os.ReadFile("../docs/examples/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func peers(t *testing.T, n *nodetest.Node) map[string]peer {
	t.Helper()
	var res struct{ Items []peer }
	if code := n.Admin(http.MethodGet, "/api/v1/admin/peers", nil, &res); code != http.StatusOK {
		t.Fatalf("peers: %d", code)
	}
	out := map[string]peer{}
	for _, p := range res.Items {
		out[p.Actor] = p
	}
	return out
}

func follow(t *testing.T, from, to *nodetest.Node) relation {
	t.Helper()
	var rel relation
	if code := from.Admin(http.MethodPost, "/api/v1/admin/following", map[string]string{"account": "ospo@" + to.Host}, &rel); code != http.StatusAccepted {
		t.Fatalf("follow %s: status %d", to.Host, code)
	}
	if rel.State != "pending" || rel.Actor != to.URL+"/actor" {
		t.Fatalf("new relation = %+v", rel)
	}
	return rel
}

func followingState(t *testing.T, n *nodetest.Node, actor string) string {
	var res struct{ Items []relation }
	n.Admin(http.MethodGet, "/api/v1/admin/following", nil, &res)
	for _, r := range res.Items {
		if r.Actor == actor {
			return r.State
		}
	}
	return ""
}

func eventNames(p peer) []string {
	var names []string
	for _, e := range p.Events {
		names = append(names, e.Name)
	}
	return names
}

func setProfile(t *testing.T, n *nodetest.Node, mutate func(map[string]any)) {
	t.Helper()
	p := exampleDoc(t, "profile.json")
	if mutate != nil {
		mutate(p)
	}
	if code := n.Admin(http.MethodPut, "/api/v1/admin/profile", p, nil); code != http.StatusOK {
		t.Fatalf("put profile: %d", code)
	}
}

func createEvent(t *testing.T, n *nodetest.Node, name string) string {
	t.Helper()
	ev := exampleDoc(t, "event.json")
	ev["name"] = map[string]string{"en": name}
	var res struct{ ID string }
	if code := n.Admin(http.MethodPost, "/api/v1/admin/events", ev, &res); code != http.StatusCreated {
		t.Fatalf("create event: %d", code)
	}
	return res.ID
}

// TestThreeNodesFederate: A follows B and C; B's event is created, edited and
// deleted and A's copy follows each step; B's profile update reaches A; after
// A unfollows B, B delivers nothing more to A.
func TestThreeNodesFederate(t *testing.T) {
	a := nodetest.Start(t, nodetest.Options{})
	b := nodetest.Start(t, nodetest.Options{})
	c := nodetest.Start(t, nodetest.Options{})
	for _, n := range []*nodetest.Node{a, b, c} {
		setProfile(t, n, nil)
	}
	relB := follow(t, a, b)
	follow(t, a, c)
	for _, n := range []*nodetest.Node{b, c} {
		actor := n.URL + "/actor"
		nodetest.Eventually(t, "A's follow of "+n.Host+" accepted", func() bool { return followingState(t, a, actor) == "accepted" })
	}
	bActor := b.URL + "/actor"
	if p := peers(t, a)[bActor]; !p.IsOSPO || p.Following != "accepted" {
		t.Fatalf("A's view of B = %+v", p)
	}
	var followers struct {
		TotalItems int `json:"totalItems"`
	}
	getAS(t, b.URL+"/actor/followers", &followers)
	if followers.TotalItems != 1 {
		t.Fatalf("B's followers totalItems = %d, want 1", followers.TotalItems)
	}

	id := createEvent(t, b, "Licensing clinic")
	cID := createEvent(t, c, "Community call")
	nodetest.Eventually(t, "A has B's event", func() bool {
		evs := peers(t, a)[bActor].Events
		return len(evs) == 1 && evs[0].Name == "Licensing clinic" && evs[0].ID == b.URL+"/events/"+id
	})
	nodetest.Eventually(t, "A has C's event", func() bool {
		evs := peers(t, a)[c.URL+"/actor"].Events
		return len(evs) == 1 && evs[0].ID == c.URL+"/events/"+cID
	})

	ev := exampleDoc(t, "event.json")
	ev["name"] = map[string]string{"en": "Licensing clinic (new room)"}
	if code := b.Admin(http.MethodPut, "/api/v1/admin/events/"+id, ev, nil); code != http.StatusOK {
		t.Fatalf("update event: %d", code)
	}
	nodetest.Eventually(t, "A has the edit", func() bool {
		evs := peers(t, a)[bActor].Events
		return len(evs) == 1 && evs[0].Name == "Licensing clinic (new room)"
	})

	setProfile(t, b, func(p map[string]any) { p["name"] = map[string]string{"en": "Renamed OSPO of B"} })
	nodetest.Eventually(t, "A has B's new name", func() bool { return peers(t, a)[bActor].Name == "Renamed OSPO of B" })

	if code := b.Admin(http.MethodDelete, "/api/v1/admin/events/"+id, nil, nil); code != http.StatusNoContent {
		t.Fatalf("delete event: %d", code)
	}
	nodetest.Eventually(t, "A dropped the deleted event", func() bool { return len(peers(t, a)[bActor].Events) == 0 })

	// Unfollow: B removes A from its followers and queues nothing more for A.
	if code := a.Admin(http.MethodDelete, "/api/v1/admin/following/"+itoa(relB.ID), nil, nil); code != http.StatusNoContent {
		t.Fatalf("unfollow: %d", code)
	}
	nodetest.Eventually(t, "B lost its follower", func() bool {
		getAS(t, b.URL+"/actor/followers", &followers)
		return followers.TotalItems == 0
	})
	later := createEvent(t, b, "After the unfollow")
	queued, err := b.Store.DeliveriesFor(t.Context(), b.URL+"/events/"+later+"/activity")
	if err != nil {
		t.Fatal(err)
	}
	if len(queued) != 0 {
		t.Fatalf("B queued %v for an event after A unfollowed", queued)
	}
	if evs := peers(t, a)[bActor].Events; len(evs) != 0 {
		t.Fatalf("A still holds B's events after unfollowing: %v", eventNames(peers(t, a)[bActor]))
	}
}

// TestManualApproval: a profile with manuallyApprovesFollowers holds
// follows until the administrator accepts or rejects them.
func TestManualApproval(t *testing.T) {
	a := nodetest.Start(t, nodetest.Options{})
	b := nodetest.Start(t, nodetest.Options{})
	c := nodetest.Start(t, nodetest.Options{})
	setProfile(t, a, func(p map[string]any) { p["manuallyApprovesFollowers"] = true })
	var actor map[string]any
	getAS(t, a.URL+"/actor", &actor)
	if actor["manuallyApprovesFollowers"] != true {
		t.Fatalf("actor manuallyApprovesFollowers = %v", actor["manuallyApprovesFollowers"])
	}
	follow(t, b, a)
	follow(t, c, a)
	var pending struct{ Items []relation }
	nodetest.Eventually(t, "two pending followers", func() bool {
		a.Admin(http.MethodGet, "/api/v1/admin/followers?state=pending", nil, &pending)
		return len(pending.Items) == 2
	})
	byActor := map[string]relation{}
	for _, r := range pending.Items {
		byActor[r.Actor] = r
	}
	if s := followingState(t, b, a.URL+"/actor"); s != "pending" {
		t.Fatalf("B's relation before approval = %q", s)
	}
	var rel relation
	if code := a.Admin(http.MethodPost, "/api/v1/admin/followers/"+itoa(byActor[b.URL+"/actor"].ID)+"/accept", nil, &rel); code != http.StatusOK || rel.State != "accepted" {
		t.Fatalf("accept: %d %+v", code, rel)
	}
	if code := a.Admin(http.MethodPost, "/api/v1/admin/followers/"+itoa(byActor[c.URL+"/actor"].ID)+"/reject", nil, nil); code != http.StatusOK {
		t.Fatalf("reject: %d", code)
	}
	nodetest.Eventually(t, "B accepted", func() bool { return followingState(t, b, a.URL+"/actor") == "accepted" })
	nodetest.Eventually(t, "C rejected", func() bool { return followingState(t, c, a.URL+"/actor") == "rejected" })
	var followers struct {
		TotalItems int `json:"totalItems"`
	}
	getAS(t, a.URL+"/actor/followers", &followers)
	if followers.TotalItems != 1 {
		t.Fatalf("followers totalItems = %d, want 1", followers.TotalItems)
	}
	if code := a.Admin(http.MethodPost, "/api/v1/admin/followers/999/accept", nil, nil); code != http.StatusNotFound {
		t.Fatalf("accept unknown follower: %d", code)
	}
}

// TestFollowerDownReceivesLater: while A is down, B's deliveries fail and are
// retried; when A is back on the same address it receives all of them.
func TestFollowerDownReceivesLater(t *testing.T) {
	a := nodetest.Start(t, nodetest.Options{})
	b := nodetest.Start(t, nodetest.Options{})
	follow(t, a, b)
	bActor := b.URL + "/actor"
	nodetest.Eventually(t, "accepted", func() bool { return followingState(t, a, bActor) == "accepted" })
	dir, addr := a.Dir, a.Host
	a.Stop()

	names := []string{"First while down", "Second while down", "Third while down"}
	for _, name := range names {
		createEvent(t, b, name)
	}
	nodetest.Eventually(t, "B saw failures", func() bool {
		var d struct {
			FailingHosts []struct{ Host string } `json:"failingHosts"`
		}
		b.Admin(http.MethodGet, "/api/v1/admin/deliveries", nil, &d)
		return len(d.FailingHosts) == 1 && d.FailingHosts[0].Host == addr
	})

	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("re-listen on %s: %v", addr, err)
	}
	a2 := nodetest.Start(t, nodetest.Options{Dir: dir, Listener: l})
	nodetest.Eventually(t, "A received everything", func() bool { return len(peers(t, a2)[bActor].Events) == len(names) })
	nodetest.Eventually(t, "B's queue drained", func() bool {
		var d struct {
			Queue struct{ Pending, Done int }
		}
		b.Admin(http.MethodGet, "/api/v1/admin/deliveries", nil, &d)
		return d.Queue.Pending == 0
	})
}

func getAS(t *testing.T, url string, out any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Accept", "application/activity+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/activity+json") {
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatal(err)
	}
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
