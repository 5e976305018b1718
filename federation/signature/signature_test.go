package signature

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// Fixed inputs for golden vectors. The keys in testdata/ are test-only
// RSA-2048 keys generated once with `openssl genpkey`.
var (
	testNow   = time.Date(2023, 12, 20, 10, 0, 0, 0, time.UTC) // as in Mastodon's spec
	testKeyID = "https://remote.example/users/alice#main-key"
	testBody  = []byte(`{"type":"Follow","actor":"https://remote.example/users/alice"}`)
)

func loadKey(tb testing.TB, name string) *rsa.PrivateKey {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	k, err := DecodePrivateKeyPEM(string(b))
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

func testKey(tb testing.TB) *rsa.PrivateKey        { return loadKey(tb, "test_key.pem") }
func rotatedTestKey(tb testing.TB) *rsa.PrivateKey { return loadKey(tb, "test_key_rotated.pem") }

// signedOut builds and signs an outgoing request the way our client does.
func signedOut(t *testing.T, method, url string, body []byte, key *rsa.PrivateKey, now time.Time) *http.Request {
	t.Helper()
	var rd *bytes.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	var out *http.Request
	var err error
	if rd != nil {
		out, err = http.NewRequest(method, url, rd)
	} else {
		out, err = http.NewRequest(method, url, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := Sign(out, body, key, testKeyID, now); err != nil {
		t.Fatal(err)
	}
	return out
}

// receive turns an outgoing request into what a server sees: Host lives in
// r.Host, not in the header map.
func receive(out *http.Request, method, url string, body []byte) *http.Request {
	in := httptest.NewRequest(method, url, bytes.NewReader(body))
	for k, v := range out.Header {
		if k != "Host" {
			in.Header[k] = v
		}
	}
	return in
}

// handSign signs r without httpsig (so negative cases do not depend on the
// library under test). target is the (request-target) path; params are
// extra parameters such as `algorithm="rsa-sha256",`; headers==nil omits
// the headers parameter (cavage default: date only).
func handSign(t *testing.T, r *http.Request, key *rsa.PrivateKey, headers []string, target, params string) {
	t.Helper()
	covered := headers
	if covered == nil {
		covered = []string{"date"}
	}
	var lines []string
	for _, h := range covered {
		switch h {
		case "(request-target)":
			lines = append(lines, "(request-target): "+strings.ToLower(r.Method)+" "+target)
		case "host":
			lines = append(lines, "host: "+r.Host)
		default:
			lines = append(lines, h+": "+r.Header.Get(h))
		}
	}
	sum := sha256.Sum256([]byte(strings.Join(lines, "\n")))
	sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	h := fmt.Sprintf(`keyId="%s",%s`, testKeyID, params)
	if headers != nil {
		h += fmt.Sprintf(`headers="%s",`, strings.Join(headers, " "))
	}
	r.Header.Set("Signature", h+`signature="`+base64.StdEncoding.EncodeToString(sig)+`"`)
}

func digestOf(b []byte) string {
	s := sha256.Sum256(b)
	return "SHA-256=" + base64.StdEncoding.EncodeToString(s[:])
}

// Golden vectors: RSASSA-PKCS1-v1_5 is deterministic, so a fixed key, clock
// and request give a fixed header. A change here changes what peers see.
// The signatures were cross-checked with
// `printf '<signing string>' | openssl dgst -sha256 -sign testdata/test_key.pem | base64`.
const (
	goldenDigest  = "SHA-256=WAyuz8VT6TN/JbuNXRFisJtq8Lri2Odd45aP8mr77NY="
	goldenPOSTSig = `keyId="https://remote.example/users/alice#main-key",algorithm="hs2019",` +
		`headers="(request-target) host date digest",signature="` +
		`itp/5wsY99t3C3IMyStt+xbSEDK8AaKckNzz68quDUNAgxPmP9AsPaS8NeGbwykZ+QBKc21PTyNIr88vzguNWwkl+30kZPeXzbo/WzgEFnfksKbih9e0uY4mRxjru3urzUFNpfh1LNJ0a1WNWRDCIvejrLBcq9ikARIzsJt6rJ7qous651n/qHimJIy+jkC9rpuoXmgFY6BX6JjP7MGilVRilL2EPOYCx9U1di3Oxl8kOvXKAV/ImolrjwSz7nTPTPLUwb8AqeVhkVSqtJenDOGKRdTrowZ9WrdgNNuEYAbJspyP3rdW1iHPDft9Kv/IfucUw15R294T250W0vbkQA=="`
	goldenGETSig = `keyId="https://remote.example/users/alice#main-key",algorithm="hs2019",` +
		`headers="(request-target) host date",signature="` +
		`HAsJ4VeY5Z4tWta53c2uy+ZghgyDr/dUIYjjSG6hTmG9psYlhFXeydi8xOJn+GXihwFz3ncThPkHVok7ZR2QPL2b/szdQFFwdvgxo1K0VULiARfAHt8OR5e+RmqB64jkv/pqFNK7Qq0qM/xVcODkZkqkawMmgJxecTPsvU4rWCmy5t74S6rv6Vpw+o7o/w925InGo3B0UIdxe+QRR6c8H+pY4FB+Jk5T60/c1lZjKwx4SsR1nna0zJQe8/ovl21szAevrZ5kdjFjLWUGOToP2L63loXrkkfak2gt2gt9rF0ra7UfFhJVsSuAUXKiRD5n9ZmeYREmWX7bfAjN1HDEMA=="`
)

func TestSignGolden(t *testing.T) {
	key := testKey(t)
	tests := []struct {
		name, method, url string
		body              []byte
		wantSig           string
		wantDigest        string
		signingString     string
	}{
		{
			name: "POST", method: http.MethodPost, url: "https://ospo.example.org/inbox", body: testBody,
			wantSig: goldenPOSTSig, wantDigest: goldenDigest,
			signingString: "(request-target): post /inbox\nhost: ospo.example.org\n" +
				"date: Wed, 20 Dec 2023 10:00:00 GMT\ndigest: " + goldenDigest,
		},
		{
			name: "GET", method: http.MethodGet, url: "https://ospo.example.org/ap/outbox?page=1",
			wantSig: goldenGETSig,
			signingString: "(request-target): get /ap/outbox?page=1\nhost: ospo.example.org\n" +
				"date: Wed, 20 Dec 2023 10:00:00 GMT",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := signedOut(t, tt.method, tt.url, tt.body, key, testNow)
			if got := req.Header.Get("Date"); got != "Wed, 20 Dec 2023 10:00:00 GMT" {
				t.Errorf("Date = %q", got)
			}
			if got := req.Header.Get("Host"); got != "ospo.example.org" {
				t.Errorf("Host = %q", got)
			}
			if got := req.Header.Get("Digest"); got != tt.wantDigest {
				t.Errorf("Digest = %q, want %q", got, tt.wantDigest)
			}
			got := req.Header.Get("Signature")
			if got != tt.wantSig {
				t.Errorf("Signature =\n%s\nwant\n%s", got, tt.wantSig)
			}
			// Independently of httpsig: the signature covers exactly signingString.
			_, b64, _ := strings.Cut(got, `signature="`)
			sig, err := base64.StdEncoding.DecodeString(strings.TrimSuffix(b64, `"`))
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256([]byte(tt.signingString))
			if err := rsa.VerifyPKCS1v15(&key.PublicKey, crypto.SHA256, sum[:], sig); err != nil {
				t.Errorf("signature does not cover %q: %v", tt.signingString, err)
			}
		})
	}
}

func TestSignResign(t *testing.T) {
	// Re-signing the same request (a retry) must not fail on "Digest is
	// already set" nor leave two Signature values.
	key := testKey(t)
	req := signedOut(t, http.MethodPost, "https://ospo.example.org/inbox", testBody, key, testNow)
	if err := Sign(req, testBody, key, testKeyID, testNow.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if n := len(req.Header.Values("Signature")); n != 1 {
		t.Fatalf("%d Signature headers", n)
	}
	if n := len(req.Header.Values("Digest")); n != 1 {
		t.Fatalf("%d Digest headers", n)
	}
	in := receive(req, http.MethodPost, "https://ospo.example.org/inbox", testBody)
	pub := &key.PublicKey
	if _, err := Verify(context.Background(), in, testBody, testNow, staticResolver(pub)); err != nil {
		t.Fatal(err)
	}
}

func staticResolver(pub *rsa.PublicKey) KeyResolver {
	return func(context.Context, string, bool) (*rsa.PublicKey, error) { return pub, nil }
}

// countingResolver returns cached for refresh=false and fresh for refresh=true.
func countingResolver(cached, fresh *rsa.PublicKey) (KeyResolver, *atomic.Int32) {
	var refreshes atomic.Int32
	return func(_ context.Context, keyID string, refresh bool) (*rsa.PublicKey, error) {
		if keyID != testKeyID {
			return nil, fmt.Errorf("unexpected keyId %q", keyID)
		}
		if refresh {
			refreshes.Add(1)
			return fresh, nil
		}
		return cached, nil
	}, &refreshes
}

var errNoKey = errors.New("no such key")

func TestVerify(t *testing.T) {
	key, newKey := testKey(t), rotatedTestKey(t)
	pub, newPub := &key.PublicKey, &newKey.PublicKey
	const inbox = "https://ospo.example.org/inbox"
	const outbox = "https://ospo.example.org/ap/outbox"
	date := testNow.Format(http.TimeFormat)

	post := func(t *testing.T) (*http.Request, []byte) {
		out := signedOut(t, http.MethodPost, inbox, testBody, key, testNow)
		return receive(out, http.MethodPost, inbox, testBody), testBody
	}
	get := func(url string) func(t *testing.T) (*http.Request, []byte) {
		return func(t *testing.T) (*http.Request, []byte) {
			out := signedOut(t, http.MethodGet, url, nil, key, testNow)
			return receive(out, http.MethodGet, url, nil), nil
		}
	}
	// handPost builds a POST with Date and Digest set, hand-signed over headers.
	handPost := func(headers []string, params, digest, date string) func(t *testing.T) (*http.Request, []byte) {
		return func(t *testing.T) (*http.Request, []byte) {
			r := httptest.NewRequest(http.MethodPost, inbox, bytes.NewReader(testBody))
			r.Header.Set("Date", date)
			r.Header.Set("Digest", digest)
			r.Header.Set("Content-Type", "application/activity+json")
			handSign(t, r, key, headers, "/inbox", params)
			return r, testBody
		}
	}
	editSig := func(old, repl string) func(t *testing.T) (*http.Request, []byte) {
		return func(t *testing.T) (*http.Request, []byte) {
			r, b := post(t)
			r.Header.Set("Signature", strings.ReplaceAll(r.Header.Get("Signature"), old, repl))
			return r, b
		}
	}
	full := []string{"(request-target)", "host", "date", "digest"}

	tests := []struct {
		name        string
		build       func(t *testing.T) (*http.Request, []byte)
		fresh       *rsa.PublicKey // key returned on refresh; default pub
		resolve     KeyResolver    // overrides countingResolver(pub, fresh)
		want        string         // "" = success, else a substring of the reason
		wantRefresh int32          // calls with refresh=true
	}{
		{name: "valid POST", build: post},
		{name: "valid GET", build: get(outbox)},
		{name: "GET signed with query", build: get(outbox + "?page=true&min_id=3")},
		{name: "GET old Mastodon signed without query", build: func(t *testing.T) (*http.Request, []byte) {
			r := httptest.NewRequest(http.MethodGet, outbox+"?page=true", nil)
			r.Header.Set("Date", date)
			handSign(t, r, key, []string{"(request-target)", "host", "date"}, "/ap/outbox", `algorithm="rsa-sha256",`)
			return r, nil
		}},
		{name: "GET query changed", build: func(t *testing.T) (*http.Request, []byte) {
			out := signedOut(t, http.MethodGet, outbox+"?page=1", nil, key, testNow)
			return receive(out, http.MethodGet, outbox+"?page=2", nil), nil
		}, want: "signature verification failed", wantRefresh: 1},
		{name: "Authorization: Signature", build: func(t *testing.T) (*http.Request, []byte) {
			r, b := post(t)
			r.Header.Set("Authorization", "Signature "+r.Header.Get("Signature"))
			r.Header.Del("Signature")
			return r, b
		}},
		{name: "Signature and Authorization both", build: func(t *testing.T) (*http.Request, []byte) {
			r, b := post(t)
			r.Header.Set("Authorization", "Signature "+r.Header.Get("Signature"))
			return r, b
		}, want: "both"},
		{name: "comma-space separators", build: editSig(`",`, `", `)},
		{name: "algorithm hs2019", build: post}, // httpsig always emits hs2019
		{name: "algorithm rsa-sha256", build: editSig(`algorithm="hs2019"`, `algorithm="rsa-sha256"`)},
		{name: "algorithm absent", build: editSig(`algorithm="hs2019",`, ``)},
		{name: "algorithm empty refused", build: editSig(`algorithm="hs2019"`, `algorithm=""`),
			want: "empty signature algorithm", wantRefresh: 0},
		{name: "algorithm hmac-sha256 refused", build: editSig(`algorithm="hs2019"`, `algorithm="hmac-sha256"`),
			want: `unsupported signature algorithm "hmac-sha256"`, wantRefresh: 0},
		{name: "algorithm rsa-sha512 refused", build: editSig(`algorithm="hs2019"`, `algorithm="rsa-sha512"`),
			want: "unsupported signature algorithm", wantRefresh: 0},
		{name: "missing Signature", build: func(t *testing.T) (*http.Request, []byte) {
			r, b := post(t)
			r.Header.Del("Signature")
			return r, b
		}, want: "missing Signature header", wantRefresh: 0},
		{name: "two Signature headers", build: func(t *testing.T) (*http.Request, []byte) {
			r, b := post(t)
			r.Header.Add("Signature", r.Header.Get("Signature"))
			return r, b
		}, want: "multiple Signature headers"},
		{name: "Signature header too long", build: editSig(`keyId="`, `foo="`+strings.Repeat("a", 9000)+`",keyId="`),
			want: "too long"},
		{name: "duplicate parameter", build: editSig(`algorithm="hs2019",`, `headers="date",`),
			want: "duplicate parameter"},
		{name: "missing keyId", build: editSig(`keyId=`, `kid=`), want: "missing keyId"},
		{name: "missing signature param", build: editSig(`signature=`, `sig=`), want: "missing signature"},
		{name: "signature not base64", build: editSig(`signature="`, `signature="!!`), want: "not base64"},
		{name: "digest not signed", build: handPost([]string{"(request-target)", "host", "date"}, "", digestOf(testBody), date),
			want: "digest not signed", wantRefresh: 0},
		{name: "host not signed", build: handPost([]string{"(request-target)", "date", "digest"}, "", digestOf(testBody), date),
			want: "host not signed"},
		{name: "request-target not signed", build: handPost([]string{"host", "date", "digest"}, "", digestOf(testBody), date),
			want: "(request-target) not signed"},
		{name: "headers param absent (date only)", build: handPost(nil, "", digestOf(testBody), date),
			want: "(request-target) not signed"},
		{name: "hand-signed full POST", build: handPost(full, `algorithm="rsa-sha256",`, digestOf(testBody), date)},
		{name: "Mastodon header list with content-type", build: handPost(append(full[:4:4], "content-type"),
			`algorithm="rsa-sha256",`, digestOf(testBody), date)},
		{name: "signed header absent from request", build: handPost(append(full[:4:4], "accept"),
			"", digestOf(testBody), date), want: "signed header accept missing"},
		{name: "unknown pseudo-header", build: handPost(append(full[:4:4], "(foo)"),
			"", digestOf(testBody), date), want: "unsupported pseudo-header"},
		{name: "Digest list with sha-512 and lower-case sha-256", build: handPost(full, "",
			"SHA-512="+b64sha512(testBody)+", "+strings.Replace(digestOf(testBody), "SHA-256", "sha-256", 1), date)},
		{name: "Digest with only SHA-512", build: handPost(full, "", "SHA-512="+b64sha512(testBody), date),
			want: "Digest has no SHA-256 entry"},
		{name: "Digest malformed", build: handPost(full, "", "SHA-256=abc", date), want: "malformed SHA-256 Digest"},
		{name: "body changed after signing", build: func(t *testing.T) (*http.Request, []byte) {
			out := signedOut(t, http.MethodPost, inbox, testBody, key, testNow)
			evil := []byte(`{"type":"Delete","actor":"https://remote.example/users/alice"}`)
			return receive(out, http.MethodPost, inbox, evil), evil
		}, want: "Digest does not match body", wantRefresh: 0},
		{name: "Digest header changed", build: func(t *testing.T) (*http.Request, []byte) {
			r, b := post(t)
			r.Header.Set("Digest", digestOf([]byte("other")))
			return r, b
		}, want: "Digest does not match body"},
		{name: "body and Digest changed", build: func(t *testing.T) (*http.Request, []byte) {
			out := signedOut(t, http.MethodPost, inbox, testBody, key, testNow)
			evil := []byte(`{"type":"Delete"}`)
			r := receive(out, http.MethodPost, inbox, evil)
			r.Header.Set("Digest", digestOf(evil))
			return r, evil
		}, want: "signature verification failed", wantRefresh: 1},
		{name: "Digest header removed", build: func(t *testing.T) (*http.Request, []byte) {
			r, b := post(t)
			r.Header.Del("Digest")
			return r, b
		}, want: "signed header digest missing"},
		{name: "Date 59m old", build: func(t *testing.T) (*http.Request, []byte) {
			out := signedOut(t, http.MethodPost, inbox, testBody, key, testNow.Add(-59*time.Minute))
			return receive(out, http.MethodPost, inbox, testBody), testBody
		}},
		{name: "Date 2h old", build: func(t *testing.T) (*http.Request, []byte) {
			out := signedOut(t, http.MethodPost, inbox, testBody, key, testNow.Add(-2*time.Hour))
			return receive(out, http.MethodPost, inbox, testBody), testBody
		}, want: "Date too far in the past", wantRefresh: 0},
		{name: "Date 2h ahead", build: func(t *testing.T) (*http.Request, []byte) {
			out := signedOut(t, http.MethodPost, inbox, testBody, key, testNow.Add(2*time.Hour))
			return receive(out, http.MethodPost, inbox, testBody), testBody
		}, want: "Date too far in the future"},
		{name: "Date unparseable", build: handPost(full, "", digestOf(testBody), "wrong"), want: "unparseable Date"},
		{name: "Date missing", build: func(t *testing.T) (*http.Request, []byte) {
			r, b := post(t)
			r.Header.Del("Date")
			return r, b
		}, want: "signed header date missing"},
		{name: "wrong key", build: func(t *testing.T) (*http.Request, []byte) {
			out := signedOut(t, http.MethodPost, inbox, testBody, newKey, testNow)
			return receive(out, http.MethodPost, inbox, testBody), testBody
		}, want: "signature verification failed", wantRefresh: 1},
		{name: "key rotation refreshes once", build: func(t *testing.T) (*http.Request, []byte) {
			out := signedOut(t, http.MethodPost, inbox, testBody, newKey, testNow)
			return receive(out, http.MethodPost, inbox, testBody), testBody
		}, fresh: newPub, wantRefresh: 1},
		{name: "method changed", build: func(t *testing.T) (*http.Request, []byte) {
			out := signedOut(t, http.MethodPost, inbox, testBody, key, testNow)
			return receive(out, http.MethodPut, inbox, testBody), testBody
		}, want: "signature verification failed", wantRefresh: 1},
		{name: "path changed", build: func(t *testing.T) (*http.Request, []byte) {
			out := signedOut(t, http.MethodPost, inbox, testBody, key, testNow)
			return receive(out, http.MethodPost, "https://ospo.example.org/users/ospo/inbox", testBody), testBody
		}, want: "signature verification failed", wantRefresh: 1},
		{name: "host changed", build: func(t *testing.T) (*http.Request, []byte) {
			out := signedOut(t, http.MethodPost, inbox, testBody, key, testNow)
			return receive(out, http.MethodPost, "https://other.example/inbox", testBody), testBody
		}, want: "signature verification failed", wantRefresh: 1},
		{name: "GET signature replayed as POST", build: func(t *testing.T) (*http.Request, []byte) {
			out := signedOut(t, http.MethodGet, inbox, nil, key, testNow)
			return receive(out, http.MethodPost, inbox, testBody), testBody
		}, want: "digest not signed"},
		{name: "resolver error", build: post,
			resolve: func(context.Context, string, bool) (*rsa.PublicKey, error) { return nil, errNoKey },
			want:    "public key unavailable"},
		{name: "resolver returns weak key", build: post,
			resolve: staticResolver(&rsa.PublicKey{N: syntheticModulus(1024), E: 65537}),
			want:    "unacceptable public key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fresh := tt.fresh
			if fresh == nil {
				fresh = pub
			}
			resolve, refreshes := countingResolver(pub, fresh)
			if tt.resolve != nil {
				resolve = tt.resolve
			}
			r, body := tt.build(t)
			sigBefore := r.Header.Get("Signature")
			keyID, err := Verify(context.Background(), r, body, testNow, resolve)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if keyID != testKeyID {
					t.Errorf("keyID = %q", keyID)
				}
			} else {
				se, ok := errors.AsType[*Error](err)
				if !ok {
					t.Fatalf("err = %v (%T), want *Error", err, err)
				}
				if !strings.Contains(se.Reason, tt.want) {
					t.Errorf("reason = %q, want it to contain %q", se.Reason, tt.want)
				}
				if keyID != "" {
					t.Errorf("keyID = %q on failure", keyID)
				}
			}
			if tt.resolve == nil {
				if got := refreshes.Load(); got != tt.wantRefresh {
					t.Errorf("refresh calls = %d, want %d", got, tt.wantRefresh)
				}
			}
			if r.Header.Get("Signature") != sigBefore || r.Header.Get("Host") != "" {
				t.Error("Verify modified the request headers")
			}
		})
	}
}

func TestVerifyResolverErrorUnwraps(t *testing.T) {
	key := testKey(t)
	out := signedOut(t, http.MethodPost, "https://ospo.example.org/inbox", testBody, key, testNow)
	in := receive(out, http.MethodPost, "https://ospo.example.org/inbox", testBody)
	_, err := Verify(context.Background(), in, testBody, testNow,
		func(context.Context, string, bool) (*rsa.PublicKey, error) { return nil, errNoKey })
	if !errors.Is(err, errNoKey) {
		t.Fatalf("err = %v, want it to wrap errNoKey", err)
	}
	if err.Error() != "public key unavailable" {
		t.Fatalf("Error() = %q leaks the cause", err.Error())
	}
}

func b64sha512(b []byte) string {
	s := sha512.Sum512(b)
	return base64.StdEncoding.EncodeToString(s[:])
}

func TestSignedHeaders(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{goldenPOSTSig, []string{"(request-target)", "host", "date", "digest"}},
		{"Signature " + goldenGETSig, []string{"(request-target)", "host", "date"}},
		{`keyId="k",headers="(Request-Target) Host",signature="AAAA"`, []string{"(request-target)", "host"}},
		{`keyId="k",signature="AAAA"`, []string{"date"}},
		{`keyId="k",signature="AAAA",headers="a",headers="b"`, nil},
		{`garbage`, nil},
	}
	for _, tt := range tests {
		if got := SignedHeaders(tt.in); strings.Join(got, "|") != strings.Join(tt.want, "|") || (got == nil) != (tt.want == nil) {
			t.Errorf("SignedHeaders(%.40q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzSignatureHeader checks the parser never panics and that the canonical
// form handed to httpsig parses back to the same parameters.
func FuzzSignatureHeader(f *testing.F) {
	for _, s := range []string{goldenPOSTSig, goldenGETSig, `keyId="a",signature="AA=="`,
		`keyId=a,signature=AA==,created=1,expires=2`, `keyId="a", headers="date" ,signature="AA=="`,
		`,,,`, `keyId="`, `="=",=`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := parseSignature(s)
		if err != nil {
			return
		}
		c := p.canonical()
		q, err := parseSignature(c)
		if err != nil {
			t.Fatalf("canonical %q does not parse: %v", c, err)
		}
		if q.canonical() != c || q.keyID != p.keyID || !bytes.Equal(q.signature, p.signature) {
			t.Fatalf("round trip changed %q -> %q", c, q.canonical())
		}
	})
}

// FuzzVerify feeds arbitrary Signature/Date/Digest headers to
// Verify: it must not panic, and every failure must be a
// *Error (the resolver here never fails).
func FuzzVerify(f *testing.F) {
	key := testKey(f)
	out, err := http.NewRequest(http.MethodPost, "https://ospo.example.org/inbox", bytes.NewReader(testBody))
	if err != nil {
		f.Fatal(err)
	}
	if err := Sign(out, testBody, key, testKeyID, testNow); err != nil {
		f.Fatal(err)
	}
	f.Add(out.Header.Get("Signature"), out.Header.Get("Date"), out.Header.Get("Digest"), "")
	f.Add("Signature "+out.Header.Get("Signature"), out.Header.Get("Date"), out.Header.Get("Digest"), "")
	f.Add(goldenGETSig, "wrong", "SHA-256=", "?a=b")
	f.Add(`keyId="k",headers="(request-target) host date digest (created)",signature="AAAA",created=x`, "", "MD5=x,", "")
	resolve := staticResolver(&key.PublicKey)
	f.Fuzz(func(t *testing.T, sig, date, digest, query string) {
		r := httptest.NewRequest(http.MethodPost, "https://ospo.example.org/inbox", bytes.NewReader(testBody))
		if q := strings.TrimPrefix(query, "?"); q != "" && !strings.ContainsAny(q, "# \x00") {
			r.URL.RawQuery = q
		}
		if strings.HasPrefix(sig, "Signature ") {
			r.Header.Set("Authorization", sig)
		} else {
			r.Header.Set("Signature", sig)
		}
		r.Header.Set("Date", date)
		r.Header.Set("Digest", digest)
		keyID, err := Verify(context.Background(), r, testBody, testNow, resolve)
		if err == nil {
			if keyID == "" {
				t.Fatal("success without keyId")
			}
			return
		}
		if _, ok := errors.AsType[*Error](err); !ok {
			t.Fatalf("error %v is %T, not *Error", err, err)
		}
	})
}

func TestSignHeaders(t *testing.T) {
	// SignHeaders covers exactly the headers named and sets none: what a
	// test harness needs to build a signature that Verify must refuse.
	key := testKey(t)
	build := func(headers []string) *http.Request {
		out, err := http.NewRequest(http.MethodPost, "https://ospo.example.org/inbox", bytes.NewReader(testBody))
		if err != nil {
			t.Fatal(err)
		}
		out.Header.Set("Date", testNow.Format(http.TimeFormat))
		out.Header.Set("Host", "ospo.example.org")
		out.Header.Set("Digest", digestOf(testBody))
		if err := SignHeaders(out, key, testKeyID, headers); err != nil {
			t.Fatal(err)
		}
		if n := len(out.Header.Values("Digest")); n != 1 {
			t.Fatalf("%d Digest headers", n)
		}
		if got := SignedHeaders(out.Header.Get("Signature")); !slices.Equal(got, headers) {
			t.Fatalf("signed %v, want %v", got, headers)
		}
		return receive(out, http.MethodPost, "https://ospo.example.org/inbox", testBody)
	}
	resolve := staticResolver(&key.PublicKey)
	full := []string{RequestTarget, "host", "date", "digest"}
	if _, err := Verify(t.Context(), build(full), testBody, testNow, resolve); err != nil {
		t.Errorf("all headers signed: %v", err)
	}
	_, err := Verify(t.Context(), build(full[:3]), testBody, testNow, resolve)
	if e, ok := errors.AsType[*Error](err); !ok || e.Reason != "digest not signed" {
		t.Errorf("digest unsigned: err = %v, want digest not signed", err)
	}
}

func TestSigner(t *testing.T) {
	key := testKey(t)
	sign := Signer(key, testKeyID)
	out, err := http.NewRequest(http.MethodPost, "https://ospo.example.org/inbox", bytes.NewReader(testBody))
	if err != nil {
		t.Fatal(err)
	}
	if err := sign(out, testBody); err != nil {
		t.Fatal(err)
	}
	in := receive(out, http.MethodPost, "https://ospo.example.org/inbox", testBody)
	keyID, err := Verify(t.Context(), in, testBody, time.Now(), staticResolver(&key.PublicKey))
	if err != nil || keyID != testKeyID {
		t.Errorf("Verify = %q, %v", keyID, err)
	}
}
