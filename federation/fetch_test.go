package federation

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ospod/ospod/federation/signature"
)

// countingListener counts accepted TCP connections (an SSRF canary).
type countingListener struct {
	net.Listener
	n *atomic.Int32
}

func (l countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.n.Add(1)
	}
	return c, err
}

// newServer starts an httptest server on addr (default 127.0.0.1:0) and
// returns it with its accepted-connection counter.
func newServer(t *testing.T, addr string, h http.Handler) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("cannot listen on %s: %v", addr, err)
	}
	accepts := new(atomic.Int32)
	srv := httptest.NewUnstartedServer(h)
	srv.Listener = countingListener{l, accepts}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, accepts
}

// selfURL is the URL the request was addressed to, as the client sees it.
func selfURL(r *http.Request) string { return "http://" + r.Host + r.URL.RequestURI() }

// writeDoc serves a minimal AS2 object with the given id and Content-Type.
func writeDoc(w http.ResponseWriter, ct, id string) {
	w.Header().Set("Content-Type", ct)
	fmt.Fprintf(w, `{"@context":"https://www.w3.org/ns/activitystreams","id":%q,"type":"Organization"}`, id)
}

const ctAS = "application/activity+json"

// Signed requests in these tests: a fresh key, published only to the test
// server through resolve.
const testKeyID = "https://remote.example/users/alice#main-key"

var testBody = []byte(`{"type":"Follow","actor":"https://remote.example/users/alice"}`)

// testKey returns a new RSA key and a KeyResolver that knows only it.
func testKey(t *testing.T) (*rsa.PrivateKey, signature.KeyResolver) {
	t.Helper()
	key, err := signature.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return key, func(context.Context, string, bool) (*rsa.PublicKey, error) { return &key.PublicKey, nil }
}

func TestClientRefusesLoopbackAtDial(t *testing.T) {
	var hits atomic.Int32
	srv, accepts := newServer(t, "", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		writeDoc(w, ctAS, selfURL(r))
	}))
	c := NewClient(ClientOptions{})
	ctx := t.Context()

	// Up front: a literal loopback IP never reaches the dialer.
	if _, err := c.GetActivity(ctx, srv.URL+"/actor", nil); !errors.Is(err, ErrURLNotAllowed) || !errors.Is(err, ErrBlockedAddress) {
		t.Errorf("GetActivity: err = %v", err)
	}
	if _, err := c.Post(ctx, srv.URL+"/inbox", []byte("{}"), ctAS, nil); !errors.Is(err, ErrBlockedAddress) {
		t.Errorf("Post: err = %v", err)
	}
	// At dial time: the transport itself refuses, for an IP and for a name
	// that resolves to loopback (the DNS-rebinding path).
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	for _, u := range []string{srv.URL + "/actor", "http://localhost:" + port + "/actor"} {
		resp, err := c.hc.Get(u)
		if err == nil {
			resp.Body.Close()
		}
		if !errors.Is(err, ErrBlockedAddress) {
			t.Errorf("dial %s: err = %v, want ErrBlockedAddress", u, err)
		}
	}
	if n := accepts.Load(); n != 0 {
		t.Errorf("server accepted %d connections", n)
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("handler hit %d times", n)
	}
}

