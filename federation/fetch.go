package federation

// An outbound HTTP client for talking to untrusted remote servers: SSRF
// guard on the resolved address at dial time (DNS rebinding), redirect
// hops re-checked, bounded bodies and timeouts, and the ActivityPub
// origin checks (AS2 content type, id == URL) from
// federation-security.md §1.1–1.2 and D20–D26.

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/ospod/ospod/federation/signature"
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
	// DefaultUserAgent is sent when ClientOptions.UserAgent is empty.
	DefaultUserAgent = "ospod (+https://github.com/ospod/ospod)"

	// maxDiscardBytes is how much of an unwanted response body is read
	// (so the connection can be reused) before it is dropped.
	maxDiscardBytes = 64 << 10
	// maxRetryAfter clamps absurd Retry-After values.
	maxRetryAfter = 30 * 24 * time.Hour
	// maxResponseHeaderBytes bounds response headers (Go's default is 1 MiB).
	maxResponseHeaderBytes = 64 << 10
)

// ActivityStreams media types.
const (
	// ActivityStreamsProfile is the AS2 namespace, used as ld+json profile.
	ActivityStreamsProfile = "https://www.w3.org/ns/activitystreams"
	// AcceptActivity is the Accept header sent when fetching AS2 objects.
	AcceptActivity = `application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"`
)

// Errors returned by Client; test them with errors.Is.
var (
	// ErrURLNotAllowed: the URL is malformed, not http(s), carries
	// userinfo, or (without AllowPrivateNetworks) names a local target.
	ErrURLNotAllowed = errors.New("federation: URL not allowed")
	// ErrBlockedAddress: the target resolved (or is) a non-public address.
	ErrBlockedAddress = errors.New("federation: address not allowed")
	// ErrTooManyRedirects: more than MaxRedirects hops.
	ErrTooManyRedirects = errors.New("federation: too many redirects")
	// ErrRedirectLoop: a redirect chain revisited a URL.
	ErrRedirectLoop = errors.New("federation: redirect loop")
	// ErrSchemeDowngrade: an https URL redirected to http.
	ErrSchemeDowngrade = errors.New("federation: redirect from https to http")
	// ErrTooLarge: the response body exceeded MaxBodyBytes.
	ErrTooLarge = errors.New("federation: response body too large")
	// ErrContentType: a fetched object was not served as ActivityStreams.
	ErrContentType = errors.New("federation: not an ActivityStreams content type")
	// ErrInvalidDocument: the body is not a JSON object with a string id.
	ErrInvalidDocument = errors.New("federation: invalid ActivityStreams document")
)

// HTTPStatusError is a non-2xx answer to a GET.
type HTTPStatusError struct {
	Status     int
	RetryAfter time.Duration // 0 when absent
}

// Error describes the status.
func (e *HTTPStatusError) Error() string {
	return fmt.Sprintf("federation: remote answered %d %s", e.Status, http.StatusText(e.Status))
}

// Gone reports a 410, which callers treat as a permanent deletion.
func (e *HTTPStatusError) Gone() bool { return e.Status == http.StatusGone }

// IDMismatchError means a fetched document's id is not the URL it was
// requested from (CVE-2024-23832). Final is the URL after redirects; a
// caller may re-fetch from ID once and accept only a matching document.
type IDMismatchError struct {
	Requested, Final, ID string
}

// Error describes the mismatch.
func (e *IDMismatchError) Error() string {
	if e.Final != e.Requested {
		return fmt.Sprintf("federation: %s redirected to %s (id %q): identity not accepted", e.Requested, e.Final, e.ID)
	}
	return fmt.Sprintf("federation: document at %s claims id %q", e.Final, e.ID)
}

// ClientOptions configures NewClient; zero values select the defaults.
type ClientOptions struct {
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
	opts      ClientOptions
	transport *http.Transport
	hc        *http.Client
}

// RequestSigner signs an outgoing request whose payload is body (nil for a
// GET). A nil RequestSigner means the request is sent unsigned.
type RequestSigner func(req *http.Request, body []byte) error

// KeySigner returns a RequestSigner that signs with signature.Sign at the
// current time.
func KeySigner(key *rsa.PrivateKey, keyID string) RequestSigner {
	return signature.Signer(key, keyID)
}

