package api_test

import (
	"context"
	"net/http"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/ospod/ospod/api/nodetest"
	"github.com/ospod/ospod/federation/fedtest"
	"github.com/ospod/ospod/store"
)

// TestStopDuringBackfill stops a node while the backfill after a follow
// waits for the peer's answer: the backfill ends before the store closes
// (no goroutine left to write to it), and the store file opens and is sound.
func TestStopDuringBackfill(t *testing.T) {
	p := fedtest.New(t)
	p.OSPONode = true
	p.SetEvents([]map[string]any{remotePeerEvent(p, "e1", "Meetup")})
	held := p.HoldEvents()
	defer p.Release()
	n := nodetest.Start(t, nodetest.Options{})
	var rel struct{ Follow string }
	if code := n.Admin(http.MethodPost, "/api/v1/admin/following", map[string]string{"account": p.ActorID}, &rel); code != http.StatusAccepted {
		t.Fatalf("follow: %d", code)
	}
	if resp, body := p.Post(t, n.URL+"/inbox", p.Activity("Accept", rel.Follow), nil); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("Accept: %d %s", resp.StatusCode, body)
	}
	select {
	case <-held:
	case <-time.After(10 * time.Second):
		t.Fatal("no backfill asked for the peer's events")
	}

	n.Stop()
	if stack := goroutines(); strings.Contains(stack, "backfillEvents") {
		t.Fatalf("a backfill still runs after the node stopped:\n%s", stack)
	}
	nodetest.Eventually(t, "the held request abandoned", func() bool { return p.Abandoned() == 1 })
	p.Release() // too late: nothing may be written now

	ctx := context.Background()
	st, err := store.Open(ctx, store.Options{Path: filepath.Join(n.Dir, "ospod.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if res, err := st.IntegrityCheck(ctx); err != nil || res != "ok" {
		t.Fatalf("integrity check: %q %v", res, err)
	}
	if evs, err := st.RemoteEventsOf(ctx, p.ActorID); err != nil || len(evs) != 0 {
		t.Fatalf("events written by a backfill stopped with the node: %d %v", len(evs), err)
	}
	if err := n.Fed.Close(); err != nil { // a second Close does nothing
		t.Fatal(err)
	}
}

// goroutines is the stack of every goroutine.
func goroutines() string {
	buf := make([]byte, 1<<20)
	return string(buf[:runtime.Stack(buf, true)])
}
