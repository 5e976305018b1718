package main

import (
	"context"
	"crypto/rsa"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/ospod/ospod/federation/fedtest"
	"github.com/ospod/ospod/federation/signature"
	"github.com/ospod/ospod/store"
)

const as2 = "application/activity+json"

// reads loads each read endpoint for cfg.duration, after the minimal handler.
func (b *bench) reads(ctx context.Context) error {
	client := newClient(b.cfg.concurrency)
	actorDoc, err := fetch(client, b.node.url+"/actor", as2)
	if err != nil {
		return err
	}
	bodyFile := filepath.Join(b.dir, "minimal-body.json")
	if err := os.WriteFile(bodyFile, actorDoc, 0o600); err != nil {
		return err
	}
	minimal, err := startMinimal(ctx, bodyFile)
	if err != nil {
		return fmt.Errorf("minimal server: %w", err)
	}
	defer minimal.stop()
	u := b.node.url
	var events, pages []string
	for _, id := range b.events {
		events = append(events, u+"/events/"+id)
	}
	for p := 1; p <= 2; p++ {
		pages = append(pages, fmt.Sprintf("%s/actor/outbox?page=%d", u, p))
	}
	cases := []struct {
		name, accept string
		urls         []string
		proc         *child
		cached       bool // compared with the minimal handler
		serial       bool // one request at a time: latency without queueing
	}{
		{name: "minimal net/http", accept: as2, urls: []string{minimal.url + "/"}, proc: minimal},
		{name: "WebFinger", urls: []string{u + "/.well-known/webfinger?resource=" + url.QueryEscape("acct:ospo@"+b.node.host)}, cached: true},
		{name: "actor", accept: as2, urls: []string{u + "/actor"}, cached: true},
		{name: "Event", accept: as2, urls: events, cached: true},
		{name: "NodeInfo", urls: []string{u + "/nodeinfo/2.1"}, cached: true},
		{name: "outbox page", accept: as2, urls: pages},
		{name: "directory search", urls: directoryURLs(u)},
		{name: "calendar", urls: calendarURLs(u)},
		{name: "directory search, one at a time", urls: directoryURLs(u), serial: true},
		{name: "calendar, one at a time", urls: calendarURLs(u), serial: true},
	}
	for _, c := range cases {
		proc := c.proc
		if proc == nil {
			proc = b.node
		}
		if _, err := fetch(client, c.urls[0], c.accept); err != nil { // warm and check
			return err
		}
		b.logf("reads: %s", c.name)
		proc.waitIdle(ctx)
		pid := proc.cmd.Process.Pid
		cpu0 := procCPU(pid)
		rs := sampleRSS(pid)
		conc := b.cfg.concurrency
		if c.serial {
			conc = 1
		}
		prof := proc.profileCPU(b.cfg.profileDir, "reads-"+slug(c.name), b.cfg.duration)
		res := runLoad(ctx, conc, b.cfg.duration, 0, getter(client, c.urls, c.accept))
		peak := rs.done()
		if err := prof(); err != nil {
			return err
		}
		if res.errors > 0 {
			return fmt.Errorf("%s: %d errors, first: %v", c.name, res.errors, res.firstErr)
		}
		b.report.reads = append(b.report.reads, readRow{name: c.name, res: res, peakRSS: peak,
			cpu: procCPU(pid) - cpu0, cached: c.cached, variants: len(c.urls), serial: c.serial})
		client.CloseIdleConnections()
	}
	return ctx.Err()
}

// slug turns a load's name into a file name.
func slug(name string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return '-'
	}, name)
}

func fetch(client *http.Client, u, accept string) ([]byte, error) {
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %d %s", u, resp.StatusCode, body)
	}
	return body, nil
}