// PostResult is the outcome of a Post that got an HTTP response.
type PostResult struct {
	Status     int
	RetryAfter time.Duration // 0 when absent
}

// NewClient returns a Client with o's settings.
func NewClient(o ClientOptions) *Client {
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

// dialControl refuses connections to non-public addresses.
func (c *Client) dialControl(network, address string, _ syscall.RawConn) error {
	if network != "tcp4" && network != "tcp6" {
		return fmt.Errorf("%w: network %s", ErrBlockedAddress, network)
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: %s", ErrBlockedAddress, address)
	}
	if !c.addrAllowed(ap.Addr()) {
		return fmt.Errorf("%w: %s", ErrBlockedAddress, ap.Addr())
	}
	return nil
}

func (c *Client) addrAllowed(a netip.Addr) bool {
	if c.opts.AllowPrivateNetworks {
		return true
	}
	a = a.Unmap().WithZone("")
	for _, p := range c.opts.AllowPrefixes {
		if p.Contains(a) {
			return true
		}
	}
	return !IsBlockedAddress(a)
}

// blockedV4 lists IPv4 ranges that are not globally reachable (IANA IPv4
// special-purpose registry) plus multicast and reserved space.
var blockedV4 = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network", incl. 0.0.0.0
	netip.MustParsePrefix("10.0.0.0/8"),      // RFC 1918
	netip.MustParsePrefix("100.64.0.0/10"),   // CGNAT shared space
	netip.MustParsePrefix("127.0.0.0/8"),     // loopback
	netip.MustParsePrefix("169.254.0.0/16"),  // link-local, cloud metadata
	netip.MustParsePrefix("172.16.0.0/12"),   // RFC 1918
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // TEST-NET-1
	netip.MustParsePrefix("192.88.99.0/24"),  // deprecated 6to4 relay anycast
	netip.MustParsePrefix("192.168.0.0/16"),  // RFC 1918
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // TEST-NET-2
	netip.MustParsePrefix("203.0.113.0/24"),  // TEST-NET-3
	netip.MustParsePrefix("224.0.0.0/4"),     // multicast
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, incl. 255.255.255.255
}

// globalV6 is the only IPv6 space in use on the public internet.
var globalV6 = netip.MustParsePrefix("2000::/3")

// blockedV6 lists special-purpose ranges inside 2000::/3.
var blockedV6 = []netip.Prefix{
	netip.MustParsePrefix("2001::/23"),     // IETF protocol assignments, incl. Teredo 2001::/32
	netip.MustParsePrefix("2001:db8::/32"), // documentation
	netip.MustParsePrefix("2002::/16"),     // 6to4: embeds arbitrary IPv4
	netip.MustParsePrefix("3fff::/20"),     // documentation (RFC 9637)
	netip.MustParsePrefix("5f00::/16"),     // SRv6 SIDs (RFC 9602)
}

