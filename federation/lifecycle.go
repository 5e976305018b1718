package federation

import (
	"context"
	"sync"
)

// The node starts work of its own in the background (today: the backfill
// after a follow is accepted). Each such task is owned here: it runs with
// the node's context, Close cancels that context and waits for every task
// to end, so nothing writes to the store once the caller closes it. The
// loops the caller runs (RunDelivery, RunDiscovery, RunMaintenance) end
// with the context the caller gives them.

// tasks tracks the node's background tasks.
type tasks struct {
	ctx    context.Context // ends when the node closes
	cancel context.CancelFunc
	mu     sync.Mutex
	idle   *sync.Cond // signalled when running drops to zero
	count  int
	closed bool
}

func newTasks() *tasks {
	t := &tasks{}
	t.ctx, t.cancel = context.WithCancel(context.Background())
	t.idle = sync.NewCond(&t.mu)
	return t
}

// start runs f in a new goroutine with the node's context, unless the
// node is closed; it reports whether f was started.
func (t *tasks) start(f func(ctx context.Context)) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return false
	}
	t.count++
	go func() {
		defer t.done()
		f(t.ctx)
	}()
	return true
}

func (t *tasks) done() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.count--; t.count == 0 {
		t.idle.Broadcast()
	}
}

// wait blocks until no task runs.
func (t *tasks) wait() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for t.count > 0 {
		t.idle.Wait()
	}
}

// background runs f as a task of the node (see Close); name is for the log
// when the node is already closed and f does not run.
func (n *Node) background(name string, f func(ctx context.Context)) {
	if !n.tasks.start(f) {
		n.log.Debug("node closed: background task not started", "task", name)
	}
}

// Wait blocks until the node's background tasks started so far have ended,
// without stopping them (tests wait for a backfill this way).
func (n *Node) Wait() { n.tasks.wait() }

// Close stops the node's background tasks and waits for them to end; a
// node made by Open then closes its store (one made by New leaves it to
// the caller, who closes it after). Later calls do nothing, and no task
// starts after it. Stop the node's loops and HTTP server first.
func (n *Node) Close() error {
	n.tasks.mu.Lock()
	already := n.tasks.closed
	n.tasks.closed = true
	n.tasks.mu.Unlock()
	n.tasks.cancel()
	n.tasks.wait()
	if n.ownsStore && !already {
		return n.st.Close()
	}
	return nil
}
