package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// newClient is the load generator's HTTP client: keep-alive connections
// for every worker and no transparent gzip (as wrk: peers fetching
// ActivityStreams documents rarely ask for it).
func newClient(c int) *http.Client {
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		MaxIdleConns: c * 2, MaxIdleConnsPerHost: c * 2, DisableCompression: true, IdleConnTimeout: time.Minute,
	}}
}

// loadResult is what one load produced.
type loadResult struct {
	n, errors int
	firstErr  error
	elapsed   time.Duration
	lat       []time.Duration // sorted
}

func (r loadResult) rps() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(r.n) / r.elapsed.Seconds()
}

func (r loadResult) pct(p float64) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	return r.lat[min(len(r.lat)-1, int(float64(len(r.lat))*p/100))]
}

// runLoad calls do with c calls in flight until d has passed or max calls
// were made (max <= 0: no count limit), recording each call's latency.
// do gets the call's sequence number.
func runLoad(ctx context.Context, c int, d time.Duration, max int, do func(ctx context.Context, i int) error) loadResult {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var (
		next   atomic.Int64
		errs   atomic.Int64
		mu     sync.Mutex
		all    []time.Duration
		first  error
		wg     sync.WaitGroup
		start  = time.Now()
		expire = start.Add(d)
	)
	for range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lat := make([]time.Duration, 0, 1024)
			for ctx.Err() == nil && time.Now().Before(expire) {
				i := int(next.Add(1) - 1)
				if max > 0 && i >= max {
					break
				}
				t0 := time.Now()
				err := do(ctx, i)
				if ctx.Err() != nil {
					break // cut by the deadline: not counted
				}
				if err != nil {
					if errs.Add(1) == 1 {
						mu.Lock()
						first = err
						mu.Unlock()
					}
					continue
				}
				lat = append(lat, time.Since(t0))
			}
			mu.Lock()
			all = append(all, lat...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	slices.Sort(all)
	return loadResult{n: len(all), errors: int(errs.Load()), firstErr: first, elapsed: time.Since(start), lat: all}
}

// getter returns a load call that GETs urls in turn with the given Accept
// header and wants 200.
func getter(client *http.Client, urls []string, accept string) func(ctx context.Context, i int) error {
	return func(ctx context.Context, i int) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, urls[i%len(urls)], nil)
		if err != nil {
			return err
		}
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("GET %s: %d", req.URL, resp.StatusCode)
		}
		return nil
	}
}
