// Command ospod-bench measures an ospod node on loopback (issue 6): it
// builds the benchmark data set, starts the real ospod binary as a child
// process, plays simulated peers that verify every signature, loads the
// node with a Go load generator and prints a table of figures next to their
// targets and the machine's limits. docs/BENCHMARKS.md explains the figures.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "ospod-bench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	if cfg.serveMinimal != "" { // the child process of the "minimal" comparison
		return serveMinimal(ctx, cfg.serveMinimal, cfg.minimalBody)
	}
	b, err := newBench(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer b.close()
	if err := b.runPhases(ctx); err != nil {
		return err
	}
	b.report.print(stdout)
	return nil
}
