package federation

// HTTP Signatures as the fediverse uses them: draft-cavage-http-signatures-12,
// RSA keys, Mastodon-compatible. go-fed/httpsig computes and checks the
// signature string; everything it leaves to the caller (which headers are
// covered, the Date window, the body Digest, the key size) is checked here.
// See /work/shared/notes/federation-security.md §2 and libraries.md §2.

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-fed/httpsig"
)

const (
	// MaxClockSkew is how far a signed request's Date may lie before or
	// after our clock. Mastodon accepts Date-only signatures from about
	// now-65m to now+60m (federation-security.md §2.3).
	MaxClockSkew = time.Hour

	// MaxSignatureHeaderBytes caps the Signature header: httpsig splits it
	// naively and we never want to parse kilobytes of attacker input.
	MaxSignatureHeaderBytes = 8 << 10

	// MinRSAKeyBits and MaxRSAKeyBits bound accepted RSA moduli (D27): too
	// small is forgeable, too large makes every verification a CPU sink.
	MinRSAKeyBits = 2048
	// MaxRSAKeyBits is the largest accepted RSA modulus.
	MaxRSAKeyBits = 8192

	// maxKeyPEMBytes bounds PEM input; an 8192-bit public key is ~1.5 KB.
	maxKeyPEMBytes = 16 << 10
)

// SignatureError is a verification failure caused by the peer's request (or
// by an unobtainable key); the HTTP layer answers 401 with Reason.
type SignatureError struct {
	// Reason is safe to send back to the peer.
	Reason string
	// Err is the underlying cause, if any (e.g. the key resolver's error).
	// It is not part of Error() so internal details do not leak into
	// responses; log it via errors.Unwrap.
	Err error
}

// Error returns the reason.
func (e *SignatureError) Error() string { return e.Reason }

// Unwrap returns the underlying cause.
func (e *SignatureError) Unwrap() error { return e.Err }

func sigErr(format string, args ...any) error {
	return &SignatureError{Reason: fmt.Sprintf(format, args...)}
}

// KeyResolver returns the public key for keyID. refresh=true means the cached
// key failed to verify and should be re-fetched; the resolver itself is
// responsible for rate-limiting such refreshes.
type KeyResolver func(ctx context.Context, keyID string, refresh bool) (*rsa.PublicKey, error)

// SignRequest signs req Mastodon-style with key: it sets Date (from now),
// Host and, for a non-nil body or a POST, Digest, then Signature over
// "(request-target) host date [digest]" using rsa-sha256. The request must
// be sent with exactly body as its payload. Signing again replaces an
// earlier Digest and Signature.
func SignRequest(req *http.Request, body []byte, key *rsa.PrivateKey, keyID string, now time.Time) error {
	if key == nil || keyID == "" {
		return errors.New("federation: SignRequest needs a key and a keyId")
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
		return errors.New("federation: SignRequest: request has no host")
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

	hdrs := []string{httpsig.RequestTarget, "host", "date"}
	if body != nil {
		hdrs = append(hdrs, "digest")
	}
	// A new Signer per call: Signers share a hash.Hash and are not goroutine-safe.
	s, _, err := httpsig.NewSigner([]httpsig.Algorithm{httpsig.RSA_SHA256},
		httpsig.DigestSha256, hdrs, httpsig.Signature, 0)
	if err != nil {
		return fmt.Errorf("federation: new signer: %w", err)
	}
	if err := s.SignRequest(key, keyID, req, body); err != nil {
		return fmt.Errorf("federation: sign request: %w", err)
	}
	return nil
}

// sigParams is a parsed Signature header.
type sigParams struct {
	keyID     string
	algorithm string // as sent, "" if absent
	headers   []string
	signature []byte
	created   string // raw "(created)" parameter, if any
	expires   string // raw "(expires)" parameter, if any
}

// parseSignature parses a draft-cavage Signature header value (without the
// "Signature " auth-scheme prefix). It is deliberately strict: values may not
// contain quotes, backslashes or commas and parameters may not repeat, so the
// canonical form we hand to httpsig (which splits naively on ',') is read
// exactly as we validated it.
func parseSignature(s string) (*sigParams, error) {
	p := &sigParams{}
	seen := map[string]bool{}
	var headers string
	haveHeaders := false
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part) // tolerate ", " separators
		k, v, ok := strings.Cut(part, "=")
		if !ok || k == "" || strings.ContainsAny(k, " \t\"") {
			return nil, errors.New("malformed Signature header")
		}
		if strings.HasPrefix(v, `"`) {
			if len(v) < 2 || !strings.HasSuffix(v, `"`) {
				return nil, errors.New("malformed Signature header: unterminated quoted value")
			}
			v = v[1 : len(v)-1]
		}
		if strings.ContainsAny(v, "\"\\") {
			return nil, errors.New("malformed Signature header: quote or backslash in value")
		}
		if seen[k] {
			return nil, fmt.Errorf("malformed Signature header: duplicate parameter %q", k)
		}
		seen[k] = true
		switch k {
		case "keyId":
			p.keyID = v
		case "algorithm":
			p.algorithm = v
		case "headers":
			headers, haveHeaders = v, true
		case "signature":
			sig, err := base64.StdEncoding.DecodeString(v)
			if err != nil {
				return nil, errors.New("malformed Signature header: signature is not base64")
			}
			p.signature = sig
		case "created":
			p.created = v
		case "expires":
			p.expires = v
		default:
			// Unknown parameters are ignored (draft-cavage §2.1).
		}
	}
	if p.keyID == "" {
		return nil, errors.New("missing keyId parameter")
	}
	if len(p.signature) == 0 {
		return nil, errors.New("missing signature parameter")
	}
	if haveHeaders {
		p.headers = strings.Fields(strings.ToLower(headers))
	}
	if len(p.headers) == 0 {
		// draft-cavage §2.1.6: the default is "date" only, which covers
		// neither the path nor the body; VerifyRequest refuses it.
		p.headers = []string{"date"}
	}
	return p, nil
}