// inbox posts pre-signed Create(Event) activities from many followed OSPOs
// and checks that every acknowledged one is in the database.
func (b *bench) inbox(ctx context.Context) error {
	inbox := b.node.url + "/inbox"
	n := len(b.senders.Actors)
	b.logf("inbox: signing %d + %d activities", n, b.cfg.inbox)
	t0 := time.Now()
	warm, err := b.senders.CreateEvents(inbox, "warm", n)
	if err != nil {
		return err
	}
	reqs, err := b.senders.CreateEvents(inbox, "load", b.cfg.inbox)
	if err != nil {
		return err
	}
	b.report.inboxSignTime = time.Since(t0)
	client := newClient(b.cfg.inboxConcurrency)
	post := func(list []*fedtest.Presigned) func(ctx context.Context, i int) error {
		return func(ctx context.Context, i int) error {
			req, err := list[i].Request(ctx)
			if err != nil {
				return err
			}
			resp, err := client.Do(req)
			if err != nil {
				return err
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusAccepted {
				return fmt.Errorf("POST: %d %s", resp.StatusCode, body)
			}
			return nil
		}
	}
	// Warm the key cache: one activity per actor, not measured.
	if res := runLoad(ctx, b.cfg.inboxConcurrency, time.Minute, n, post(warm)); res.errors > 0 || res.n != n {
		return fmt.Errorf("warm-up: %d of %d accepted, first error: %v", res.n, n, res.firstErr)
	}
	before, err := b.st.CountSeen(ctx)
	if err != nil {
		return err
	}
	b.node.waitIdle(ctx)
	pid := b.node.cmd.Process.Pid
	cpu0, gen0 := procCPU(pid), procCPU(os.Getpid())
	rs := sampleRSS(pid)
	// The profile covers the first seconds of the load (pprof needs its length in advance).
	prof := b.node.profileCPU(b.cfg.profileDir, "inbox", time.Duration(len(reqs))*time.Second/10000)
	res := runLoad(ctx, b.cfg.inboxConcurrency, 60*time.Second, len(reqs), post(reqs))
	peak := rs.done()
	cpu, genCPU := procCPU(pid)-cpu0, procCPU(os.Getpid())-gen0
	if err := prof(); err != nil {
		return err
	}
	after, err := b.st.CountSeen(ctx)
	if err != nil {
		return err
	}
	if res.errors > 0 {
		return fmt.Errorf("%d errors, first: %v", res.errors, res.firstErr)
	}
	verify := verifyCost(b.senders.Actors[0].Key, reqs[0])
	b.report.inbox = &inboxRow{res: res, stored: after - before, peakRSS: peak, cpu: cpu, verify: verify, genCPU: genCPU}
	return nil
}

// verifyCost is the time of one signature verification (key cached) on one core.
func verifyCost(k *rsa.PrivateKey, p *fedtest.Presigned) time.Duration {
	req, _ := p.Request(context.Background())
	req.Host = req.URL.Host
	resolve := func(context.Context, string, bool) (*rsa.PublicKey, error) { return &k.PublicKey, nil }
	const n = 300
	t0 := time.Now()
	for range n {
		if _, err := signature.Verify(context.Background(), req, p.Body, time.Now(), resolve); err != nil {
			return 0
		}
	}
	return time.Since(t0) / n
}

// signLimit times n signatures computed on every core: the least time a
// fan-out to n shared inboxes can take.
func signLimit(k *rsa.PrivateKey, n int) time.Duration {
	body := make([]byte, 2048)
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0)
	t0 := time.Now()
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += workers {
				req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1/inbox", nil)
				_ = signature.Sign(req, body, k, "http://127.0.0.1/actor#main-key", time.Now())
			}
		}()
	}
	wg.Wait()
	return time.Since(t0)
}

// fanout publishes one event per scenario and times its delivery to every
// simulated host, each verifying the signature.
func (b *bench) fanout(ctx context.Context) error {
	b.report.sign1000 = signLimit(b.key, 1000)
	b.logf("fan-out: 1,000 signatures on all cores take %v", b.report.sign1000.Round(time.Millisecond))
	farm, err := fedtest.NewFarm(1000, &b.key.PublicKey, nil)
	if err != nil {
		return err
	}
	defer farm.Close()
	var prev []string
	for _, sc := range []struct{ followers, hosts int }{{1000, 100}, {1000, 1000}, {10000, 100}, {10000, 1000}} {
		row, ids, err := b.fanoutOnce(ctx, farm, sc.followers, sc.hosts, prev, "")
		if err != nil {
			return err
		}
		prev = ids
		b.report.fanout = append(b.report.fanout, row)
	}
	farm.Close()
	// 10% of hosts hang (until the node's HTTP timeout), 10% answer 500.
	bad, err := fedtest.NewFarm(1000, &b.key.PublicKey, func(i int) fedtest.Behaviour {
		switch i % 10 {
		case 3:
			return fedtest.Hang
		case 7:
			return fedtest.Answer500
		}
		return fedtest.Answer202
	})
	if err != nil {
		return err
	}
	defer bad.Close()
	row, _, err := b.fanoutOnce(ctx, bad, 10000, 1000, prev, "10% hang, 10% 500")
	if err != nil {
		return err
	}
	b.report.fanout = append(b.report.fanout, row)
	return nil
}

