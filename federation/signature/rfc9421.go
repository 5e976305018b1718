package signature

// RFC 9421 HTTP Message Signatures, as Mastodon (4.5 and later) verifies
// and sends them: one signature, keyid and created required, @method and
// @target-uri covered (or @authority and @path), content-digest (RFC 9530)
// covered on a POST, RSA keys with rsa-v1_5-sha256 (rsa-pss-sha512 when
// alg says so). go-fed/httpsig knows only draft-cavage, so this is
// written here, small and strict (trust.md §5).

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// RFC 9421 algorithms we verify (alg parameter values).
const (
	AlgRSAv15SHA256 = "rsa-v1_5-sha256"
	AlgRSAPSSSHA512 = "rsa-pss-sha512"
)

// Time window of an RFC 9421 signature, Mastodon's: created at most
// MaxClockSkew ahead; valid until expires (default created+5 min, at most
// created+12 h), plus MaxClockSkew.
const (
	defaultSigLifetime = 5 * time.Minute
	maxSigLifetime     = 12 * time.Hour
)

// messageSig is one parsed RFC 9421 signature of a request.
type messageSig struct {
	label      string
	components []sfItem // covered component identifiers, in order
	params     []sfParam
	keyID      string
	alg        string
	created    int64
	expires    int64 // 0 when absent
	signature  []byte
}

// IsRFC9421 reports whether h carries an RFC 9421 signature (a
// Signature-Input header): Signature then has the RFC 9421 syntax.
func IsRFC9421(h http.Header) bool { return len(h.Values("Signature-Input")) > 0 }

// readMessageSig parses the one signature of Signature-Input and Signature.
func readMessageSig(h http.Header) (*messageSig, error) {
	input := strings.Join(h.Values("Signature-Input"), ", ")
	sigs := strings.Join(h.Values("Signature"), ", ")
	if sigs == "" {
		return nil, sigErr("Signature-Input without Signature")
	}
	if len(input) > MaxHeaderBytes || len(sigs) > MaxHeaderBytes {
		return nil, sigErr("signature headers too long")
	}
	inputs, err := parseDictionary(input)
	if err != nil {
		return nil, sigErr("malformed Signature-Input: %v", err)
	}
	values, err := parseDictionary(sigs)
	if err != nil {
		return nil, sigErr("malformed Signature: %v", err)
	}
	if len(inputs) != 1 || len(values) != 1 {
		return nil, sigErr("exactly one signature is accepted")
	}
	in, val := inputs[0], values[0]
	if !in.isList || val.isList || !val.isBytes || val.key != in.key {
		return nil, sigErr("Signature-Input and Signature do not match")
	}
	m := &messageSig{label: in.key, components: in.list, params: in.params, signature: []byte(val.item.str)}
	return m, m.readParams()
}

// readParams reads keyid, created, expires and alg; other parameters
// (nonce, tag) are signed and otherwise ignored.
func (m *messageSig) readParams() error {
	for _, p := range m.params {
		var ok bool
		switch p.key {
		case "keyid":
			m.keyID, ok = p.val.(string)
		case "alg":
			m.alg, ok = p.val.(string)
		case "created":
			m.created, ok = p.val.(int64)
		case "expires":
			m.expires, ok = p.val.(int64)
		default:
			ok = true
		}
		if !ok {
			return sigErr("malformed %s parameter", p.key)
		}
	}
	if m.keyID == "" {
		return sigErr("missing keyid parameter")
	}
	if m.created <= 0 {
		return sigErr("missing created parameter")
	}
	switch m.alg {
	case "", AlgRSAv15SHA256, AlgRSAPSSSHA512:
	default:
		return sigErr("unsupported signature algorithm %q", m.alg)
	}
	return nil
}

// covers reports whether the signature covers the component name.
func (m *messageSig) covers(name string) bool {
	return slices.ContainsFunc(m.components, func(c sfItem) bool { return c.str == name })
}

