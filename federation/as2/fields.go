package as2

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"
)

// This file reads the members of remote documents as plain JSON with fixed
// keys (no JSON-LD processing: a remote @context never changes what a key
// means), and holds the URL rules every check of a remote document uses.

// MaxJSONDepth bounds the nesting of remote JSON: encoding/json alone
// accepts 10,000 levels (federation-security.md D30).
const MaxJSONDepth = 32

// CheckDepth reports whether a JSON document nests deeper than MaxJSONDepth.
func CheckDepth(b []byte) error {
	depth, inString, escaped := 0, false, false
	for _, c := range b {
		switch {
		case escaped:
			escaped = false
		case inString:
			if c == '\\' {
				escaped = true
			} else if c == '"' {
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			if depth++; depth > MaxJSONDepth {
				return fmt.Errorf("JSON nested deeper than %d levels", MaxJSONDepth)
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	return nil
}

// StringField returns a required, non-empty string member.
func StringField(m map[string]json.RawMessage, key string) (string, error) {
	raw, ok := m[key]
	if !ok {
		return "", fmt.Errorf("%s is missing", key)
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil || s == "" {
		return "", fmt.Errorf("%s must be a non-empty string", key)
	}
	return s, nil
}

// OptString returns a string member, or "" when it is missing or not a string.
func OptString(m map[string]json.RawMessage, key string) string {
	var s string
	_ = json.Unmarshal(m[key], &s)
	return s
}

// IDOf reads an IRI given as a string or as an object with a string id.
func IDOf(raw json.RawMessage) (string, error) {
	if len(raw) == 0 {
		return "", errors.New("is missing")
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		if s == "" {
			return "", errors.New("is empty")
		}
		return s, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return "", errors.New("must be an IRI or an object with an id")
	}
	return StringField(m, "id")
}

// IDsOf reads one IRI or a list of IRIs/objects (attributedTo, to, cc).
func IDsOf(raw json.RawMessage) []string {
	if len(raw) == 0 {
		return nil
	}
	if id, err := IDOf(raw); err == nil {
		return []string{id}
	}
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) != nil {
		return nil
	}
	var out []string
	for _, r := range list {
		if id, err := IDOf(r); err == nil {
			out = append(out, id)
		}
	}
	return out
}

// LangMapField reads a nameMap-style member: {tag: string}.
func LangMapField(m map[string]json.RawMessage, key string) map[string]string {
	var out map[string]string
	if json.Unmarshal(m[key], &out) != nil {
		return nil
	}
	return out
}

// IsHTTPURL reports whether s is an absolute http(s) URL without credentials.
func IsHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.User == nil
}

// Origin returns scheme://host[:port] in lower case, the unit of trust:
// an actor speaks only for objects on its own origin (FEP-fe34).
func Origin(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return ""
	}
	return strings.ToLower(u.Scheme) + "://" + strings.TrimSuffix(strings.ToLower(u.Host), ".")
}

// SameOrigin reports whether two URLs share a (non-empty) origin.
func SameOrigin(a, b string) bool {
	oa := Origin(a)
	return oa != "" && oa == Origin(b)
}

// IsPublic reports whether an addressing list includes the public collection
// in any of the spellings servers use.
func IsPublic(ids []string) bool {
	for _, id := range ids {
		if id == Public || id == "as:Public" || id == "Public" {
			return true
		}
	}
	return false
}

// clip cuts s to at most n bytes without splitting a UTF-8 sequence, and
// replaces invalid UTF-8 as encoding/json does (go-ap's parser keeps it):
// a remote string must not leave invalid text in the database.
func clip(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
