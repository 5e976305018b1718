package federation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"time"

	"github.com/ospod/ospod/federation/as2"
	"github.com/ospod/ospod/federation/remote"
	"github.com/ospod/ospod/store"
)

// This file lets the network build itself: starting from the OSPOs the node
// knows (and a seed list), it walks their following and followers
// collections and profile links, keeps the candidates that are OSPO nodes
// (NodeInfo says so, the actor carries an OSPO profile, and it has not opted
// out), lists them in the directory as discovered with their upcoming
// events, and re-fetches them on a schedule.

// DiscoveryOptions tunes discovery. Zero values select the defaults.
type DiscoveryOptions struct {
	// Seeds are handles (name@host) or actor URLs to start from (OSPO_SEED_PEERS).
	Seeds []string
	// Interval between two discovery rounds (default 1 h).
	Interval time.Duration
	// MaxDepth bounds how many hops from a known OSPO a candidate may be (default 3).
	MaxDepth int
	// MaxFetches bounds the remote requests of one round (default 300).
	MaxFetches int
	// Pause between two requests of a round (default 200 ms), to be gentle with peers.
	Pause time.Duration
	// MaxPages and MaxItems bound how much of one collection is read (default 3 and 200).
	MaxPages, MaxItems int
	// Refresh is how often a discovered OSPO is re-fetched (default 6 h).
	Refresh time.Duration
	// UnreachableAfter marks a discovered OSPO failing this long as unreachable (default 3 days);
	// DropAfter removes it (default 30 days).
	UnreachableAfter, DropAfter time.Duration
}

func (o *DiscoveryOptions) defaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.Interval, time.Hour)
	def(&o.Pause, 200*time.Millisecond)
	def(&o.Refresh, 6*time.Hour)
	def(&o.UnreachableAfter, 72*time.Hour)
	def(&o.DropAfter, 30*24*time.Hour)
	if o.MaxDepth <= 0 {
		o.MaxDepth = 3
	}
	if o.MaxFetches <= 0 {
		o.MaxFetches = 300
	}
	if o.MaxPages <= 0 {
		o.MaxPages = 3
	}
	if o.MaxItems <= 0 {
		o.MaxItems = 200
	}
}

// DiscoveryReport summarises one round.
type DiscoveryReport struct {
	Fetches    int      `json:"fetches"`
	Discovered []string `json:"discovered"`
	Refreshed  int      `json:"refreshed"`
	Dropped    []string `json:"dropped"`
	Errors     []string `json:"errors"`
}

// RunDiscovery runs a discovery round at start and then every Interval, until ctx ends.
func (n *Node) RunDiscovery(ctx context.Context) error {
	o := n.opts.Discovery
	o.defaults()
	for {
		rep, err := n.DiscoverOnce(ctx)
		// A round is a burst of garbage between long idle periods: give the
		// memory back to the system now rather than minutes later.
		debug.FreeOSMemory()
		if err != nil && ctx.Err() == nil {
			n.log.Warn("discovery round", "err", err)
		} else if rep != nil && (len(rep.Discovered) > 0 || len(rep.Dropped) > 0) {
			n.log.Info("discovery round", "fetches", rep.Fetches, "discovered", len(rep.Discovered),
				"refreshed", rep.Refreshed, "dropped", len(rep.Dropped))
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(o.Interval):
		case <-n.discoverWake:
			// A new OSPO joined our neighbourhood: look around it soon,
			// letting a burst of changes settle first.
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(time.Second):
			}
		}
	}
}

// nudgeDiscovery asks for a discovery round soon (a follow was accepted).
func (n *Node) nudgeDiscovery() {
	select {
	case n.discoverWake <- struct{}{}:
	default:
	}
}

// crawl is the state of one round.
type crawl struct {
	n        *Node
	o        DiscoveryOptions
	rep      *DiscoveryReport
	seen     map[string]bool
	nodeInfo map[string]error // per origin: nil when it is an OSPO node
}

type candidate struct {
	actor string
	depth int
	via   string
}

// newCrawl starts the state of a round (or of a backfill's reads).
func (n *Node) newCrawl() *crawl {
	o := n.opts.Discovery
	o.defaults()
	return &crawl{n: n, o: o, rep: &DiscoveryReport{Discovered: []string{}, Dropped: []string{}, Errors: []string{}},
		seen: map[string]bool{}, nodeInfo: map[string]error{}}
}

