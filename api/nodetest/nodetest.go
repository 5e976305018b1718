// Package nodetest starts real ospod nodes for tests: a SQLite file in a
// temporary folder, the HTTP server on 127.0.0.1:0 and the delivery worker.
package nodetest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"testing"
	"time"

	"github.com/ospod/ospod/api"
	"github.com/ospod/ospod/federation"
	"github.com/ospod/ospod/store"
)

// Token is the admin token of every test node.
const Token = "test-admin-token"

// Node is a running test node.
type Node struct {
	URL   string // base URL, http://127.0.0.1:PORT
	Host  string // 127.0.0.1:PORT
	Dir   string
	Store *store.Store
	Fed   *federation.Node
	t     testing.TB
	stop  func()
}

// Options tunes a test node.
type Options struct {
	Dir       string                      // reuse a data folder (restart); default a new temp dir
	Listener  net.Listener                // reuse an address; default 127.0.0.1:0
	Delivery  federation.DeliveryOptions  // default: fast retries for tests
	Discovery federation.DiscoveryOptions // default: no pause between requests
	NoWorker  bool                        // do not run the delivery worker
	InboxRate float64                     // inbox requests per second per host (default: unlimited)
	// AllowPrefixes, when set, turns the private-network guard on and lets
	// only these ranges through (e.g. 127.0.0.1/32, keeping 127.0.0.2 blocked).
	AllowPrefixes []netip.Prefix
	// Now is the store's clock (default time.Now); SessionIdle ends idle
	// staff sessions (default: the server's).
	Now         func() time.Time
	SessionIdle time.Duration
	// OIDC turns on single sign-on with this provider (see OIDCProvider).
	OIDC api.OIDCOptions
}

// Start starts a node and stops it when the test ends.
func Start(t testing.TB, o Options) *Node {
	t.Helper()
	if o.Dir == "" {
		o.Dir = t.TempDir()
	}
	l := o.Listener
	if l == nil {
		var err error
		if l, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			t.Fatal(err)
		}
	}
	if o.Delivery.RetryBase == 0 {
		o.Delivery.RetryBase = 50 * time.Millisecond
	}
	if o.Discovery.Pause == 0 {
		o.Discovery.Pause = time.Nanosecond
	}
	if o.Delivery.Poll == 0 {
		o.Delivery.Poll = 50 * time.Millisecond
	}
	base := "http://" + l.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if os.Getenv("OSPOD_TEST_LOG") != "" {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	opened, err := federation.Open(ctx, federation.OpenOptions{Dir: o.Dir, Now: o.Now, Node: federation.Options{BaseURL: base, Handle: "ospo",
		AllowPrivateNetworks: o.AllowPrefixes == nil, AllowPrefixes: o.AllowPrefixes, HTTPTimeout: 5 * time.Second,
		Delivery: o.Delivery, Discovery: o.Discovery, Logger: log.With("node", base)}})
	if err != nil {
		t.Fatal(err)
	}
	st, fed := opened.Store(), opened
	srv := api.New(fed, api.Options{AdminTokenHash: api.HashToken(Token), Logger: log, InboxRate: inboxRate(o.InboxRate),
		SessionIdle: o.SessionIdle, OIDC: o.OIDC})
	served := make(chan struct{})
	go func() { _ = srv.Serve(ctx, l); close(served) }()
	worked := make(chan struct{})
	go func() {
		if !o.NoWorker {
			_ = fed.RunDelivery(ctx)
		}
		close(worked)
	}()
	n := &Node{URL: base, Host: l.Addr().String(), Dir: o.Dir, Store: st, Fed: fed, t: t}
	var stopped bool
	n.stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		<-served
		<-worked
		fed.Close() // a backfill in flight ends, then the store closes
	}
	t.Cleanup(n.stop)
	return n
}

// Stop stops the node now (its data folder stays for a restart).
func (n *Node) Stop() { n.stop() }

// Admin calls the admin API and decodes the JSON answer into out (if non-nil).
func (n *Node) Admin(method, path string, body any, out any) int {
	n.t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			n.t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, n.URL+path, r)
	if err != nil {
		n.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		n.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			n.t.Fatalf("%s %s: %v: %s", method, path, err, b)
		}
	}
	return resp.StatusCode
}

// Eventually polls cond every 20 ms until it holds or 10 s pass.
func Eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for: %s", what)
}

func inboxRate(r float64) float64 {
	if r == 0 {
		return -1
	}
	return r
}