func TestClientCheckURL(t *testing.T) {
	strict := NewClient(ClientOptions{})
	lax := NewClient(ClientOptions{AllowPrivateNetworks: true})
	tests := []struct {
		url            string
		strictOK       bool
		laxOK          bool
		blockedAddress bool // strict error also wraps ErrBlockedAddress
	}{
		{"https://example.org/users/x", true, true, false},
		{"http://example.org:8080/actor?x=1", true, true, false},
		{"https://Example.ORG./a", true, true, false},
		{"https://sub_domain.example.org/a", true, true, false},
		{"http://8.8.8.8/", true, true, false},
		{"http://[2001:4860::8888]/", true, true, false},
		{"http://127.0.0.1/", false, true, true},
		{"http://[::1]/", false, true, true},
		{"http://[::ffff:127.0.0.1]/", false, true, true},
		{"http://[64:ff9b::7f00:1]/", false, true, true},
		{"http://[fe80::1%25eth0]/", false, true, true},
		{"http://169.254.169.254/latest/meta-data/", false, true, true},
		{"http://10.0.0.1/", false, true, true},
		{"http://100.64.0.1/", false, true, true},
		{"http://0.0.0.0/", false, true, true},
		{"http://localhost/", false, true, true},
		{"http://LOCALHOST./", false, true, true},
		{"http://foo.localhost/", false, true, true},
		// Numeric host forms that libc or browsers read as IPv4 addresses.
		{"http://0177.0.0.1/", false, false, false},
		{"http://2130706433/", false, false, false},
		{"http://0x7f000001/", false, false, false},
		{"http://0x7f.1/", false, false, false},
		{"http://127.1/", false, false, false},
		{"http://1.2.3.4./", false, false, false},
		{"http://user:pw@example.org/", false, false, false},
		{"http://user@example.org/", false, false, false},
		{"ftp://example.org/", false, false, false},
		{"file:///etc/passwd", false, false, false},
		{"data:application/json,{}", false, false, false},
		{"gopher://example.org/", false, false, false},
		{"//example.org/x", false, false, false},
		{"/relative", false, false, false},
		{"http:///nohost", false, false, false},
		{"http://example.org:0/", false, false, false},
		{"http://example.org:70000/", false, false, false},
		{"http://exаmple.org/", false, false, false}, // Cyrillic а: punycode first
		{"http://ex ample.org/", false, false, false},
		{"http://a..b/", false, false, false},
		{"http://[::1/", false, false, false},
		{"http:example.org", false, false, false},
	}
	for _, tt := range tests {
		err := strict.CheckURL(tt.url)
		if (err == nil) != tt.strictOK {
			t.Errorf("strict CheckURL(%q) = %v, want ok=%v", tt.url, err, tt.strictOK)
		}
		if err != nil && !errors.Is(err, ErrURLNotAllowed) {
			t.Errorf("strict CheckURL(%q) = %v, not ErrURLNotAllowed", tt.url, err)
		}
		if tt.blockedAddress && !errors.Is(err, ErrBlockedAddress) {
			t.Errorf("strict CheckURL(%q) = %v, not ErrBlockedAddress", tt.url, err)
		}
		if err := lax.CheckURL(tt.url); (err == nil) != tt.laxOK {
			t.Errorf("lax CheckURL(%q) = %v, want ok=%v", tt.url, err, tt.laxOK)
		}
	}
}

func TestBlockedAddress(t *testing.T) {
	tests := []struct {
		addr    string
		blocked bool
	}{
		{"8.8.8.8", false},
		{"1.1.1.1", false},
		{"93.184.216.34", false},
		{"100.63.255.255", false},
		{"100.128.0.0", false},
		{"172.15.255.255", false},
		{"172.32.0.0", false},
		{"198.17.255.255", false},
		{"198.20.0.0", false},
		{"223.255.255.255", false},
		{"2001:4860::8888", false},
		{"2a00:1450:4001::200e", false},
		{"2606:4700::1111", false},
		{"::ffff:8.8.8.8", false},

		{"0.0.0.0", true},
		{"0.1.2.3", true},
		{"10.0.0.1", true},
		{"10.255.255.255", true},
		{"100.64.0.1", true},
		{"100.127.255.254", true},
		{"127.0.0.1", true},
		{"127.0.0.2", true},
		{"127.255.255.255", true},
		{"169.254.169.254", true},
		{"169.254.0.1", true},
		{"172.16.0.1", true},
		{"172.31.255.255", true},
		{"192.0.0.8", true},
		{"192.0.2.1", true},
		{"192.88.99.1", true},
		{"192.168.1.1", true},
		{"198.18.0.1", true},
		{"198.19.255.255", true},
		{"198.51.100.7", true},
		{"203.0.113.9", true},
		{"224.0.0.1", true},
		{"239.255.255.250", true},
		{"240.0.0.1", true},
		{"255.255.255.255", true},

		{"::", true},
		{"::1", true},
		{"::ffff:127.0.0.1", true},
		{"::ffff:10.0.0.1", true},
		{"::ffff:169.254.169.254", true},
		{"::127.0.0.1", true}, // IPv4-compatible (deprecated), outside 2000::/3
		{"64:ff9b::7f00:1", true},
		{"64:ff9b::808:808", true}, // NAT64 of a public address: still refused
		{"64:ff9b:1::1", true},
		{"100::1", true},
		{"fc00::1", true},
		{"fd00::2", true},
		{"fe80::1", true},
		{"fe80::1%eth0", true},
		{"fec0::1", true},
		{"ff02::1", true},
		{"2001::1", true},             // Teredo
		{"2001:0:4136:e378::1", true}, // Teredo
		{"2001:2::1", true},           // benchmarking
		{"2001:db8::1", true},
		{"2002:7f00:1::1", true}, // 6to4 of 127.0.0.1
		{"2002:808:808::1", true},
		{"3fff::1", true},
		{"5f00::1", true},
		{"4000::1", true},
		{"e000::1", true},
	}
	for _, tt := range tests {
		a, err := netip.ParseAddr(tt.addr)
		if err != nil {
			t.Fatal(err)
		}
		if got := IsBlockedAddress(a); got != tt.blocked {
			t.Errorf("IsBlockedAddress(%s) = %v, want %v", tt.addr, got, tt.blocked)
		}
	}
	if !IsBlockedAddress(netip.Addr{}) {
		t.Error("zero Addr not blocked")
	}
}

