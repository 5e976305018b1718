package fedtest

import (
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/ospod/ospod/federation/as2"
	"github.com/ospod/ospod/federation/signature"
	"github.com/ospod/ospod/store"
)

// Senders are many remote OSPO actors for inbox load tests, each on its own
// host (so per-host rate limits apply to each separately). Keys come from a
// small pool: generating thousands of RSA keys would take minutes, and the
// verification cost does not depend on which key signed.
type Senders struct {
	Actors []SenderActor
}

// SenderActor is one remote actor of Senders.
type SenderActor struct {
	ID, KeyID, Host string
	Key             *rsa.PrivateKey
}

// NewSenders makes n actors on hosts peer0.bench.example... with keys from a
// pool of keys keys (generated here).
func NewSenders(n, keys int) (*Senders, error) {
	pool := make([]*rsa.PrivateKey, max(keys, 1))
	for i := range pool {
		k, err := signature.GenerateKey()
		if err != nil {
			return nil, err
		}
		pool[i] = k
	}
	s := &Senders{}
	for i := range n {
		host := fmt.Sprintf("peer%d.bench.example", i)
		id := "https://" + host + "/actor"
		s.Actors = append(s.Actors, SenderActor{ID: id, KeyID: id + "#main-key", Host: host, Key: pool[i%len(pool)]})
	}
	return s, nil
}

// Register stores the actors in st as OSPOs the node follows (accepted), with
// their keys, and lists them in the directory: what the node holds after
// following them, so that their keys are known without a fetch and their
// events are kept.
func (s *Senders) Register(ctx context.Context, st *store.Store) error {
	return st.InTx(ctx, func(tx *store.Tx) error {
		for i, a := range s.Actors {
			doc, _ := json.Marshal(map[string]any{
				"@context": "https://www.w3.org/ns/activitystreams", "id": a.ID, "type": "Organization",
				"preferredUsername": "ospo", "name": fmt.Sprintf("Sender OSPO %d", i), "inbox": a.ID + "/inbox",
				"ospo:country": "DE", "ospo:governmentLevel": "municipal",
			})
			if err := tx.PutActor(ctx, &store.Actor{ID: a.ID, Type: "Organization", Host: a.Host, Username: "ospo",
				Inbox: a.ID + "/inbox", SharedInbox: "https://" + a.Host + "/inbox", KeyID: a.KeyID,
				PublicKeyPEM: signature.EncodePublicKeyPEM(&a.Key.PublicKey), IsOSPO: true, Doc: string(doc)}); err != nil {
				return err
			}
			if _, err := tx.PutRelation(ctx, store.Following, a.ID, a.ID+"#follow-"+fmt.Sprint(i), store.FollowAccepted); err != nil {
				return err
			}
			p := &store.Profile{Name: store.LangMap{"en": fmt.Sprintf("Sender OSPO %d", i)}, Country: "DE", GovernmentLevel: "municipal"}
			if err := tx.PutDirectoryEntry(ctx, &store.DirectoryEntry{ID: a.ID, Kind: store.KindFollowed, Host: a.Host,
				Account: "ospo@" + a.Host, Profile: p, Source: a.ID}); err != nil {
				return err
			}
		}
		return nil
	})
}

// Presigned is a signed POST ready to send (once: its activity id is unique).
type Presigned struct {
	URL    string
	Header http.Header
	Body   []byte
}

// Request builds the request to send.
func (p *Presigned) Request(ctx context.Context) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.URL, bytes.NewReader(p.Body))
	if err != nil {
		return nil, err
	}
	for k, v := range p.Header {
		if k != "Host" {
			req.Header[k] = v
		}
	}
	return req, nil
}

// CreateEvents signs n Create(Event) activities to inbox, round-robin over
// the actors, using every core. Each has a unique activity and event id
// (tag makes them unique across calls); events start from now on.
func (s *Senders) CreateEvents(inbox, tag string, n int) ([]*Presigned, error) {
	out := make([]*Presigned, n)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	workers := runtime.GOMAXPROCS(0)
	now := time.Now()
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += workers {
				p, err := s.createEvent(inbox, tag, i, now)
				if err != nil {
					mu.Lock()
					firstErr = err
					mu.Unlock()
					return
				}
				out[i] = p
			}
		}()
	}
	wg.Wait()
	return out, firstErr
}

func (s *Senders) createEvent(inbox, tag string, i int, now time.Time) (*Presigned, error) {
	a := s.Actors[i%len(s.Actors)]
	base := strings.TrimSuffix(a.ID, "/actor")
	evID := fmt.Sprintf("%s/events/%s-%d", base, tag, i)
	start := now.Add(time.Duration(24+i%2000) * time.Hour).UTC().Truncate(time.Hour)
	act := map[string]any{
		"@context": "https://www.w3.org/ns/activitystreams",
		"id":       evID + "/activity",
		"type":     "Create",
		"actor":    a.ID,
		"to":       []string{"https://www.w3.org/ns/activitystreams#Public"},
		"object": map[string]any{
			"id": evID, "type": "Event", "attributedTo": a.ID,
			"name":      fmt.Sprintf("Licensing clinic %s %d", tag, i),
			"content":   "<p>Bring your questions on licences, procurement and publishing code.</p>",
			"startTime": start.Format(time.RFC3339), "endTime": start.Add(2 * time.Hour).Format(time.RFC3339),
			"timezone": "Europe/Berlin",
			"location": map[string]any{"type": "Place", "name": "Town hall",
				"address": map[string]any{"type": "PostalAddress", "addressLocality": "Berlin", "addressCountry": "DE"}},
			"to": []string{"https://www.w3.org/ns/activitystreams#Public"},
		},
	}
	body, err := json.Marshal(act)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequest(http.MethodPost, inbox, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", as2.ContentTypeActivity)
	if err := signature.Sign(req, body, a.Key, a.KeyID, now); err != nil {
		return nil, err
	}
	return &Presigned{URL: inbox, Header: req.Header, Body: body}, nil
}
