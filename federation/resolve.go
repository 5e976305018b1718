package federation

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/ospod/ospod/federation/as2"
	"github.com/ospod/ospod/federation/remote"
	"github.com/ospod/ospod/federation/signature"
	"github.com/ospod/ospod/store"
)

// readActor reads a fetched actor document once (as2.ReadActor: the
// record and, for an OSPO, its profile) and checks that its key parses.
func readActor(doc []byte) (*store.Actor, *store.Profile, error) {
	a, p, err := as2.ReadActor(doc)
	if err != nil {
		return nil, nil, err
	}
	if _, err := signature.ParsePublicKeyPEM(a.PublicKeyPEM); err != nil {
		return nil, nil, fmt.Errorf("actor's publicKey: %w", err)
	}
	return a, p, nil
}

// FetchActor fetches an actor by its id with a signed GET, checks it and
// stores it. A document that claims another id on the same origin (e.g. a
// profile URL) is re-fetched once by that id, which must then match.
func (n *Node) FetchActor(ctx context.Context, id string) (*store.Actor, error) {
	a, _, err := n.fetchActor(ctx, id)
	return a, err
}

// fetchActor is FetchActor that also returns the actor's OSPO profile (nil
// when it is not an OSPO), read from the same parse of the document.
func (n *Node) fetchActor(ctx context.Context, id string) (*store.Actor, *store.Profile, error) {
	doc, err := n.getActivity(ctx, id)
	var mismatch *remote.IDMismatchError
	if errors.As(err, &mismatch) && mismatch.ID != "" && as2.SameOrigin(mismatch.ID, id) && mismatch.ID != id {
		id = mismatch.ID
		doc, err = n.getActivity(ctx, id)
	}
	if err != nil {
		return nil, nil, err
	}
	a, p, err := readActor(doc)
	if err != nil {
		return nil, nil, fmt.Errorf("actor %s: %w", id, err)
	}
	if a.ID != id {
		return nil, nil, fmt.Errorf("actor %s: document id %s differs", id, a.ID)
	}
	if a.ID == n.URLs.Actor {
		return nil, nil, errors.New("that is this node's own actor")
	}
	err = n.st.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.PutActor(ctx, a); err != nil {
			return err
		}
		return n.indexActor(ctx, tx, a, p)
	})
	if err != nil {
		return nil, nil, fmt.Errorf("store actor %s: %w", id, err)
	}
	return a, p, nil
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

// keyCache keeps parsed public keys and rate-limits re-fetches. It is no
// record of who exists: a key is used only for an actor the store still
// holds (see resolveKey), so every way an actor is removed (its own Delete, a
// domain block, allow-list mode, the CLI in another process) ends the use of
// its key at once, with nothing to forget here.
type keyCache struct {
	mu        sync.Mutex
	keys      map[string]cachedKey
	refetched map[string]time.Time // last forced re-fetch per key id
	failed    map[string]time.Time // negative cache of failed fetches
}

// cachedKey is a parsed key with the PEM text it was parsed from: a stored
// key that changed (a rotation) is parsed again.
type cachedKey struct {
	pem string
	pub *rsa.PublicKey
}

func newKeyCache() *keyCache {
	return &keyCache{keys: map[string]cachedKey{}, refetched: map[string]time.Time{}, failed: map[string]time.Time{}}
}

// parse returns the parsed public key of a, from the cache when a's key has
// not changed since it was parsed.
func (k *keyCache) parse(a *store.Actor) (*rsa.PublicKey, error) {
	k.mu.Lock()
	c, ok := k.keys[a.KeyID]
	k.mu.Unlock()
	if ok && c.pem == a.PublicKeyPEM {
		return c.pub, nil
	}
	pub, err := signature.ParsePublicKeyPEM(a.PublicKeyPEM)
	if err != nil {
		return nil, err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if len(k.keys) > 50000 { // bound memory; the store still has every key
		clear(k.keys)
	}
	k.keys[a.KeyID] = cachedKey{pem: a.PublicKeyPEM, pub: pub}
	return pub, nil
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

// resolveKey finds the actor holding keyID and its parsed key for the
// inbox: the stored actor, else (or on refresh, rate-limited) the actor
// fetched from the key's origin. When the actor is not stored and unknown
// reports true, it returns errSkip instead of fetching.
func (n *Node) resolveKey(ctx context.Context, keyID string, refresh bool, unknown func() bool) (*store.Actor, *rsa.PublicKey, error) {
	if !refresh {
		// The store, not the cache, says whether the actor exists.
		a, err := n.st.ActorByKey(ctx, keyID)
		if err == nil {
			pub, err := n.keys.parse(a)
			return a, pub, err
		}
		if !errors.Is(err, store.ErrNotFound) {
			return nil, nil, err
		}
		if unknown != nil && unknown() {
			return nil, nil, errSkip
		}
	} else if !allow(&n.keys.mu, n.keys.refetched, keyID, keyRefetchInterval, time.Now()) {
		return nil, nil, errors.New("key was re-fetched recently; not again yet")
	}
	if n.keys.recentlyFailed(keyID) {
		return nil, nil, errors.New("key could not be fetched recently")
	}
	a, err := n.fetchKeyOwner(ctx, keyID)
	if err != nil {
		n.keys.markFailed(keyID)
		return nil, nil, fmt.Errorf("fetch key %s: %w", keyID, err)
	}
	pub, err := n.keys.parse(a)
	return a, pub, err
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
	if !as2.IsHTTPURL(actorURL) {
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
	owner, err := as2.KeyOwner(doc)
	if err != nil {
		return "", err
	}
	if !as2.IsHTTPURL(owner) || !as2.SameOrigin(owner, keyURL) {
		return "", errors.New("key document names no owner on its origin")
	}
	return owner, nil
}