func TestClientAllowPrefixes(t *testing.T) {
	c := NewClient(ClientOptions{AllowPrefixes: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}})
	for addr, allowed := range map[string]bool{"127.0.0.1": true, "::ffff:127.0.0.1": true, "127.0.0.2": false, "10.0.0.1": false, "8.8.8.8": true} {
		err := c.dialControl("tcp4", net.JoinHostPort(addr, "80"), nil)
		if (err == nil) != allowed {
			t.Errorf("dialControl(%s) = %v, want allowed=%v", addr, err, allowed)
		}
	}
	if err := c.dialControl("udp4", "8.8.8.8:53", nil); err == nil {
		t.Error("udp allowed")
	}
}

// TestClientBlocksRedirectsToPrivate runs the §5 harness: the test peer on
// 127.0.0.1 is allowed, a canary on 127.0.0.2 must never see a connection.
func TestClientBlocksRedirectsToPrivate(t *testing.T) {
	canary, canaryAccepts := newServer(t, "127.0.0.2:0", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeDoc(w, ctAS, selfURL(r))
	}))
	_, canaryPort, _ := net.SplitHostPort(canary.Listener.Addr().String())
	targets := map[string]string{
		"/to-canary":   canary.URL + "/actor",
		"/to-mapped":   "http://[::ffff:127.0.0.2]:" + canaryPort + "/actor",
		"/to-local":    "http://localhost:" + canaryPort + "/actor",
		"/to-metadata": "http://169.254.169.254/latest/meta-data/",
		"/to-file":     "file:///etc/passwd",
		"/to-userinfo": "http://u:p@127.0.0.1/",
	}
	origin, _ := newServer(t, "", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if to, ok := targets[r.URL.Path]; ok {
			http.Redirect(w, r, to, http.StatusFound)
			return
		}
		writeDoc(w, ctAS, selfURL(r))
	}))
	c := NewClient(ClientOptions{AllowPrefixes: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}})
	ctx := t.Context()
	if _, err := c.GetActivity(ctx, origin.URL+"/ok", nil); err != nil {
		t.Fatalf("allowed origin: %v", err)
	}
	for path := range targets {
		_, err := c.GetJSON(ctx, origin.URL+path, "application/json", nil)
		if !errors.Is(err, ErrURLNotAllowed) {
			t.Errorf("%s: err = %v, want ErrURLNotAllowed", path, err)
		}
	}
	resp, err := c.hc.Get(canary.URL)
	if err == nil {
		resp.Body.Close()
	}
	if !errors.Is(err, ErrBlockedAddress) {
		t.Errorf("direct dial to canary: err = %v", err)
	}
	if n := canaryAccepts.Load(); n != 0 {
		t.Errorf("canary accepted %d connections", n)
	}
}

