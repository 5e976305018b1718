package signature

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The test-request of RFC 9421 Appendix B.2 and its keys (B.1.1
// test-key-rsa, B.1.2 test-key-rsa-pss), with the published signatures.
const (
	rfcBody   = `{"hello": "world"}`
	rfcDigest = "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:"
)

func rfcRequest(target, date string, extra map[string]string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, target, strings.NewReader(rfcBody))
	r.Header.Set("Date", date)
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Content-Digest", rfcDigest)
	r.Header.Set("Content-Length", "18")
	for k, v := range extra {
		r.Header.Set(k, v)
	}
	return r
}

func rfcPSSKey(t *testing.T) *rsa.PublicKey {
	t.Helper()
	b, err := os.ReadFile("testdata/rfc9421_test_key_rsa_pss.pub.pem")
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(b)
	k, err := x509.ParsePKIXPublicKey(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return k.(*rsa.PublicKey)
}

// TestRFC9421Vectors: the signature bases of Appendix B.2 and §2.5 are
// rebuilt byte for byte and their published signatures verify; the §4.3
// rsa-v1_5-sha256 signature (deterministic) is also reproduced exactly.
func TestRFC9421Vectors(t *testing.T) {
	pss := rfcPSSKey(t)
	const target, date = "https://example.com/foo?param=Value&Pet=dog", "Tue, 20 Apr 2021 02:07:55 GMT"
	for _, tc := range []struct {
		name, input, sig, base string
	}{
		{"B.2.1 minimal", `sig-b21=();created=1618884473;keyid="test-key-rsa-pss";nonce="b3k2pp5k7z-50gnwp.yemd"`,
			`sig-b21=:d2pmTvmbncD3xQm8E9ZV2828BjQWGgiwAaw5bAkgibUopemLJcWDy/lkbbHAve4cRAtx31Iq786U7it++wgGxbtRxf8Udx7zFZsckzXaJMkA7ChG52eSkFxykJeNqsrWH5S+oxNFlD4dzVuwe8DhTSja8xxbR/Z2cOGdCbzR72rgFWhzx2VjBqJzsPLMIQKhO4DGezXehhWwE56YCE+O6c0mKZsfxVrogUvA4HELjVKWmAvtl6UnCh8jYzuVG5WSb/QEVPnP5TmcAnLH1g+s++v6d4s8m0gCw1fV5/SITLq9mhho8K3+7EPYTU8IU1bLhdxO5Nyt8C8ssinQ98Xw9Q==:`,
			`"@signature-params": ();created=1618884473;keyid="test-key-rsa-pss";nonce="b3k2pp5k7z-50gnwp.yemd"`},
		{"B.2.3 full coverage", `sig-b23=("date" "@method" "@path" "@query" "@authority" "content-type" "content-digest" "content-length");created=1618884473;keyid="test-key-rsa-pss"`,
			`sig-b23=:bbN8oArOxYoyylQQUU6QYwrTuaxLwjAC9fbY2F6SVWvh0yBiMIRGOnMYwZ/5MR6fb0Kh1rIRASVxFkeGt683+qRpRRU5p2voTp768ZrCUb38K0fUxN0O0iC59DzYx8DFll5GmydPxSmme9v6ULbMFkl+V5B1TP/yPViV7KsLNmvKiLJH1pFkh/aYA2HXXZzNBXmIkoQoLd7YfW91kE9o/CCoC1xMy7JA1ipwvKvfrs65ldmlu9bpG6A9BmzhuzF8Eim5f8ui9eH8LZH896+QIF61ka39VBrohr9iyMUJpvRX2Zbhl5ZJzSRxpJyoEZAFL2FUo5fTIztsDZKEgM4cUA==:`,
			`"date": Tue, 20 Apr 2021 02:07:55 GMT` + "\n" + `"@method": POST` + "\n" + `"@path": /foo` + "\n" +
				`"@query": ?param=Value&Pet=dog` + "\n" + `"@authority": example.com` + "\n" + `"content-type": application/json` + "\n" +
				`"content-digest": ` + rfcDigest + "\n" + `"content-length": 18` + "\n" +
				`"@signature-params": ("date" "@method" "@path" "@query" "@authority" "content-type" "content-digest" "content-length");created=1618884473;keyid="test-key-rsa-pss"`},
		{"2.5 figure", `sig1=("@method" "@authority" "@path" "content-digest" "content-length" "content-type");created=1618884473;keyid="test-key-rsa-pss"`,
			`sig1=:HIbjHC5rS0BYaa9v4QfD4193TORw7u9edguPh0AW3dMq9WImrlFrCGUDih47vAxi4L2YRZ3XMJc1uOKk/J0ZmZ+wcta4nKIgBkKq0rM9hs3CQyxXGxHLMCy8uqK488o+9jrptQ+xFPHK7a9sRL1IXNaagCNN3ZxJsYapFj+JXbmaI5rtAdSfSvzPuBCh+ARHBmWuNo1UzVVdHXrl8ePL4cccqlazIJdC4QEjrF+Sn4IxBQzTZsL9y9TP5FsZYzHvDqbInkTNigBcE9cKOYNFCn4D/WM7F6TNuZO9EgtzepLWcjTymlHzK7aXq6Am6sfOrpIC49yXjj3ae6HRalVc/g==:`,
			`"@method": POST` + "\n" + `"@authority": example.com` + "\n" + `"@path": /foo` + "\n" + `"content-digest": ` + rfcDigest + "\n" +
				`"content-length": 18` + "\n" + `"content-type": application/json` + "\n" +
				`"@signature-params": ("@method" "@authority" "@path" "content-digest" "content-length" "content-type");created=1618884473;keyid="test-key-rsa-pss"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := rfcRequest(target, date, map[string]string{"Signature-Input": tc.input, "Signature": tc.sig})
			m, err := readMessageSig(r.Header)
			if err != nil {
				t.Fatal(err)
			}
			base, err := m.base(r)
			if err != nil {
				t.Fatal(err)
			}
			if base != tc.base {
				t.Fatalf("signature base:\n%s\nwant:\n%s", base, tc.base)
			}
			if err := verifyBase(AlgRSAPSSSHA512, pss, base, m.signature); err != nil {
				t.Fatalf("published signature: %v", err)
			}
			m.signature[0] ^= 1
			if verifyBase(AlgRSAPSSSHA512, pss, base, m.signature) == nil {
				t.Fatal("a changed signature verifies")
			}
		})
	}

	t.Run("4.3 proxy rsa-v1_5-sha256", func(t *testing.T) {
		priv := loadKey(t, "rfc9421_test_key_rsa.pem")
		const sig = `S6ZzPXSdAMOPjN/6KXfXWNO/f7V6cHm7BXYUh3YD/fRad4BCaRZxP+JH+8XY1I6+8Cy+CM5g92iHgxtRPz+MjniOaYmdkDcnL9cCpXJleXsOckpURl49GwiyUpZ10KHgOEe11sx3G2gxI8S0jnxQB+Pu68U9vVcasqOWAEObtNKKZd8tSFu7LB5YAv0RAGhB8tmpv7sFnIm9y+7X5kXQfi8NMaZaA8i2ZHwpBdg7a6CMfwnnrtflzvZdXAsD3LH2TwevU+/PBPv0B6NMNk93wUs/vfJvye+YuI87HU38lZHowtznbLVdp770I6VHR6WfgS9ddzirrswsE1w5o0LV/g==`
		r := rfcRequest("https://origin.host.internal.example/foo?param=Value&Pet=dog", "Tue, 20 Apr 2021 02:07:56 GMT", map[string]string{
			"Forwarded":       "for=192.0.2.123;host=example.com;proto=https",
			"Signature-Input": `proxy_sig=("@method" "@authority" "@path" "content-digest" "content-type" "content-length" "forwarded");created=1618884480;keyid="test-key-rsa";alg="rsa-v1_5-sha256";expires=1618884540`,
			"Signature":       "proxy_sig=:" + sig + ":",
		})
		m, err := readMessageSig(r.Header)
		if err != nil {
			t.Fatal(err)
		}
		if m.alg != AlgRSAv15SHA256 || m.expires != 1618884540 {
			t.Fatalf("parameters: %+v", m)
		}
		base, err := m.base(r)
		if err != nil {
			t.Fatal(err)
		}
		if err := verifyBase(m.alg, &priv.PublicKey, base, m.signature); err != nil {
			t.Fatalf("published signature: %v", err)
		}
		// PKCS #1 v1.5 is deterministic: signing the base reproduces it.
		got, err := signBaseV15(priv, base)
		if err != nil || base64.StdEncoding.EncodeToString(got) != sig {
			t.Fatalf("signing the base does not reproduce the published signature (%v)", err)
		}
	})
}

// signed9421 is a POST to our inbox signed with SignRFC9421 at now, as the
// server receives it.
func signed9421(t *testing.T, key *rsa.PrivateKey, body []byte, now time.Time, edit func(*http.Request)) *http.Request {
	t.Helper()
	out, _ := http.NewRequest(http.MethodPost, "https://ospo.example/inbox?x=1", strings.NewReader(string(body)))
	if err := SignRFC9421(out, body, key, testKeyID, now); err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(out)
	}
	in := httptest.NewRequest(http.MethodPost, "/inbox?x=1", strings.NewReader(string(body)))
	in.Host = "ospo.example"
	in.URL.Scheme = "https" // as the inbox sets it from the node's base URL
	in.Header = out.Header.Clone()
	in.Header.Del("Host")
	return in
}

// TestVerifyRFC9421: what Verify accepts and refuses of RFC 9421 requests.
func TestVerifyRFC9421(t *testing.T) {
	key := testKey(t)
	now := testNow
	resolve := staticResolver(&key.PublicKey)
	setSig := func(input, sig string) func(*http.Request) {
		return func(r *http.Request) {
			if input != "" {
				r.Header.Set("Signature-Input", input)
			}
			if sig != "" {
				r.Header.Set("Signature", sig)
			}
		}
	}
	for _, tc := range []struct {
		name string
		body []byte
		at   time.Time
		edit func(*http.Request)
		want string // "" = accepted
	}{
		{name: "as SignRFC9421 signs", body: testBody, at: now},
		{name: "created 4 minutes ago", body: testBody, at: now.Add(-4 * time.Minute)},
		{name: "created an hour and a half ago", body: testBody, at: now.Add(-90 * time.Minute), want: "signature expired"},
		{name: "created two hours ahead", body: testBody, at: now.Add(2 * time.Hour), want: "created in the future"},
		{name: "body changed", body: testBody, at: now, edit: func(r *http.Request) {
			r.Header.Set("Content-Digest", "sha-256=:"+base64.StdEncoding.EncodeToString(make([]byte, 32))+":")
		}, want: "Content-Digest does not match"},
		{name: "no content-digest covered", body: testBody, at: now,
			edit: setSig(`sig1=("@method" "@target-uri");created=`+itoa(now.Unix())+`;keyid="`+testKeyID+`"`, ""), want: "content-digest not signed"},
		{name: "no @target-uri", body: testBody, at: now,
			edit: setSig(`sig1=("@method" "content-digest");created=`+itoa(now.Unix())+`;keyid="`+testKeyID+`"`, ""), want: "@target-uri not signed"},
		{name: "no created", body: testBody, at: now,
			edit: setSig(`sig1=("@method" "@target-uri" "content-digest");keyid="`+testKeyID+`"`, ""), want: "missing created"},
		{name: "no keyid", body: testBody, at: now,
			edit: setSig(`sig1=("@method" "@target-uri" "content-digest");created=`+itoa(now.Unix()), ""), want: "missing keyid"},
		{name: "unknown alg", body: testBody, at: now,
			edit: setSig(`sig1=("@method" "@target-uri" "content-digest");created=`+itoa(now.Unix())+`;keyid="`+testKeyID+`";alg="hmac-sha256"`, ""), want: "unsupported signature algorithm"},
		{name: "two signatures", body: testBody, at: now, edit: func(r *http.Request) {
			r.Header.Set("Signature-Input", r.Header.Get("Signature-Input")+`, sig2=("@method");created=1;keyid="x"`)
		}, want: "exactly one signature"},
		{name: "labels differ", body: testBody, at: now, edit: func(r *http.Request) {
			r.Header.Set("Signature", strings.Replace(r.Header.Get("Signature"), "sig1=", "sig2=", 1))
		}, want: "do not match"},
		{name: "signature not a byte sequence", body: testBody, at: now, edit: setSig("", `sig1="abc"`), want: "do not match"},
		{name: "malformed input", body: testBody, at: now, edit: setSig(`sig1=("@method"`, ""), want: "malformed Signature-Input"},
		{name: "parameters changed after signing", body: testBody, at: now, edit: func(r *http.Request) {
			r.Header.Set("Signature-Input", r.Header.Get("Signature-Input")+`;nonce="x"`)
		}, want: "verification failed"},
		{name: "Signature-Input without Signature", body: testBody, at: now, edit: func(r *http.Request) { r.Header.Del("Signature") },
			want: "without Signature"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := signed9421(t, key, tc.body, tc.at, tc.edit)
			keyID, err := Verify(context.Background(), in, tc.body, now, resolve)
			if tc.want == "" {
				if err != nil || keyID != testKeyID {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
	t.Run("target URI: another host or path", func(t *testing.T) {
		in := signed9421(t, key, testBody, now, nil)
		in.Host = "other.example"
		if _, err := Verify(context.Background(), in, testBody, now, resolve); err == nil {
			t.Fatal("a signature for another host verifies")
		}
		in = signed9421(t, key, testBody, now, nil)
		in.URL.Scheme = "http"
		if _, err := Verify(context.Background(), in, testBody, now, resolve); err == nil {
			t.Fatal("a signature for another scheme verifies")
		}
	})
	t.Run("ClaimedKeyID", func(t *testing.T) {
		if got := ClaimedKeyID(signed9421(t, key, testBody, now, nil).Header); got != testKeyID {
			t.Fatalf("ClaimedKeyID = %q", got)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// FuzzStructuredDictionary: the RFC 8941 parser never panics, and what it
// accepts as a signature input serialises back to a parse of itself.
func FuzzStructuredDictionary(f *testing.F) {
	f.Add(`sig1=("@method" "@target-uri" "content-digest");created=1618884473;keyid="k"`)
	f.Add(`sig-b22=("@authority" "content-digest" "@query-param";name="Pet");created=1;keyid="a";tag=t`)
	f.Add(`sha-256=:RK/0qy18MlBSVnWgjwz6lZEWjP/lF5HF9bvEF8FabDg=:, md5=:XrY7u+Ae7tCTyyK7j1rNww==:`)
	f.Add(`a=?1, b=("x\"y" "z\\w");c=-5`)
	f.Fuzz(func(t *testing.T, s string) {
		members, err := parseDictionary(s)
		if err != nil {
			return
		}
		for _, m := range members {
			if !m.isList {
				continue
			}
			again, err := parseDictionary(m.key + "=" + (&messageSig{components: m.list, params: m.params}).serializeInput())
			if err != nil || len(again) != 1 || len(again[0].list) != len(m.list) {
				t.Fatalf("%q: serialised form does not parse back: %v", s, err)
			}
		}
	})
}
