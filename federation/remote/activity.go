package remote

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"slices"
	"strings"
)

// ActivityStreams media types.
const (
	// ActivityStreamsProfile is the AS2 namespace, used as ld+json profile.
	ActivityStreamsProfile = "https://www.w3.org/ns/activitystreams"
	// AcceptActivity is the Accept header sent when fetching AS2 objects.
	AcceptActivity = `application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"`
)

// IsActivityContentType reports whether a Content-Type header names an
// ActivityStreams document: application/activity+json, or
// application/ld+json whose profile includes the AS2 namespace
// (CVE-2024-25623; profile-less ld+json is refused, as Mastodon does).
func IsActivityContentType(ct string) bool {
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	switch mt {
	case "application/activity+json":
		return true
	case "application/ld+json":
		// Only with the ActivityStreams profile, as Mastodon requires since
		// CVE-2024-25623 (JSON uploaded as media on the victim's host).
		return slices.Contains(strings.Fields(params["profile"]), ActivityStreamsProfile)
	}
	return false
}

// checkActivity applies GetActivity's checks to a GET of rawURL: an AS2
// Content-Type and a JSON object whose id is rawURL, reached without a
// redirect.
func checkActivity(rawURL string, res *fetched) error {
	if !IsActivityContentType(res.contentType) {
		return fmt.Errorf("%w: %q", ErrContentType, res.contentType)
	}
	id, err := documentID(res.body)
	if err != nil {
		return err
	}
	if id != res.final || res.final != rawURL {
		return &IDMismatchError{Requested: rawURL, Final: res.final, ID: id}
	}
	return nil
}

// documentID returns the top-level "id" of a JSON object. Duplicate
// top-level keys are refused: encoding/json keeps the last one and other
// parsers (go-ap's fastjson) the first, so duplicates could smuggle a
// different identity past this check. Keys match case-sensitively, unlike
// encoding/json struct decoding.
func documentID(body []byte) (string, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return "", fmt.Errorf("%w: not a JSON object", ErrInvalidDocument)
	}
	seen := map[string]bool{}
	id, haveID := "", false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return "", fmt.Errorf("%w: %v", ErrInvalidDocument, err)
		}
		key, _ := tok.(string)
		if seen[key] {
			return "", fmt.Errorf("%w: duplicate key %q", ErrInvalidDocument, key)
		}
		seen[key] = true
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return "", fmt.Errorf("%w: %v", ErrInvalidDocument, err)
		}
		if key == "id" {
			if err := json.Unmarshal(v, &id); err != nil {
				return "", fmt.Errorf("%w: id is not a string", ErrInvalidDocument)
			}
			haveID = true
		}
	}
	if _, err := dec.Token(); err != nil { // the closing '}'
		return "", fmt.Errorf("%w: %v", ErrInvalidDocument, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return "", fmt.Errorf("%w: trailing data after JSON object", ErrInvalidDocument)
	}
	if !haveID || id == "" {
		return "", fmt.Errorf("%w: missing id", ErrInvalidDocument)
	}
	return id, nil
}