func TestFetchActivity(t *testing.T) {
	var gotUA, gotAccept atomic.Value
	mux := http.NewServeMux()
	doc := func(ct string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) { writeDoc(w, ct, selfURL(r)) }
	}
	raw := func(ct, body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", ct)
			io.WriteString(w, strings.ReplaceAll(body, "SELF", selfURL(r)))
		}
	}
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) {
		gotUA.Store(r.Header.Get("User-Agent"))
		gotAccept.Store(r.Header.Get("Accept"))
		writeDoc(w, ctAS, selfURL(r))
	})
	mux.Handle("/ld-profile", doc(`application/ld+json; profile="https://www.w3.org/ns/activitystreams"`))
	mux.Handle("/ld-profiles", doc(`application/ld+json;profile="https://example.org/p https://www.w3.org/ns/activitystreams"`))
	mux.Handle("/ld-noprofile", doc(`application/ld+json`))
	mux.Handle("/as-charset", doc(`application/activity+json; charset=utf-8`))
	mux.Handle("/json", doc("application/json"))
	mux.Handle("/html", doc("text/html; charset=utf-8"))
	mux.Handle("/png", doc("image/png"))
	mux.Handle("/ld-otherprofile", doc(`application/ld+json; profile="https://example.org/p"`))
	mux.Handle("/ct-garbage", doc(`application/activity+json; ===`))
	mux.Handle("/otherid", raw(ctAS, `{"id":"https://victim.example/users/admin"}`))
	mux.Handle("/noid", raw(ctAS, `{"type":"Note"}`))
	mux.Handle("/numid", raw(ctAS, `{"id":5}`))
	mux.Handle("/caseid", raw(ctAS, `{"ID":"SELF"}`))
	mux.Handle("/dupid", raw(ctAS, `{"id":"https://victim.example/users/admin","id":"SELF"}`))
	mux.Handle("/array", raw(ctAS, `["SELF"]`))
	mux.Handle("/trailing", raw(ctAS, `{"id":"SELF"}{"id":"x"}`))
	mux.Handle("/broken", raw(ctAS, `{"id":"SELF"`))
	mux.HandleFunc("/gone", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "gone", http.StatusGone) })
	mux.HandleFunc("/busy", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "120")
		http.Error(w, "slow down", http.StatusTooManyRequests)
	})
	srv, _ := newServer(t, "", mux)
	c := NewClient(ClientOptions{AllowPrivateNetworks: true, UserAgent: "ospod-test/1"})

	tests := []struct {
		path    string
		wantErr error // nil = ok
		status  int   // for *HTTPStatusError
	}{
		{"/ok", nil, 0},
		{"/ld-profile", nil, 0},
		{"/ld-profiles", nil, 0},
		{"/ld-noprofile", ErrContentType, 0}, // Mastodon refuses it too (CVE-2024-25623)
		{"/as-charset", nil, 0},
		{"/json", ErrContentType, 0},
		{"/html", ErrContentType, 0},
		{"/png", ErrContentType, 0},
		{"/ld-otherprofile", ErrContentType, 0},
		{"/ct-garbage", ErrContentType, 0},
		{"/otherid", &IDMismatchError{}, 0},
		{"/noid", ErrInvalidDocument, 0},
		{"/numid", ErrInvalidDocument, 0},
		{"/caseid", ErrInvalidDocument, 0},
		{"/dupid", ErrInvalidDocument, 0},
		{"/array", ErrInvalidDocument, 0},
		{"/trailing", ErrInvalidDocument, 0},
		{"/broken", ErrInvalidDocument, 0},
		{"/gone", &HTTPStatusError{}, http.StatusGone},
		{"/busy", &HTTPStatusError{}, http.StatusTooManyRequests},
		{"/missing", &HTTPStatusError{}, http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			u := srv.URL + tt.path
			body, err := c.GetActivity(t.Context(), u, nil)
			switch want := tt.wantErr.(type) {
			case nil:
				if err != nil {
					t.Fatal(err)
				}
				if id, _ := documentID(body); id != u {
					t.Fatalf("id = %q", id)
				}
			case *IDMismatchError:
				e, ok := errors.AsType[*IDMismatchError](err)
				if !ok || e.Requested != u || e.Final != u || e.ID != "https://victim.example/users/admin" {
					t.Fatalf("err = %#v", err)
				}
			case *HTTPStatusError:
				e, ok := errors.AsType[*HTTPStatusError](err)
				if !ok || e.Status != tt.status {
					t.Fatalf("err = %v, want status %d", err, tt.status)
				}
				if e.Gone() != (tt.status == http.StatusGone) {
					t.Errorf("Gone() = %v", e.Gone())
				}
				if tt.path == "/busy" && e.RetryAfter != 2*time.Minute {
					t.Errorf("RetryAfter = %v", e.RetryAfter)
				}
			default:
				if !errors.Is(err, want) {
					t.Fatalf("err = %v, want %v", err, want)
				}
			}
			if err != nil && body != nil {
				t.Error("body returned with an error")
			}
		})
	}
	if ua := gotUA.Load(); ua != "ospod-test/1" {
		t.Errorf("User-Agent = %v", ua)
	}
	if acc := gotAccept.Load(); acc != AcceptActivity {
		t.Errorf("Accept = %v", acc)
	}
	// GetJSON skips the AS2 checks.
	if _, err := c.GetJSON(t.Context(), srv.URL+"/json", "application/jrd+json", nil); err != nil {
		t.Errorf("GetJSON: %v", err)
	}
}

