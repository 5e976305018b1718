package federation

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/ospod/ospod/federation/as2"
)

// maxJSONDepth bounds the nesting of remote JSON: encoding/json alone
// accepts 10,000 levels (federation-security.md D30).
const maxJSONDepth = 32

// checkDepth reports whether a JSON document nests deeper than maxJSONDepth.
func checkDepth(b []byte) error {
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
			if depth++; depth > maxJSONDepth {
				return fmt.Errorf("JSON nested deeper than %d levels", maxJSONDepth)
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	return nil
}

// inbound is an incoming activity read as plain JSON with fixed keys (no
// JSON-LD processing: a remote @context never changes what a key means).
// go-ap is not used on this path: it drops the extensions and language maps
// we read (docs/federation.md), and parsing every body twice cost a tenth
// of the inbox's CPU.
type inbound struct {
	ID, Type, Actor string
	ObjectID        string                     // the object's id, whether sent as an IRI or embedded
	ObjectType      string                     // "" when the object is a bare IRI
	Object          json.RawMessage            // the object as sent
	ObjectMap       map[string]json.RawMessage // the object's members when it is embedded
	Raw             map[string]json.RawMessage
	event           *incomingEvent // an embedded Event, read before the transaction
	eventErr        error          // why that Event is unusable
}

// parseInbound reads an activity. It refuses what is not a JSON object with
// string id, type and actor, and an object that is an IRI or has a string id.
func parseInbound(body []byte) (*inbound, error) {
	if err := checkDepth(body); err != nil {
		return nil, err
	}
	in := &inbound{}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&in.Raw); err != nil || in.Raw == nil {
		return nil, errors.New("body is not a JSON object")
	}
	var err error
	if in.ID, err = stringField(in.Raw, "id"); err != nil {
		return nil, err
	}
	if in.Type, err = stringField(in.Raw, "type"); err != nil {
		return nil, err
	}
	if in.Actor, err = idOf(in.Raw["actor"]); err != nil {
		return nil, fmt.Errorf("actor: %w", err)
	}
	if !isHTTPURL(in.ID) || !isHTTPURL(in.Actor) {
		return nil, errors.New("id and actor must be http(s) URLs")
	}
	if obj, ok := in.Raw["object"]; ok {
		in.Object = obj
		if in.ObjectID, err = idOf(obj); err != nil {
			// Some activities (Flag) carry a list of objects: use the first.
			ids := idsOf(obj)
			if len(ids) == 0 {
				return nil, fmt.Errorf("object: %w", err)
			}
			in.ObjectID = ids[0]
		}
		in.setObject(obj)
	}
	return in, nil
}

// setObject keeps an embedded object's members and type.
func (in *inbound) setObject(obj json.RawMessage) {
	var m map[string]json.RawMessage
	if json.Unmarshal(obj, &m) == nil && m != nil {
		in.ObjectMap = m
		in.ObjectType, _ = stringField(m, "type")
	}
}

// stringField returns a required string member.
func stringField(m map[string]json.RawMessage, key string) (string, error) {
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

// optString returns a string member or "".
func optString(m map[string]json.RawMessage, key string) string {
	var s string
	_ = json.Unmarshal(m[key], &s)
	return s
}

// idOf reads an IRI given as a string or as an object with a string id.
func idOf(raw json.RawMessage) (string, error) {
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
	return stringField(m, "id")
}

// idsOf reads one IRI or a list of IRIs/objects (attributedTo, to, cc).
func idsOf(raw json.RawMessage) []string {
	if len(raw) == 0 {
		return nil
	}
	if id, err := idOf(raw); err == nil {
		return []string{id}
	}
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) != nil {
		return nil
	}
	var out []string
	for _, r := range list {
		if id, err := idOf(r); err == nil {
			out = append(out, id)
		}
	}
	return out
}

func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.User == nil
}

// origin returns scheme://host[:port] in lower case, the unit of trust:
// an actor speaks only for objects on its own origin (FEP-fe34).
func origin(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return ""
	}
	return strings.ToLower(u.Scheme) + "://" + strings.TrimSuffix(strings.ToLower(u.Host), ".")
}

func sameOrigin(a, b string) bool {
	oa := origin(a)
	return oa != "" && oa == origin(b)
}

// isPublic reports whether an addressing list includes the public collection
// in any of the spellings servers use.
func isPublic(ids []string) bool {
	for _, id := range ids {
		if id == as2.Public || id == "as:Public" || id == "Public" {
			return true
		}
	}
	return false
}

// langMapField reads a nameMap-style member: {tag: string}.
func langMapField(m map[string]json.RawMessage, key string) map[string]string {
	var out map[string]string
	if json.Unmarshal(m[key], &out) != nil {
		return nil
	}
	return out
}
