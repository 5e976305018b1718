package api_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/ospod/ospod/api/nodetest"
)

func getText(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestHealthAndReadiness: /healthz answers while the process serves;
// /readyz only while the delivery worker runs and the database is writable.
func TestHealthAndReadiness(t *testing.T) {
	n := nodetest.Start(t, nodetest.Options{})
	if code, body := getText(t, n.URL+"/healthz"); code != http.StatusOK {
		t.Fatalf("/healthz: %d %s", code, body)
	}
	nodetest.Eventually(t, "/readyz answers 200", func() bool {
		code, _ := getText(t, n.URL+"/readyz")
		return code == http.StatusOK
	})

	idle := nodetest.Start(t, nodetest.Options{NoWorker: true})
	if code, _ := getText(t, idle.URL+"/healthz"); code != http.StatusOK {
		t.Fatalf("/healthz without a worker: %d", code)
	}
	code, body := getText(t, idle.URL+"/readyz")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "delivery worker") {
		t.Errorf("/readyz without a delivery worker: %d %q, want 503 naming the worker", code, body)
	}
}