func TestFetchRedirects(t *testing.T) {
	var chainHits atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("/chain/{n}", func(w http.ResponseWriter, r *http.Request) {
		chainHits.Add(1)
		n, _ := strconv.Atoi(r.PathValue("n"))
		http.Redirect(w, r, fmt.Sprintf("/chain/%d", n+1), http.StatusFound)
	})
	mux.HandleFunc("/loop/a", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop/b", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/loop/b", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop/a", http.StatusPermanentRedirect)
	})
	mux.HandleFunc("/self", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/self", http.StatusFound) })
	mux.HandleFunc("/old", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/new", http.StatusMovedPermanently) })
	mux.HandleFunc("/new", func(w http.ResponseWriter, r *http.Request) { writeDoc(w, ctAS, selfURL(r)) })
	// /claim redirects to /evil, which claims to be /claim.
	mux.HandleFunc("/claim", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/evil", http.StatusFound) })
	mux.HandleFunc("/evil", func(w http.ResponseWriter, r *http.Request) {
		writeDoc(w, ctAS, "http://"+r.Host+"/claim")
	})
	mux.HandleFunc("/nolocation", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusFound) })
	srv, _ := newServer(t, "", mux)
	ctx := t.Context()
	c := NewClient(ClientOptions{AllowPrivateNetworks: true, MaxRedirects: 3})

	_, err := c.GetJSON(ctx, srv.URL+"/chain/0", "application/json", nil)
	if !errors.Is(err, ErrTooManyRedirects) {
		t.Errorf("chain: err = %v", err)
	}
	if n := chainHits.Load(); n != 4 { // the original request plus 3 hops
		t.Errorf("chain: %d requests, want 4", n)
	}
	for _, p := range []string{"/loop/a", "/self"} {
		if _, err := c.GetJSON(ctx, srv.URL+p, "application/json", nil); !errors.Is(err, ErrRedirectLoop) {
			t.Errorf("%s: err = %v, want ErrRedirectLoop", p, err)
		}
	}
	// A redirect to a document with its own id: followed, but the identity
	// is not accepted for the requested URL; the caller may fetch Final.
	_, err = c.GetActivity(ctx, srv.URL+"/old", nil)
	if e, ok := errors.AsType[*IDMismatchError](err); !ok || e.Final != srv.URL+"/new" || e.ID != srv.URL+"/new" {
		t.Errorf("/old: err = %v", err)
	}
	if _, err := c.GetActivity(ctx, srv.URL+"/new", nil); err != nil {
		t.Errorf("/new: %v", err)
	}
	// The redirect target claims the requested id: refused.
	_, err = c.GetActivity(ctx, srv.URL+"/claim", nil)
	if e, ok := errors.AsType[*IDMismatchError](err); !ok || e.ID != srv.URL+"/claim" || e.Final != srv.URL+"/evil" {
		t.Errorf("/claim: err = %v", err)
	}
	// GetJSON (WebFinger, NodeInfo) accepts a checked redirect.
	if _, err := c.GetJSON(ctx, srv.URL+"/old", "application/json", nil); err != nil {
		t.Errorf("GetJSON /old: %v", err)
	}
	if _, err := c.GetJSON(ctx, srv.URL+"/nolocation", "application/json", nil); err == nil {
		t.Error("3xx without Location accepted")
	}
	none := NewClient(ClientOptions{AllowPrivateNetworks: true, MaxRedirects: -1})
	if _, err := none.GetJSON(ctx, srv.URL+"/old", "application/json", nil); !errors.Is(err, ErrTooManyRedirects) {
		t.Errorf("MaxRedirects -1: err = %v", err)
	}
}

