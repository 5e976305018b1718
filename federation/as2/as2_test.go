package as2_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"
	_ "time/tzdata" // the events' zones, wherever the tests run

	vocab "github.com/go-ap/activitypub"

	"github.com/ospod/ospod/federation/as2"
	"github.com/ospod/ospod/store"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files under testdata/")

// testNow is the pinned clock of the tests: when the examples were published.
var testNow = time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)

const testBase = "https://ospo.exampleton.example"

var testURLs = as2.NewURLs(testBase)

// publicKeyPEM is the public half of federation/testdata/test_key.pem.
func publicKeyPEM(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "public_key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// readExample decodes docs/examples/NAME strictly, as the admin API does.
func readExample(t *testing.T, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "examples", name))
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// exampleProfile is docs/examples/profile.json as stored at testNow.
func exampleProfile(t *testing.T) *store.Profile {
	t.Helper()
	var p store.Profile
	readExample(t, "profile.json", &p)
	p.Normalize()
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	p.Published, p.Updated = testNow, testNow
	return &p
}

// exampleEvent is docs/examples/event.json as stored at testNow, with the id EVENTID.
func exampleEvent(t *testing.T, p *store.Profile) *store.Event {
	t.Helper()
	var e store.Event
	readExample(t, "event.json", &e)
	e.Normalize(p.DefaultLanguage())
	if err := e.Validate(); err != nil {
		t.Fatal(err)
	}
	e.ID, e.Published, e.Updated = "EVENTID", testNow, testNow
	return &e
}

// checkGolden compares doc (indented) with testdata/NAME, rewriting it with -update.
func checkGolden(t *testing.T, name string, doc []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Indent(&buf, doc, "", "  "); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, doc)
	}
	buf.WriteByte('\n')
	path := filepath.Join("testdata", name)
	if *updateGolden {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("output differs from %s (run go test ./federation/as2 -run %s -update if intended):\ngot:\n%s", path, t.Name(), buf.Bytes())
	}
}

// jsonObj decodes a JSON object for the checks on single fields.
func jsonObj(t *testing.T, doc []byte) map[string]any {
	t.Helper()
	m := map[string]any{}
	if err := json.Unmarshal(doc, &m); err != nil {
		t.Fatalf("not a JSON object: %v\n%s", err, doc)
	}
	return m
}

// jpath walks a decoded JSON value by keys and array indexes ("location", "0", "name").
func jpath(t *testing.T, v any, keys ...string) any {
	t.Helper()
	for i, k := range keys {
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[k]; !ok {
				t.Fatalf("no %q at %v", k, keys[:i])
			}
		case []any:
			var idx int
			if err := json.Unmarshal([]byte(k), &idx); err != nil || idx >= len(x) {
				t.Fatalf("no index %s at %v (length %d)", k, keys[:i], len(x))
			}
			v = x[idx]
		default:
			t.Fatalf("cannot take %q of %T at %v", k, v, keys[:i])
		}
	}
	return v
}

func str(t *testing.T, v any, keys ...string) string {
	t.Helper()
	s, ok := jpath(t, v, keys...).(string)
	if !ok {
		t.Fatalf("%v is %T, want a string", keys, jpath(t, v, keys...))
	}
	return s
}

func strs(t *testing.T, v any, keys ...string) []string {
	t.Helper()
	arr, ok := jpath(t, v, keys...).([]any)
	if !ok {
		t.Fatalf("%v is %T, want an array", keys, jpath(t, v, keys...))
	}
	out := []string{}
	for _, x := range arr {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

func nlv(n vocab.NaturalLanguageValues) string { return string(n.First().Value) }
