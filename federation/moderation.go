package federation

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/ospod/ospod/federation/signature"
	"github.com/ospod/ospod/store"
)

// ErrDomainBlocked means a host is blocked, or not on the allow-list in allow-list mode.
var ErrDomainBlocked = errors.New("domain not allowed to federate with this node")

// rules caches the domain blocks and allow-list. Changes made by this
// process invalidate it at once; changes made by the CLI in another process
// are seen within rulesTTL.
type rules struct {
	mu        sync.Mutex
	loaded    time.Time
	blocks    []string
	allows    []string
	allowlist bool
}

const rulesTTL = 5 * time.Second

func (n *Node) loadRules(ctx context.Context) (*rules, error) {
	r := n.rules
	r.mu.Lock()
	defer r.mu.Unlock()
	if time.Since(r.loaded) < rulesTTL {
		return r, nil
	}
	blocks, err := n.st.DomainBlocks(ctx)
	if err != nil {
		return nil, err
	}
	allows, err := n.st.DomainAllows(ctx)
	if err != nil {
		return nil, err
	}
	mode, err := n.st.Setting(ctx, store.SettingAllowlist)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	r.blocks, r.allows = r.blocks[:0], r.allows[:0]
	for _, b := range blocks {
		r.blocks = append(r.blocks, b.Domain)
	}
	for _, a := range allows {
		r.allows = append(r.allows, a.Domain)
	}
	r.allowlist = mode == "true"
	r.loaded = time.Now()
	return r, nil
}

func (n *Node) invalidateRules() {
	n.rules.mu.Lock()
	n.rules.loaded = time.Time{}
	n.rules.mu.Unlock()
}

// Allowed reports whether the node may federate with host (host[:port]).
func (n *Node) Allowed(ctx context.Context, host string) bool {
	r, err := n.loadRules(ctx)
	if err != nil {
		n.log.Error("load domain rules", "err", err)
		return false // fail closed
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, b := range r.blocks {
		if store.DomainMatches(b, host) {
			return false
		}
	}
	if !r.allowlist {
		return true
	}
	for _, a := range r.allows {
		if store.DomainMatches(a, host) {
			return true
		}
	}
	return false
}

// allowedURL is Allowed for a URL's host.
func (n *Node) allowedURL(ctx context.Context, u string) error {
	if !n.Allowed(ctx, store.HostOf(u)) {
		return ErrDomainBlocked
	}
	return nil
}

// BlockDomain blocks a domain (and its subdomains, unless a port is given):
// its requests are refused, nothing is fetched from or delivered to it, and
// everything cached from it is purged, in one transaction.
func (n *Node) BlockDomain(ctx context.Context, domain, reason string) error {
	return n.blockDomain(ctx, domain, reason, nil)
}

// DomainError says why a domain cannot be blocked.
type DomainError struct{ Reason string }

func (e *DomainError) Error() string { return e.Reason }

// blockDomain is BlockDomain, with more writes (also) in its transaction.
func (n *Node) blockDomain(ctx context.Context, domain, reason string, also func(tx *store.Tx) error) error {
	domain = store.NormalizeDomain(domain)
	if domain == "" || strings.ContainsAny(domain, " /@") {
		return &DomainError{"not a domain name"}
	}
	if store.DomainMatches(domain, n.base.Host) {
		return &DomainError{"a node cannot block itself"}
	}
	err := n.st.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.AddDomainBlock(ctx, domain, reason); err != nil {
			return err
		}
		if err := tx.PurgeDomain(ctx, domain); err != nil {
			return err
		}
		if also != nil {
			return also(tx)
		}
		return nil
	})
	n.invalidateRules()
	if err == nil {
		n.log.Info("domain blocked", "domain", domain, "reason", reason)
	}
	return err
}

// UnblockDomain lifts a block; store.ErrNotFound if there was none.
func (n *Node) UnblockDomain(ctx context.Context, domain string) error {
	err := n.st.RemoveDomainBlock(ctx, domain)
	n.invalidateRules()
	return err
}

// SetAllowlistMode turns allow-list mode on or off. Turning it on purges
// everything cached from domains not on the list.
func (n *Node) SetAllowlistMode(ctx context.Context, on bool) error {
	value := "false"
	if on {
		value = "true"
	}
	if err := n.st.SetSetting(ctx, store.SettingAllowlist, value); err != nil {
		return err
	}
	n.invalidateRules()
	if !on {
		return nil
	}
	entries, err := n.st.DirectoryEntries(ctx)
	if err != nil {
		return err
	}
	hosts := map[string]bool{}
	for _, e := range entries {
		if e.Kind != store.KindSelf && e.Kind != store.KindListed {
			hosts[e.Host] = true
		}
	}
	actors, err := n.st.KnownActors(ctx)
	if err != nil {
		return err
	}
	for _, a := range actors {
		hosts[a.Host] = true
	}
	return n.st.InTx(ctx, func(tx *store.Tx) error {
		for h := range hosts {
			if !n.Allowed(ctx, h) {
				if err := tx.PurgeDomain(ctx, h); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// AllowDomain adds a domain to the allow-list; DisallowDomain removes it.
func (n *Node) AllowDomain(ctx context.Context, domain string) error {
	err := n.st.AddDomainAllow(ctx, domain)
	n.invalidateRules()
	return err
}

// DisallowDomain removes a domain from the allow-list.
func (n *Node) DisallowDomain(ctx context.Context, domain string) error {
	err := n.st.RemoveDomainAllow(ctx, domain)
	n.invalidateRules()
	return err
}

// AllowlistMode reports whether allow-list mode is on.
func (n *Node) AllowlistMode(ctx context.Context) bool {
	r, err := n.loadRules(ctx)
	if err != nil {
		return true
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.allowlist
}

// RemovePeer removes one OSPO from the directory: it is unfollowed if
// followed, its cached data is dropped, and discovery will not add it again.
func (n *Node) RemovePeer(ctx context.Context, idOrSlug string) error {
	e, err := n.st.DirectoryEntry(ctx, idOrSlug)
	if err != nil {
		return err
	}
	if e.Kind == store.KindSelf {
		return errors.New("the node's own OSPO cannot be removed")
	}
	if rel, err := n.st.RelationWith(ctx, store.Following, e.ID); err == nil {
		if err := n.Unfollow(ctx, rel.ID); err != nil {
			return err
		}
	}
	return n.st.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.DeleteDirectoryEntry(ctx, e.ID); err != nil {
			return err
		}
		return tx.PutPeer(ctx, &store.Peer{ActorID: e.ID, State: store.PeerDismissed, NextFetchAt: tx.Now().Add(100 * 365 * 24 * time.Hour)})
	})
}

// keyIDHost reads the host of the signature's keyId (draft-cavage or RFC
// 9421) without verifying anything, so a blocked domain is refused before
// any work or fetch.
func keyIDHost(h http.Header) string {
	if id := signature.ClaimedKeyID(h); id != "" {
		return store.HostOf(id)
	}
	return ""
}