func TestFetchRedirectSchemeDowngrade(t *testing.T) {
	plain, plainAccepts := newServer(t, "", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeDoc(w, ctAS, selfURL(r))
	}))
	tlsSrv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/down" {
			http.Redirect(w, r, plain.URL+"/actor", http.StatusFound)
			return
		}
		w.Header().Set("Content-Type", ctAS)
		fmt.Fprintf(w, `{"id":"https://%s%s"}`, r.Host, r.URL.Path)
	}))
	tlsSrv.StartTLS()
	t.Cleanup(tlsSrv.Close)
	c := NewClient(ClientOptions{AllowPrivateNetworks: true})
	pool := x509.NewCertPool()
	pool.AddCert(tlsSrv.Certificate())
	c.transport.TLSClientConfig.RootCAs = pool

	if _, err := c.GetActivity(t.Context(), tlsSrv.URL+"/actor", nil); err != nil {
		t.Fatalf("https fetch: %v", err)
	}
	if _, err := c.GetJSON(t.Context(), tlsSrv.URL+"/down", "application/json", nil); !errors.Is(err, ErrSchemeDowngrade) {
		t.Errorf("err = %v, want ErrSchemeDowngrade", err)
	}
	if n := plainAccepts.Load(); n != 0 {
		t.Errorf("http target accepted %d connections", n)
	}
}

func TestFetchBodyLimit(t *testing.T) {
	const limit = 1024
	mux := http.NewServeMux()
	mux.HandleFunc("/content-length", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(2*limit))
		w.Write(bytes.Repeat([]byte("a"), 2*limit))
	})
	mux.HandleFunc("/chunked", func(w http.ResponseWriter, r *http.Request) {
		for range 8 {
			w.Write(bytes.Repeat([]byte("a"), limit/4+1))
			w.(http.Flusher).Flush() // no Content-Length: chunked encoding
		}
	})
	mux.HandleFunc("/endless", func(w http.ResponseWriter, r *http.Request) {
		chunk := bytes.Repeat([]byte("a"), 512)
		for r.Context().Err() == nil {
			if _, err := w.Write(chunk); err != nil {
				return
			}
			w.(http.Flusher).Flush()
		}
	})
	mux.HandleFunc("/gzip-bomb", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		zw.Write(bytes.Repeat([]byte("a"), 1<<20)) // ~1 KiB on the wire
		zw.Close()
	})
	mux.HandleFunc("/exact", func(w http.ResponseWriter, r *http.Request) {
		w.Write(bytes.Repeat([]byte("a"), limit))
	})
	mux.HandleFunc("/big-error", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
		w.Write(bytes.Repeat([]byte("a"), 4<<20))
	})
	srv, _ := newServer(t, "", mux)
	c := NewClient(ClientOptions{AllowPrivateNetworks: true, MaxBodyBytes: limit, TotalTimeout: 5 * time.Second})
	for _, p := range []string{"/content-length", "/chunked", "/endless", "/gzip-bomb"} {
		_, err := c.GetJSON(t.Context(), srv.URL+p, "application/json", nil)
		if !errors.Is(err, ErrTooLarge) {
			t.Errorf("%s: err = %v, want ErrTooLarge", p, err)
		}
		// A declared oversize length is refused before reading the body.
		if p == "/content-length" && (err == nil || !strings.Contains(err.Error(), "Content-Length")) {
			t.Errorf("%s: err = %v, want the Content-Length check", p, err)
		}
	}
	if b, err := c.GetJSON(t.Context(), srv.URL+"/exact", "application/json", nil); err != nil || len(b) != limit {
		t.Errorf("/exact: %d bytes, err = %v", len(b), err)
	}
	if _, err := c.GetJSON(t.Context(), srv.URL+"/big-error", "application/json", nil); err == nil {
		t.Error("/big-error: no error")
	} else if e, ok := errors.AsType[*HTTPStatusError](err); !ok || e.Status != 500 {
		t.Errorf("/big-error: err = %v", err)
	}
}

