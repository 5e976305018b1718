package federation

import (
	"context"
	"errors"
	"runtime/debug"
	"strings"
	"time"

	"github.com/ospod/ospod/federation/as2"
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
	c.seen[n.URLs.Actor] = true
	if err := c.refreshDue(ctx); err != nil {
		return c.rep, err
	}
	queue, err := c.seedCandidates(ctx)
	if err != nil {
		return c.rep, nil
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

// seedCandidates resolves the seeds (handles through WebFinger) into the
// first candidates; it fails only when the round's budget is used.
func (c *crawl) seedCandidates(ctx context.Context) ([]candidate, error) {
	var queue []candidate
	for _, seed := range c.o.Seeds {
		seed = strings.TrimSpace(seed)
		if seed == "" {
			continue
		}
		if err := c.fetch(); err != nil {
			return nil, err
		}
		actor := seed
		if !as2.IsHTTPURL(seed) {
			acct := strings.TrimPrefix(strings.TrimPrefix(seed, "acct:"), "@")
			user, host, ok := strings.Cut(acct, "@")
			if !ok {
				c.rep.Errors = append(c.rep.Errors, "seed "+seed+": not a handle or URL")
				continue
			}
			u, err := c.n.webfingerLookup(ctx, user, host)
			if err != nil {
				c.rep.Errors = append(c.rep.Errors, "seed "+seed+": "+err.Error())
				continue
			}
			actor = u
		}
		queue = append(queue, candidate{actor: actor, depth: 0, via: "seed"})
	}
	return queue, nil
}
