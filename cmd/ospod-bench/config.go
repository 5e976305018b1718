package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ospod/ospod/store/storetest"
)

// config is the tool's flags.
type config struct {
	quick            bool
	size             storetest.DatasetSize
	concurrency      int
	inboxConcurrency int
	duration         time.Duration
	inbox            int
	inboxActors      int
	phases           map[string]bool
	bin              string
	keep             bool
	httpTimeout      time.Duration
	workers          int
	verbose          bool
	profileDir       string // CPU profiles of the node during the loads

	serveMinimal, minimalBody string // internal: run as the minimal comparison server
}

const usageText = `ospod-bench measures an ospod node on loopback and prints a table.

It builds (or reuses, cached under the temporary folder) the data set of
10,000 OSPOs and 200,000 events, starts the ospod binary on 127.0.0.1 as a
child process, and runs these phases:

  reads      WebFinger, actor, event, outbox page, NodeInfo, directory search
             and calendar over HTTP, beside a minimal net/http handler
  inbox      signed Create(Event) activities from many followed OSPOs
  fanout     one event to 1,000 and 10,000 followers on 100 and 1,000 hosts,
             then 10,000 on 1,000 hosts with 10% hanging and 10% answering 500
  footprint  binary size, start-up time, idle RSS (RSS under load is
             sampled in every phase)

Every loop is bounded in count and time. Run it from the repository root:

  go run ./cmd/ospod-bench            full run (a few minutes)
  go run ./cmd/ospod-bench -quick     small data set and short loads (< 1 min)

Flags:
`

func parseFlags(args []string, stderr io.Writer) (*config, error) {
	c := &config{}
	fs := flag.NewFlagSet("ospod-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usageText)
		fs.PrintDefaults()
	}
	var phases string
	fs.BoolVar(&c.quick, "quick", false, "small data set (500 OSPOs, 10,000 events) and short loads: under a minute")
	fs.IntVar(&c.concurrency, "c", 16, "requests in flight (load generator concurrency)")
	fs.DurationVar(&c.duration, "d", 5*time.Second, "duration of each read load (-quick: 1s)")
	fs.IntVar(&c.inbox, "inbox", 30000, "inbox activities to send at most (pre-signed before the load; -quick: 3000)")
	fs.IntVar(&c.inboxConcurrency, "inbox-c", 64, "activities in flight to the inbox (a hub receives from hundreds of servers at once)")
	fs.IntVar(&c.inboxActors, "inbox-actors", 1000, "distinct remote actors posting to the inbox")
	fs.StringVar(&phases, "phases", "footprint,reads,inbox,fanout", "phases to run, comma-separated")
	fs.StringVar(&c.bin, "bin", "", "ospod binary to measure (default: go build ./cmd/ospod into a temporary folder)")
	fs.BoolVar(&c.keep, "keep", false, "keep the temporary folder (data, node log) and print its path")
	fs.DurationVar(&c.httpTimeout, "http-timeout", 5*time.Second, "the node's OSPO_HTTP_TIMEOUT: how long a hanging host holds a delivery")
	fs.IntVar(&c.workers, "workers", 0, "the node's OSPO_DELIVERY_WORKERS (0: the node's default)")
	fs.BoolVar(&c.verbose, "v", false, "log progress to stderr")
	fs.StringVar(&c.profileDir, "profile", "", "write the node's CPU profile during each load to this folder (read with go tool pprof)")
	fs.StringVar(&c.serveMinimal, "serve-minimal", "", "internal: serve the minimal comparison handler on this address")
	fs.StringVar(&c.minimalBody, "minimal-body", "", "internal: file with the minimal handler's body")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return nil, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	explicit := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { explicit[f.Name] = true })
	c.size = storetest.FullDataset
	if c.quick {
		c.size = storetest.SmallDataset
		if !explicit["d"] {
			c.duration = time.Second
		}
		if !explicit["inbox"] {
			c.inbox = 3000
		}
		if !explicit["inbox-actors"] {
			c.inboxActors = 200
		}
	}
	c.phases = map[string]bool{}
	for _, p := range strings.Split(phases, ",") {
		switch p = strings.TrimSpace(p); p {
		case "reads", "inbox", "fanout", "footprint":
			c.phases[p] = true
		case "":
		default:
			return nil, fmt.Errorf("unknown phase %q (want reads, inbox, fanout, footprint)", p)
		}
	}
	if c.concurrency < 1 || c.duration <= 0 || c.inbox < 1 || c.inboxActors < 1 {
		return nil, fmt.Errorf("-c, -d, -inbox and -inbox-actors must be positive")
	}
	return c, nil
}
