package main

import (
	"context"
	"crypto/rsa"
	"fmt"
	"io"
	"log"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/ospod/ospod/federation"
	"github.com/ospod/ospod/federation/fedtest"
	"github.com/ospod/ospod/federation/signature"
	"github.com/ospod/ospod/store"
	"github.com/ospod/ospod/store/storetest"
)

// bench is one run: the temporary folder, the node and what it measured.
type bench struct {
	cfg     *config
	dir     string // temporary folder: data/, node.log, the binary
	data    string
	bin     string
	addr    string
	node    *child
	nodeLog *os.File
	st      *store.Store // the tool's own handle on the node's database (WAL: both may write)
	key     *rsa.PrivateKey
	senders *fedtest.Senders
	events  []string // ids of the node's own events
	logf    func(format string, args ...any)
	report  *report
}

func newBench(ctx context.Context, cfg *config, stderr io.Writer) (*bench, error) {
	b := &bench{cfg: cfg, report: newReport(cfg)}
	b.logf = func(string, ...any) {}
	if cfg.verbose {
		l := log.New(stderr, "ospod-bench: ", log.Ltime|log.Lmicroseconds)
		b.logf = l.Printf
	}
	if cfg.profileDir != "" {
		if err := os.MkdirAll(cfg.profileDir, 0o755); err != nil {
			return nil, err
		}
	}
	var err error
	if b.dir, err = os.MkdirTemp("", "ospod-bench-run-"); err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			b.close()
		}
	}()
	b.data = filepath.Join(b.dir, "data")
	b.bin = cfg.bin
	if b.bin == "" {
		b.logf("building ./cmd/ospod")
		if b.bin, err = buildNode(ctx, b.dir); err != nil {
			return nil, err
		}
	}
	b.logf("data set %s (cached under %s)", cfg.size, os.TempDir())
	t0 := time.Now()
	if _, err := storetest.CopyDataset(ctx, cfg.size, b.data); err != nil {
		return nil, fmt.Errorf("data set: %w", err)
	}
	b.logf("data set ready in %v", time.Since(t0).Round(time.Millisecond))
	if b.addr, err = freeAddr(); err != nil {
		return nil, err
	}
	if err := b.prepare(ctx); err != nil {
		return nil, err
	}
	if b.nodeLog, err = os.Create(filepath.Join(b.dir, "node.log")); err != nil {
		return nil, err
	}
	if b.node, err = startNode(ctx, b.bin, b.data, b.addr, cfg, b.nodeLog); err != nil {
		return nil, err
	}
	b.logf("node on %s started in %v", b.node.url, b.node.started.Round(time.Microsecond))
	b.report.startFirst = b.node.started
	ok = true
	return b, nil
}

// prepare writes what the node would hold after a while in the network,
// before its first start: its key pair (so the simulated peers know it) and
// the followed OSPOs that post to its inbox (keys cached, no fetch).
func (b *bench) prepare(ctx context.Context) error {
	var err error
	if b.key, err = signature.GenerateKey(); err != nil {
		return err
	}
	// Opened as the child will open it (same base URL and handle), with
	// the key the simulated peers know.
	n, err := federation.Open(ctx, federation.OpenOptions{Dir: b.data, PrivateKeyPEM: signature.EncodePrivateKeyPEM(b.key),
		Node: federation.Options{BaseURL: "http://" + b.addr, Handle: "ospo", Logger: slog.New(slog.DiscardHandler)}})
	if err != nil {
		return err
	}
	st := n.Store()
	b.st = st
	b.logf("registering %d followed OSPOs that post to the inbox", b.cfg.inboxActors)
	if b.senders, err = fedtest.NewSenders(b.cfg.inboxActors, 4); err != nil {
		return err
	}
	return b.senders.Register(ctx, st)
}

func (b *bench) close() {
	b.node.stop()
	if b.st != nil {
		b.st.Close()
	}
	if b.nodeLog != nil {
		b.nodeLog.Close()
	}
	if b.cfg.keep {
		fmt.Fprintln(os.Stderr, "ospod-bench: kept", b.dir)
		return
	}
	if b.dir != "" {
		os.RemoveAll(b.dir)
	}
}

func (b *bench) runPhases(ctx context.Context) error {
	b.report.machine = machine()
	if b.cfg.phases["footprint"] {
		if err := b.footprint(ctx); err != nil {
			return fmt.Errorf("footprint: %w", err)
		}
	}
	// The node's own events: read as Event documents and outbox pages.
	for i := range 30 {
		var ev struct{ ID string }
		start := time.Now().AddDate(0, 1, i).Truncate(time.Hour)
		if err := b.node.admin("POST", "/api/v1/admin/events", map[string]any{
			"name":        fmt.Sprintf("OSPO meetup %d", i),
			"description": "Licensing, procurement and publishing code.",
			"startTime":   start.Format(time.RFC3339), "endTime": start.Add(2 * time.Hour).Format(time.RFC3339),
			"timezone": "Europe/Berlin", "location": map[string]any{"name": "Town hall"},
		}, &ev); err != nil {
			return err
		}
		b.events = append(b.events, ev.ID)
	}
	if b.cfg.phases["reads"] {
		if err := b.reads(ctx); err != nil {
			return fmt.Errorf("reads: %w", err)
		}
	}
	if b.cfg.phases["inbox"] {
		if err := b.inbox(ctx); err != nil {
			return fmt.Errorf("inbox: %w", err)
		}
	}
	if b.cfg.phases["fanout"] {
		if err := b.fanout(ctx); err != nil {
			return fmt.Errorf("fan-out: %w", err)
		}
	}
	_, hwm := procStatus(b.node.cmd.Process.Pid)
	b.report.hwm = hwm
	return ctx.Err()
}

// footprint measures the binary, the idle node and a restart.
func (b *bench) footprint(ctx context.Context) error {
	if fi, err := os.Stat(b.bin); err == nil {
		b.report.binSize = fi.Size()
	}
	if fi, err := os.Stat(filepath.Join(b.data, "ospod.db")); err == nil {
		b.report.dbSize = fi.Size()
	}
	time.Sleep(2 * time.Second) // let start-up garbage settle
	b.report.idleRSS, _ = procStatus(b.node.cmd.Process.Pid)
	b.logf("idle RSS %s", mib(b.report.idleRSS))
	// A restart: the database file is in the page cache now, as on a running server.
	b.node.stop()
	var err error
	if b.node, err = startNode(ctx, b.bin, b.data, b.addr, b.cfg, b.nodeLog); err != nil {
		return err
	}
	b.report.startRestart = b.node.started
	b.logf("restart in %v", b.node.started.Round(time.Microsecond))
	return nil
}

func machine() string {
	cpu := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range splitLines(string(b)) {
			if k, v, ok := cut(line, ":"); ok && k == "model name" {
				cpu = v
				break
			}
		}
	}
	mem := ""
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range splitLines(string(b)) {
			if k, v, ok := cut(line, ":"); ok && k == "MemTotal" {
				mem = v
				break
			}
		}
	}
	return fmt.Sprintf("%s, %d cores (GOMAXPROCS %d), RAM %s, %s %s/%s", cpu, runtime.NumCPU(),
		runtime.GOMAXPROCS(0), mem, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
