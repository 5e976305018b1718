package remote

import (
	"context"
	"crypto/rsa"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
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

func TestClientDefaults(t *testing.T) {
	c := NewClient(Options{})
	o := c.opts
	if o.UserAgent != DefaultUserAgent || o.MaxBodyBytes != DefaultMaxBodyBytes ||
		o.ConnectTimeout != DefaultConnectTimeout || o.ResponseHeaderTimeout != DefaultResponseHeaderTimeout ||
		o.TotalTimeout != DefaultTotalTimeout || o.MaxRedirects != DefaultMaxRedirects || o.AllowPrivateNetworks {
		t.Errorf("defaults: %+v", o)
	}
	if got := NewClient(Options{TotalTimeout: time.Minute}).TotalTimeout(); got != time.Minute {
		t.Errorf("TotalTimeout() = %v, want 1m", got)
	}
	if c.transport.Proxy != nil {
		t.Error("transport uses a proxy: the dial check would see the proxy's address")
	}
}
