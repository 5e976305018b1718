package api_test

// End-to-end benchmarks through the real HTTP handler, SQLite and loopback
// (issue 6, docs/BENCHMARKS.md): the inbox under concurrent signed
// Create(Event) activities, and the cached reads peers and browsers make,
// beside a minimal net/http handler measured the same way.

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/ospod/ospod/api/nodetest"
	"github.com/ospod/ospod/federation/fedtest"
	"github.com/ospod/ospod/store/storetest"
)

// benchClient keeps enough idle connections for the benchmark's concurrency.
var benchClient = &http.Client{Transport: &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256}}

// BenchmarkInbox posts b.N signed Create(Event) activities from 200 distinct
// followed OSPOs (keys already cached) with 16 in flight, and checks that
// each was stored before it was acknowledged.
func BenchmarkInbox(b *testing.B) {
	n := nodetest.Start(b, nodetest.Options{})
	ctx := context.Background()
	senders, err := fedtest.NewSenders(200, 4)
	if err != nil {
		b.Fatal(err)
	}
	if err := senders.Register(ctx, n.Store); err != nil {
		b.Fatal(err)
	}
	// Warm the key cache: one activity per sender.
	warm, err := senders.CreateEvents(n.URL+"/inbox", "warm", len(senders.Actors))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := postAll(ctx, warm, 16); err != nil {
		b.Fatal(err)
	}
	before, _ := n.Store.CountSeen(ctx)
	reqs, err := senders.CreateEvents(n.URL+"/inbox", fmt.Sprintf("b%d", b.N), b.N)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	lat, err := postAll(ctx, reqs, 16)
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	after, _ := n.Store.CountSeen(ctx)
	if after-before != b.N {
		b.Fatalf("stored %d activities, acknowledged %d", after-before, b.N)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "activities/s")
	b.ReportMetric(percentile(lat, 50).Seconds()*1000, "p50-ms")
	b.ReportMetric(percentile(lat, 99).Seconds()*1000, "p99-ms")
}

// postAll sends the requests with c in flight and returns their latencies;
// any answer but 202 is an error.
func postAll(ctx context.Context, reqs []*fedtest.Presigned, c int) ([]time.Duration, error) {
	lat := make([]time.Duration, len(reqs))
	next := make(chan int)
	errc := make(chan error, c)
	var wg sync.WaitGroup
	for range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				req, err := reqs[i].Request(ctx)
				if err != nil {
					errc <- err
					return
				}
				t0 := time.Now()
				resp, err := benchClient.Do(req)
				if err != nil {
					errc <- err
					return
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				lat[i] = time.Since(t0)
				if resp.StatusCode != http.StatusAccepted {
					errc <- fmt.Errorf("status %d: %s", resp.StatusCode, body)
					return
				}
			}
		}()
	}
	var err error
loop:
	for i := range reqs {
		select {
		case next <- i:
		case err = <-errc:
			break loop
		}
	}
	close(next)
	wg.Wait()
	if err == nil {
		select {
		case err = <-errc:
		default:
		}
	}
	return lat, err
}

func percentile(d []time.Duration, p int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[min(len(s)-1, len(s)*p/100)]
}

// BenchmarkReads fetches the documents peers ask for most, and the directory
// and calendar API, through HTTP on loopback, from a node holding the
// benchmark data set. "minimal" is a net/http handler writing a fixed body
// of the actor document's size: the ceiling for this client and machine.
func BenchmarkReads(b *testing.B) {
	dir := b.TempDir()
	if _, err := storetest.CopyDataset(context.Background(), storetest.BenchDatasetSize(), dir); err != nil {
		b.Fatal(err)
	}
	n := nodetest.Start(b, nodetest.Options{Dir: dir, NoWorker: true})
	var ev struct{ ID string }
	if code := n.Admin(http.MethodPost, "/api/v1/admin/events", map[string]any{
		"name": "OSPO meetup", "startTime": "2030-01-10T10:00:00+01:00", "endTime": "2030-01-10T12:00:00+01:00",
		"timezone": "Europe/Brussels",
	}, &ev); code != http.StatusCreated {
		b.Fatalf("create event: %d", code)
	}
	actorDoc := get(b, n.URL+"/actor", "application/activity+json")
	minimal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/activity+json")
		_, _ = w.Write(actorDoc)
	}))
	defer minimal.Close()
	as := "application/activity+json"
	for _, c := range []struct{ name, url, accept string }{
		{"minimal", minimal.URL + "/", as},
		{"webfinger", n.URL + "/.well-known/webfinger?resource=" + url.QueryEscape("acct:ospo@"+n.Host), ""},
		{"actor", n.URL + "/actor", as},
		{"event", n.URL + "/events/" + ev.ID, as},
		{"outbox-page", n.URL + "/actor/outbox?page=1", as},
		{"nodeinfo", n.URL + "/nodeinfo/2.1", ""},
		{"directory-search", n.URL + "/api/v1/directory?q=licensing&country=DE", ""},
		{"calendar", n.URL + "/api/v1/calendar", ""},
	} {
		b.Run(c.name, func(b *testing.B) {
			get(b, c.url, c.accept) // warm
			b.SetParallelism(8)     // 16 in flight on 2 cores
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					req, _ := http.NewRequest(http.MethodGet, c.url, nil)
					if c.accept != "" {
						req.Header.Set("Accept", c.accept)
					}
					resp, err := benchClient.Do(req)
					if err != nil {
						b.Error(err)
						return
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						b.Errorf("%s: status %d", c.url, resp.StatusCode)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
		})
	}
}

func get(b *testing.B, u, accept string) []byte {
	b.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := benchClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		b.Fatalf("GET %s: %d %s", u, resp.StatusCode, body)
	}
	return body
}