// canonical re-serialises p in the form httpsig parses unambiguously.
func (p *sigParams) canonical() string {
	var b strings.Builder
	fmt.Fprintf(&b, `keyId="%s",headers="%s",signature="%s"`, p.keyID,
		strings.Join(p.headers, " "), base64.StdEncoding.EncodeToString(p.signature))
	// created/expires only when signed: httpsig checks them against the wall
	// clock with 10 s leeway, which must not reject an unsigned extra.
	if slices.Contains(p.headers, "(created)") {
		fmt.Fprintf(&b, ",created=%s", p.created)
	}
	if slices.Contains(p.headers, "(expires)") {
		fmt.Fprintf(&b, ",expires=%s", p.expires)
	}
	return b.String()
}

// SignedHeaders returns the lower-cased header names a Signature header value
// covers, the draft's default ["date"] when it has no headers parameter, or
// nil when the value cannot be parsed. An "Signature " auth-scheme prefix
// (Authorization header form) is accepted.
func SignedHeaders(sig string) []string {
	if rest, ok := cutAuthScheme(sig); ok {
		sig = rest
	}
	p, err := parseSignature(sig)
	if err != nil {
		return nil
	}
	return p.headers
}

// cutAuthScheme strips a case-insensitive "Signature " auth scheme.
func cutAuthScheme(v string) (string, bool) {
	const scheme = "signature "
	if len(v) > len(scheme) && strings.EqualFold(v[:len(scheme)], scheme) {
		return strings.TrimSpace(v[len(scheme):]), true
	}
	return v, false
}

// signatureHeader finds the signature parameters, from the Signature header
// or else from "Authorization: Signature ...".
func signatureHeader(h http.Header) (string, error) {
	sigs := h.Values("Signature")
	auth, isSigAuth := "", false
	if as := h.Values("Authorization"); len(as) == 1 {
		auth, isSigAuth = cutAuthScheme(as[0])
	}
	var value string
	switch {
	case len(sigs) > 1:
		return "", sigErr("multiple Signature headers")
	case len(sigs) == 1 && isSigAuth:
		return "", sigErr("both Signature and Authorization carry a signature")
	case len(sigs) == 1:
		value = sigs[0]
	case isSigAuth:
		value = auth
	default:
		return "", sigErr("missing Signature header")
	}
	if strings.TrimSpace(value) == "" {
		return "", sigErr("missing Signature header")
	}
	if len(value) > MaxSignatureHeaderBytes {
		return "", sigErr("Signature header too long")
	}
	return value, nil
}

