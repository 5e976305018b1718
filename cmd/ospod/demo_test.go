package main

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a goroutine-safe output buffer.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestDemo: 'ospod demo' starts three federating nodes and prints their
// URLs; each node's directory soon lists all three OSPOs and the network
// calendar has every demo event.
func TestDemo(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	out, errOut := &lockedBuffer{}, &lockedBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"demo", "-port", "0"}, func(string) string { return "" }, nil, out, errOut)
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("demo: %v (stderr %s)", err, errOut)
		}
	}()
	urlRe := regexp.MustCompile(`http://127\.0\.0\.1:\d+/ `)
	var urls []string
	deadline := time.Now().Add(20 * time.Second)
	for len(urls) < 3 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		urls = urlRe.FindAllString(out.String(), -1)
	}
	if len(urls) != 3 {
		t.Fatalf("demo printed %d node URLs: %s %s", len(urls), out, errOut)
	}
	for _, u := range urls {
		base := strings.TrimSuffix(strings.TrimSpace(u), "/")
		ok := false
		for time.Now().Before(deadline) && !ok {
			var dir struct{ Total int }
			var cal struct{ Total int }
			getJSON(t, base+"/api/v1/directory", &dir)
			getJSON(t, base+"/api/v1/calendar", &cal)
			ok = dir.Total == 3 && cal.Total == 4
			if !ok {
				time.Sleep(100 * time.Millisecond)
			}
		}
		if !ok {
			t.Fatalf("%s does not list the three OSPOs and four events", base)
		}
	}
}

func getJSON(t *testing.T, url string, out any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatal(err)
	}
}
