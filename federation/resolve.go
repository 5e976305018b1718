package federation

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	vocab "github.com/go-ap/activitypub"

	"github.com/ospod/ospod/federation/remote"
	"github.com/ospod/ospod/federation/signature"
	"github.com/ospod/ospod/store"
)

// actorTypes are the actor types we follow and accept followers of.
var actorTypes = map[vocab.ActivityVocabularyType]bool{
	vocab.PersonType: true, vocab.OrganizationType: true, vocab.ServiceType: true,
	vocab.ApplicationType: true, vocab.GroupType: true,
}

// parseActor reads a fetched actor document and checks what we rely on: a
// known actor type, inboxes and key on the actor's own origin, and a key
// that names the actor as its owner (federation-security.md D9, D39).
func parseActor(doc []byte) (*store.Actor, error) {
	if err := checkDepth(doc); err != nil {
		return nil, err
	}
	it, err := vocab.UnmarshalJSON(doc)
	if err != nil || vocab.IsNil(it) {
		return nil, errors.New("not an ActivityStreams actor")
	}
	var a *vocab.Actor
	if err := vocab.OnActor(it, func(x *vocab.Actor) error { a = x; return nil }); err != nil || a == nil {
		return nil, errors.New("not an actor")
	}
	if !actorTypes[a.Type] {
		return nil, fmt.Errorf("actor type %q is not supported", a.Type)
	}
	id := string(a.ID)
	if !isHTTPURL(id) {
		return nil, errors.New("actor id is not an http(s) URL")
	}
	out := &store.Actor{ID: id, Type: string(a.Type), Host: store.HostOf(id), Doc: string(doc)}
	if !vocab.IsNil(a.Inbox) {
		out.Inbox = string(a.Inbox.GetLink())
	}
	if out.Inbox == "" || !sameOrigin(out.Inbox, id) {
		return nil, errors.New("actor inbox missing or on another origin")
	}
	if a.Endpoints != nil && !vocab.IsNil(a.Endpoints.SharedInbox) {
		if si := string(a.Endpoints.SharedInbox.GetLink()); sameOrigin(si, id) {
			out.SharedInbox = si
		}
	}
	out.Username = a.PreferredUsername.First().String()
	if len(out.Username) > 100 {
		out.Username = out.Username[:100]
	}
	out.KeyID, out.PublicKeyPEM = string(a.PublicKey.ID), a.PublicKey.PublicKeyPem
	if out.KeyID == "" || out.PublicKeyPEM == "" {
		return nil, errors.New("actor has no publicKey")
	}
	if string(a.PublicKey.Owner) != id || !sameOrigin(out.KeyID, id) {
		return nil, errors.New("actor's publicKey is not owned by the actor")
	}
	if _, err := signature.ParsePublicKeyPEM(out.PublicKeyPEM); err != nil {
		return nil, fmt.Errorf("actor's publicKey: %w", err)
	}
	var raw map[string]json.RawMessage
	if json.Unmarshal(doc, &raw) == nil {
		_, hasCountry := raw["ospo:country"]
		_, hasLevel := raw["ospo:governmentLevel"]
		out.IsOSPO = hasCountry || hasLevel
	}
	return out, nil
}

// FetchActor fetches an actor by its id with a signed GET, checks it and
// stores it. A document that claims another id on the same origin (e.g. a
// profile URL) is re-fetched once by that id, which must then match.
func (n *Node) FetchActor(ctx context.Context, id string) (*store.Actor, error) {
	doc, err := n.getActivity(ctx, id)
	var mismatch *remote.IDMismatchError
	if errors.As(err, &mismatch) && mismatch.ID != "" && sameOrigin(mismatch.ID, id) && mismatch.ID != id {
		id = mismatch.ID
		doc, err = n.getActivity(ctx, id)
	}
	if err != nil {
		return nil, err
	}
	a, err := parseActor(doc)
	if err != nil {
		return nil, fmt.Errorf("actor %s: %w", id, err)
	}
	if a.ID != id {
		return nil, fmt.Errorf("actor %s: document id %s differs", id, a.ID)
	}
	if a.ID == n.URLs.Actor {
		return nil, errors.New("that is this node's own actor")
	}
	err = n.st.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.PutActor(ctx, a); err != nil {
			return err
		}
		return n.indexPeer(ctx, tx, a.ID)
	})
	if err != nil {
		return nil, fmt.Errorf("store actor %s: %w", id, err)
	}
	n.keys.forget(a.KeyID)
	return a, nil
}

// getActivity fetches an ActivityStreams document with a signed GET, unless
// its domain is blocked.
func (n *Node) getActivity(ctx context.Context, url string) ([]byte, error) {
	if err := n.allowedURL(ctx, url); err != nil {
		return nil, err
	}
	return n.client.GetActivity(ctx, url, n.signer())
}

// signer signs outgoing requests with the actor's key. GoToSocial and
// Mastodon in secure mode answer 401 to unsigned fetches.
func (n *Node) signer() remote.RequestSigner { return signature.Signer(n.key, n.URLs.KeyID) }