// errBudget ends a round that used its fetch budget.
var errBudget = errors.New("discovery: fetch budget used")

// fetch spends one unit of the round's budget and pauses between requests.
func (c *crawl) fetch() error {
	if c.rep.Fetches >= c.o.MaxFetches {
		return errBudget
	}
	if c.rep.Fetches > 0 && c.o.Pause > 0 {
		time.Sleep(c.o.Pause)
	}
	c.rep.Fetches++
	return nil
}

// DiscoverOnce runs one round: refresh the discovered OSPOs that are due,
// then walk outwards from the seeds and known OSPOs.
func (n *Node) DiscoverOnce(ctx context.Context) (*DiscoveryReport, error) {
	c := n.newCrawl()
	o := c.o
	c.seen[n.URLs.Actor] = true
	if err := c.refreshDue(ctx); err != nil {
		return c.rep, err
	}
	var queue []candidate
	for _, seed := range o.Seeds {
		seed = strings.TrimSpace(seed)
		if seed == "" {
			continue
		}
		if err := c.fetch(); err != nil {
			return c.rep, nil
		}
		actor := seed
		if !as2.IsHTTPURL(seed) {
			acct := strings.TrimPrefix(strings.TrimPrefix(seed, "acct:"), "@")
			user, host, ok := strings.Cut(acct, "@")
			if !ok {
				c.rep.Errors = append(c.rep.Errors, "seed "+seed+": not a handle or URL")
				continue
			}
			u, err := n.webfingerLookup(ctx, user, host)
			if err != nil {
				c.rep.Errors = append(c.rep.Errors, "seed "+seed+": "+err.Error())
				continue
			}
			actor = u
		}
		queue = append(queue, candidate{actor: actor, depth: 0, via: "seed"})
	}
	// Known OSPOs: walk their collections and links.
	// Only ids and kinds: decoding every profile of a large directory at
	// each round would cost memory for nothing.
	known, err := n.st.DirectoryKinds(ctx)
	if err != nil {
		return c.rep, err
	}
	depths := map[string]int{}
	if peers, err := n.st.Peers(ctx); err == nil {
		for _, p := range peers {
			depths[p.ActorID] = p.Depth
		}
	}
	for _, e := range known {
		if e.Kind == store.KindListed {
			continue
		}
		c.seen[e.ID] = true
		if e.Kind != store.KindSelf {
			queue = append(queue, candidate{actor: e.ID, depth: depths[e.ID], via: "known"})
		}
	}
	for len(queue) > 0 && ctx.Err() == nil {
		cand := queue[0]
		queue = queue[1:]
		next, err := c.visit(ctx, cand)
		if errors.Is(err, errBudget) {
			break
		}
		if err != nil {
			c.rep.Errors = append(c.rep.Errors, cand.actor+": "+err.Error())
			continue
		}
		queue = append(queue, next...)
	}
	return c.rep, nil
}

