// Package remote is the HTTP client for untrusted remote servers: the SSRF
// guard on the resolved address at dial time (DNS rebinding), redirect hops
// re-checked, bounded bodies and timeouts, Retry-After, conditional GETs,
// and the ActivityPub origin checks (AS2 content type, id == URL) from
// federation-security.md §1.1–1.2 and D20–D26. It knows nothing of the
// node, the store or signatures: a caller that signs passes a RequestSigner.
//
// Files: client.go (options and transport), addresses.go (which URLs and
// addresses may be contacted), get.go (GETs, redirects, conditional
// requests), post.go (deliveries, Retry-After), activity.go (ActivityStreams
// checks), errors.go.
package remote

import (
	"crypto/tls"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"time"
)

// Default limits, after Mastodon's app/lib/request.rb (CVE-2023-36461).
const (
	// DefaultMaxBodyBytes bounds response bodies.
	DefaultMaxBodyBytes int64 = 1 << 20
	// DefaultConnectTimeout bounds TCP connect and TLS handshake.
	DefaultConnectTimeout = 5 * time.Second
	// DefaultResponseHeaderTimeout bounds the wait for response headers.
	DefaultResponseHeaderTimeout = 10 * time.Second
	// DefaultTotalTimeout bounds a whole call, redirects and body included.
	DefaultTotalTimeout = 30 * time.Second
	// DefaultMaxRedirects is the number of redirect hops a GET follows.
	DefaultMaxRedirects = 3
	// DefaultUserAgent is sent when Options.UserAgent is empty.
	DefaultUserAgent = "ospod (+https://github.com/ospod/ospod)"

	// maxDiscardBytes is how much of an unwanted response body is read
	// (so the connection can be reused) before it is dropped.
	maxDiscardBytes = 64 << 10
	// maxResponseHeaderBytes bounds response headers (Go's default is 1 MiB).
	maxResponseHeaderBytes = 64 << 10
)

// Options configures NewClient; zero values select the defaults.
type Options struct {
	// AllowPrivateNetworks disables the address checks (tests, demos on a LAN).
	AllowPrivateNetworks bool
	// AllowPrefixes exempts these ranges from the address checks, e.g.
	// 127.0.0.1/32 for a loopback test harness that keeps a canary on
	// 127.0.0.2 blocked (federation-security.md §5).
	AllowPrefixes []netip.Prefix
	// UserAgent is sent on every request (default DefaultUserAgent).
	UserAgent string
	// MaxBodyBytes bounds response bodies (default 1 MiB).
	MaxBodyBytes int64
	// ConnectTimeout bounds TCP connect and TLS handshake (default 5 s).
	ConnectTimeout time.Duration
	// ResponseHeaderTimeout bounds the wait for response headers (default 10 s).
	ResponseHeaderTimeout time.Duration
	// TotalTimeout bounds a whole call, redirects and body included (default 30 s).
	TotalTimeout time.Duration
	// MaxRedirects is the number of redirect hops followed by GETs
	// (default 3; negative follows none).
	MaxRedirects int
}

// Client is an HTTP client for untrusted remote servers. It is safe for
// concurrent use.
type Client struct {
	opts      Options
	transport *http.Transport
	hc        *http.Client
}

// RequestSigner signs an outgoing request whose payload is body (nil for a
// GET). A nil RequestSigner means the request is sent unsigned.
// signature.Signer returns one.
type RequestSigner func(req *http.Request, body []byte) error

// NewClient returns a Client with o's settings.
func NewClient(o Options) *Client {
	o = o.withDefaults()
	c := &Client{opts: o}
	dialer := &net.Dialer{
		Timeout:   o.ConnectTimeout,
		KeepAlive: 30 * time.Second,
		// Control runs on the resolved address of every connection attempt,
		// so a name that re-resolves to a private address is still refused.
		Control: c.dialControl,
	}
	c.transport = &http.Transport{
		Proxy:                  nil, // a proxy would make the dial check see the proxy's address
		DialContext:            dialer.DialContext,
		ForceAttemptHTTP2:      true,
		TLSClientConfig:        &tls.Config{MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:    o.ConnectTimeout,
		ResponseHeaderTimeout:  o.ResponseHeaderTimeout,
		ExpectContinueTimeout:  time.Second,
		MaxIdleConns:           100,
		MaxIdleConnsPerHost:    4,
		IdleConnTimeout:        90 * time.Second,
		MaxResponseHeaderBytes: maxResponseHeaderBytes,
	}
	c.hc = &http.Client{
		Transport: c.transport,
		// Redirects are followed by hand so every hop is checked and re-signed.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return c
}

// withDefaults fills in zero values and copies the caller's slices.
func (o Options) withDefaults() Options {
	if o.UserAgent == "" {
		o.UserAgent = DefaultUserAgent
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = DefaultConnectTimeout
	}
	if o.ResponseHeaderTimeout <= 0 {
		o.ResponseHeaderTimeout = DefaultResponseHeaderTimeout
	}
	if o.TotalTimeout <= 0 {
		o.TotalTimeout = DefaultTotalTimeout
	}
	switch {
	case o.MaxRedirects == 0:
		o.MaxRedirects = DefaultMaxRedirects
	case o.MaxRedirects < 0:
		o.MaxRedirects = 0
	}
	o.AllowPrefixes = slices.Clone(o.AllowPrefixes)
	return o
}

// TotalTimeout is the bound of one call, redirects and body included, with
// the default applied.
func (c *Client) TotalTimeout() time.Duration { return c.opts.TotalTimeout }
