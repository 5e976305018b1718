package federation

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"runtime"
	"sync"
	"time"

	"github.com/ospod/ospod/federation/as2"
	"github.com/ospod/ospod/federation/remote"
	"github.com/ospod/ospod/federation/signature"
	"github.com/ospod/ospod/store"
)

// DeliveryOptions tunes the delivery worker. Zero values select the defaults.
type DeliveryOptions struct {
	// Workers is the number of deliveries in flight at once (default 128).
	// Most of a delivery's time is waiting for the remote host; signing,
	// the CPU-bound part, runs on at most GOMAXPROCS deliveries at a time, so
	// many slots cost little and a few hanging hosts cannot hold them all.
	Workers int
	// PerHost bounds the deliveries in flight to one host (default 2).
	PerHost int
	// RetryBase is the first retry delay; each retry doubles it (default 30 s).
	RetryBase time.Duration
	// RetryMax caps one retry delay (default 12 h).
	RetryMax time.Duration
	// GiveUpAfter is how long a delivery is retried before it is dead (default 3 days,
	// about Mastodon's two to three).
	GiveUpAfter time.Duration
	// UnreachableAfter marks a host that has failed this long unreachable (default 2 days).
	UnreachableAfter time.Duration
	// ProbeInterval is how often an unreachable host is tried (default 1 h).
	ProbeInterval time.Duration
	// Poll is how often the queue is checked without a nudge, e.g. for rows
	// queued by the CLI in another process (default 1 s).
	Poll time.Duration
}

func (o *DeliveryOptions) defaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	if o.Workers <= 0 {
		o.Workers = 128
	}
	if o.PerHost <= 0 {
		o.PerHost = 2
	}
	def(&o.RetryBase, 30*time.Second)
	def(&o.RetryMax, 12*time.Hour)
	def(&o.GiveUpAfter, 72*time.Hour)
	def(&o.UnreachableAfter, 48*time.Hour)
	def(&o.ProbeInterval, time.Hour)
	def(&o.Poll, time.Second)
}

// RunDelivery delivers queued activities until ctx ends. Rows are claimed
// with a lease, signed afresh for each attempt, POSTed, and the outcome is
// written in a new transaction: no write transaction is held during HTTP.
func (n *Node) RunDelivery(ctx context.Context) error {
	o := n.opts.Delivery
	o.defaults()
	// The lease must outlast a whole attempt, or a slow attempt would be
	// claimed twice while still running.
	timeout := n.client.TotalTimeout()
	lease := timeout + timeout/2 + time.Second
	slots := newDeliverySlots(o.Workers)
	defer slots.wg.Wait()
	defer n.deliveryBeat.Store(0)
	poll := time.NewTicker(o.Poll)
	defer poll.Stop()
	// Claim in batches: each claim is a write transaction that ranks every
	// due row per host, so claiming again for each freed slot made a large
	// fan-out quadratic (a third of its CPU). With deliveries in flight, wait
	// until a quarter of the slots are free, but no longer than claimWait:
	// slots held by hanging hosts may never free up in time.
	claimAt := max(1, o.Workers/4)
	const claimWait = 10 * time.Millisecond
	for {
		n.deliveryBeat.Store(time.Now().UnixNano())
		if slots.free() < claimAt && slots.busy() {
			select {
			case <-ctx.Done():
				return nil
			case <-slots.done:
				continue
			case <-time.After(claimWait):
			}
		}
		free, busy := slots.free(), slots.fullHosts(o.PerHost)
		var batch []*store.Delivery
		if free > 0 {
			var err error
			batch, err = n.st.ClaimDeliveries(ctx, lease, free, o.PerHost, busy)
			if err != nil && ctx.Err() == nil {
				n.log.Error("claim deliveries", "err", err)
			}
		}
		for _, d := range batch {
			slots.run(d, func() { n.deliver(ctx, d, &o) })
		}
		var wake <-chan struct{} = n.wake
		if len(batch) > 0 && len(batch) == free {
			wake = nil // more may be due: loop as soon as a slot frees up
		}
		select {
		case <-ctx.Done():
			return nil
		case <-wake:
		case <-slots.done:
		case <-poll.C:
		}
	}
}

// deliverySlots counts the deliveries in flight, in all and per host.
type deliverySlots struct {
	workers  int
	mu       sync.Mutex
	inflight map[string]int // per host
	total    int
	wg       sync.WaitGroup
	done     chan struct{} // a delivery ended
}

func newDeliverySlots(workers int) *deliverySlots {
	return &deliverySlots{workers: workers, inflight: map[string]int{}, done: make(chan struct{}, workers)}
}

// busy reports whether any delivery is in flight.
func (s *deliverySlots) busy() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.total > 0
}

// free returns the number of free slots.
func (s *deliverySlots) free() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.workers - s.total
}

// fullHosts returns the hosts with limit deliveries in flight.
func (s *deliverySlots) fullHosts(limit int) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	full := make([]string, 0, len(s.inflight))
	for h, c := range s.inflight {
		if c >= limit {
			full = append(full, h)
		}
	}
	return full
}

// run delivers d in a new goroutine, holding a slot of its host meanwhile.
func (s *deliverySlots) run(d *store.Delivery, deliver func()) {
	s.mu.Lock()
	s.inflight[d.Host]++
	s.total++
	s.mu.Unlock()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		deliver()
		s.mu.Lock()
		if s.inflight[d.Host]--; s.inflight[d.Host] <= 0 {
			delete(s.inflight, d.Host)
		}
		s.total--
		s.mu.Unlock()
		select {
		case s.done <- struct{}{}:
		default:
		}
	}()
}