// visit checks a candidate (listing it if it is a new OSPO) and returns its
// neighbours to visit next.
func (c *crawl) visit(ctx context.Context, cand candidate) ([]candidate, error) {
	n := c.n
	if !n.Allowed(ctx, store.HostOf(cand.actor)) {
		return nil, nil
	}
	kind := ""
	if e, err := n.st.DirectoryEntry(ctx, cand.actor); err == nil {
		kind = e.Kind
	}
	if p, err := n.st.Peer(ctx, cand.actor); err == nil && p.State == store.PeerDismissed {
		return nil, nil
	}
	var a *store.Actor
	var p *store.Profile // nil unless an OSPO with a usable profile
	if kind == "" {      // a new candidate: check it is an OSPO node
		if err := c.fetch(); err != nil {
			return nil, err
		}
		actor, prof, err := n.fetchActor(ctx, cand.actor)
		if err != nil {
			return nil, err
		}
		a, p = actor, prof
		ok, err := c.isOSPONode(ctx, a, p)
		if err != nil || !ok {
			return nil, err
		}
		if err := c.list(ctx, a, p, cand); err != nil {
			return nil, err
		}
		c.rep.Discovered = append(c.rep.Discovered, a.ID)
	} else {
		actor, err := n.st.Actor(ctx, cand.actor)
		if err != nil {
			return nil, nil
		}
		a = actor
		if prof, ok := as2.ReadProfile([]byte(a.Doc)); ok {
			p = prof
		}
	}
	if cand.depth >= c.o.MaxDepth {
		return nil, nil
	}
	var next []candidate
	add := func(id string) {
		if id != "" && !c.seen[id] && as2.IsHTTPURL(id) {
			c.seen[id] = true
			next = append(next, candidate{actor: id, depth: cand.depth + 1, via: a.ID})
		}
	}
	var doc map[string]json.RawMessage
	_ = json.Unmarshal([]byte(a.Doc), &doc)
	for _, key := range []string{"following", "followers"} {
		if coll, err := as2.IDOf(doc[key]); err == nil && as2.SameOrigin(coll, a.ID) {
			items, err := c.collectionItems(ctx, coll)
			if errors.Is(err, errBudget) {
				return next, nil
			}
			for _, id := range items {
				add(id)
			}
		}
	}
	// Profile links that may be OSPO nodes themselves: memberships, parent.
	if p != nil {
		for _, m := range p.Memberships {
			add(m.URL)
		}
		if p.ParentOrganization != nil {
			add(p.ParentOrganization.URL)
		}
	}
	return next, nil
}

// collectionItems reads the ids in an (Ordered)Collection, following its
// pages within the round's bounds and never revisiting a page.
func (c *crawl) collectionItems(ctx context.Context, coll string) ([]string, error) {
	var ids []string
	pages := map[string]bool{}
	cur := coll
	for page := 0; cur != "" && page <= c.o.MaxPages && len(ids) < c.o.MaxItems; page++ {
		if pages[cur] || !as2.SameOrigin(cur, coll) {
			break
		}
		pages[cur] = true
		if err := c.fetch(); err != nil {
			return ids, err
		}
		doc, err := c.n.getActivity(ctx, cur)
		if err != nil {
			return ids, nil // a private or missing collection is not an error of ours
		}
		var m map[string]json.RawMessage
		if json.Unmarshal(doc, &m) != nil {
			return ids, nil
		}
		for _, key := range []string{"orderedItems", "items"} {
			for _, id := range as2.IDsOf(m[key]) {
				if len(ids) < c.o.MaxItems {
					ids = append(ids, id)
				}
			}
		}
		next := ""
		if first, ok := m["first"]; ok && page == 0 {
			// first may be an IRI or an embedded page.
			var fm map[string]json.RawMessage
			if json.Unmarshal(first, &fm) == nil {
				for _, key := range []string{"orderedItems", "items"} {
					for _, id := range as2.IDsOf(fm[key]) {
						if len(ids) < c.o.MaxItems {
							ids = append(ids, id)
						}
					}
				}
				next, _ = as2.IDOf(fm["next"])
			} else {
				next, _ = as2.IDOf(first)
			}
		} else {
			next, _ = as2.IDOf(m["next"])
		}
		cur = next
	}
	return ids, nil
}

// isOSPONode checks that an actor is an OSPO that lets itself be listed,
// on a node whose NodeInfo declares it an OSPO node for this actor.
func (c *crawl) isOSPONode(ctx context.Context, a *store.Actor, p *store.Profile) (bool, error) {
	if !a.IsOSPO || p == nil || !p.IsDiscoverable() {
		return false, nil
	}
	org := as2.Origin(a.ID)
	err, checked := c.nodeInfo[org]
	if !checked {
		err = c.checkNodeInfo(ctx, org, a.ID)
		c.nodeInfo[org] = err
	}
	if errors.Is(err, errBudget) {
		return false, err
	}
	return err == nil, nil
}

