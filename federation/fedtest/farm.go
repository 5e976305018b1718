package fedtest

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/ospod/ospod/federation/signature"
)

// Behaviour is how one simulated host of a Farm answers.
type Behaviour int

// Farm host behaviours.
const (
	Answer202 Behaviour = iota // verify the signature, record, answer 202
	Hang                       // accept the request and never answer (until the client gives up)
	Answer500                  // answer 500 at once, without reading the body
)

// Farm is many simulated remote servers on loopback for load tests: one
// listener per host (127.0.0.1:PORT, so each is a distinct host to the
// sender), all answering POST /inbox (a shared inbox) through one
// http.Server. Every POST is verified with signature.Verify against
// a key given beforehand (the sender's: no fetch), and verified receipts are
// counted per activity id.
type Farm struct {
	Hosts []string // host:port of each simulated server

	pub     *rsa.PublicKey
	behave  []Behaviour
	index   map[string]int
	srv     *http.Server
	ls      []net.Listener
	done    chan struct{}
	closeMu sync.Once

	mu       sync.Mutex
	byID     map[string]*Receipts
	refused  int // requests whose signature did not verify
	answered map[Behaviour]int
}

// Receipts are the verified deliveries of one activity.
type Receipts struct {
	Count       int       // verified POSTs
	First, Last time.Time // arrival of the first and the last
	hosts       map[int]bool
}

// NewFarm starts hosts listeners on 127.0.0.1; behave(i) chooses how host i
// answers (nil: all Answer202). pub verifies every request.
func NewFarm(hosts int, pub *rsa.PublicKey, behave func(i int) Behaviour) (*Farm, error) {
	f := &Farm{pub: pub, index: map[string]int{}, done: make(chan struct{}),
		byID: map[string]*Receipts{}, answered: map[Behaviour]int{}}
	f.srv = &http.Server{Handler: http.HandlerFunc(f.serve), ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: log.New(io.Discard, "", 0)}
	for i := range hosts {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("fedtest: farm listener %d: %w", i, err)
		}
		f.ls = append(f.ls, l)
		h := l.Addr().String()
		f.Hosts = append(f.Hosts, h)
		f.index[h] = i
		b := Answer202
		if behave != nil {
			b = behave(i)
		}
		f.behave = append(f.behave, b)
		go func() { _ = f.srv.Serve(l) }()
	}
	return f, nil
}

// Inbox is the shared inbox URL of host i.
func (f *Farm) Inbox(i int) string { return "http://" + f.Hosts[i] + "/inbox" }

// Behaviour is how host i answers.
func (f *Farm) Behaviour(i int) Behaviour { return f.behave[i] }

// Close stops every listener and releases hanging requests.
func (f *Farm) Close() {
	f.closeMu.Do(func() {
		close(f.done)
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = f.srv.Shutdown(ctx)
		for _, l := range f.ls {
			l.Close()
		}
	})
}

func (f *Farm) serve(w http.ResponseWriter, r *http.Request) {
	i, ok := f.index[r.Host]
	if !ok || r.Method != http.MethodPost || r.URL.Path != "/inbox" {
		http.NotFound(w, r)
		return
	}
	b := f.behave[i]
	f.mu.Lock()
	f.answered[b]++
	f.mu.Unlock()
	switch b {
	case Hang:
		select {
		case <-r.Context().Done():
		case <-f.done:
		}
		return
	case Answer500:
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return
	}
	_, err = signature.Verify(r.Context(), r, body, time.Now(),
		func(context.Context, string, bool) (*rsa.PublicKey, error) { return f.pub, nil })
	var doc struct {
		ID string `json:"id"`
	}
	if err == nil {
		err = json.Unmarshal(body, &doc)
	}
	now := time.Now()
	f.mu.Lock()
	if err != nil {
		f.refused++
		f.mu.Unlock()
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	rc := f.byID[doc.ID]
	if rc == nil {
		rc = &Receipts{First: now, hosts: map[int]bool{}}
		f.byID[doc.ID] = rc
	}
	rc.Count++
	rc.Last = now
	rc.hosts[i] = true
	f.mu.Unlock()
	w.WriteHeader(http.StatusAccepted)
}

// Received returns the verified receipts of an activity so far.
func (f *Farm) Received(activityID string) Receipts {
	f.mu.Lock()
	defer f.mu.Unlock()
	if rc := f.byID[activityID]; rc != nil {
		return Receipts{Count: rc.Count, First: rc.First, Last: rc.Last}
	}
	return Receipts{}
}

// DistinctHosts counts the hosts that received an activity.
func (f *Farm) DistinctHosts(activityID string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	if rc := f.byID[activityID]; rc != nil {
		return len(rc.hosts)
	}
	return 0
}

// Refused counts requests whose signature did not verify.
func (f *Farm) Refused() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.refused
}

// Answered counts requests by the behaviour of the host that got them.
func (f *Farm) Answered(b Behaviour) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.answered[b]
}

// ErrFarmTimeout is returned by Wait when the deliveries did not all arrive.
var ErrFarmTimeout = errors.New("fedtest: not every delivery arrived in time")

// Wait polls until activityID has n verified receipts, or ctx ends.
func (f *Farm) Wait(ctx context.Context, activityID string, n int) (Receipts, error) {
	t := time.NewTicker(time.Millisecond)
	defer t.Stop()
	for {
		if rc := f.Received(activityID); rc.Count >= n {
			return rc, nil
		}
		select {
		case <-ctx.Done():
			return f.Received(activityID), ErrFarmTimeout
		case <-t.C:
		}
	}
}