// IsBlockedAddress reports whether a is not a public unicast address and so
// must not be contacted: loopback, private, link-local, CGNAT, multicast,
// documentation, benchmarking, reserved, and in IPv6 anything outside
// 2000::/3 (which covers ::1, fc00::/7, fe80::/10, NAT64 64:ff9b::/96) plus
// Teredo, 6to4 and documentation. IPv4-mapped IPv6 is judged as IPv4.
func IsBlockedAddress(a netip.Addr) bool {
	if !a.IsValid() {
		return true
	}
	a = a.Unmap().WithZone("")
	if a.Is4() {
		for _, p := range blockedV4 {
			if p.Contains(a) {
				return true
			}
		}
		return false
	}
	if !globalV6.Contains(a) {
		return true
	}
	for _, p := range blockedV6 {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// CheckURL reports whether u may be fetched: absolute http or https, a
// host, no userinfo, an ASCII host name (normalise IDNs to punycode first),
// no numeric host forms other than canonical IP literals, and unless
// AllowPrivateNetworks, neither "localhost" nor a blocked IP literal. The
// resolved address is checked again when connecting.
func (c *Client) CheckURL(u string) error {
	_, err := c.checkURL(u)
	return err
}

func (c *Client) checkURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrURLNotAllowed, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("%w: scheme %q", ErrURLNotAllowed, u.Scheme)
	}
	if u.Opaque != "" {
		return nil, fmt.Errorf("%w: opaque URL", ErrURLNotAllowed)
	}
	if u.User != nil {
		return nil, fmt.Errorf("%w: userinfo in URL", ErrURLNotAllowed)
	}
	host := u.Hostname()
	if host == "" {
		return nil, fmt.Errorf("%w: no host", ErrURLNotAllowed)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("%w: port %q", ErrURLNotAllowed, p)
		}
	}
	if addr, err := netip.ParseAddr(host); err == nil {
		if !c.addrAllowed(addr) {
			return nil, fmt.Errorf("%w: %w: %s", ErrURLNotAllowed, ErrBlockedAddress, addr)
		}
		return u, nil
	}
	if strings.HasPrefix(u.Host, "[") {
		return nil, fmt.Errorf("%w: bad IP literal", ErrURLNotAllowed)
	}
	name := strings.TrimSuffix(strings.ToLower(host), ".")
	if err := checkHostName(name); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrURLNotAllowed, err)
	}
	if !c.opts.AllowPrivateNetworks && (name == "localhost" || strings.HasSuffix(name, ".localhost")) {
		return nil, fmt.Errorf("%w: %w: %s", ErrURLNotAllowed, ErrBlockedAddress, host)
	}
	return u, nil
}

// checkHostName accepts LDH-style ASCII names (plus '_', seen in the wild).
// A last label that is a number ("2130706433", "0177.0.0.1", "0x7f.1") is
// refused: URL parsers and libc read such hosts as IPv4 addresses in
// decimal, octal or hex (the WHATWG "ends in a number" rule).
func checkHostName(name string) error {
	if name == "" || len(name) > 253 {
		return errors.New("bad host name length")
	}
	labels := strings.Split(name, ".")
	for _, l := range labels {
		if l == "" || len(l) > 63 {
			return fmt.Errorf("bad host name %q", name)
		}
		for _, r := range l {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
				return fmt.Errorf("host name %q has characters outside [a-z0-9-_] (use punycode)", name)
			}
		}
	}
	last := labels[len(labels)-1]
	isNum := strings.Trim(last, "0123456789") == ""
	if strings.HasPrefix(last, "0x") {
		isNum = strings.Trim(last[2:], "0123456789abcdef") == ""
	}
	if isNum {
		return fmt.Errorf("numeric host %q is not a canonical IP address", name)
	}
	return nil
}

// GetActivity fetches an ActivityStreams object from rawURL (no fragment).
// Besides GetJSON's checks it requires an AS2 Content-Type and a JSON
// object whose "id" is exactly rawURL. A redirect is followed (and every
// hop checked) but its target's identity is never accepted for rawURL:
// the result is an *IDMismatchError whose Final/ID the caller may fetch.
func (c *Client) GetActivity(ctx context.Context, rawURL string, sign RequestSigner) ([]byte, error) {
	body, final, ct, err := c.get(ctx, rawURL, AcceptActivity, sign)
	if err != nil {
		return nil, err
	}
	if !IsActivityContentType(ct) {
		return nil, fmt.Errorf("%w: %q", ErrContentType, ct)
	}
	id, err := documentID(body)
	if err != nil {
		return nil, err
	}
	if id != final || final != rawURL {
		return nil, &IDMismatchError{Requested: rawURL, Final: final, ID: id}
	}
	return body, nil
}

// GetJSON fetches rawURL with the given Accept header under the same
// address, redirect, size and time limits as GetActivity, without the
// ActivityStreams checks (for WebFinger JRD and NodeInfo).
func (c *Client) GetJSON(ctx context.Context, rawURL string, accept string, sign RequestSigner) ([]byte, error) {
	body, _, _, err := c.get(ctx, rawURL, accept, sign)
	return body, err
}