// checkPolicy requires what Mastodon requires of an inbox request: the
// method and target covered, content-digest on a POST or with a body, and
// a signature within its time window.
func (m *messageSig) checkPolicy(r *http.Request, body []byte, now time.Time) error {
	seen := map[string]bool{}
	for _, c := range m.components {
		if seen[c.str] {
			return sigErr("component %q covered twice", c.str)
		}
		seen[c.str] = true
	}
	if !m.covers("@method") {
		return sigErr("@method not signed")
	}
	if !m.covers("@target-uri") && !(m.covers("@authority") && m.covers("@path") &&
		(r.URL.RawQuery == "" || m.covers("@query"))) {
		return sigErr("@target-uri not signed")
	}
	if (r.Method == http.MethodPost || len(body) > 0) && !m.covers("content-digest") {
		return sigErr("content-digest not signed")
	}
	created := time.Unix(m.created, 0)
	if created.After(now.Add(MaxClockSkew)) {
		return sigErr("signature created in the future")
	}
	expiry := created.Add(defaultSigLifetime)
	if m.expires > 0 {
		expiry = time.Unix(m.expires, 0)
	}
	if limit := created.Add(maxSigLifetime); expiry.After(limit) {
		expiry = limit
	}
	if now.After(expiry.Add(MaxClockSkew)) {
		return sigErr("signature expired")
	}
	if m.covers("content-digest") {
		return checkContentDigest(r.Header, body)
	}
	return nil
}

// base builds the signature base (RFC 9421 §2.5) of r.
func (m *messageSig) base(r *http.Request) (string, error) {
	var b strings.Builder
	for _, c := range m.components {
		v, err := componentValue(r, c)
		if err != nil {
			return "", err
		}
		b.WriteString(quoteSF(c.str))
		serializeParams(&b, c.params)
		b.WriteString(": " + v + "\n")
	}
	b.WriteString(`"@signature-params": `)
	b.WriteString(m.serializeInput())
	return b.String(), nil
}

// serializeInput serialises the covered components and parameters.
func (m *messageSig) serializeInput() string {
	var b strings.Builder
	b.WriteByte('(')
	for i, c := range m.components {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(quoteSF(c.str))
		serializeParams(&b, c.params)
	}
	b.WriteByte(')')
	serializeParams(&b, m.params)
	return b.String()
}

// componentValue is the value of one covered component of r (§2.1, §2.2).
// Component parameters (;sf, ;key, ;bs, ;req, ;name) are not supported.
func componentValue(r *http.Request, c sfItem) (string, error) {
	if len(c.params) > 0 {
		return "", sigErr("component parameters are not supported (%s)", c.str)
	}
	scheme := requestScheme(r)
	target := r.RequestURI
	if target == "" || !strings.HasPrefix(target, "/") {
		target = r.URL.RequestURI()
	}
	path, query, hasQuery := strings.Cut(target, "?")
	switch c.str {
	case "@method":
		return r.Method, nil
	case "@target-uri":
		return scheme + "://" + authority(scheme, requestHost(r)) + target, nil
	case "@authority":
		return authority(scheme, requestHost(r)), nil
	case "@scheme":
		return scheme, nil
	case "@request-target":
		return target, nil
	case "@path":
		if path == "" {
			path = "/"
		}
		return path, nil
	case "@query":
		if !hasQuery {
			return "?", nil
		}
		return "?" + query, nil
	}
	if strings.HasPrefix(c.str, "@") || c.str == "" || c.str != strings.ToLower(c.str) {
		return "", sigErr("unsupported component %q", c.str)
	}
	if c.str == "host" {
		return requestHost(r), nil
	}
	vals := r.Header.Values(c.str)
	if len(vals) == 0 {
		return "", sigErr("signed header %s missing from request", c.str)
	}
	for i, v := range vals {
		if strings.ContainsAny(v, "\r\n") {
			return "", sigErr("malformed %s header", c.str)
		}
		vals[i] = strings.Trim(v, " \t")
	}
	return strings.Join(vals, ", "), nil
}