// checkNodeInfo reads the NodeInfo of an origin: metadata.ospo must name the actor.
func (c *crawl) checkNodeInfo(ctx context.Context, org, actor string) error {
	if err := c.fetch(); err != nil {
		return err
	}
	n := c.n
	if err := n.allowedURL(ctx, org); err != nil {
		return err
	}
	body, err := n.client.GetJSON(ctx, org+"/.well-known/nodeinfo", "application/json", nil)
	if err != nil {
		return err
	}
	var links struct {
		Links []struct{ Rel, Href string } `json:"links"`
	}
	if err := json.Unmarshal(body, &links); err != nil {
		return fmt.Errorf("nodeinfo links: %w", err)
	}
	href := ""
	for _, l := range links.Links {
		if strings.HasPrefix(l.Rel, "http://nodeinfo.diaspora.software/ns/schema/2.") && as2.SameOrigin(l.Href, org) {
			href = l.Href
		}
	}
	if href == "" {
		return errors.New("no NodeInfo 2.x on the actor's origin")
	}
	if err := c.fetch(); err != nil {
		return err
	}
	body, err = n.client.GetJSON(ctx, href, "application/json", nil)
	if err != nil {
		return err
	}
	var ni struct {
		Metadata struct {
			OSPO *struct {
				SchemaVersion string `json:"schemaVersion"`
				Actor         string `json:"actor"`
			} `json:"ospo"`
		} `json:"metadata"`
	}
	if err := json.Unmarshal(body, &ni); err != nil {
		return fmt.Errorf("nodeinfo: %w", err)
	}
	if ni.Metadata.OSPO == nil || ni.Metadata.OSPO.SchemaVersion == "" {
		return errors.New("NodeInfo does not declare an OSPO node")
	}
	if ni.Metadata.OSPO.Actor != "" && ni.Metadata.OSPO.Actor != actor {
		return errors.New("NodeInfo names another OSPO actor")
	}
	return nil
}

// list puts a newly discovered OSPO in the directory with its upcoming events.
func (c *crawl) list(ctx context.Context, a *store.Actor, p *store.Profile, cand candidate) error {
	n := c.n
	events := c.upcomingEvents(ctx, a)
	now := n.st.Now()
	return n.st.InTx(ctx, func(tx *store.Tx) error {
		if kind, err := tx.DirectoryKind(ctx, a.ID); err == nil && kind != store.KindDiscovered {
			return nil // followed or follower meanwhile: kept fresh by push
		}
		if err := n.putDiscovered(ctx, tx, a, p, events); err != nil {
			return err
		}
		return tx.PutPeer(ctx, &store.Peer{ActorID: a.ID, State: store.PeerActive, Depth: cand.depth, Via: cand.via,
			LastSuccessAt: now, NextFetchAt: now.Add(c.o.Refresh)})
	})
}

// putDiscovered writes a discovered OSPO and replaces its calendar events. A
// listed entry (imported list) for the same website is upgraded: removed in
// favour of the federated one.
func (n *Node) putDiscovered(ctx context.Context, tx *store.Tx, a *store.Actor, p *store.Profile, events []*remoteEvent) error {
	if err := tx.PutDirectoryEntry(ctx, &store.DirectoryEntry{ID: a.ID, Kind: store.KindDiscovered, Host: a.Host,
		Account: a.Account(), Profile: p, Source: a.ID}); err != nil {
		return err
	}
	if err := replaceListed(ctx, tx, p.Website); err != nil {
		return err
	}
	if events == nil {
		return nil // events could not be read: keep what we had
	}
	if err := tx.DeleteCalendarEntriesOf(ctx, a.ID); err != nil {
		return err
	}
	return n.storeRemoteEvents(ctx, tx, events)
}

// replaceListed removes the imported (listed) entry of an OSPO whose own
// node is now in the directory: the federated entry wins.
func replaceListed(ctx context.Context, tx *store.Tx, website string) error {
	if website == "" {
		return nil
	}
	for _, id := range []string{website, strings.TrimSuffix(website, "/"), strings.TrimSuffix(website, "/") + "/"} {
		if kind, err := tx.DirectoryKind(ctx, id); err == nil && kind == store.KindListed {
			if err := tx.DeleteDirectoryEntry(ctx, id); err != nil {
				return err
			}
		}
	}
	return nil
}