// Post sends body to rawURL (an inbox) with the given Content-Type, signed
// if sign is non-nil. Redirects are not followed. Any HTTP response,
// including non-2xx, yields a PostResult and a nil error; errors mean no
// usable response (refused URL, network, timeout). At most 64 KiB of the
// response body is read.
func (c *Client) Post(ctx context.Context, rawURL string, body []byte, contentType string, sign RequestSigner) (*PostResult, error) {
	u, err := c.checkURL(rawURL)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, c.opts.TotalTimeout)
	defer cancel()
	if body == nil {
		body = []byte{}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrURLNotAllowed, err)
	}
	req.Header.Set("User-Agent", c.opts.UserAgent)
	req.Header.Set("Content-Type", contentType)
	if sign != nil {
		if err := sign(req, body); err != nil {
			return nil, fmt.Errorf("federation: signing POST %s: %w", rawURL, err)
		}
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxDiscardBytes))
	return &PostResult{Status: resp.StatusCode, RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())}, nil
}

// get performs a bounded GET, following checked redirects. It returns the
// body, the final URL and the response Content-Type.
func (c *Client) get(ctx context.Context, rawURL, accept string, sign RequestSigner) (body []byte, final, contentType string, err error) {
	body, final, contentType, _, err = c.getCond(ctx, rawURL, accept, sign, nil)
	return body, final, contentType, err
}

// Validators are the cache validators of a fetched document, for a
// conditional re-fetch.
type Validators struct {
	ETag         string
	LastModified string
}

// ErrNotModified means a conditional fetch found the document unchanged (304).
var ErrNotModified = errors.New("federation: not modified")

// GetActivityIfChanged is GetActivity with a conditional request: it returns
// ErrNotModified when the server answers 304 for the given validators, else
// the document and its new validators.
func (c *Client) GetActivityIfChanged(ctx context.Context, rawURL string, sign RequestSigner, v Validators) ([]byte, Validators, error) {
	body, final, ct, next, err := c.getCond(ctx, rawURL, AcceptActivity, sign, &v)
	if err != nil {
		return nil, v, err
	}
	if !IsActivityContentType(ct) {
		return nil, v, fmt.Errorf("%w: %q", ErrContentType, ct)
	}
	id, err := documentID(body)
	if err != nil {
		return nil, v, err
	}
	if id != final || final != rawURL {
		return nil, v, &IDMismatchError{Requested: rawURL, Final: final, ID: id}
	}
	return body, next, nil
}

// getCond is get with optional validators for a conditional request.
func (c *Client) getCond(ctx context.Context, rawURL, accept string, sign RequestSigner, cond *Validators) (body []byte, final, contentType string, validators Validators, err error) {
	ctx, cancel := context.WithTimeout(ctx, c.opts.TotalTimeout)
	defer cancel()

	cur := rawURL
	visited := map[string]bool{}
	for hop := 0; ; hop++ {
		u, err := c.checkURL(cur)
		if err != nil {
			return nil, "", "", Validators{}, err
		}
		visited[u.String()] = true
		// A fresh request per hop: it is signed for its own host and path.
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
		if err != nil {
			return nil, "", "", Validators{}, fmt.Errorf("%w: %v", ErrURLNotAllowed, err)
		}
		req.Header.Set("User-Agent", c.opts.UserAgent)
		req.Header.Set("Accept", accept)
		if cond != nil {
			if cond.ETag != "" {
				req.Header.Set("If-None-Match", cond.ETag)
			}
			if cond.LastModified != "" {
				req.Header.Set("If-Modified-Since", cond.LastModified)
			}
		}
		if sign != nil {
			if err := sign(req, nil); err != nil {
				return nil, "", "", Validators{}, fmt.Errorf("federation: signing GET %s: %w", cur, err)
			}
		}
		resp, err := c.hc.Do(req)
		if err != nil {
			return nil, "", "", Validators{}, err
		}
		switch resp.StatusCode {
		case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
			http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
			loc := resp.Header.Get("Location")
			discard(resp)
			if loc == "" {
				return nil, "", "", Validators{}, &HTTPStatusError{Status: resp.StatusCode}
			}
			if hop >= c.opts.MaxRedirects {
				return nil, "", "", Validators{}, fmt.Errorf("%w: more than %d from %s", ErrTooManyRedirects, c.opts.MaxRedirects, rawURL)
			}
			next, err := u.Parse(loc)
			if err != nil {
				return nil, "", "", Validators{}, fmt.Errorf("%w: redirect to %q: %v", ErrURLNotAllowed, loc, err)
			}
			next.Fragment, next.RawFragment = "", ""
			if u.Scheme == "https" && next.Scheme == "http" {
				return nil, "", "", Validators{}, fmt.Errorf("%w: %s -> %s", ErrSchemeDowngrade, u, next)
			}
			if visited[next.String()] {
				return nil, "", "", Validators{}, fmt.Errorf("%w: %s", ErrRedirectLoop, next)
			}
			cur = next.String()
			continue
		}
		defer resp.Body.Close()
		if resp.StatusCode == http.StatusNotModified && cond != nil {
			discard(resp)
			return nil, "", "", Validators{}, ErrNotModified
		}
		if resp.StatusCode < 200 || resp.StatusCode > 299 {
			discard(resp)
			return nil, "", "", Validators{}, &HTTPStatusError{
				Status:     resp.StatusCode,
				RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()),
			}
		}
		body, err := readBounded(resp, c.opts.MaxBodyBytes)
		if err != nil {
			return nil, "", "", Validators{}, err
		}
		v := Validators{ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified")}
		return body, cur, resp.Header.Get("Content-Type"), v, nil
	}
}

