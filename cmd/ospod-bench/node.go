package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

const adminToken = "ospod-bench-admin-token-0123456789"

// child is the ospod node under test, a child process on 127.0.0.1.
type child struct {
	cmd     *exec.Cmd
	url     string // http://127.0.0.1:PORT
	host    string
	started time.Duration // from exec to the first answered request
	exited  chan error
	pprof   string // the node's profiler, with -profile
}

// profileCPU records the node's CPU profile for d into dir/name.pprof, in
// the background; wait for it with the returned function. Without
// -profile it does nothing.
func (c *child) profileCPU(dir, name string, d time.Duration) (wait func() error) {
	if c.pprof == "" || dir == "" {
		return func() error { return nil }
	}
	done := make(chan error, 1)
	go func() {
		secs := max(1, int(d.Round(time.Second)/time.Second))
		resp, err := http.Get(fmt.Sprintf("%s/debug/pprof/profile?seconds=%d", c.pprof, secs))
		if err != nil {
			done <- err
			return
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			done <- fmt.Errorf("profile %s: %s", name, resp.Status)
			return
		}
		f, err := os.Create(filepath.Join(dir, name+".pprof"))
		if err != nil {
			done <- err
			return
		}
		_, err = io.Copy(f, resp.Body)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		done <- err
	}()
	return func() error { return <-done }
}

// freeAddr returns a loopback address that was free a moment ago.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// startNode runs "ospod serve" on addr with the data folder dir and waits
// until it answers NodeInfo.
func startNode(ctx context.Context, bin, dir, addr string, cfg *config, logf io.Writer) (c *child, err error) {
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(),
		"OSPO_LISTEN="+addr,
		"OSPO_BASE_URL=http://"+addr,
		"OSPO_DATA="+dir,
		"OSPO_HANDLE=ospo",
		"OSPO_ADMIN_TOKEN="+adminToken,
		"OSPO_ALLOW_PRIVATE_NETWORKS=true",
		"OSPO_HTTP_TIMEOUT="+cfg.httpTimeout.String(),
		"OSPO_RETRY_BASE=10m", // failed deliveries wait past the end of the run
		"OSPO_INBOX_RATE=0",   // all load comes from 127.0.0.1
	)
	if cfg.profileDir != "" {
		pprofAddr, err := freeAddr()
		if err != nil {
			return nil, err
		}
		cmd.Env = append(cmd.Env, "OSPO_PPROF_LISTEN="+pprofAddr)
		defer func() { c.pprof = "http://" + pprofAddr }()
	}
	if cfg.workers > 0 {
		cmd.Env = append(cmd.Env, "OSPO_DELIVERY_WORKERS="+strconv.Itoa(cfg.workers))
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	c = &child{cmd: cmd, url: "http://" + addr, host: addr, exited: make(chan error, 1)}
	go func() { c.exited <- cmd.Wait() }()
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := client.Get(c.url + "/.well-known/nodeinfo")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				c.started = time.Since(t0)
				return c, nil
			}
		}
		select {
		case err := <-c.exited:
			return nil, fmt.Errorf("ospod exited during start-up: %v (see its log)", err)
		case <-ctx.Done():
			c.stop()
			return nil, ctx.Err()
		case <-time.After(time.Millisecond):
		}
		if time.Now().After(deadline) {
			c.stop()
			return nil, errors.New("ospod did not answer within 60 s")
		}
	}
}

// stop ends the node gracefully (SIGTERM), then for good after 15 s.
func (c *child) stop() {
	if c == nil || c.cmd.Process == nil {
		return
	}
	_ = c.cmd.Process.Signal(os.Interrupt)
	select {
	case <-c.exited:
	case <-time.After(15 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.exited
	}
}

// admin calls the node's admin API.
func (c *child) admin(method, path string, body, out any) error {
	b, _ := json.Marshal(body)
	req, err := http.NewRequest(method, c.url+path, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+adminToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	rb, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, rb)
	}
	if out != nil {
		return json.Unmarshal(rb, out)
	}
	return nil
}

// procStatus reads VmRSS and VmHWM (bytes) of a process.
func procStatus(pid int) (rss, hwm int64) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		fields := strings.Fields(v)
		if len(fields) == 0 {
			continue
		}
		n, _ := strconv.ParseInt(fields[0], 10, 64)
		switch k {
		case "VmRSS":
			rss = n << 10
		case "VmHWM":
			hwm = n << 10
		}
	}
	return rss, hwm
}

// procCPU returns a process's user+system CPU time.
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the command name (which is in parentheses and may hold spaces).
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i >= 0 {
		s = s[i+2:]
	}
	f := strings.Fields(s)
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * time.Second / 100 // USER_HZ is 100 on Linux
}

// waitIdle waits (at most 10 s) until the process used under a tenth of a
// core over 200 ms: background work left by the previous load (checkpoints,
// garbage collection) must not count in the next one.
func (c *child) waitIdle(ctx context.Context) {
	const window = 200 * time.Millisecond
	pid := c.cmd.Process.Pid
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		cpu0 := procCPU(pid)
		select {
		case <-ctx.Done():
			return
		case <-time.After(window):
		}
		if procCPU(pid)-cpu0 < window/10 {
			return
		}
	}
}

// rssSampler records the peak VmRSS of a process while a phase runs.
type rssSampler struct {
	stop chan struct{}
	wg   sync.WaitGroup
	peak int64
}

func sampleRSS(pid int) *rssSampler {
	s := &rssSampler{stop: make(chan struct{})}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			if rss, _ := procStatus(pid); rss > s.peak {
				s.peak = rss
			}
			select {
			case <-s.stop:
				return
			case <-t.C:
			}
		}
	}()
	return s
}

// done stops sampling and returns the peak.
func (s *rssSampler) done() int64 {
	close(s.stop)
	s.wg.Wait()
	return s.peak
}

// buildNode builds ./cmd/ospod into dir (the tool runs from the repository)
// as the Dockerfile does: CGO_ENABLED=0, a static binary. With cgo (Go's
// default where a C compiler exists) the net package links the C library,
// whose mappings and thread stacks add 2-3 MiB to an idle node.
func buildNode(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "ospod")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/ospod")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build ./cmd/ospod (run ospod-bench from the repository root, or pass -bin): %v\n%s", err, out)
	}
	return bin, nil
}
