package remote

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
)

// TestHTTPClientGuards: the plain client refuses loopback unless allowed,
// refuses a redirect to a blocked address, and fails on an oversized body.
func TestHTTPClientGuards(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok "+r.UserAgent()) })
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, strings.Repeat("x", 2048)) })
	mux.HandleFunc("/to-local", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://127.0.0.2/", http.StatusFound)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	strict := NewClient(Options{}).HTTPClient()
	if _, err := strict.Get(srv.URL + "/ok"); !errors.Is(err, ErrURLNotAllowed) {
		t.Errorf("strict client to loopback: err = %v, want ErrURLNotAllowed", err)
	}
	if _, err := strict.Get("http://localhost:1/"); !errors.Is(err, ErrURLNotAllowed) {
		t.Errorf("strict client to localhost: err = %v, want ErrURLNotAllowed", err)
	}

	lax := NewClient(Options{AllowPrivateNetworks: true, UserAgent: "ospod-test/1", MaxBodyBytes: 1024}).HTTPClient()
	resp, err := lax.Get(srv.URL + "/ok")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "ok ospod-test/1" {
		t.Errorf("body = %q, want the user agent echoed", b)
	}
	resp, err = lax.Get(srv.URL + "/big")
	if err != nil {
		t.Fatal(err)
	}
	_, err = io.ReadAll(resp.Body)
	resp.Body.Close()
	if !errors.Is(err, ErrTooLarge) {
		t.Errorf("2 KiB body with a 1 KiB limit: err = %v, want ErrTooLarge", err)
	}

	// Loopback allowed by prefix only: the redirect to 127.0.0.2 is refused.
	pfx := NewClient(Options{AllowPrefixes: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}).HTTPClient()
	if _, err := pfx.Get(srv.URL + "/to-local"); !errors.Is(err, ErrURLNotAllowed) {
		t.Errorf("redirect to 127.0.0.2: err = %v, want ErrURLNotAllowed", err)
	}
}
