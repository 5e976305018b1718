package federation_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"testing"

	"github.com/ospod/ospod/federation"
	"github.com/ospod/ospod/store"
)

func testKey(t *testing.T) string {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: must(x509.MarshalPKCS8PrivateKey(k))}))
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// Open creates the database in the data folder, takes the given key on
// first open, keeps it on the next (a key is never replaced), and Close
// releases the file.
func TestOpenKeepsTheFirstKey(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	first, second := testKey(t), testKey(t)
	opts := federation.OpenOptions{Dir: dir, PrivateKeyPEM: first,
		Node: federation.Options{BaseURL: "https://ospo.example", Handle: "ospo"}}
	n, err := federation.Open(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	pub := n.PublicKeyPEM()
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(federation.DBPath(dir)); err != nil {
		t.Fatalf("database file: %v", err)
	}
	opts.PrivateKeyPEM = second
	n, err = federation.Open(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	if n.PublicKeyPEM() != pub {
		t.Error("the second Open replaced the node's key")
	}
	if got, err := n.Store().Setting(ctx, store.SettingPrivateKey); err != nil || got != first {
		t.Errorf("stored key: %v, equal to the first: %v", err, got == first)
	}
}
