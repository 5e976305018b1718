package main

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
)

// TestBackupAndRestore backs a node up while events are being published,
// restores the copy into a new data folder, and starts a node on it: the
// restored node serves the same actor key and the events of the backup.
func TestBackupAndRestore(t *testing.T) {
	const token = "backup-test-token-0123456789abcdefghij"
	data := newDataDir(t)
	addr := freeAddr(t)
	s := startServerAt(t, data, addr, "OSPO_ADMIN_TOKEN="+token)
	event, err := os.ReadFile(examplePath("event.json"))
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if code, m := s.do("POST", "/api/v1/admin/events", token, event); code != http.StatusCreated {
			t.Fatalf("POST event: %d %v", code, m)
		}
	}
	_, actor := s.do("GET", "/actor", "", nil)
	key := actor["publicKey"].(map[string]any)["publicKeyPem"]

	// Write load while the backup runs.
	var published atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	defer func() { // also when the test fails early
		select {
		case <-stop:
		default:
			close(stop)
		}
		wg.Wait()
	}()
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			// Not s.do: a failed request must not end the test from this goroutine.
			req, _ := http.NewRequest("POST", s.base+"/api/v1/admin/events", bytes.NewReader(event))
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Content-Type", "application/json")
			if resp, err := http.DefaultClient.Do(req); err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusCreated {
					published.Add(1)
				}
			}
		}
	}()
	env := map[string]string{"OSPO_DATA": data, "OSPO_BASE_URL": s.base}
	file := filepath.Join(t.TempDir(), "backup.db")
	r := mustCLI(t, env, "backup", file)
	close(stop)
	wg.Wait()
	if published.Load() == 0 {
		t.Error("no event was published during the backup: no write load")
	}
	if !strings.Contains(r.stdout, "integrity check ok") {
		t.Errorf("backup said %q", r.stdout)
	}
	if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("backup file: %v %v, want mode 600", fi, err)
	}
	if r := cli(t, env, "", "backup", file); r.code == 0 {
		t.Error("a second backup overwrote the existing file")
	}
	if err := s.stop(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}

	restored := filepath.Join(t.TempDir(), "restored")
	other := map[string]string{"OSPO_DATA": restored, "OSPO_BASE_URL": "http://other.example"}
	if r := cli(t, other, "", "restore", file); r.code == 0 || !strings.Contains(r.err.Error(), "OSPO_BASE_URL="+s.base) {
		t.Errorf("restore of another node's backup: exit %d %v, want a refusal naming its base URL", r.code, r.err)
	}
	if _, err := os.Stat(filepath.Join(restored, "ospod.db")); err == nil {
		t.Fatal("the refused restore left a database")
	}
	renv := map[string]string{"OSPO_DATA": restored, "OSPO_BASE_URL": s.base}
	mustCLI(t, renv, "restore", file)
	if r := cli(t, renv, "", "restore", file); r.code == 0 {
		t.Error("restore over an existing database succeeded")
	}
	if fi, err := os.Stat(filepath.Join(restored, "ospod.db")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("restored database: %v %v, want mode 600", fi, err)
	}

	s2 := startServerAt(t, restored, addr, "OSPO_ADMIN_TOKEN="+token)
	_, actor2 := s2.do("GET", "/actor", "", nil)
	if got := actor2["publicKey"].(map[string]any)["publicKeyPem"]; got != key {
		t.Errorf("restored key differs:\n%v\nwant\n%v", got, key)
	}
	_, list := s2.do("GET", "/api/v1/admin/events?when=all", token, nil)
	items, _ := list["items"].([]any)
	if n := len(items); n < 3 || int64(n) > 3+published.Load() {
		t.Errorf("restored node lists %d events, want 3 to %d", n, 3+published.Load())
	}
}
