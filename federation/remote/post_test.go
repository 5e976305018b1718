package remote

import (
	"bytes"
	"io"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ospod/ospod/federation/signature"
)

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
	c := NewClient(Options{AllowPrivateNetworks: true})
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
