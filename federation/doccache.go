package federation

import (
	"context"
	"encoding/json"
	"sync"
	"time"
)

// docCache keeps the rendered documents peers fetch most (the actor,
// NodeInfo, events) for a short while. Rendering them costs a profile read,
// a JSON decode and the document's marshalling on every request: the cached actor
// is served about three times as fast (docs/BENCHMARKS.md). Writes through
// this Node (profile, events) clear the cache at once; writes by another
// process on the same database (the CLI) show after at most docCacheTTL.
type docCache struct {
	mu      sync.Mutex
	gen     uint64 // bumped by invalidate
	entries map[string]cachedDoc
}

type cachedDoc struct {
	doc []byte
	gen uint64
	at  time.Time
}

// docCacheTTL bounds how stale a document changed by another process may be.
const docCacheTTL = 2 * time.Second

// maxCachedDocs bounds the cache (one entry per event fetched).
const maxCachedDocs = 2000

// get returns the cached document for key, or renders and caches it.
// Failures are not cached.
func (c *docCache) get(key string, render func() ([]byte, error)) ([]byte, error) {
	now := time.Now()
	c.mu.Lock()
	if c.entries == nil {
		c.entries = map[string]cachedDoc{}
	}
	e, ok := c.entries[key]
	gen := c.gen
	c.mu.Unlock()
	if ok && e.gen == gen && now.Sub(e.at) < docCacheTTL {
		return e.doc, nil
	}
	doc, err := render()
	if err != nil {
		return doc, err
	}
	c.mu.Lock()
	if c.gen == gen { // not invalidated while rendering
		if len(c.entries) >= maxCachedDocs {
			clear(c.entries)
		}
		c.entries[key] = cachedDoc{doc: doc, gen: gen, at: now}
	}
	c.mu.Unlock()
	return doc, nil
}

// invalidate drops every cached document (after a profile or event change).
func (c *docCache) invalidate() {
	c.mu.Lock()
	c.gen++
	clear(c.entries)
	c.mu.Unlock()
}

// CachedActorDocument is ActorDocument through the document cache.
func (n *Node) CachedActorDocument(ctx context.Context) ([]byte, error) {
	return n.docs.get("actor", func() ([]byte, error) { return n.ActorDocument(ctx) })
}

// CachedEventDocument is EventDocument through the document cache (live
// events only: a tombstone is rendered each time).
func (n *Node) CachedEventDocument(ctx context.Context, id string) ([]byte, error) {
	return n.docs.get("event "+id, func() ([]byte, error) { return n.EventDocument(ctx, id) })
}

// NodeInfoDocument is the NodeInfo document as JSON, through the document cache.
func (n *Node) NodeInfoDocument(ctx context.Context) ([]byte, error) {
	return n.docs.get("nodeinfo", func() ([]byte, error) {
		m, err := n.NodeInfo(ctx)
		if err != nil {
			return nil, err
		}
		return json.Marshal(m)
	})
}
