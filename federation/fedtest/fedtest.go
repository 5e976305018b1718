// Package fedtest is a fake remote ActivityPub server on loopback for tests:
// one actor with its own key, a record of what its inbox receives, and
// helpers to sign (or mis-sign) requests to a node under test.
package fedtest

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ospod/ospod/federation/as2"
	"github.com/ospod/ospod/federation/signature"
)

// Peer is a fake remote server with one actor.
type Peer struct {
	URL     string // http://127.0.0.1:PORT
	ActorID string
	KeyID   string
	Inbox   string
	Key     *rsa.PrivateKey

	// ContentType is the media type the actor is served with (default activity+json).
	ContentType string
	// ActorIDOverride, when set, is the id the actor document claims.
	ActorIDOverride string
	// NotOSPO serves a plain actor, without the OSPO profile terms.
	NotOSPO bool
	// Extra holds more actor properties (or replacements), merged into ActorDoc.
	Extra map[string]any
	// Status, when set, is the status the inbox answers with (default 202).
	Status int
	// Answer, when set, decides each inbox answer: a delay, then a status
	// (slow and flaky receivers). It overrides Status.
	Answer func() (time.Duration, int)
	// OSPONode serves a NodeInfo that declares an OSPO node (collections.go).
	OSPONode bool
	// RequireRFC9421 makes the inbox answer 401 to draft-cavage signatures,
	// as a server that verifies only RFC 9421 would.
	RequireRFC9421 bool

	mu       sync.Mutex
	received []Received
	keys     map[string]*rsa.PublicKey
	fetches  int
	srv      *httptest.Server
	// the upcoming events collection (collections.go)
	events    []map[string]any
	hold      chan struct{} // closed to release held answers
	holding   chan struct{} // closed when an answer is held
	abandoned int
}

// Received is one request that reached the peer's inbox.
type Received struct {
	Body     []byte
	Activity map[string]any
	Verified bool // the signature verified against the sender's key
	RFC9421  bool // it was an RFC 9421 signature (else draft-cavage)
}

// New starts a peer on 127.0.0.1 and stops it when the test ends.
func New(t testing.TB) *Peer {
	t.Helper()
	key, err := signature.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	p := &Peer{Key: key, ContentType: as2.ContentTypeActivity, keys: map[string]*rsa.PublicKey{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /users/peer", p.serveActor)
	mux.HandleFunc("POST /users/peer/inbox", p.serveInbox)
	mux.HandleFunc("POST /inbox", p.serveInbox)
	mux.HandleFunc("GET /.well-known/webfinger", p.serveWebFinger)
	mux.HandleFunc("GET /users/peer/upcoming-events", p.serveEvents)
	mux.HandleFunc("GET /.well-known/nodeinfo", p.serveNodeInfoLinks)
	mux.HandleFunc("GET /nodeinfo/2.1", p.serveNodeInfo)
	p.srv = httptest.NewServer(mux)
	t.Cleanup(p.srv.Close)
	p.URL = p.srv.URL
	p.ActorID = p.URL + "/users/peer"
	p.KeyID = p.ActorID + "#main-key"
	p.Inbox = p.ActorID + "/inbox"
	return p
}

// Host is the peer's host:port.
func (p *Peer) Host() string { return strings.TrimPrefix(p.URL, "http://") }

// ActorDoc is the actor document the peer serves.
func (p *Peer) ActorDoc() map[string]any {
	id := p.ActorID
	if p.ActorIDOverride != "" {
		id = p.ActorIDOverride
	}
	doc := map[string]any{
		"@context":          []any{"https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"},
		"id":                id,
		"type":              "Organization",
		"preferredUsername": "peer",
		"name":              "Peer OSPO",
		"inbox":             p.Inbox,
		"outbox":            p.ActorID + "/outbox",
		"endpoints":         map[string]any{"sharedInbox": p.URL + "/inbox"},
		"publicKey": map[string]any{
			"id": p.KeyID, "owner": id, "publicKeyPem": signature.EncodePublicKeyPEM(&p.Key.PublicKey),
		},
		"ospo:country": "DE",
	}
	if p.NotOSPO {
		delete(doc, "ospo:country")
	}
	p.mu.Lock()
	if p.events != nil || p.hold != nil {
		doc["upcomingEvents"] = p.eventsURL()
	}
	p.mu.Unlock()
	for k, v := range p.Extra {
		doc[k] = v
	}
	return doc
}

func (p *Peer) serveActor(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.fetches++
	p.mu.Unlock()
	b, _ := json.Marshal(p.ActorDoc())
	w.Header().Set("Content-Type", p.ContentType)
	_, _ = w.Write(b)
}

func (p *Peer) serveWebFinger(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/jrd+json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"subject": "acct:peer@" + p.Host(),
		"links":   []map[string]string{{"rel": "self", "type": as2.ContentTypeActivity, "href": p.ActorID}},
	})
}