// requestScheme is the scheme the client used: r.URL.Scheme when the
// server set it (it knows whether a proxy ended TLS), else from r.TLS.
func requestScheme(r *http.Request) string {
	if r.URL.Scheme != "" {
		return strings.ToLower(r.URL.Scheme)
	}
	if r.TLS != nil {
		return "https"
	}
	return "http"
}

// authority normalises a host[:port] as §2.2.3 asks: lower case, no
// default port.
func authority(scheme, host string) string {
	host = strings.ToLower(host)
	if scheme == "https" {
		return strings.TrimSuffix(host, ":443")
	}
	return strings.TrimSuffix(host, ":80")
}

// checkContentDigest requires a Content-Digest (RFC 9530) with a sha-256
// or sha-512 member, each such member equal to the body's digest.
func checkContentDigest(h http.Header, body []byte) error {
	raw := strings.Join(h.Values("Content-Digest"), ", ")
	if raw == "" {
		return sigErr("missing Content-Digest header")
	}
	members, err := parseDictionary(raw)
	if err != nil {
		return sigErr("malformed Content-Digest header")
	}
	found := false
	for _, m := range members {
		var sum []byte
		switch m.key {
		case "sha-256":
			s := sha256.Sum256(body)
			sum = s[:]
		case "sha-512":
			s := sha512.Sum512(body)
			sum = s[:]
		default:
			continue // other algorithms are ignored
		}
		if m.isList || !m.isBytes {
			return sigErr("malformed Content-Digest header")
		}
		if subtle.ConstantTimeCompare([]byte(m.item.str), sum) != 1 {
			return sigErr("Content-Digest does not match body")
		}
		found = true
	}
	if !found {
		return sigErr("Content-Digest has no sha-256 or sha-512 member")
	}
	return nil
}

// verifyBase checks sig over base with pub under alg ("" means the RSA
// key's default, rsa-v1_5-sha256).
func verifyBase(alg string, pub *rsa.PublicKey, base string, sig []byte) error {
	switch alg {
	case "", AlgRSAv15SHA256:
		sum := sha256.Sum256([]byte(base))
		return rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig)
	case AlgRSAPSSSHA512:
		sum := sha512.Sum512([]byte(base))
		return rsa.VerifyPSS(pub, crypto.SHA512, sum[:], sig, &rsa.PSSOptions{SaltLength: 64})
	}
	return fmt.Errorf("unsupported algorithm %q", alg)
}

// verifyMessage is Verify for an RFC 9421 signature.
func verifyMessage(ctx context.Context, r *http.Request, body []byte, now time.Time, resolve KeyResolver) (string, error) {
	m, err := readMessageSig(r.Header)
	if err != nil {
		return "", err
	}
	if err := m.checkPolicy(r, body, now); err != nil {
		return "", err
	}
	base, err := m.base(r)
	if err != nil {
		return "", err
	}
	verify := func(pub *rsa.PublicKey) bool { return verifyBase(m.alg, pub, base, m.signature) == nil }
	if err := verifyWithKey(ctx, resolve, m.keyID, verify); err != nil {
		return "", err
	}
	return m.keyID, nil
}

// ClaimedKeyID returns the key id a request's signature names, cavage or
// RFC 9421, without verifying anything ("" when there is none): the inbox
// refuses a blocked domain before any work or fetch.
func ClaimedKeyID(h http.Header) string {
	if IsRFC9421(h) {
		if m, err := readMessageSig(h); err == nil {
			return m.keyID
		}
		return ""
	}
	raw, err := signatureHeader(h)
	if err != nil {
		return ""
	}
	p, err := parseSignature(raw)
	if err != nil {
		return ""
	}
	return p.keyID
}