func TestFetchTimeout(t *testing.T) {
	done := make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("/hang", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-done:
		}
	})
	mux.HandleFunc("/trickle", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", ctAS)
		for {
			if _, err := w.Write([]byte(" ")); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	})
	srv, _ := newServer(t, "", mux)
	t.Cleanup(func() { close(done) }) // runs before srv.Close

	const total = 300 * time.Millisecond
	// guard keeps a broken TotalTimeout from hanging the test binary.
	guard, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	c := NewClient(ClientOptions{AllowPrivateNetworks: true, TotalTimeout: total})
	for _, p := range []string{"/hang", "/trickle"} {
		start := time.Now()
		_, err := c.GetActivity(guard, srv.URL+p, nil)
		elapsed := time.Since(start)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s: err = %v, want a deadline error", p, err)
		}
		if elapsed < total || elapsed > total+2*time.Second {
			t.Errorf("%s: returned after %v with TotalTimeout %v", p, elapsed, total)
		}
	}
	// ResponseHeaderTimeout bounds the wait for headers on its own.
	c = NewClient(ClientOptions{AllowPrivateNetworks: true, ResponseHeaderTimeout: 200 * time.Millisecond})
	start := time.Now()
	if _, err := c.GetActivity(guard, srv.URL+"/hang", nil); err == nil || time.Since(start) > 3*time.Second {
		t.Errorf("ResponseHeaderTimeout: err = %v after %v", err, time.Since(start))
	}
}

func TestFetchSignedGET(t *testing.T) {
	key, resolve := testKey(t)
	var verified atomic.Int32
	srv, _ := newServer(t, "", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		keyID, err := signature.Verify(r.Context(), r, nil, time.Now(), resolve)
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		if keyID != testKeyID {
			http.Error(w, "wrong key", http.StatusForbidden)
			return
		}
		verified.Add(1)
		if r.URL.Path == "/old" { // each hop must be signed for its own path
			http.Redirect(w, r, "/actor?page=1", http.StatusFound)
			return
		}
		writeDoc(w, ctAS, selfURL(r))
	}))
	c := NewClient(ClientOptions{AllowPrivateNetworks: true})
	sign := signature.Signer(key, testKeyID)
	if _, err := c.GetActivity(t.Context(), srv.URL+"/actor", sign); err != nil {
		t.Fatalf("signed GET: %v", err)
	}
	if _, err := c.GetActivity(t.Context(), srv.URL+"/actor?page=1", sign); err != nil {
		t.Fatalf("signed GET with query: %v", err)
	}
	if _, err := c.GetJSON(t.Context(), srv.URL+"/old", AcceptActivity, sign); err != nil {
		t.Fatalf("signed GET through redirect: %v", err)
	}
	if n := verified.Load(); n != 4 {
		t.Errorf("%d verified requests, want 4", n)
	}
	_, err := c.GetActivity(t.Context(), srv.URL+"/actor", nil)
	if e, ok := errors.AsType[*HTTPStatusError](err); !ok || e.Status != http.StatusUnauthorized {
		t.Errorf("unsigned GET: err = %v, want 401", err)
	}
	failing := func(*http.Request, []byte) error { return errors.New("no key") }
	if _, err := c.GetActivity(t.Context(), srv.URL+"/actor", failing); err == nil {
		t.Error("signer error ignored")
	}
}