// signSlots bounds the signatures computed at once to the cores: with many
// deliveries in flight, each signature then finishes (and its request
// leaves) as soon as possible instead of all of them sharing the CPU.
var signSlots = make(chan struct{}, runtime.GOMAXPROCS(0))

// deliverySigner signs with sign, holding a signing slot.
func deliverySigner(sign remote.RequestSigner) remote.RequestSigner {
	return func(req *http.Request, body []byte) error {
		signSlots <- struct{}{}
		defer func() { <-signSlots }()
		return sign(req, body)
	}
}

// deliver makes one attempt and records its outcome.
func (n *Node) deliver(ctx context.Context, d *store.Delivery, o *DeliveryOptions) {
	now := time.Now()
	if !n.Allowed(ctx, d.Host) {
		n.finish(ctx, d, o, store.DeliveryResult{State: store.DeliveryFailed, Error: "domain blocked"})
		return
	}
	if h, err := n.st.HostHealth(ctx, d.Host); err == nil && h.Unreachable && now.Sub(h.LastFailureAt) < o.ProbeInterval {
		// An unreachable host gets one probe per interval, not every retry;
		// a postponed attempt does not count, but the give-up time holds.
		r := store.DeliveryResult{State: store.DeliveryPending, Postponed: true,
			NextAt: h.LastFailureAt.Add(o.ProbeInterval), Error: "host unreachable; waiting for the next probe"}
		if r.NextAt.Sub(d.CreatedAt) > o.GiveUpAfter {
			r.State = store.DeliveryDead
		}
		n.finish(ctx, d, o, r)
		return
	}
	res, err := n.client.Post(ctx, d.Inbox, d.Doc, as2.ContentTypeActivity, deliverySigner(n.signer()))
	if err == nil && res.Status == http.StatusUnauthorized && ctx.Err() == nil {
		// Refused: the peer may verify only RFC 9421 signatures. Knock once
		// more with one, as Mastodon does (cavage first for GoToSocial,
		// Misskey and Akkoma, which know only cavage; trust.md §5).
		res, err = n.client.Post(ctx, d.Inbox, d.Doc, as2.ContentTypeActivity,
			deliverySigner(signature.SignerRFC9421(n.key, n.URLs.KeyID)))
	}
	if ctx.Err() != nil {
		return // shutting down: the lease expires and the row is claimed again
	}
	r := classify(res, err)
	if r.State == store.DeliveryPending {
		delay := retryDelay(d.Attempts, o)
		if res != nil && res.RetryAfter > delay {
			delay = min(res.RetryAfter, o.RetryMax)
		}
		r.NextAt = now.Add(delay)
		if r.NextAt.Sub(d.CreatedAt) > o.GiveUpAfter {
			r.State = store.DeliveryDead
		}
	}
	level := slog.LevelDebug
	if r.State != store.DeliveryDone {
		level = slog.LevelInfo // failures are worth seeing at the default level
	}
	n.log.Log(ctx, level, "delivery", "inbox", d.Inbox, "activity", d.ActivityID, "attempt", d.Attempts,
		"status", r.Status, "state", r.State, "err", r.Error)
	n.finish(ctx, d, o, r)
}

func (n *Node) finish(ctx context.Context, d *store.Delivery, o *DeliveryOptions, r store.DeliveryResult) {
	if err := n.st.FinishDelivery(context.WithoutCancel(ctx), d, r, o.UnreachableAfter); err != nil {
		n.log.Error("record delivery", "id", d.ID, "err", err)
	}
}

// classify maps an attempt to a state, as Mastodon does: 2xx is done; 4xx
// other than 401, 408 and 429 (and 410 Gone) will never succeed; the rest is retried.
func classify(res *remote.PostResult, err error) store.DeliveryResult {
	if err != nil {
		if errors.Is(err, remote.ErrURLNotAllowed) || errors.Is(err, remote.ErrBlockedAddress) {
			// Never retried: the inbox points somewhere we must not connect to.
			return store.DeliveryResult{State: store.DeliveryFailed, Error: err.Error()}
		}
		return store.DeliveryResult{State: store.DeliveryPending, Error: err.Error()}
	}
	s := res.Status
	switch {
	case s >= 200 && s < 300:
		return store.DeliveryResult{State: store.DeliveryDone, Status: s, HostOK: true}
	case s == http.StatusUnauthorized || s == http.StatusRequestTimeout || s == http.StatusTooManyRequests:
		return store.DeliveryResult{State: store.DeliveryPending, Status: s, Error: http.StatusText(s), HostOK: true}
	case s >= 400 && s < 500:
		return store.DeliveryResult{State: store.DeliveryFailed, Status: s, Error: fmt.Sprintf("refused: %d %s", s, http.StatusText(s)), HostOK: true}
	default:
		return store.DeliveryResult{State: store.DeliveryPending, Status: s, Error: fmt.Sprintf("%d %s", s, http.StatusText(s))}
	}
}

// retryDelay doubles from RetryBase per attempt, capped, with ±20 % jitter so
// that deliveries failing together do not retry together.
func retryDelay(attempt int, o *DeliveryOptions) time.Duration {
	d := o.RetryBase
	for i := 1; i < attempt && d < o.RetryMax; i++ {
		d *= 2
	}
	d = min(d, o.RetryMax)
	jitter := 0.8 + 0.4*rand.Float64()
	return time.Duration(float64(d) * jitter)
}

// RetryHost is "retry now" for a host: its failing and given-up deliveries
// fall due, and the worker is woken. It returns how many are due.
func (n *Node) RetryHost(ctx context.Context, host string) (int, error) {
	count, err := n.st.RetryHost(ctx, host)
	n.nudge(err)
	return count, err
}
