package signature

import (
	"context"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-fed/httpsig"
)

// Verify checks r's HTTP signature and returns the verified keyId. A
// request with a Signature-Input header is verified as RFC 9421
// (rfc9421.go, which also says how its @target-uri scheme is found);
// otherwise as draft-cavage, as follows.
// body must be the exact raw request body (nil or empty for a GET); now is
// the verifier's clock. It requires (request-target), host and date to be
// signed, plus digest for a POST or any request with a body, Date within
// MaxClockSkew of now, and a SHA-256 Digest equal to the body's hash. A
// signature that fails with the cached key is retried once with
// resolve(ctx, keyID, true). Peer mistakes and key failures are returned as
// *Error. r is not modified.
//
// The steps run in this order, cheapest first, and the first failure is
// the answer: the header's syntax, what it covers, Date and Digest, then
// the key and the signature itself.
func Verify(ctx context.Context, r *http.Request, body []byte, now time.Time, resolve KeyResolver) (keyID string, err error) {
	if IsRFC9421(r.Header) {
		return verifyMessage(ctx, r, body, now, resolve) // rfc9421.go
	}
	p, err := readParams(r.Header)
	if err != nil {
		return "", err
	}
	if err := checkCovered(r, p, body, now); err != nil {
		return "", err
	}
	verify, err := newVerifier(ctx, r, p)
	if err != nil {
		return "", err
	}
	if err := verifyWithKey(ctx, resolve, p.keyID, verify); err != nil {
		return "", err
	}
	return p.keyID, nil
}

// readParams finds and parses the signature parameters of h and checks
// the declared algorithm.
func readParams(h http.Header) (*sigParams, error) {
	raw, err := signatureHeader(h)
	if err != nil {
		return nil, err
	}
	p, err := parseSignature(raw)
	if err != nil {
		return nil, &Error{Reason: err.Error()}
	}
	if p.hasAlg && p.algorithm == "" {
		// Absent is allowed (the key decides); present and empty is no
		// correct signer's output.
		return nil, sigErr("empty signature algorithm")
	}
	switch strings.ToLower(p.algorithm) {
	case "", "rsa-sha256", "hs2019":
		// hs2019 means "look at the key"; like Mastodon we verify RSA keys
		// with RSASSA-PKCS1-v1_5/SHA-256 whatever was declared.
	default:
		return nil, sigErr("unsupported signature algorithm %q", p.algorithm)
	}
	return p, nil
}

// checkCovered requires the headers that must be signed to be signed and
// present, and checks Date, (created)/(expires) and Digest against now and
// body.
func checkCovered(r *http.Request, p *sigParams, body []byte, now time.Time) error {
	needDigest := r.Method == http.MethodPost || len(body) > 0
	need := []string{RequestTarget, "host", "date"}
	if needDigest {
		need = append(need, "digest")
	}
	for _, h := range need {
		if !slices.Contains(p.headers, h) {
			return sigErr("%s not signed", h)
		}
	}
	host := requestHost(r)
	for _, h := range p.headers {
		if err := checkSignedHeader(r, p, h, host, now); err != nil {
			return err
		}
	}
	if err := checkDate(r.Header, now); err != nil {
		return err
	}
	if needDigest || slices.Contains(p.headers, "digest") {
		if err := checkDigest(r.Header, body); err != nil {
			return err
		}
	}
	return nil
}

// checkSignedHeader checks that the signed header h exists in r (or, for a
// (created)/(expires) pseudo-header, that its parameter is in time).
func checkSignedHeader(r *http.Request, p *sigParams, h, host string, now time.Time) error {
	switch h {
	case RequestTarget:
	case "host":
		if host == "" {
			return sigErr("signed header host missing from request")
		}
	case "(created)", "(expires)":
		v := p.created
		if h == "(expires)" {
			v = p.expires
		}
		return checkUnixParam(h, v, now)
	default:
		if strings.HasPrefix(h, "(") {
			return sigErr("unsupported pseudo-header %s", h)
		}
		if len(r.Header.Values(h)) == 0 {
			return sigErr("signed header %s missing from request", h)
		}
	}
	return nil
}

// requestHost is the host r was sent to.
func requestHost(r *http.Request) string {
	if r.Host != "" {
		return r.Host
	}
	return r.URL.Host
}