// keyCache keeps parsed public keys and rate-limits re-fetches.
type keyCache struct {
	mu        sync.Mutex
	keys      map[string]*rsa.PublicKey
	refetched map[string]time.Time // last forced re-fetch per key id
	failed    map[string]time.Time // negative cache of failed fetches
}

func newKeyCache() *keyCache {
	return &keyCache{keys: map[string]*rsa.PublicKey{}, refetched: map[string]time.Time{}, failed: map[string]time.Time{}}
}

func (k *keyCache) get(id string) *rsa.PublicKey {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.keys[id]
}

func (k *keyCache) put(id string, pub *rsa.PublicKey) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if len(k.keys) > 50000 { // bound memory; the store still has every key
		clear(k.keys)
	}
	k.keys[id] = pub
}

func (k *keyCache) forget(id string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	delete(k.keys, id)
}

// allow reports whether an event for id may happen now, at most once per
// interval, and records it when it may.
func allow(mu *sync.Mutex, m map[string]time.Time, id string, interval time.Duration, now time.Time) bool {
	mu.Lock()
	defer mu.Unlock()
	if last, ok := m[id]; ok && now.Sub(last) < interval {
		return false
	}
	if len(m) > 10000 {
		for k, t := range m {
			if now.Sub(t) >= interval {
				delete(m, k)
			}
		}
	}
	m[id] = now
	return true
}

// Key re-fetch limits: a rotated key is re-fetched at most once per keyRefetchInterval;
// a key that could not be fetched is not tried again for keyFailureTTL.
const (
	keyRefetchInterval = 10 * time.Minute
	keyFailureTTL      = time.Minute
)

// resolveKey is the KeyResolver of the inbox: the cached key, else (or on
// refresh, rate-limited) the key fetched from its owner's actor document.
func (n *Node) resolveKey(ctx context.Context, keyID string, refresh bool) (*rsa.PublicKey, error) {
	if !refresh {
		if pub := n.keys.get(keyID); pub != nil {
			return pub, nil
		}
		if a, err := n.st.ActorByKey(ctx, keyID); err == nil {
			pub, err := signature.ParsePublicKeyPEM(a.PublicKeyPEM)
			if err != nil {
				return nil, err
			}
			n.keys.put(keyID, pub)
			return pub, nil
		} else if !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
	} else if !allow(&n.keys.mu, n.keys.refetched, keyID, keyRefetchInterval, time.Now()) {
		return nil, errors.New("key was re-fetched recently; not again yet")
	}
	if n.keys.recentlyFailed(keyID) {
		return nil, errors.New("key could not be fetched recently")
	}
	a, err := n.fetchKeyOwner(ctx, keyID)
	if err != nil {
		n.keys.markFailed(keyID)
		return nil, fmt.Errorf("fetch key %s: %w", keyID, err)
	}
	pub, err := signature.ParsePublicKeyPEM(a.PublicKeyPEM)
	if err != nil {
		return nil, err
	}
	n.keys.put(keyID, pub)
	return pub, nil
}

func (k *keyCache) recentlyFailed(id string) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	t, ok := k.failed[id]
	return ok && time.Since(t) < keyFailureTTL
}

func (k *keyCache) markFailed(id string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if len(k.failed) > 10000 {
		clear(k.failed)
	}
	k.failed[id] = time.Now()
}

// fetchKeyOwner finds the actor of a key id: Mastodon's keys are fragments of
// the actor URL (…/actor#main-key); GoToSocial's are separate URLs
// (…/main-key) whose document names the owner. Either way the actor must
// embed exactly this key.
func (n *Node) fetchKeyOwner(ctx context.Context, keyID string) (*store.Actor, error) {
	actorURL, _, _ := strings.Cut(keyID, "#")
	if !isHTTPURL(actorURL) {
		return nil, errors.New("keyId is not an http(s) URL")
	}
	a, err := n.FetchActor(ctx, actorURL)
	if err != nil {
		var mismatch *remote.IDMismatchError
		if !errors.As(err, &mismatch) {
			// A key document that is not an actor: read its owner.
			owner, oerr := n.keyDocOwner(ctx, actorURL)
			if oerr != nil {
				return nil, err
			}
			a, err = n.FetchActor(ctx, owner)
		}
		if err != nil {
			return nil, err
		}
	}
	if a.KeyID != keyID {
		return nil, errors.New("the key's owner does not publish this key")
	}
	return a, nil
}

// keyDocOwner reads the owner of a stand-alone key document.
func (n *Node) keyDocOwner(ctx context.Context, keyURL string) (string, error) {
	doc, err := n.getActivity(ctx, keyURL)
	if err != nil {
		return "", err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(doc, &m); err != nil {
		return "", err
	}
	owner := optString(m, "owner")
	if owner == "" {
		var pk map[string]json.RawMessage
		if json.Unmarshal(m["publicKey"], &pk) == nil {
			owner = optString(pk, "owner")
		}
	}
	if !isHTTPURL(owner) || !sameOrigin(owner, keyURL) {
		return "", errors.New("key document names no owner on its origin")
	}
	return owner, nil
}