// VerifyRequest checks r's HTTP signature and returns the verified keyId.
// body must be the exact raw request body (nil or empty for a GET); now is
// the verifier's clock. It requires (request-target), host and date to be
// signed, plus digest for a POST or any request with a body, Date within
// MaxClockSkew of now, and a SHA-256 Digest equal to the body's hash. A
// signature that fails with the cached key is retried once with
// resolve(ctx, keyID, true). Peer mistakes and key failures are returned as
// *SignatureError. r is not modified.
func VerifyRequest(ctx context.Context, r *http.Request, body []byte, now time.Time, resolve KeyResolver) (keyID string, err error) {
	raw, err := signatureHeader(r.Header)
	if err != nil {
		return "", err
	}
	p, err := parseSignature(raw)
	if err != nil {
		return "", &SignatureError{Reason: err.Error()}
	}
	switch strings.ToLower(p.algorithm) {
	case "", "rsa-sha256", "hs2019":
		// hs2019 means "look at the key"; like Mastodon we verify RSA keys
		// with RSASSA-PKCS1-v1_5/SHA-256 whatever was declared.
	default:
		return "", sigErr("unsupported signature algorithm %q", p.algorithm)
	}

	needDigest := r.Method == http.MethodPost || len(body) > 0
	need := []string{httpsig.RequestTarget, "host", "date"}
	if needDigest {
		need = append(need, "digest")
	}
	for _, h := range need {
		if !slices.Contains(p.headers, h) {
			return "", sigErr("%s not signed", h)
		}
	}
	host := r.Host
	if host == "" {
		host = r.URL.Host
	}
	for _, h := range p.headers {
		switch h {
		case httpsig.RequestTarget:
		case "host":
			if host == "" {
				return "", sigErr("signed header host missing from request")
			}
		case "(created)", "(expires)":
			v := p.created
			if h == "(expires)" {
				v = p.expires
			}
			if err := checkUnixParam(h, v, now); err != nil {
				return "", err
			}
		default:
			if strings.HasPrefix(h, "(") {
				return "", sigErr("unsupported pseudo-header %s", h)
			}
			if len(r.Header.Values(h)) == 0 {
				return "", sigErr("signed header %s missing from request", h)
			}
		}
	}

	if err := checkDate(r.Header, now); err != nil {
		return "", err
	}
	if needDigest || slices.Contains(p.headers, "digest") {
		if err := checkDigest(r.Header, body); err != nil {
			return "", err
		}
	}

	// Verify a copy: httpsig writes Host into the header map, and it gets
	// the canonical parameter string we validated, never the raw header.
	vr := r.Clone(ctx)
	if !slices.Contains(p.headers, "authorization") {
		// httpsig refuses requests where both headers look like signatures.
		vr.Header.Del("Authorization")
	}
	vr.Header.Set("Signature", p.canonical())
	vr.Header["Host"] = []string{host} // the host we were reached at, not a client-set header
	verifiers := make([]httpsig.Verifier, 0, 2)
	v, err := httpsig.NewVerifier(vr)
	if err != nil {
		return "", &SignatureError{Reason: "invalid signature parameters", Err: err}
	}
	verifiers = append(verifiers, v)
	if vr.URL.RawQuery != "" {
		// Older Mastodon signed (request-target) without the query string;
		// Mastodon and GoToSocial still accept both forms.
		nq := vr.Clone(ctx)
		nq.URL.RawQuery = ""
		if v, err = httpsig.NewVerifier(nq); err != nil {
			return "", &SignatureError{Reason: "invalid signature parameters", Err: err}
		}
		verifiers = append(verifiers, v)
	}
	verify := func(pub *rsa.PublicKey) bool {
		for _, v := range verifiers {
			if v.Verify(pub, httpsig.RSA_SHA256) == nil {
				return true
			}
		}
		return false
	}

	pub, err := resolveKey(ctx, resolve, p.keyID, false)
	if err != nil {
		return "", err
	}
	if verify(pub) {
		return p.keyID, nil
	}
	// The peer may have rotated its key: re-fetch once.
	fresh, err := resolveKey(ctx, resolve, p.keyID, true)
	if err != nil {
		return "", err
	}
	if verify(fresh) {
		return p.keyID, nil
	}
	return "", sigErr("signature verification failed")
}

