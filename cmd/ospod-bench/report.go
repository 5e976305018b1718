package main

import (
	"fmt"
	"io"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"
)

// report collects the figures of a run and prints them as a table.
type report struct {
	cfg     *config
	machine string

	binSize, dbSize, idleRSS, hwm int64
	startFirst, startRestart      time.Duration

	reads []readRow

	inbox         *inboxRow
	inboxSignTime time.Duration

	sign1000 time.Duration
	fanout   []fanoutRow
}

type readRow struct {
	name     string
	res      loadResult
	peakRSS  int64
	cpu      time.Duration
	cached   bool
	serial   bool
	variants int
}

type inboxRow struct {
	res     loadResult
	stored  int
	peakRSS int64
	cpu     time.Duration
	verify  time.Duration
	genCPU  time.Duration // the load generator's (this process's) CPU meanwhile
}

type fanoutRow struct {
	followers, hosts, delivered, refused int
	note                                 string
	elapsed, allTried, cpu               time.Duration
	peakRSS                              int64
}

func newReport(cfg *config) *report { return &report{cfg: cfg} }

func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

func ms(d time.Duration) string {
	switch {
	case d <= 0:
		return "-"
	case d < time.Millisecond:
		return fmt.Sprintf("%.0f µs", float64(d.Nanoseconds())/1e3)
	case d < 10*time.Second:
		return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1e3)
	}
	return d.Round(10 * time.Millisecond).String()
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "MISSED"
}

func (r *report) print(w io.Writer) {
	fmt.Fprintf(w, "ospod-bench: %s\n", r.machine)
	fmt.Fprintf(w, "data set: %d OSPOs, %d events; load: %d in flight (inbox: %d), %v per read load\n\n",
		r.cfg.size.OSPOs, r.cfg.size.Events, r.cfg.concurrency, r.cfg.inboxConcurrency, r.cfg.duration)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(cols ...string) { fmt.Fprintln(tw, strings.Join(cols, "\t")) }
	row("area", "measure", "figure", "target", "limit / reference", "")
	row("----", "-------", "------", "------", "-----------------", "")
	r.readRows(row)
	r.inboxRows(row)
	r.fanoutRows(row)
	r.footprintRows(row)
	tw.Flush()
}

// readRows writes the read loads' rows: each against minimal net/http or its own target.
func (r *report) readRows(row func(...string)) {
	var minimal float64
	for _, rr := range r.reads {
		if rr.name == "minimal net/http" {
			minimal = rr.res.rps()
		}
	}
	for _, rr := range r.reads {
		fig := fmt.Sprintf("%.0f req/s, p50 %s, p99 %s", rr.res.rps(), ms(rr.res.pct(50)), ms(rr.res.pct(99)))
		target, limit, v := "", "", ""
		switch {
		case rr.name == "minimal net/http":
			limit = "the ceiling of this client and machine"
		case rr.cached:
			share := rr.res.rps() / minimal
			target = "≥ 70% of minimal"
			limit = fmt.Sprintf("%.0f%% of minimal", share*100)
			v = verdict(share >= 0.70)
		case strings.HasPrefix(rr.name, "directory search"):
			target = "p99 < 10 ms"
			v = verdict(rr.res.pct(99) < 10*time.Millisecond)
			limit = fmt.Sprintf("%d queries in turn", rr.variants)
			if !rr.serial {
				limit += fmt.Sprintf(", %d in flight", r.cfg.concurrency)
			}
		default:
			limit = fmt.Sprintf("%d URLs in turn", rr.variants)
		}
		row("reads", rr.name, fig, target, limit, v)
		row("", "  RSS under load", mib(rr.peakRSS), "", fmt.Sprintf("CPU %.0f%% of 1 core", 100*rr.cpu.Seconds()/rr.res.elapsed.Seconds()), "")
	}
}

