package remote

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ospod/ospod/federation/signature"
)

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
	c := NewClient(Options{AllowPrivateNetworks: true, UserAgent: "ospod-test/1"})

	tests := []struct {
		path    string
		wantErr error // nil = ok
		status  int   // for *StatusError
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
		{"/gone", &StatusError{}, http.StatusGone},
		{"/busy", &StatusError{}, http.StatusTooManyRequests},
		{"/missing", &StatusError{}, http.StatusNotFound},
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
			case *StatusError:
				e, ok := errors.AsType[*StatusError](err)
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
	c := NewClient(Options{AllowPrivateNetworks: true, MaxRedirects: 3})

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
	none := NewClient(Options{AllowPrivateNetworks: true, MaxRedirects: -1})
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
	c := NewClient(Options{AllowPrivateNetworks: true})
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
	c := NewClient(Options{AllowPrivateNetworks: true, MaxBodyBytes: limit, TotalTimeout: 5 * time.Second})
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
	} else if e, ok := errors.AsType[*StatusError](err); !ok || e.Status != 500 {
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
	c := NewClient(Options{AllowPrivateNetworks: true, TotalTimeout: total})
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
	c = NewClient(Options{AllowPrivateNetworks: true, ResponseHeaderTimeout: 200 * time.Millisecond})
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
	c := NewClient(Options{AllowPrivateNetworks: true})
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
	if e, ok := errors.AsType[*StatusError](err); !ok || e.Status != http.StatusUnauthorized {
		t.Errorf("unsigned GET: err = %v, want 401", err)
	}
	failing := func(*http.Request, []byte) error { return errors.New("no key") }
	if _, err := c.GetActivity(t.Context(), srv.URL+"/actor", failing); err == nil {
		t.Error("signer error ignored")
	}
}
