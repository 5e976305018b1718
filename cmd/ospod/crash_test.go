package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ospod/ospod/federation/fedtest"
	"github.com/ospod/ospod/store"
)

// crashToken is the admin token of the node the test kills.
const crashToken = "crash-token-0123456789abcdefghijklmn"

// TestDeliverySurvivesSIGKILL runs the node as a child process, kills it
// with SIGKILL twenty times while it delivers to slow and flaky followers
// and while events are being published, and then checks that every
// (activity, inbox) pair was delivered at least once, that nothing is left
// pending, and that the database is sound.
func TestDeliverySurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the node 21 times")
	}
	bin := buildOspod(t)
	dir := t.TempDir()
	port := freePort(t)
	base := "http://127.0.0.1:" + port
	env := append(os.Environ(),
		"OSPO_DATA="+dir, "OSPO_LISTEN=127.0.0.1:"+port, "OSPO_BASE_URL="+base,
		"OSPO_ADMIN_TOKEN="+crashToken, "OSPO_ALLOW_PRIVATE_NETWORKS=true",
		"OSPO_RETRY_BASE=100ms", "OSPO_HTTP_TIMEOUT=1s", "OSPO_LOG_LEVEL=error")
	start := func() *exec.Cmd {
		cmd := exec.Command(bin, "serve")
		cmd.Env = env
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		waitUp(t, base)
		return cmd
	}
	node := start()
	defer func() { _ = node.Process.Kill(); _ = node.Wait() }()

	// Three followers on their own hosts: slow, and one answer in five a 500.
	var rngMu sync.Mutex
	flaky := func() (time.Duration, int) {
		rngMu.Lock()
		defer rngMu.Unlock()
		delay := time.Duration(20+rand.IntN(200)) * time.Millisecond
		if rand.IntN(5) == 0 {
			return delay, http.StatusInternalServerError
		}
		return delay, http.StatusAccepted
	}
	var peers []*fedtest.Peer
	for range 3 {
		p := fedtest.New(t)
		if resp, b := p.Post(t, base+"/inbox", p.Activity("Follow", base+"/actor"), nil); resp.StatusCode != http.StatusAccepted {
			t.Fatalf("follow: %d %s", resp.StatusCode, b)
		}
		p.SetAnswer(flaky)
		peers = append(peers, p)
	}

	tried := 0
	acked := map[string]bool{} // ids of events whose creation was acknowledged
	publish := func() {
		tried++
		ev := map[string]any{"name": fmt.Sprintf("Crash test event %d", tried),
			"startTime": "2032-05-01T10:00:00+02:00", "endTime": "2032-05-01T12:00:00+02:00", "timezone": "Europe/Berlin"}
		b, _ := json.Marshal(ev)
		req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/admin/events", bytes.NewReader(b))
		req.Header.Set("Authorization", "Bearer "+crashToken)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return // killed mid-request: the event may or may not exist, never half
		}
		defer resp.Body.Close()
		var created struct{ ID string }
		if resp.StatusCode == http.StatusCreated && json.NewDecoder(resp.Body).Decode(&created) == nil {
			acked[created.ID] = true
		}
	}
	for range 20 {
		publish()
	}
	for kill := range 20 {
		deadline := time.Now().Add(time.Duration(rand.IntN(600)) * time.Millisecond)
		for time.Now().Before(deadline) {
			if kill%2 == 0 {
				publish() // publishing goes on while the node is killed at random moments
			}
			time.Sleep(20 * time.Millisecond)
		}
		if err := node.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		_ = node.Wait()
		node = start()
	}

	// Let the queue drain with healthy followers.
	for _, p := range peers {
		p.SetAnswer(nil)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		var d struct {
			Queue store.QueueStats `json:"queue"`
		}
		adminGet(t, base+"/api/v1/admin/deliveries", crashToken, &d)
		if d.Queue.Pending == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("queue not drained: %+v", d.Queue)
		}
		time.Sleep(100 * time.Millisecond)
	}
	_ = node.Process.Signal(syscall.SIGTERM)
	_ = node.Wait()

	st, err := store.Open(context.Background(), store.Options{Path: filepath.Join(dir, "ospod.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	if res, err := st.IntegrityCheck(ctx); err != nil || res != "ok" {
		t.Fatalf("integrity_check: %q %v", res, err)
	}
	events, total, err := st.ListEvents(ctx, store.EventFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	if total < len(acked) || total > tried || len(acked) < 20 {
		t.Fatalf("%d events stored, %d acknowledged, %d tried", total, len(acked), tried)
	}
	stored := map[string]bool{}
	for _, e := range events {
		stored[e.ID] = true
	}
	for id := range acked {
		if !stored[id] {
			t.Errorf("acknowledged event %s was lost", id)
		}
	}
	stats, err := st.DeliveryStats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Pending != 0 || stats.Failed != 0 || stats.Dead != 0 {
		t.Fatalf("queue after the run: %+v", stats)
	}
	duplicates := 0
	for _, p := range peers {
		got := map[string]int{}
		for _, r := range p.Received() {
			if !r.Verified {
				t.Fatalf("an unverifiable delivery reached %s", p.URL)
			}
			id, _ := r.Activity["id"].(string)
			got[id]++
		}
		for _, e := range events {
			id := base + "/events/" + e.ID + "/activity"
			switch n := got[id]; {
			case n == 0:
				t.Errorf("%s never received %s", p.URL, id)
			case n > 1:
				duplicates += n - 1
			}
		}
	}
	t.Logf("%d events, %d deliveries each to 3 followers, %d duplicate deliveries (at least once)", total, total, duplicates)
}

func buildOspod(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "ospod")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	return port
}

func waitUp(t *testing.T, base string) {
	t.Helper()
	for range 200 {
		resp, err := http.Get(base + "/.well-known/nodeinfo")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatalf("node at %s did not come up", base)
}

func adminGet(t *testing.T, url, token string, out any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatal(err)
	}
}