// readBounded reads at most max bytes, checking the declared length first
// and the streamed length after (chunked or lying servers).
func readBounded(resp *http.Response, max int64) ([]byte, error) {
	if resp.ContentLength > max {
		return nil, fmt.Errorf("%w: Content-Length %d > %d", ErrTooLarge, resp.ContentLength, max)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, max)
	}
	return b, nil
}

// discard drains a little of an unwanted body so the connection can be
// reused, then closes it.
func discard(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxDiscardBytes))
	resp.Body.Close()
}

// IsActivityContentType reports whether a Content-Type header names an
// ActivityStreams document: application/activity+json, or
// application/ld+json whose profile includes the AS2 namespace
// (CVE-2024-25623; profile-less ld+json is refused, as Mastodon does).
func IsActivityContentType(ct string) bool {
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	switch mt {
	case "application/activity+json":
		return true
	case "application/ld+json":
		// Only with the ActivityStreams profile, as Mastodon requires since
		// CVE-2024-25623 (JSON uploaded as media on the victim's host).
		return slices.Contains(strings.Fields(params["profile"]), ActivityStreamsProfile)
	}
	return false
}

// documentID returns the top-level "id" of a JSON object. Duplicate
// top-level keys are refused: encoding/json keeps the last one and other
// parsers (go-ap's fastjson) the first, so duplicates could smuggle a
// different identity past this check. Keys match case-sensitively, unlike
// encoding/json struct decoding.
func documentID(body []byte) (string, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return "", fmt.Errorf("%w: not a JSON object", ErrInvalidDocument)
	}
	seen := map[string]bool{}
	id, haveID := "", false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return "", fmt.Errorf("%w: %v", ErrInvalidDocument, err)
		}
		key, _ := tok.(string)
		if seen[key] {
			return "", fmt.Errorf("%w: duplicate key %q", ErrInvalidDocument, key)
		}
		seen[key] = true
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return "", fmt.Errorf("%w: %v", ErrInvalidDocument, err)
		}
		if key == "id" {
			if err := json.Unmarshal(v, &id); err != nil {
				return "", fmt.Errorf("%w: id is not a string", ErrInvalidDocument)
			}
			haveID = true
		}
	}
	if _, err := dec.Token(); err != nil { // the closing '}'
		return "", fmt.Errorf("%w: %v", ErrInvalidDocument, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return "", fmt.Errorf("%w: trailing data after JSON object", ErrInvalidDocument)
	}
	if !haveID || id == "" {
		return "", fmt.Errorf("%w: missing id", ErrInvalidDocument)
	}
	return id, nil
}

// parseRetryAfter reads a Retry-After header: delay-seconds or an HTTP
// date. It returns 0 when absent, malformed or in the past.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	var d time.Duration
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		if secs > int64(maxRetryAfter/time.Second) {
			return maxRetryAfter
		}
		d = time.Duration(secs) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	}
	return min(max(d, 0), maxRetryAfter)
}