func TestClientPost(t *testing.T) {
	key, resolve := testKey(t)
	var inboxHits atomic.Int32
	var gotCT, gotUA atomic.Value
	retryAt := time.Now().Add(90 * time.Second).UTC().Format(http.TimeFormat)
	mux := http.NewServeMux()
	mux.HandleFunc("POST /inbox", func(w http.ResponseWriter, r *http.Request) {
		inboxHits.Add(1)
		gotCT.Store(r.Header.Get("Content-Type"))
		gotUA.Store(r.Header.Get("User-Agent"))
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, "read", http.StatusBadRequest)
			return
		}
		if _, err := signature.Verify(r.Context(), r, body, time.Now(), resolve); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	})
	mux.HandleFunc("POST /busy", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", retryAt)
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	mux.HandleFunc("POST /moved", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/inbox", http.StatusPermanentRedirect)
	})
	mux.HandleFunc("POST /chatty", func(w http.ResponseWriter, r *http.Request) {
		w.Write(bytes.Repeat([]byte("a"), 8<<20))
	})
	srv, _ := newServer(t, "", mux)
	c := NewClient(ClientOptions{AllowPrivateNetworks: true})
	sign := signature.Signer(key, testKeyID)
	ctx := t.Context()

	res, err := c.Post(ctx, srv.URL+"/inbox", testBody, ctAS, sign)
	if err != nil || res.Status != http.StatusAccepted {
		t.Fatalf("signed POST: %+v, %v", res, err)
	}
	if gotCT.Load() != ctAS || gotUA.Load() != DefaultUserAgent {
		t.Errorf("Content-Type %v, User-Agent %v", gotCT.Load(), gotUA.Load())
	}
	if res, err := c.Post(ctx, srv.URL+"/inbox", testBody, ctAS, nil); err != nil || res.Status != http.StatusUnauthorized {
		t.Errorf("unsigned POST: %+v, %v", res, err)
	}
	res, err = c.Post(ctx, srv.URL+"/busy", testBody, ctAS, sign)
	if err != nil || res.Status != http.StatusServiceUnavailable || res.RetryAfter < 80*time.Second || res.RetryAfter > 90*time.Second {
		t.Errorf("busy: %+v, %v", res, err)
	}
	before := inboxHits.Load()
	res, err = c.Post(ctx, srv.URL+"/moved", testBody, ctAS, sign)
	if err != nil || res.Status != http.StatusPermanentRedirect {
		t.Errorf("moved: %+v, %v", res, err)
	}
	if inboxHits.Load() != before {
		t.Error("POST redirect was followed")
	}
	start := time.Now()
	if res, err := c.Post(ctx, srv.URL+"/chatty", testBody, ctAS, sign); err != nil || res.Status != http.StatusOK {
		t.Errorf("chatty: %+v, %v", res, err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("chatty response took %v", d)
	}
}

func TestClientRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"120", 2 * time.Minute},
		{" 5 ", 5 * time.Second},
		{"0", 0},
		{"-5", 0},
		{"1.5", 0},
		{"soon", 0},
		{"99999999999999999999", 0}, // overflows int64: malformed
		{"9999999999", maxRetryAfter},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0},
		{now.AddDate(1, 0, 0).Format(http.TimeFormat), maxRetryAfter},
	}
	for _, tt := range tests {
		if got := parseRetryAfter(tt.in, now); got != tt.want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestFetchDocumentID(t *testing.T) {
	tests := []struct {
		in, id string // id "" = error
	}{
		{`{"id":"https://a.example/x"}`, "https://a.example/x"},
		{` {"type":"Note","id":"https://a.example/x","nested":{"id":"y","id":"z"}} `, "https://a.example/x"},
		{`{"i\u0064":"https://a.example/x"}`, "https://a.example/x"},
		{`{"id":"a","i\u0064":"b"}`, ""},
		{`{"id":""}`, ""},
		{`{"id":null}`, ""},
		{`{"id":["a"]}`, ""},
		{`{"id":{"id":"a"}}`, ""},
		{`{"Id":"a"}`, ""},
		{`{}`, ""},
		{`null`, ""},
		{`"a"`, ""},
		{``, ""},
		{`{"id":"a"} x`, ""},
		{`{"id":"a",}`, ""},
	}
	for _, tt := range tests {
		id, err := documentID([]byte(tt.in))
		if id != tt.id || (err == nil) != (tt.id != "") {
			t.Errorf("documentID(%s) = %q, %v; want %q", tt.in, id, err, tt.id)
		}
		if err != nil && !errors.Is(err, ErrInvalidDocument) {
			t.Errorf("documentID(%s): %v is not ErrInvalidDocument", tt.in, err)
		}
	}
}

func TestClientDefaults(t *testing.T) {
	c := NewClient(ClientOptions{})
	o := c.opts
	if o.UserAgent != DefaultUserAgent || o.MaxBodyBytes != DefaultMaxBodyBytes ||
		o.ConnectTimeout != DefaultConnectTimeout || o.ResponseHeaderTimeout != DefaultResponseHeaderTimeout ||
		o.TotalTimeout != DefaultTotalTimeout || o.MaxRedirects != DefaultMaxRedirects || o.AllowPrivateNetworks {
		t.Errorf("defaults: %+v", o)
	}
	if c.transport.Proxy != nil {
		t.Error("transport uses a proxy: the dial check would see the proxy's address")
	}
}
