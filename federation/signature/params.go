package signature

// Reading the Signature header: where it is, what it says, and the canonical
// form handed to httpsig.

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// sigParams is a parsed Signature header.
type sigParams struct {
	keyID     string
	algorithm string // as sent, "" if absent
	hasAlg    bool   // an algorithm parameter was sent (possibly empty)
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
			p.algorithm, p.hasAlg = v, true
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
		// neither the path nor the body; Verify refuses it.
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
	if len(value) > MaxHeaderBytes {
		return "", sigErr("Signature header too long")
	}
	return value, nil
}
