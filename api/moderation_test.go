package api_test

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/ospod/ospod/api/nodetest"
	"github.com/ospod/ospod/federation"
	"github.com/ospod/ospod/federation/fedtest"
	"github.com/ospod/ospod/store"
)

// TestAllowlistMode: in allow-list mode only listed domains federate;
// turning it on purges the others.
func TestAllowlistMode(t *testing.T) {
	a := nodetest.Start(t, nodetest.Options{})
	b := nodetest.Start(t, nodetest.Options{})
	c := nodetest.Start(t, nodetest.Options{})
	setProfile(t, b, nil)
	setProfile(t, c, nil)
	followAccepted(t, a, b)
	followAccepted(t, a, c)
	if code := a.Admin(http.MethodPost, "/api/v1/admin/domain-allows", map[string]string{"domain": b.Host}, nil); code != http.StatusCreated {
		t.Fatalf("allow: %d", code)
	}
	var mode struct {
		Allowlist bool
		Allowed   []store.DomainRule
	}
	if code := a.Admin(http.MethodPut, "/api/v1/admin/federation-mode", map[string]bool{"allowlist": true}, &mode); code != http.StatusOK || !mode.Allowlist || len(mode.Allowed) != 1 {
		t.Fatalf("allow-list mode: %d %+v", code, mode)
	}
	dir := directory(t, a, "")
	if _, ok := dir[b.URL+"/actor"]; !ok {
		t.Error("the allowed OSPO is no longer listed")
	}
	if _, ok := dir[c.URL+"/actor"]; ok {
		t.Error("an OSPO outside the allow-list is still listed")
	}
	// A request from outside the list is refused before any work.
	p := fedtest.New(t)
	if resp, _ := p.Post(t, a.URL+"/inbox", p.Activity("Follow", a.URL+"/actor"), nil); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("request from a domain outside the allow-list: %d", resp.StatusCode)
	}
	if p.Fetches() != 0 {
		t.Fatal("the refused peer's key was fetched")
	}
}

// TestGonePeerDropped: a discovered OSPO whose actor answers 410 Gone
// disappears at the next refresh.
func TestGonePeerDropped(t *testing.T) {
	a := nodetest.Start(t, nodetest.Options{Discovery: federation.DiscoveryOptions{Refresh: 1}})
	b := nodetest.Start(t, nodetest.Options{})
	c := nodetest.Start(t, nodetest.Options{})
	setProfile(t, b, nil)
	setProfile(t, c, nil)
	followAccepted(t, b, c)
	followAccepted(t, a, b)
	discover(t, a)
	if e := directory(t, a, "")[c.URL+"/actor"]; e.Kind != "discovered" {
		t.Fatalf("C = %+v", e)
	}
	// C's node is replaced by a server answering 410 Gone for everything.
	c.Stop()
	l, err := net.Listen("tcp", c.Host)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusGone) })}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { srv.Close() })
	discover(t, a)
	if _, ok := directory(t, a, "")[c.URL+"/actor"]; ok {
		t.Fatal("an OSPO whose actor is 410 Gone is still listed")
	}
	if _, err := a.Store.Peer(context.Background(), c.URL+"/actor"); err != store.ErrNotFound {
		t.Fatalf("peer state kept: %v", err)
	}
}

// TestListedUpgradedWhenFound: an imported (listed) OSPO is replaced by its
// federated entry when discovery finds its node.
func TestListedUpgradedWhenFound(t *testing.T) {
	a := nodetest.Start(t, nodetest.Options{})
	b := nodetest.Start(t, nodetest.Options{})
	c := nodetest.Start(t, nodetest.Options{})
	setProfile(t, b, nil)
	setProfile(t, c, func(p map[string]any) { p["website"] = "https://ospo.listed.example" })
	list := "https://ospo.listed.example:\n  name: Listed OSPO\n  country: FR\n"
	req, _ := http.NewRequest(http.MethodPost, a.URL+"/api/v1/admin/import/ospometa", strings.NewReader(list))
	req.Header.Set("Authorization", "Bearer "+nodetest.Token)
	req.Header.Set("Content-Type", "application/yaml")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("import: %v %v", err, resp)
	}
	resp.Body.Close()
	if e := directory(t, a, "")["https://ospo.listed.example"]; e.Kind != "listed" {
		t.Fatalf("listed entry = %+v", e)
	}
	followAccepted(t, b, c)
	followAccepted(t, a, b)
	discover(t, a)
	dir := directory(t, a, "")
	if _, ok := dir["https://ospo.listed.example"]; ok {
		t.Error("the listed entry was not replaced by the federated one")
	}
	if e := dir[c.URL+"/actor"]; e.Kind != "discovered" {
		t.Errorf("C = %+v", e)
	}
}

// TestSeedPeers: a new node with a seed list discovers the network from it.
func TestSeedPeers(t *testing.T) {
	b := nodetest.Start(t, nodetest.Options{})
	c := nodetest.Start(t, nodetest.Options{})
	setProfile(t, b, nil)
	setProfile(t, c, nil)
	followAccepted(t, b, c)
	a := nodetest.Start(t, nodetest.Options{Discovery: federation.DiscoveryOptions{Seeds: []string{"ospo@" + b.Host}}})
	discover(t, a)
	dir := directory(t, a, "kind=discovered")
	if len(dir) != 2 {
		t.Fatalf("discovered from the seed: %v", dir)
	}
}
