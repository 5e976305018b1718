package signature

import (
	"crypto/rsa"
	"fmt"
	"net/http"
	"time"

	"github.com/go-fed/httpsig"
)

// Sign signs req Mastodon-style with key: it sets Date (from now), Host and,
// for a non-nil body or a POST, Digest, then Signature over
// "(request-target) host date [digest]" using rsa-sha256. The request must
// be sent with exactly body as its payload. Signing again replaces an
// earlier Digest and Signature.
func Sign(req *http.Request, body []byte, key *rsa.PrivateKey, keyID string, now time.Time) error {
	host, err := prepare(req, key, keyID, "Sign")
	if err != nil {
		return err
	}
	if body == nil && req.Method == http.MethodPost {
		body = []byte{} // a POST always carries a Digest, even when empty
	}
	// httpsig refuses to overwrite a Digest ("Digest is already set") and
	// would add a second Signature value; start clean.
	req.Header.Del("Digest")
	req.Header.Del("Signature")
	req.Header.Set("Date", now.UTC().Format(http.TimeFormat))
	req.Header.Set("Host", host) // httpsig reads the header map, never req.Host

	hdrs := []string{RequestTarget, "host", "date"}
	if body != nil {
		hdrs = append(hdrs, "digest")
	}
	return signWith(req, body, key, keyID, hdrs)
}

// prepare checks what both signature schemes need and returns the host the
// request goes to; fn names the caller in errors.
func prepare(req *http.Request, key *rsa.PrivateKey, keyID, fn string) (string, error) {
	if key == nil || keyID == "" {
		return "", fmt.Errorf("signature: %s needs a key and a keyId", fn)
	}
	if req.Header == nil {
		req.Header = http.Header{}
	}
	if req.URL.Path == "" {
		// Go sends "/" for an empty path but httpsig would sign "" (go-fed/httpsig#27).
		req.URL.Path = "/"
	}
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	if host == "" {
		return "", fmt.Errorf("signature: %s: request has no host", fn)
	}
	return host, nil
}

// Signer returns a function that signs a request and its payload with Sign
// at the current time; it has the shape of remote.RequestSigner.
func Signer(key *rsa.PrivateKey, keyID string) func(req *http.Request, body []byte) error {
	return func(req *http.Request, body []byte) error {
		return Sign(req, body, key, keyID, time.Now())
	}
}

// SignHeaders adds a Signature over exactly the named headers of req as they
// stand: it sets no Date, Host or Digest. Test harnesses use it to build
// incomplete or stale signatures that Verify must refuse; peers get Sign.
func SignHeaders(req *http.Request, key *rsa.PrivateKey, keyID string, headers []string) error {
	return signWith(req, nil, key, keyID, headers)
}

// signWith has httpsig sign headers of req (and add a Digest of body when
// body is non-nil).
func signWith(req *http.Request, body []byte, key *rsa.PrivateKey, keyID string, headers []string) error {
	// A new Signer per call: Signers share a hash.Hash and are not goroutine-safe.
	s, _, err := httpsig.NewSigner([]httpsig.Algorithm{httpsig.RSA_SHA256},
		httpsig.DigestSha256, headers, httpsig.Signature, 0)
	if err != nil {
		return fmt.Errorf("signature: new signer: %w", err)
	}
	if err := s.SignRequest(key, keyID, req, body); err != nil {
		return fmt.Errorf("signature: sign request: %w", err)
	}
	return nil
}
