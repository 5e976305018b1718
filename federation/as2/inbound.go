package as2

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// Activity is an incoming activity read as plain JSON with fixed keys.
// go-ap is not used on this path: it drops the extensions and language maps
// we read (docs/federation.md), and parsing every body twice cost a tenth
// of the inbox's CPU.
type Activity struct {
	ID, Type, Actor string
	ObjectID        string                     // the object's id, whether sent as an IRI or embedded
	ObjectType      string                     // "" when the object is a bare IRI
	Object          json.RawMessage            // the object as sent
	ObjectMap       map[string]json.RawMessage // the object's members when it is embedded
	Raw             map[string]json.RawMessage
}

// ParseActivity reads an activity. It refuses what is not a JSON object with
// string id, type and actor, and an object that is an IRI or has a string id;
// an @context JSON-LD does not allow; and ids not in canonical form
// (CheckID), which would otherwise be stored beside the canonical ones.
func ParseActivity(body []byte) (*Activity, error) {
	if err := CheckDepth(body); err != nil {
		return nil, err
	}
	in := &Activity{}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&in.Raw); err != nil || in.Raw == nil {
		return nil, errors.New("body is not a JSON object")
	}
	var err error
	if in.ID, err = StringField(in.Raw, "id"); err != nil {
		return nil, err
	}
	if in.Type, err = StringField(in.Raw, "type"); err != nil {
		return nil, err
	}
	if in.Actor, err = IDOf(in.Raw["actor"]); err != nil {
		return nil, fmt.Errorf("actor: %w", err)
	}
	if !IsHTTPURL(in.ID) || !IsHTTPURL(in.Actor) {
		return nil, errors.New("id and actor must be http(s) URLs")
	}
	if err := CheckContext(in.Raw); err != nil {
		return nil, err
	}
	if err := CheckID(in.ID); err != nil {
		return nil, fmt.Errorf("id: %w", err)
	}
	if err := CheckID(in.Actor); err != nil {
		return nil, fmt.Errorf("actor: %w", err)
	}
	if obj, ok := in.Raw["object"]; ok {
		in.Object = obj
		if in.ObjectID, err = IDOf(obj); err != nil {
			// Some activities (Flag) carry a list of objects: use the first.
			ids := IDsOf(obj)
			if len(ids) == 0 {
				return nil, fmt.Errorf("object: %w", err)
			}
			in.ObjectID = ids[0]
		}
		if IsHTTPURL(in.ObjectID) {
			if err := CheckID(in.ObjectID); err != nil {
				return nil, fmt.Errorf("object: %w", err)
			}
		}
		in.SetObject(obj)
	}
	return in, nil
}

// SetObject keeps an embedded object's members and type (also for an
// object fetched after the activity named it by reference).
func (in *Activity) SetObject(obj json.RawMessage) {
	var m map[string]json.RawMessage
	if json.Unmarshal(obj, &m) == nil && m != nil {
		in.ObjectMap = m
		in.ObjectType, _ = StringField(m, "type")
	}
}
