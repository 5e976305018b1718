package as2

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Ids are compared as strings (a relation, a stored event, an origin check),
// so one resource written two ways would be stored twice. No correct peer
// writes its ids in a non-canonical form, so one is refused rather than
// guessed at: an id must equal CanonicalURL of itself.

// CanonicalURL returns s normalised per RFC 3986 §6.2.2 and §6.2.3: scheme
// and host in lower case, no trailing dots on the host, no default port,
// percent-encodings in upper case and unreserved characters not encoded.
// Everything else (non-ASCII IRI characters included) is kept as written.
func CanonicalURL(s string) string {
	// One pass can leave something for the next on malformed authorities
	// ("a:80:" loses its empty port, then its default one): repeat until
	// stable. After the first pass each change shortens the string, so
	// this ends; a well-formed URL takes two passes.
	for range len(s) + 2 {
		t := canonicalOnce(s)
		if t == s {
			break
		}
		s = t
	}
	return s
}

// canonicalOnce is one pass of CanonicalURL.
func canonicalOnce(s string) string {
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		return s
	}
	scheme = strings.ToLower(scheme)
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	authority, tail := rest[:end], rest[end:]
	userinfo, host := "", authority
	if i := strings.LastIndex(authority, "@"); i >= 0 {
		userinfo, host = authority[:i+1], authority[i+1:]
	}
	port := ""
	if i := strings.LastIndex(host, ":"); i >= 0 && !strings.Contains(host[i:], "]") {
		host, port = host[:i], host[i+1:]
	}
	host = strings.TrimRight(strings.ToLower(host), ".") // all of them, or "h.." would canonicalise twice
	if port == "" || (scheme == "http" && port == "80") || (scheme == "https" && port == "443") {
		port = ""
	} else {
		port = ":" + port
	}
	return scheme + "://" + userinfo + host + port + normalisePercent(tail)
}

// normalisePercent upper-cases the hex digits of percent-encodings and
// decodes those of unreserved characters (ALPHA, DIGIT, "-", ".", "_", "~").
func normalisePercent(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' || i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
			b.WriteByte(s[i])
			continue
		}
		c := unhex(s[i+1])<<4 | unhex(s[i+2])
		if isUnreserved(c) {
			b.WriteByte(c)
		} else {
			b.WriteString("%" + strings.ToUpper(s[i+1:i+3]))
		}
		i += 2
	}
	return b.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

func isUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~", c) >= 0
}

// CheckID reports whether id is an http(s) URL written in canonical form.
func CheckID(id string) error {
	if !IsHTTPURL(id) {
		return fmt.Errorf("%q is not an http(s) URL", id)
	}
	if c := CanonicalURL(id); c != id {
		return fmt.Errorf("%q is not in canonical form (%q)", id, c)
	}
	return nil
}

// CheckContext reports whether a document's @context (when present) is what
// JSON-LD allows: a string, an object, or a list of strings and objects.
func CheckContext(doc map[string]json.RawMessage) error {
	raw, ok := doc["@context"]
	if !ok {
		return nil
	}
	if string(bytes.TrimSpace(raw)) == "null" {
		return errors.New("@context must be a string, an object or a list of them")
	}
	var items []json.RawMessage
	if json.Unmarshal(raw, &items) != nil {
		items = []json.RawMessage{raw}
	}
	for _, item := range items {
		var s string
		var m map[string]json.RawMessage
		if json.Unmarshal(item, &s) == nil && s != "" {
			continue
		}
		if json.Unmarshal(item, &m) == nil && m != nil {
			continue
		}
		return errors.New("@context must be a string, an object or a list of them")
	}
	return nil
}