// inboxRows writes the inbox load's rows, with where its CPU went.
func (r *report) inboxRows(row func(...string)) {
	in := r.inbox
	if in == nil {
		return
	}
	rate := in.res.rps()
	row("inbox", "verified, stored Create(Event)",
		fmt.Sprintf("%.0f activities/s, p50 %s, p99 %s", rate, ms(in.res.pct(50)), ms(in.res.pct(99))),
		"≥ 5000/s, p99 < 50 ms",
		fmt.Sprintf("verify %s each: %.0f/s per core", ms(in.verify), 1/in.verify.Seconds()),
		verdict(rate >= 5000 && in.res.pct(99) < 50*time.Millisecond))
	share := float64(in.res.n) * in.verify.Seconds() / in.cpu.Seconds()
	row("", "  acknowledged / stored", fmt.Sprintf("%d / %d", in.res.n, in.stored), "equal", "", verdict(in.res.n == in.stored))
	row("", "  node CPU", fmt.Sprintf("%.2f cores, %.0f µs per activity", in.cpu.Seconds()/in.res.elapsed.Seconds(),
		float64(in.cpu.Microseconds())/float64(max(in.res.n, 1))), "", fmt.Sprintf("RSA verification: %.0f%% of it", share*100), "")
	perAct := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(max(in.res.n, 1)) }
	both := perAct(in.cpu) + perAct(in.genCPU)
	row("", "  load generator CPU", fmt.Sprintf("%.2f cores, %.0f µs per activity", in.genCPU.Seconds()/in.res.elapsed.Seconds(),
		perAct(in.genCPU)), "", fmt.Sprintf("node + generator on %d cores: at most %.0f/s", runtime.NumCPU(),
		float64(runtime.NumCPU())*1e6/max(both, 1)), "")
	row("", "  node alone", "", "", fmt.Sprintf("its CPU on %d cores: at most %.0f/s", runtime.NumCPU(),
		float64(runtime.NumCPU())*1e6/max(perAct(in.cpu), 1)), "")
	row("", "  RSS under load", mib(in.peakRSS), "", "", "")
}

// fanoutRows writes the fan-out runs' rows against the cost of signing.
func (r *report) fanoutRows(row func(...string)) {
	if len(r.fanout) > 0 {
		row("fan-out", "1,000 signatures on all cores", ms(r.sign1000), "", "the limit for 1,000 shared inboxes", "")
	}
	for _, f := range r.fanout {
		what := fmt.Sprintf("%d followers on %d hosts", f.followers, f.hosts)
		if f.note != "" {
			what += " (" + f.note + ")"
		}
		fig := fmt.Sprintf("%s (%d hosts, %.0f deliveries/s)", ms(f.elapsed), f.delivered, float64(f.delivered)/f.elapsed.Seconds())
		target, v := "", ""
		limit := fmt.Sprintf("sign %d: %s", f.hosts, ms(r.sign1000*time.Duration(f.hosts)/1000))
		if f.followers == 10000 && f.hosts == 1000 && f.note == "" {
			target = "≤ 2× signing 1,000"
			v = verdict(f.elapsed <= 2*r.sign1000)
		}
		row("fan-out", what, fig, target, limit, v)
		extra := fmt.Sprintf("peak RSS %s, node CPU %s", mib(f.peakRSS), ms(f.cpu))
		if f.allTried > 0 {
			extra += fmt.Sprintf(", every failing host tried after %s", ms(f.allTried))
		}
		if f.refused > 0 {
			extra += fmt.Sprintf(", %d signatures refused", f.refused)
		}
		row("", "  ", extra, "", "", "")
	}
}

// footprintRows writes the binary, database, start-up and memory rows.
func (r *report) footprintRows(row func(...string)) {
	if r.binSize > 0 {
		row("footprint", "binary size", mib(r.binSize), "", "", "")
		row("footprint", "database size", mib(r.dbSize), "", "", "")
		row("footprint", "start-up, large DB (first start)", ms(r.startFirst), "< 200 ms", "includes exec and the first HTTP answer", verdict(r.startFirst < 200*time.Millisecond))
		row("footprint", "start-up, large DB (restart)", ms(r.startRestart), "< 200 ms", "", verdict(r.startRestart < 200*time.Millisecond))
		row("footprint", "idle RSS", mib(r.idleRSS), "< 30 MiB", "", verdict(r.idleRSS < 30<<20))
	}
	if r.hwm > 0 {
		row("footprint", "peak RSS of the run (VmHWM)", mib(r.hwm), "", "", "")
	}
}

func splitLines(s string) []string { return strings.Split(s, "\n") }

func cut(line, sep string) (string, string, bool) {
	k, v, ok := strings.Cut(line, sep)
	return strings.TrimSpace(k), strings.TrimSpace(v), ok
}
