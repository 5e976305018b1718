// Package federation is everything ActivityPub: the actor and its keys,
// WebFinger, NodeInfo, and the write paths that peers must hear about. The
// documents themselves are built by federation/as2; HTTP signatures live in
// federation/signature.
package federation

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ospod/ospod/federation/as2"
	"github.com/ospod/ospod/federation/remote"
	"github.com/ospod/ospod/federation/signature"
	"github.com/ospod/ospod/store"
)

// Version is the software version reported in NodeInfo and the User-Agent.
var Version = "0.1.0"

// Options configures a Node. BaseURL and Handle are required.
type Options struct {
	// BaseURL is the node's public origin, e.g. https://ospo.example.org.
	BaseURL string
	// Handle is the actor's preferred username (acct:HANDLE@HOST).
	Handle string
	// AllowPrivateNetworks lets outbound requests reach loopback and private addresses.
	AllowPrivateNetworks bool
	// AllowPrefixes exempts address ranges from the private-network check (tests).
	AllowPrefixes []netip.Prefix
	// HTTPTimeout bounds each outgoing request (default 30 s).
	HTTPTimeout time.Duration
	// Delivery tunes the delivery worker; zero values select the defaults.
	Delivery DeliveryOptions
	// Discovery tunes peer discovery; zero values select the defaults.
	Discovery DiscoveryOptions
	// Logger receives structured logs (default slog.Default()).
	Logger *slog.Logger
	// Now is the clock used for signatures (default time.Now); tests pin it.
	Now func() time.Time
}

// Node is one OSPO's ActivityPub presence.
type Node struct {
	st     *store.Store
	log    *slog.Logger
	opts   Options
	base   *url.URL
	key    *rsa.PrivateKey
	pubPEM string
	URLs   as2.URLs
	client *remote.Client
	keys   *keyCache
	wake   chan struct{} // nudges the delivery worker after an enqueue
	docs   docCache      // rendered actor, NodeInfo and event documents (doccache.go)
	rules  *rules
	// discoverWake asks the discovery loop for a round soon.
	discoverWake chan struct{}
	tasks        *tasks // background tasks, awaited by Close (lifecycle.go)
	ownsStore    bool   // opened by Open: Close closes the store too
	// deliveryBeat is when the delivery worker last went round its loop
	// (unix nanoseconds; 0 while it is not running): the readiness check reads it.
	deliveryBeat atomic.Int64
}

// New loads the node's key pair from the store (creating it on first start).
func New(ctx context.Context, st *store.Store, o Options) (*Node, error) {
	base, err := ParseBaseURL(o.BaseURL)
	if err != nil {
		return nil, err
	}
	if !ValidHandle(o.Handle) {
		return nil, fmt.Errorf("handle %q: use 1-30 lower-case letters, digits, '_' or '.'", o.Handle)
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	n := &Node{st: st, log: o.Logger, opts: o, base: base, keys: newKeyCache(), wake: make(chan struct{}, 1), rules: &rules{}, discoverWake: make(chan struct{}, 1),
		tasks: newTasks()}
	n.client = remote.NewClient(remote.Options{
		AllowPrivateNetworks: o.AllowPrivateNetworks,
		AllowPrefixes:        o.AllowPrefixes,
		UserAgent:            "ospod/" + Version + " (+" + base.String() + ")",
		TotalTimeout:         o.HTTPTimeout,
	})
	n.URLs = as2.NewURLs(base.String())
	if err := checkIdentity(ctx, st, base.String(), o.Handle); err != nil {
		return nil, err
	}
	if n.key, err = loadOrCreateKey(ctx, st, n.log); err != nil {
		return nil, err
	}
	n.pubPEM = signature.EncodePublicKeyPEM(&n.key.PublicKey)
	if err := n.reindexSelf(ctx); err != nil {
		return nil, fmt.Errorf("index the node's own data: %w", err)
	}
	return n, nil
}

// HTTPClient returns an *http.Client under the node's rules for remote
// servers (address checks, redirects, body and time limits), for
// libraries that make their own requests, such as OpenID Connect.
func (n *Node) HTTPClient() *http.Client { return n.client.HTTPClient() }

// Store returns the node's store.
func (n *Node) Store() *store.Store { return n.st }

// Handle returns the actor's username.
func (n *Node) Handle() string { return n.opts.Handle }

// Host returns the node's host as used in handles (with the port if the base URL has one).
func (n *Node) Host() string { return n.base.Host }

// Account returns the acct: handle, e.g. ospo@city.example.
func (n *Node) Account() string { return n.opts.Handle + "@" + n.base.Host }

// PublicKeyPEM returns the actor's public key.
func (n *Node) PublicKeyPEM() string { return n.pubPEM }

// ParseBaseURL checks a public base URL: absolute http(s), no path, query or credentials.
func ParseBaseURL(s string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimRight(s, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("base URL %q: want an absolute http(s) URL such as https://ospo.example.org", s)
	}
	if u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, fmt.Errorf("base URL %q: must be an origin only, without path, query or credentials", s)
	}
	u.Host = strings.ToLower(u.Host)
	return u, nil
}

// ValidHandle reports whether h can be an actor's username.
func ValidHandle(h string) bool {
	if h == "" || len(h) > 30 {
		return false
	}
	for _, r := range h {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

// loadOrCreateKey returns the actor's RSA key, generating and storing it once.
func loadOrCreateKey(ctx context.Context, st *store.Store, log *slog.Logger) (*rsa.PrivateKey, error) {
	pemText, err := st.Setting(ctx, store.SettingPrivateKey)
	if errors.Is(err, store.ErrNotFound) {
		key, err := signature.GenerateKey()
		if err != nil {
			return nil, err
		}
		created, err := st.SetSettingIfAbsent(ctx, store.SettingPrivateKey, signature.EncodePrivateKeyPEM(key))
		if err != nil {
			return nil, fmt.Errorf("store key: %w", err)
		}
		if created {
			log.Info("created the actor's RSA-2048 key pair")
		}
		// Read back: another process may have won the race.
		if pemText, err = st.Setting(ctx, store.SettingPrivateKey); err != nil {
			return nil, err
		}
	} else if err != nil {
		return nil, fmt.Errorf("load key: %w", err)
	}
	return signature.DecodePrivateKeyPEM(pemText)
}

// checkIdentity ties a data folder to one base URL and handle, recorded at
// first start: every published id depends on them, and a command run with
// another OSPO_BASE_URL would otherwise speak as a different actor with this
// actor's key.
func checkIdentity(ctx context.Context, st *store.Store, base, handle string) error {
	for _, s := range []struct{ key, want, name string }{
		{store.SettingBaseURL, base, "OSPO_BASE_URL"}, {store.SettingHandle, handle, "OSPO_HANDLE"},
	} {
		if _, err := st.SetSettingIfAbsent(ctx, s.key, s.want); err != nil {
			return err
		}
		got, err := st.Setting(ctx, s.key)
		if err != nil {
			return err
		}
		if got != s.want {
			return fmt.Errorf("this data folder belongs to the node with %s=%s, not %s: the ids of everything it "+
				"published depend on it; use the same value or another data folder", s.name, got, s.want)
		}
	}
	return nil
}
