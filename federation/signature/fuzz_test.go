package signature

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
)

// FuzzDigest feeds arbitrary Digest and Content-Digest headers and bodies to
// both digest checks. Neither may panic; the digest of the body itself must
// always pass; and a header that passes must name the body's own hash,
// checked here independently of the parsers.
func FuzzDigest(f *testing.F) {
	f.Add(digestOf(testBody), "sha-256=:"+b64sha256(testBody)+":", testBody)
	f.Add("sha-256="+b64sha256(nil)+", MD5=x", "sha-512=:"+b64sha512(nil)+":, md5=:AA==:", []byte{})
	f.Add("SHA-256=,", "sha-256=(:AA==:)", []byte("x"))
	f.Add("=", `sha-256="abc"`, []byte("{}"))
	f.Fuzz(func(t *testing.T, digest, contentDigest string, body []byte) {
		own := http.Header{}
		own.Set("Digest", digestOf(body))
		own.Set("Content-Digest", "sha-256=:"+b64sha256(body)+":")
		if err := checkDigest(own, body); err != nil {
			t.Fatalf("the body's own Digest is refused: %v", err)
		}
		if err := checkContentDigest(own, body); err != nil {
			t.Fatalf("the body's own Content-Digest is refused: %v", err)
		}

		h := http.Header{}
		h.Set("Digest", digest)
		h.Set("Content-Digest", contentDigest)
		if checkDigest(h, body) == nil && !strings.Contains(digest, b64sha256(body)) {
			t.Fatalf("Digest %q accepted for a body it does not hash to", digest)
		}
		if checkContentDigest(h, body) == nil &&
			!strings.Contains(contentDigest, ":"+b64sha256(body)+":") &&
			!strings.Contains(contentDigest, ":"+b64sha512(body)+":") {
			t.Fatalf("Content-Digest %q accepted for a body it does not hash to", contentDigest)
		}
	})
}

func b64sha256(b []byte) string {
	s := sha256.Sum256(b)
	return base64.StdEncoding.EncodeToString(s[:])
}
