package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ospod/ospod/api/nodetest"
	"github.com/ospod/ospod/federation"
	"github.com/ospod/ospod/federation/fedtest"
	"github.com/ospod/ospod/store"
)

type dirItem struct {
	ID      string `json:"id"`
	Kind    string `json:"kind"`
	Source  string `json:"source"`
	Profile struct {
		Name    map[string]string `json:"name"`
		Country string            `json:"country"`
	} `json:"profile"`
}

func directory(t *testing.T, n *nodetest.Node, query string) map[string]dirItem {
	t.Helper()
	var res struct{ Items []dirItem }
	if code := n.Admin(http.MethodGet, "/api/v1/directory?limit=200&"+query, nil, &res); code != http.StatusOK {
		t.Fatalf("directory: %d", code)
	}
	out := map[string]dirItem{}
	for _, it := range res.Items {
		out[it.ID] = it
	}
	return out
}

func calendarNames(t *testing.T, n *nodetest.Node) []string {
	t.Helper()
	var res struct {
		Items []struct {
			Event struct {
				Name map[string]string `json:"name"`
			} `json:"event"`
		}
	}
	n.Admin(http.MethodGet, "/api/v1/calendar?limit=200", nil, &res)
	var names []string
	for _, it := range res.Items {
		for _, v := range it.Event.Name {
			names = append(names, v)
		}
	}
	return names
}

func discover(t *testing.T, n *nodetest.Node) federation.DiscoveryReport {
	t.Helper()
	var rep federation.DiscoveryReport
	if code := n.Admin(http.MethodPost, "/api/v1/admin/discovery", nil, &rep); code != http.StatusOK {
		t.Fatalf("discovery: %d", code)
	}
	return rep
}

func followAccepted(t *testing.T, from, to *nodetest.Node) {
	t.Helper()
	follow(t, from, to)
	nodetest.Eventually(t, from.Host+" follows "+to.Host, func() bool { return followingState(t, from, to.URL+"/actor") == "accepted" })
}

