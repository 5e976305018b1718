package fedtest

import (
	"encoding/json"
	"net/http"
)

// This file lets a peer act as an OSPO node for the reads a node makes of
// it: its upcoming events (backfill after a follow, discovery) and its
// NodeInfo (discovery checks the peer declares an OSPO node).

// SetEvents makes the peer publish an upcomingEvents collection with these
// items (nil: the actor names no such collection).
func (p *Peer) SetEvents(items []map[string]any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.events = items
}

// HoldEvents makes the events collection hold its answers until Release
// (or until the requester gives up). The returned channel is closed when a
// request is being held.
func (p *Peer) HoldEvents() <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.hold = make(chan struct{})
	p.holding = make(chan struct{})
	return p.holding
}

// Release answers the held requests, and the later ones at once.
func (p *Peer) Release() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.hold != nil {
		close(p.hold)
		p.hold = nil
	}
}

// Abandoned counts the held requests whose requester gave up.
func (p *Peer) Abandoned() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.abandoned
}

func (p *Peer) eventsURL() string { return p.ActorID + "/upcoming-events" }

func (p *Peer) serveEvents(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	items, hold, holding := p.events, p.hold, p.holding
	if holding != nil {
		close(holding)
		p.holding = nil
	}
	p.mu.Unlock()
	if hold != nil {
		select {
		case <-hold:
		case <-r.Context().Done():
			p.mu.Lock()
			p.abandoned++
			p.mu.Unlock()
			return
		}
	}
	if items == nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", p.ContentType)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"@context": "https://www.w3.org/ns/activitystreams", "id": p.eventsURL(),
		"type": "OrderedCollection", "totalItems": len(items), "orderedItems": items,
	})
}

// serveNodeInfoLinks and serveNodeInfo declare an OSPO node for the peer's
// actor when OSPONode is set; otherwise the peer has no NodeInfo.
func (p *Peer) serveNodeInfoLinks(w http.ResponseWriter, r *http.Request) {
	if !p.OSPONode {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"links": []map[string]string{
		{"rel": "http://nodeinfo.diaspora.software/ns/schema/2.1", "href": p.URL + "/nodeinfo/2.1"}}})
}

func (p *Peer) serveNodeInfo(w http.ResponseWriter, r *http.Request) {
	if !p.OSPONode {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"version": "2.1",
		"software": map[string]string{"name": "fedtest", "version": "0"},
		"metadata": map[string]any{"ospo": map[string]string{"schemaVersion": "1", "actor": p.ActorID}}})
}