// fanoutOnce replaces the node's followers (written to its database while it
// runs) with followers spread over the first hosts of the farm, publishes
// an event through the admin API and waits for the healthy hosts.
func (b *bench) fanoutOnce(ctx context.Context, farm *fedtest.Farm, followers, hosts int, prev []string, note string) (fanoutRow, []string, error) {
	row := fanoutRow{followers: followers, hosts: hosts, note: note}
	ids := make([]string, 0, followers)
	err := b.st.InTx(ctx, func(tx *store.Tx) error {
		for _, id := range prev {
			if err := tx.DeleteActor(ctx, id); err != nil {
				return err
			}
		}
		for i := range followers {
			h := i % hosts
			id := fmt.Sprintf("http://%s/users/u%d", farm.Hosts[h], i)
			a := &store.Actor{ID: id, Type: "Person", Host: farm.Hosts[h], Username: fmt.Sprintf("u%d", i),
				Inbox: id + "/inbox", SharedInbox: farm.Inbox(h), KeyID: id + "#main-key", PublicKeyPEM: "-", Doc: `{}`}
			if err := tx.PutActor(ctx, a); err != nil {
				return err
			}
			if _, err := tx.PutRelation(ctx, store.Followers, id, id+"#follow", store.FollowAccepted); err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return nil
	})
	if err != nil {
		return row, nil, err
	}
	// The setup's writes (10,000 actors) are not part of the fan-out: copy
	// them into the database file now, and let the node settle.
	if err := b.st.Checkpoint(ctx); err != nil {
		return row, nil, err
	}
	b.node.waitIdle(ctx)
	healthy := 0
	for h := range hosts {
		if farm.Behaviour(h) == fedtest.Answer202 {
			healthy++
		}
	}
	b.logf("fan-out: %d followers on %d hosts (%d healthy) %s", followers, hosts, healthy, note)
	pid := b.node.cmd.Process.Pid
	rs := sampleRSS(pid)
	cpu0 := procCPU(pid)
	start := time.Now().AddDate(0, 2, len(prev)%1000).Truncate(time.Hour)
	t0 := time.Now()
	var ev struct{ ID string }
	if err := b.node.admin("POST", "/api/v1/admin/events", map[string]any{
		"name": "Fan-out test " + note, "startTime": start.Format(time.RFC3339),
		"endTime": start.Add(time.Hour).Format(time.RFC3339), "timezone": "UTC",
	}, &ev); err != nil {
		rs.done()
		return row, nil, err
	}
	activity := b.node.url + "/events/" + ev.ID + "/activity"
	wctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	rc, err := farm.Wait(wctx, activity, healthy)
	cancel()
	row.elapsed = rc.Last.Sub(t0)
	row.delivered = farm.DistinctHosts(activity)
	if err != nil {
		rs.done()
		return row, nil, fmt.Errorf("%d of %d hosts got the activity: %w", rc.Count, healthy, err)
	}
	if note != "" {
		// Every failing host has been tried once (hanging ones until the node gave up).
		wctx, cancel := context.WithTimeout(ctx, 2*time.Minute+2*b.cfg.httpTimeout)
		for wctx.Err() == nil && (farm.Answered(fedtest.Hang) < hosts/10 || farm.Answered(fedtest.Answer500) < hosts/10) {
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
		row.allTried = time.Since(t0)
	}
	row.cpu = procCPU(pid) - cpu0
	row.peakRSS = rs.done()
	row.refused = farm.Refused()
	return row, ids, nil
}

// directoryURLs are the directory searches of the reads phase, in turn:
// common and rare words, a prefix, filters alone and together, browsing.
func directoryURLs(u string) []string {
	return []string{
		u + "/api/v1/directory?q=licensing", u + "/api/v1/directory?country=DE",
		u + "/api/v1/directory?q=tartu", u + "/api/v1/directory?q=open+source&country=FR&level=municipal",
		u + "/api/v1/directory", u + "/api/v1/directory?q=proc&lang=de",
		u + "/api/v1/directory?q=open+source", // in every profile: the slowest
	}
}

// calendarURLs are the calendar queries of the reads phase, in turn.
func calendarURLs(u string) []string {
	return []string{
		u + "/api/v1/calendar", u + "/api/v1/calendar?q=licensing", u + "/api/v1/calendar?country=DE",
		u + "/api/v1/calendar?q=tartu", u + "/api/v1/calendar?online=true&lang=fr",
	}
}