// refreshDue re-fetches the discovered OSPOs whose refresh is due, with a
// conditional GET; failures back off, then mark the OSPO unreachable, then
// drop it; a 410 Gone drops it at once.
func (c *crawl) refreshDue(ctx context.Context) error {
	n := c.n
	due, err := n.st.DuePeers(ctx, 100)
	if err != nil {
		return err
	}
	for _, p := range due {
		if ctx.Err() != nil {
			return nil
		}
		if kind, err := n.st.DirectoryEntry(ctx, p.ActorID); err != nil || kind.Kind != store.KindDiscovered {
			// Followed (push) or gone from the directory: no schedule needed.
			_ = n.st.InTx(ctx, func(tx *store.Tx) error { return tx.DeletePeer(ctx, p.ActorID) })
			continue
		}
		if c.fetch() != nil {
			return nil
		}
		c.seen[p.ActorID] = true
		c.refresh(ctx, p)
	}
	return nil
}

func (c *crawl) refresh(ctx context.Context, p *store.Peer) {
	n := c.n
	now := n.st.Now()
	fail := func(err error) {
		var status *remote.StatusError
		if errors.As(err, &status) && status.Gone() || errors.Is(err, ErrDomainBlocked) {
			c.drop(ctx, p.ActorID)
			return
		}
		p.Failures++
		p.LastError = err.Error()
		if p.FailingSince.IsZero() {
			p.FailingSince = now
		}
		if now.Sub(p.FailingSince) >= c.o.DropAfter {
			c.drop(ctx, p.ActorID)
			return
		}
		if now.Sub(p.FailingSince) >= c.o.UnreachableAfter {
			p.State = store.PeerUnreachable
		}
		backoff := c.o.Refresh / 6 << min(p.Failures, 6)
		p.NextFetchAt = now.Add(min(backoff, 24*time.Hour))
		_ = n.st.InTx(ctx, func(tx *store.Tx) error { return tx.PutPeer(ctx, p) })
	}
	if err := n.allowedURL(ctx, p.ActorID); err != nil {
		fail(err)
		return
	}
	doc, v, err := n.client.GetActivityIfChanged(ctx, p.ActorID, n.signer(), remote.Validators{ETag: p.ETag, LastModified: p.LastModified})
	switch {
	case errors.Is(err, remote.ErrNotModified):
		doc = nil
	case err != nil:
		fail(err)
		return
	}
	a, err := n.st.Actor(ctx, p.ActorID)
	var prof *store.Profile
	if doc != nil {
		parsed, parsedProf, perr := readActor(doc)
		if perr != nil || parsed.ID != p.ActorID {
			fail(fmt.Errorf("actor document: %v", perr))
			return
		}
		if err == nil { // keys change only through signature verification
			parsed.KeyID, parsed.PublicKeyPEM = a.KeyID, a.PublicKeyPEM
		}
		a, prof, err = parsed, parsedProf, nil
		p.ETag, p.LastModified = v.ETag, v.LastModified
	} else if err != nil {
		fail(err)
		return
	} else if pr, ok := as2.ReadProfile([]byte(a.Doc)); ok {
		prof = pr // not modified: the stored document
	}
	if !a.IsOSPO || prof == nil || !prof.IsDiscoverable() {
		c.drop(ctx, p.ActorID) // no longer an OSPO, or opted out
		return
	}
	events := c.upcomingEvents(ctx, a)
	p.State, p.Failures, p.FailingSince, p.LastError = store.PeerActive, 0, time.Time{}, ""
	p.LastSuccessAt, p.NextFetchAt = now, now.Add(c.o.Refresh)
	err = n.st.InTx(ctx, func(tx *store.Tx) error {
		if doc != nil {
			if err := tx.PutActor(ctx, a); err != nil {
				return err
			}
		}
		if err := n.putDiscovered(ctx, tx, a, prof, events); err != nil {
			return err
		}
		return tx.PutPeer(ctx, p)
	})
	if err != nil {
		c.rep.Errors = append(c.rep.Errors, p.ActorID+": "+err.Error())
		return
	}
	c.rep.Refreshed++
}

// drop removes a discovered OSPO and its events from the directory.
func (c *crawl) drop(ctx context.Context, actorID string) {
	err := c.n.st.InTx(ctx, func(tx *store.Tx) error {
		if kind, err := tx.DirectoryKind(ctx, actorID); err == nil && kind == store.KindDiscovered {
			if err := tx.DeleteDirectoryEntry(ctx, actorID); err != nil {
				return err
			}
		}
		return tx.DeletePeer(ctx, actorID)
	})
	if err == nil {
		c.rep.Dropped = append(c.rep.Dropped, actorID)
	}
}
