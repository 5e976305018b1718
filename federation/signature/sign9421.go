package signature

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"time"
)

// SignRFC9421 signs req with an RFC 9421 signature as Mastodon verifies
// it: Content-Digest (sha-256) of body for a POST or a body, and one
// signature "sig1" over @method, @target-uri (and content-digest) with
// created and keyid, rsa-v1_5-sha256. It sets Date and Host too, and
// removes a draft-cavage Signature and Digest, whose header names RFC 9421
// reuses. The request must be sent with exactly body as its payload.
func SignRFC9421(req *http.Request, body []byte, key *rsa.PrivateKey, keyID string, now time.Time) error {
	host, err := prepare(req, key, keyID, "SignRFC9421")
	if err != nil {
		return err
	}
	for _, h := range []string{"Signature", "Signature-Input", "Digest", "Content-Digest"} {
		req.Header.Del(h)
	}
	req.Header.Set("Date", now.UTC().Format(http.TimeFormat))
	req.Header.Set("Host", host)
	components := []sfItem{{str: "@method"}, {str: "@target-uri"}}
	if body != nil || req.Method == http.MethodPost {
		sum := sha256.Sum256(body)
		req.Header.Set("Content-Digest", "sha-256=:"+base64.StdEncoding.EncodeToString(sum[:])+":")
		components = append(components, sfItem{str: "content-digest"})
	}
	m := &messageSig{label: "sig1", components: components,
		params: []sfParam{{key: "created", val: now.Unix()}, {key: "keyid", val: keyID}}}
	// The base is built from the request as the server will see it.
	view := &http.Request{Method: req.Method, URL: req.URL, Host: host, Header: req.Header, RequestURI: req.URL.RequestURI()}
	base, err := m.base(view)
	if err != nil {
		return err
	}
	sig, err := signBaseV15(key, base)
	if err != nil {
		return fmt.Errorf("signature: sign: %w", err)
	}
	req.Header.Set("Signature-Input", m.label+"="+m.serializeInput())
	req.Header.Set("Signature", m.label+"=:"+base64.StdEncoding.EncodeToString(sig)+":")
	return nil
}

// SignerRFC9421 is Signer with SignRFC9421: the retry of a delivery that a
// peer refused with 401 (trust.md §5, Mastodon's "double knocking").
func SignerRFC9421(key *rsa.PrivateKey, keyID string) func(req *http.Request, body []byte) error {
	return func(req *http.Request, body []byte) error {
		return SignRFC9421(req, body, key, keyID, time.Now())
	}
}

// signBaseV15 signs an RFC 9421 signature base with rsa-v1_5-sha256.
func signBaseV15(key *rsa.PrivateKey, base string) ([]byte, error) {
	sum := sha256.Sum256([]byte(base))
	return rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
}