func (p *Peer) serveInbox(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	p.mu.Lock()
	answer := p.Answer
	p.mu.Unlock()
	answered := 0
	if answer != nil {
		delay, status := answer()
		answered = status
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
		if status >= 300 {
			w.WriteHeader(status) // refused: not recorded as received
			return
		}
	}
	rec := Received{Body: body, RFC9421: signature.IsRFC9421(r.Header)}
	p.mu.Lock()
	only9421 := p.RequireRFC9421
	p.mu.Unlock()
	if only9421 && !rec.RFC9421 {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	_ = json.Unmarshal(body, &rec.Activity)
	// Verify the sender's signature with the key it names (fetched unsigned).
	_, err := signature.Verify(r.Context(), r, body, time.Now(), p.key)
	rec.Verified = err == nil
	if err != nil {
		// As a real server does: refused, not recorded; the sender retries.
		// (The sender's key can be unreachable for a moment, e.g. while a
		// test kills and restarts it.)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	p.mu.Lock()
	p.received = append(p.received, rec)
	status := p.Status
	p.mu.Unlock()
	if answered != 0 {
		status = answered
	}
	if status == 0 {
		status = http.StatusAccepted
	}
	w.WriteHeader(status)
}

// SetAnswer replaces the inbox's answer function (nil: always Status).
func (p *Peer) SetAnswer(f func() (time.Duration, int)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.Answer = f
}

// key resolves a sender's key, fetched once and then cached (the sender may
// be down when a later request is verified).
func (p *Peer) key(_ context.Context, keyID string, refresh bool) (*rsa.PublicKey, error) {
	p.mu.Lock()
	k, ok := p.keys[keyID]
	p.mu.Unlock()
	if ok && !refresh {
		return k, nil
	}
	k, err := fetchKey(keyID)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	p.keys[keyID] = k
	p.mu.Unlock()
	return k, nil
}

// Received returns what the inbox has received so far.
func (p *Peer) Received() []Received {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Received(nil), p.received...)
}

// Fetches counts GETs of the actor document.
func (p *Peer) Fetches() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.fetches
}

// Activity builds an activity from this peer's actor with a fresh id.
func (p *Peer) Activity(typ string, object any) map[string]any {
	return map[string]any{
		"@context": "https://www.w3.org/ns/activitystreams",
		"id":       p.URL + "/activities/" + typ + "-" + time.Now().Format("150405.000000000"),
		"type":     typ,
		"actor":    p.ActorID,
		"object":   object,
	}
}

// Post sends an activity (a map or raw bytes) to url, signed over the
// headers Mastodon signs; mutate may alter the request after signing.
func (p *Peer) Post(t testing.TB, url string, activity any, mutate func(*http.Request)) (*http.Response, []byte) {
	t.Helper()
	return p.PostWith(t, url, activity, SignOptions{}, mutate)
}

// SignOptions changes how PostWith signs, to build broken signatures.
type SignOptions struct {
	Headers  []string  // signed headers (default "(request-target)", "host", "date", "digest")
	Date     time.Time // Date header (default now)
	KeyID    string    // keyId (default the peer's)
	Key      *rsa.PrivateKey
	Unsigned bool
	RFC9421  bool // sign with RFC 9421 (signature.SignRFC9421) instead
}

// PostWith is Post with control over the signature.
func (p *Peer) PostWith(t testing.TB, url string, activity any, o SignOptions, mutate func(*http.Request)) (*http.Response, []byte) {
	t.Helper()
	body, ok := activity.([]byte)
	if !ok {
		var err error
		if body, err = json.Marshal(activity); err != nil {
			t.Fatal(err)
		}
	}
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", as2.ContentTypeActivity)
	if o.RFC9421 {
		if o.KeyID == "" {
			o.KeyID = p.KeyID
		}
		if err := signature.SignRFC9421(req, body, p.Key, o.KeyID, time.Now()); err != nil {
			t.Fatal(err)
		}
		o.Unsigned = true
	}
	if !o.Unsigned {
		if o.Headers == nil {
			o.Headers = []string{signature.RequestTarget, "host", "date", "digest"}
		}
		if o.Date.IsZero() {
			o.Date = time.Now()
		}
		if o.KeyID == "" {
			o.KeyID = p.KeyID
		}
		if o.Key == nil {
			o.Key = p.Key
		}
		req.Header.Set("Date", o.Date.UTC().Format(http.TimeFormat))
		req.Header.Set("Host", req.URL.Host)
		sum := sha256.Sum256(body)
		req.Header.Set("Digest", "SHA-256="+base64.StdEncoding.EncodeToString(sum[:]))
		// The Digest is set above (so it exists even when not signed), and
		// exactly o.Headers are signed.
		if err := signature.SignHeaders(req, o.Key, o.KeyID, o.Headers); err != nil {
			t.Fatal(err)
		}
	}
	if mutate != nil {
		mutate(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// fetchKey fetches a key's owner unsigned and returns its key (for the
// peer's own verification of what it receives).
func fetchKey(keyID string) (*rsa.PublicKey, error) {
	actorURL, _, _ := strings.Cut(keyID, "#")
	req, _ := http.NewRequest(http.MethodGet, actorURL, nil)
	req.Header.Set("Accept", as2.ContentTypeActivity)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var doc struct {
		PublicKey struct {
			PublicKeyPem string `json:"publicKeyPem"`
		} `json:"publicKey"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		return nil, err
	}
	return signature.ParsePublicKeyPEM(doc.PublicKey.PublicKeyPem)
}