// TestDiscoveryChain: in a chain A -> B -> C -> D -> E, A comes to list all
// five OSPOs and their upcoming events; a plain actor, an actor on a server
// that is not an OSPO node, and an OSPO that opted out are not listed; a
// node going away is marked unreachable, then dropped; a blocked domain is
// refused and purged.
func TestDiscoveryChain(t *testing.T) {
	a := nodetest.Start(t, nodetest.Options{Discovery: federation.DiscoveryOptions{
		Refresh: time.Millisecond, UnreachableAfter: time.Nanosecond, DropAfter: 300 * time.Millisecond}})
	chain := []*nodetest.Node{a}
	for range 4 {
		chain = append(chain, nodetest.Start(t, nodetest.Options{}))
	}
	for i, n := range chain {
		i := i
		setProfile(t, n, func(p map[string]any) { p["name"] = map[string]string{"en": "Chain OSPO " + string(rune('A'+i))} })
		createEvent(t, n, "Chain event "+string(rune('A'+i)))
	}
	optOut := nodetest.Start(t, nodetest.Options{})
	setProfile(t, optOut, func(p map[string]any) {
		p["name"] = map[string]string{"en": "Hidden OSPO"}
		p["discoverable"] = false
	})
	plain := fedtest.New(t) // no NodeInfo: not an OSPO node
	plain.NotOSPO = true
	for i := 1; i < len(chain)-1; i++ {
		followAccepted(t, chain[i], chain[i+1])
	}
	followAccepted(t, chain[1], optOut)
	// B also follows a plain fediverse actor.
	var rel struct{ Follow string }
	if code := chain[1].Admin(http.MethodPost, "/api/v1/admin/following", map[string]string{"account": plain.ActorID}, &rel); code != http.StatusAccepted {
		t.Fatalf("follow plain actor: %d", code)
	}
	plain.Post(t, chain[1].URL+"/inbox", plain.Activity("Accept", rel.Follow), nil)
	followAccepted(t, a, chain[1])

	rep := discover(t, a)
	dir := directory(t, a, "")
	for i, n := range chain {
		e, ok := dir[n.URL+"/actor"]
		if !ok {
			t.Fatalf("A does not list %c (%s); report %+v", 'A'+i, n.URL, rep)
		}
		want := map[int]string{0: "self", 1: "followed"}[i]
		if want == "" {
			want = "discovered"
		}
		if e.Kind != want {
			t.Errorf("%c listed as %q, want %q", 'A'+i, e.Kind, want)
		}
	}
	if _, ok := dir[optOut.URL+"/actor"]; ok {
		t.Error("the OSPO that opted out (discoverable: false) is listed")
	}
	if _, ok := dir[plain.ActorID]; ok {
		t.Error("a plain actor is listed")
	}
	// B's event was published before A followed: it is fetched after the Accept.
	nodetest.Eventually(t, "every chain event in A's calendar", func() bool {
		names := strings.Join(calendarNames(t, a), "|")
		for i := range chain {
			if !strings.Contains(names, "Chain event "+string(rune('A'+i))) {
				return false
			}
		}
		return true
	})
	if got := directory(t, a, "kind=discovered"); len(got) != 3 {
		t.Errorf("%d discovered entries, want 3 (C, D, E)", len(got))
	}

	// E goes away: first marked unreachable, then dropped.
	e := chain[4]
	e.Stop()
	discover(t, a) // the first failure
	discover(t, a) // failing since longer than UnreachableAfter
	p, err := a.Store.Peer(context.Background(), e.URL+"/actor")
	if err != nil || p.State != store.PeerUnreachable || p.LastError == "" {
		t.Fatalf("after E went away: %+v %v", p, err)
	}
	if _, ok := directory(t, a, "")[e.URL+"/actor"]; !ok {
		t.Fatal("an unreachable OSPO should still be listed, marked")
	}
	time.Sleep(350 * time.Millisecond)
	discover(t, a)
	if _, ok := directory(t, a, "")[e.URL+"/actor"]; ok {
		t.Fatal("E still listed after the drop period")
	}

	// Blocking D's domain purges it and refuses its requests.
	d := chain[3]
	if code := a.Admin(http.MethodPost, "/api/v1/admin/domain-blocks", map[string]string{"domain": d.Host, "reason": "test"}, nil); code != http.StatusCreated {
		t.Fatalf("block: %d", code)
	}
	if _, ok := directory(t, a, "")[d.URL+"/actor"]; ok {
		t.Fatal("blocked domain still listed")
	}
	if _, err := a.Store.Actor(context.Background(), d.URL+"/actor"); err != store.ErrNotFound {
		t.Fatalf("blocked actor still cached: %v", err)
	}
	// D tries to follow A: its Follow is refused with 403 and A keeps no follower.
	follow(t, d, a)
	nodetest.Eventually(t, "D's Follow refused", func() bool {
		var res struct {
			Deliveries []struct {
				Type, State string
				LastStatus  int
			}
		}
		d.Admin(http.MethodGet, "/api/v1/admin/deliveries", nil, &res)
		for _, x := range res.Deliveries {
			if x.Type == "Follow" && x.State == "failed" && x.LastStatus == http.StatusForbidden {
				return true
			}
		}
		return false
	})
	if rels, _ := a.Store.Relations(context.Background(), store.Followers, ""); len(rels) != 0 {
		t.Fatalf("A has followers after the block: %d", len(rels))
	}
	discover(t, a)
	if _, ok := directory(t, a, "")[d.URL+"/actor"]; ok {
		t.Fatal("discovery re-listed a blocked domain")
	}
}