// newVerifier prepares httpsig to check r's signature and returns a
// function that reports whether a key verifies it.
func newVerifier(ctx context.Context, r *http.Request, p *sigParams) (func(*rsa.PublicKey) bool, error) {
	// Verify a copy: httpsig writes Host into the header map, and it gets
	// the canonical parameter string we validated, never the raw header.
	vr := r.Clone(ctx)
	if !slices.Contains(p.headers, "authorization") {
		// httpsig refuses requests where both headers look like signatures.
		vr.Header.Del("Authorization")
	}
	vr.Header.Set("Signature", p.canonical())
	vr.Header["Host"] = []string{requestHost(r)} // the host we were reached at, not a client-set header
	verifiers := make([]httpsig.Verifier, 0, 2)
	v, err := httpsig.NewVerifier(vr)
	if err != nil {
		return nil, &Error{Reason: "invalid signature parameters", Err: err}
	}
	verifiers = append(verifiers, v)
	if vr.URL.RawQuery != "" {
		// Older Mastodon signed (request-target) without the query string;
		// Mastodon and GoToSocial still accept both forms.
		nq := vr.Clone(ctx)
		nq.URL.RawQuery = ""
		if v, err = httpsig.NewVerifier(nq); err != nil {
			return nil, &Error{Reason: "invalid signature parameters", Err: err}
		}
		verifiers = append(verifiers, v)
	}
	return func(pub *rsa.PublicKey) bool {
		for _, v := range verifiers {
			if v.Verify(pub, httpsig.RSA_SHA256) == nil {
				return true
			}
		}
		return false
	}, nil
}

// verifyWithKey checks the signature with keyID's cached key, then once
// with a re-fetched one.
func verifyWithKey(ctx context.Context, resolve KeyResolver, keyID string, verify func(*rsa.PublicKey) bool) error {
	pub, err := resolveKey(ctx, resolve, keyID, false)
	if err != nil {
		return err
	}
	if verify(pub) {
		return nil
	}
	// The peer may have rotated its key: re-fetch once.
	fresh, err := resolveKey(ctx, resolve, keyID, true)
	if err != nil {
		return err
	}
	if verify(fresh) {
		return nil
	}
	return sigErr("signature verification failed")
}

// resolveKey calls resolve and vets the key it returns.
func resolveKey(ctx context.Context, resolve KeyResolver, keyID string, refresh bool) (*rsa.PublicKey, error) {
	pub, err := resolve(ctx, keyID, refresh)
	if err != nil {
		return nil, &Error{Reason: "public key unavailable", Err: err}
	}
	if pub == nil {
		return nil, sigErr("public key unavailable")
	}
	if err := checkRSAPublicKey(pub); err != nil {
		return nil, &Error{Reason: "unacceptable public key", Err: err}
	}
	return pub, nil
}

// checkDate enforces a single, parseable Date within MaxClockSkew of now.
func checkDate(h http.Header, now time.Time) error {
	ds := h.Values("Date")
	if len(ds) == 0 {
		return sigErr("missing Date header")
	}
	if len(ds) > 1 {
		return sigErr("multiple Date headers")
	}
	d, err := http.ParseTime(ds[0])
	if err != nil {
		return sigErr("unparseable Date header")
	}
	if d.Before(now.Add(-MaxClockSkew)) {
		return sigErr("Date too far in the past")
	}
	if d.After(now.Add(MaxClockSkew)) {
		return sigErr("Date too far in the future")
	}
	return nil
}

// checkUnixParam validates a signed (created)/(expires) value against now
// with MaxClockSkew leeway. (httpsig additionally applies its own 10 s
// leeway against the wall clock.)
func checkUnixParam(name, v string, now time.Time) error {
	if v == "" {
		return sigErr("%s signed but its parameter is missing", name)
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return sigErr("malformed %s parameter", name)
	}
	t := time.Unix(n, 0)
	if name == "(created)" && t.After(now.Add(MaxClockSkew)) {
		return sigErr("signature created in the future")
	}
	if name == "(expires)" && t.Before(now.Add(-MaxClockSkew)) {
		return sigErr("signature expired")
	}
	return nil
}

// checkDigest requires a SHA-256 entry in the Digest header(s) equal to the
// hash of body. Entries are comma-separated and algorithm names are
// case-insensitive (Mastodon accepts "sha-256"); other algorithms are
// ignored, but every SHA-256 entry present must match.
func checkDigest(h http.Header, body []byte) error {
	vals := h.Values("Digest")
	if len(vals) == 0 {
		return sigErr("missing Digest header")
	}
	sum := sha256.Sum256(body)
	found := false
	for entry := range strings.SplitSeq(strings.Join(vals, ","), ",") {
		alg, val, ok := strings.Cut(strings.TrimSpace(entry), "=")
		if !ok {
			return sigErr("malformed Digest header")
		}
		if !strings.EqualFold(alg, "SHA-256") {
			continue
		}
		got, err := decodeBase64(val)
		if err != nil || len(got) != sha256.Size {
			return sigErr("malformed SHA-256 Digest")
		}
		if subtle.ConstantTimeCompare(got, sum[:]) != 1 {
			return sigErr("Digest does not match body")
		}
		found = true
	}
	if !found {
		return sigErr("Digest has no SHA-256 entry")
	}
	return nil
}