// resolveKey calls resolve and vets the key it returns.
func resolveKey(ctx context.Context, resolve KeyResolver, keyID string, refresh bool) (*rsa.PublicKey, error) {
	pub, err := resolve(ctx, keyID, refresh)
	if err != nil {
		return nil, &SignatureError{Reason: "public key unavailable", Err: err}
	}
	if pub == nil {
		return nil, sigErr("public key unavailable")
	}
	if err := checkRSAPublicKey(pub); err != nil {
		return nil, &SignatureError{Reason: "unacceptable public key", Err: err}
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
		got, err := base64.StdEncoding.DecodeString(val)
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

// checkRSAPublicKey enforces D27: 2048..8192-bit modulus, exponent 65537.
func checkRSAPublicKey(pub *rsa.PublicKey) error {
	if pub.N == nil || pub.N.Sign() <= 0 {
		return errors.New("rsa key has no modulus")
	}
	if bits := pub.N.BitLen(); bits < MinRSAKeyBits || bits > MaxRSAKeyBits {
		return fmt.Errorf("rsa modulus of %d bits outside %d..%d", bits, MinRSAKeyBits, MaxRSAKeyBits)
	}
	if pub.E != 65537 {
		return fmt.Errorf("rsa public exponent %d is not 65537", pub.E)
	}
	return nil
}

// singlePEMBlock decodes exactly one PEM block with no headers and nothing
// but whitespace around it.
func singlePEMBlock(s string) (*pem.Block, error) {
	if len(s) > maxKeyPEMBytes {
		return nil, errors.New("PEM input too large")
	}
	trimmed := bytes.TrimSpace([]byte(s))
	if !bytes.HasPrefix(trimmed, []byte("-----BEGIN ")) {
		return nil, errors.New("not a PEM block")
	}
	block, rest := pem.Decode(trimmed)
	if block == nil {
		return nil, errors.New("invalid PEM")
	}
	if len(bytes.TrimSpace(rest)) != 0 {
		return nil, errors.New("trailing data after PEM block")
	}
	if len(block.Headers) != 0 {
		return nil, errors.New("PEM headers not supported")
	}
	return block, nil
}

// ParsePublicKeyPEM parses an RSA public key as published in an actor's
// publicKeyPem: a "PUBLIC KEY" (PKIX) or "RSA PUBLIC KEY" (PKCS#1) block;
// both occur in the wild. It refuses other key types, extra data, moduli
// outside MinRSAKeyBits..MaxRSAKeyBits and exponents other than 65537.
func ParsePublicKeyPEM(s string) (*rsa.PublicKey, error) {
	block, err := singlePEMBlock(s)
	if err != nil {
		return nil, fmt.Errorf("federation: public key: %w", err)
	}
	var pub *rsa.PublicKey
	switch block.Type {
	case "PUBLIC KEY":
		k, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("federation: public key: %w", err)
		}
		var ok bool
		if pub, ok = k.(*rsa.PublicKey); !ok {
			return nil, fmt.Errorf("federation: public key: %T is not RSA", k)
		}
	case "RSA PUBLIC KEY":
		if pub, err = x509.ParsePKCS1PublicKey(block.Bytes); err != nil {
			return nil, fmt.Errorf("federation: public key: %w", err)
		}
	default:
		return nil, fmt.Errorf("federation: public key: unexpected PEM type %q", block.Type)
	}
	if err := checkRSAPublicKey(pub); err != nil {
		return nil, fmt.Errorf("federation: public key: %w", err)
	}
	return pub, nil
}

// GenerateKey returns a new RSA-2048 key for an actor.
func GenerateKey() (*rsa.PrivateKey, error) {
	return rsa.GenerateKey(rand.Reader, 2048)
}

// EncodePrivateKeyPEM encodes key as a PKCS#8 "PRIVATE KEY" PEM block. It
// panics if key is invalid, which cannot happen for keys from GenerateKey or
// DecodePrivateKeyPEM.
func EncodePrivateKeyPEM(key *rsa.PrivateKey) string {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		panic("federation: EncodePrivateKeyPEM: " + err.Error())
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

// DecodePrivateKeyPEM decodes an RSA private key from a PKCS#8 "PRIVATE KEY"
// or PKCS#1 "RSA PRIVATE KEY" PEM block.
func DecodePrivateKeyPEM(s string) (*rsa.PrivateKey, error) {
	block, err := singlePEMBlock(s)
	if err != nil {
		return nil, fmt.Errorf("federation: private key: %w", err)
	}
	var key *rsa.PrivateKey
	switch block.Type {
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("federation: private key: %w", err)
		}
		var ok bool
		if key, ok = k.(*rsa.PrivateKey); !ok {
			return nil, fmt.Errorf("federation: private key: %T is not RSA", k)
		}
	case "RSA PRIVATE KEY":
		if key, err = x509.ParsePKCS1PrivateKey(block.Bytes); err != nil {
			return nil, fmt.Errorf("federation: private key: %w", err)
		}
	default:
		return nil, fmt.Errorf("federation: private key: unexpected PEM type %q", block.Type)
	}
	if err := checkRSAPublicKey(&key.PublicKey); err != nil {
		return nil, fmt.Errorf("federation: private key: %w", err)
	}
	return key, nil
}

// EncodePublicKeyPEM encodes pub as a PKIX "PUBLIC KEY" PEM block, the form
// Mastodon publishes in publicKeyPem.
func EncodePublicKeyPEM(pub *rsa.PublicKey) string {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil { // only for unsupported key types; *rsa.PublicKey is supported
		panic("federation: EncodePublicKeyPEM: " + err.Error())
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}