// TestImportOSPOmeta: good entries are listed with source and licence,
// broken ones are reported by entry and field.
func TestImportOSPOmeta(t *testing.T) {
	n := nodetest.Start(t, nodetest.Options{})
	list := `
https://opensource.city.example:
  name: City OSPO
  country: fr
  description:
    en: The city's open source office
    fr: Le bureau du logiciel libre de la ville
  email: ospo@city.example
  created: 2022-06-01
  floss_policy: https://city.example/policy
  code:
    - https://github.com/city-example
https://ospo.university.example:
  name: University OSPO
  country: NL
https://bad-country.example:
  name: Bad country
  country: XX
https://no-name.example:
  country: DE
not-a-url:
  name: Bad key
  country: DE
https://bad-email.example:
  name: Bad email
  country: IT
  email: not an email
`
	req, _ := http.NewRequest(http.MethodPost, n.URL+"/api/v1/admin/import/ospometa?licence=CC0-1.0&source=test-list", strings.NewReader(list))
	req.Header.Set("Authorization", "Bearer "+nodetest.Token)
	req.Header.Set("Content-Type", "application/yaml")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var rep federation.ImportReport
	if err := decodeBody(resp, &rep); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("import: %d %v", resp.StatusCode, err)
	}
	if len(rep.Imported) != 2 {
		t.Errorf("imported %v, want the two good entries", rep.Imported)
	}
	wantErr := map[string]string{"https://bad-country.example": "country", "https://no-name.example": "name",
		"not-a-url": "", "https://bad-email.example": "email"}
	for _, e := range rep.Errors {
		if f, ok := wantErr[e.Entry]; !ok || f != e.Field {
			t.Errorf("unexpected error %+v", e)
		}
		delete(wantErr, e.Entry)
	}
	if len(wantErr) != 0 {
		t.Errorf("broken entries not reported: %v", wantErr)
	}
	dir := directory(t, n, "kind=listed")
	city := dir["https://opensource.city.example"]
	if city.Kind != "listed" || city.Profile.Country != "FR" || city.Source != "test-list" {
		t.Fatalf("listed entry = %+v", city)
	}
	if got := directory(t, n, "q=universit"); len(got) != 1 {
		t.Errorf("search for the imported university: %d results", len(got))
	}
	// Bad YAML is refused as a whole, with a clear message.
	req, _ = http.NewRequest(http.MethodPost, n.URL+"/api/v1/admin/import/ospometa", strings.NewReader("- just\n- a list"))
	req.Header.Set("Authorization", "Bearer "+nodetest.Token)
	req.Header.Set("Content-Type", "application/yaml")
	resp2, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp2.Body.Close()
	if resp2.StatusCode != http.StatusBadRequest {
		t.Fatalf("bad YAML: %d", resp2.StatusCode)
	}
}

// TestReportsAndRemovePeer: a Flag is listed for the administrator; a peer
// removed by the administrator is unfollowed and not re-added.
func TestReportsAndRemovePeer(t *testing.T) {
	a := nodetest.Start(t, nodetest.Options{})
	b := nodetest.Start(t, nodetest.Options{})
	setProfile(t, b, nil)
	followAccepted(t, a, b)
	p := fedtest.New(t)
	flag := p.Activity("Flag", []string{a.URL + "/actor"})
	flag["content"] = "<p>Spam <b>event</b></p>"
	if resp, _ := p.Post(t, a.URL+"/inbox", flag, nil); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("flag: %d", resp.StatusCode)
	}
	var reports struct {
		Items []store.Report
	}
	a.Admin(http.MethodGet, "/api/v1/admin/reports", nil, &reports)
	if len(reports.Items) != 1 || reports.Items[0].Content != "Spam event" || reports.Items[0].ActorID != p.ActorID {
		t.Fatalf("reports = %+v", reports.Items)
	}
	entry := directory(t, a, "")[b.URL+"/actor"]
	if entry.Kind != "followed" {
		t.Fatalf("B = %+v", entry)
	}
	if code := a.Admin(http.MethodDelete, "/api/v1/admin/peers/"+store.Slug(b.URL+"/actor"), nil, nil); code != http.StatusNoContent {
		t.Fatalf("remove peer: %d", code)
	}
	if _, ok := directory(t, a, "")[b.URL+"/actor"]; ok {
		t.Fatal("removed peer still listed")
	}
	if s := followingState(t, a, b.URL+"/actor"); s != "" {
		t.Fatalf("removed peer still followed: %q", s)
	}
	discover(t, a)
	if _, ok := directory(t, a, "")[b.URL+"/actor"]; ok {
		t.Fatal("discovery re-added a removed peer")
	}
}

func decodeBody(resp *http.Response, out any) error {
	return json.NewDecoder(resp.Body).Decode(out)
}
