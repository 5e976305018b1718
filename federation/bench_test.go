package federation_test

// Benchmarks of the CPU limit of federation (RSA-2048 signing and
// verification) and of the delivery worker's fan-out against loopback
// receivers that verify every signature (issue 6, docs/BENCHMARKS.md).

import (
	"bytes"
	"context"
	"crypto/rsa"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ospod/ospod/federation"
	"github.com/ospod/ospod/federation/fedtest"
	"github.com/ospod/ospod/federation/signature"
	"github.com/ospod/ospod/store"
	"github.com/ospod/ospod/store/storetest"
)

var (
	benchKeyOnce sync.Once
	benchKey     *rsa.PrivateKey
)

func key(b *testing.B) *rsa.PrivateKey {
	benchKeyOnce.Do(func() {
		var err error
		if benchKey, err = signature.GenerateKey(); err != nil {
			panic(err)
		}
	})
	return benchKey
}

// benchBody is a Create(Event) of typical size (about 2 KB).
var benchBody = bytes.Repeat([]byte(`{"type":"Create","name":"OSPO meetup in Tartu","content":"<p>Licensing and procurement.</p>"}`), 20)

const benchKeyID = "https://ospo.example/actor#main-key"

func signedPost(b *testing.B, k *rsa.PrivateKey) *http.Request {
	out, err := http.NewRequest(http.MethodPost, "https://peer.example/inbox", bytes.NewReader(benchBody))
	if err != nil {
		b.Fatal(err)
	}
	if err := signature.Sign(out, benchBody, k, benchKeyID, time.Now()); err != nil {
		b.Fatal(err)
	}
	in := httptest.NewRequest(http.MethodPost, "https://peer.example/inbox", bytes.NewReader(benchBody))
	for h, v := range out.Header {
		if h != "Host" { // a server keeps the host in r.Host
			in.Header[h] = v
		}
	}
	return in
}

// BenchmarkSignRequest is one RSA-2048 signature of a POST (plus its Digest).
func BenchmarkSignRequest(b *testing.B) {
	k := key(b)
	b.Run("serial", func(b *testing.B) {
		for b.Loop() {
			req, _ := http.NewRequest(http.MethodPost, "https://peer.example/inbox", bytes.NewReader(benchBody))
			if err := signature.Sign(req, benchBody, k, benchKeyID, time.Now()); err != nil {
				b.Fatal(err)
			}
		}
	})
	// All cores: the fan-out's limit (one signature per shared inbox).
	b.Run("parallel", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				req, _ := http.NewRequest(http.MethodPost, "https://peer.example/inbox", bytes.NewReader(benchBody))
				if err := signature.Sign(req, benchBody, k, benchKeyID, time.Now()); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// BenchmarkVerifyRequest verifies a signed POST with the key already cached:
// the inbox's CPU cost per activity before any parsing or storage.
func BenchmarkVerifyRequest(b *testing.B) {
	k := key(b)
	req := signedPost(b, k)
	resolve := func(context.Context, string, bool) (*rsa.PublicKey, error) { return &k.PublicKey, nil }
	ctx := context.Background()
	b.Run("serial", func(b *testing.B) {
		for b.Loop() {
			if _, err := signature.Verify(ctx, req, benchBody, time.Now(), resolve); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := signature.Verify(ctx, req, benchBody, time.Now(), resolve); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// BenchmarkDelivery publishes one event per iteration to followers spread
// over hosts simulated hosts (one shared inbox each) and waits until every
// host has received and verified it: the delivery worker's fan-out rate.
func BenchmarkDelivery(b *testing.B) {
	for _, c := range []struct{ followers, hosts int }{{1000, 100}, {10000, 1000}} {
		b.Run(fmt.Sprintf("followers=%d/hosts=%d", c.followers, c.hosts), func(b *testing.B) {
			benchDelivery(b, c.followers, c.hosts)
		})
	}
}

func benchDelivery(b *testing.B, followers, hosts int) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st := storetest.OpenWith(b, store.Options{Path: filepath.Join(b.TempDir(), "ospod.db")})
	node, err := federation.New(ctx, st, federation.Options{BaseURL: "http://ospo.bench.example", Handle: "ospo",
		AllowPrivateNetworks: true, HTTPTimeout: 10 * time.Second, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	pub, err := signature.ParsePublicKeyPEM(node.PublicKeyPEM())
	if err != nil {
		b.Fatal(err)
	}
	farm, err := fedtest.NewFarm(hosts, pub, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer farm.Close()
	if err := AddFarmFollowers(ctx, st, farm, followers); err != nil {
		b.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); _ = node.RunDelivery(ctx) }()
	defer wg.Wait()
	defer cancel()
	start := time.Now().Add(24 * time.Hour)
	i := 0
	for b.Loop() {
		i++
		e := storetest.Event(start.Add(time.Duration(i) * time.Hour))
		if err := node.CreateEvent(ctx, e); err != nil {
			b.Fatal(err)
		}
		wctx, wcancel := context.WithTimeout(ctx, 60*time.Second)
		_, err := farm.Wait(wctx, node.URLs.EventActivity(e.ID), hosts)
		wcancel()
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(hosts*i)/b.Elapsed().Seconds(), "deliveries/s")
	if farm.Refused() > 0 {
		b.Fatalf("%d deliveries failed verification", farm.Refused())
	}
}

// AddFarmFollowers adds n accepted followers spread over the farm's hosts,
// each host's followers sharing its inbox.
func AddFarmFollowers(ctx context.Context, st *store.Store, farm *fedtest.Farm, n int) error {
	return st.InTx(ctx, func(tx *store.Tx) error {
		for i := range n {
			h := i % len(farm.Hosts)
			id := fmt.Sprintf("http://%s/users/u%d", farm.Hosts[h], i)
			a := &store.Actor{ID: id, Type: "Person", Host: farm.Hosts[h], Username: fmt.Sprintf("u%d", i),
				Inbox: id + "/inbox", SharedInbox: farm.Inbox(h), KeyID: id + "#main-key", PublicKeyPEM: "-", Doc: `{}`}
			if err := tx.PutActor(ctx, a); err != nil {
				return err
			}
			if _, err := tx.PutRelation(ctx, store.Followers, id, id+"#follow", store.FollowAccepted); err != nil {
				return err
			}
		}
		return nil
	})
}
