package remote

import (
	"errors"
	"net"
	"net/http"
	"net/netip"
	"sync/atomic"
	"testing"
)

func TestClientRefusesLoopbackAtDial(t *testing.T) {
	var hits atomic.Int32
	srv, accepts := newServer(t, "", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		writeDoc(w, ctAS, selfURL(r))
	}))
	c := NewClient(Options{})
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
	strict := NewClient(Options{})
	lax := NewClient(Options{AllowPrivateNetworks: true})
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
	c := NewClient(Options{AllowPrefixes: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}})
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
	c := NewClient(Options{AllowPrefixes: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}})
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
