package as2

import (
	"encoding/json"
	"errors"
	"fmt"

	vocab "github.com/go-ap/activitypub"

	"github.com/ospod/ospod/store"
)

// actorTypes are the actor types we follow and accept followers of.
var actorTypes = map[vocab.ActivityVocabularyType]bool{
	vocab.PersonType: true, vocab.OrganizationType: true, vocab.ServiceType: true,
	vocab.ApplicationType: true, vocab.GroupType: true,
}

// ReadActor reads a fetched actor document once into the record we keep and,
// when it describes an OSPO with a usable profile, that profile (else nil).
// It checks what we rely on: a known actor type, inboxes and key on the
// actor's own origin, and a key that names the actor as its owner
// (federation-security.md D9, D39). Whether the key itself parses is the
// caller's check: the key format belongs to the signatures.
func ReadActor(doc []byte) (*store.Actor, *store.Profile, error) {
	if err := CheckDepth(doc); err != nil {
		return nil, nil, err
	}
	var top map[string]json.RawMessage
	if json.Unmarshal(doc, &top) == nil {
		if err := CheckContext(top); err != nil {
			return nil, nil, err
		}
	}
	it, err := vocab.UnmarshalJSON(doc)
	if err != nil || vocab.IsNil(it) {
		return nil, nil, errors.New("not an ActivityStreams actor")
	}
	var a *vocab.Actor
	if err := vocab.OnActor(it, func(x *vocab.Actor) error { a = x; return nil }); err != nil || a == nil {
		return nil, nil, errors.New("not an actor")
	}
	out, err := actorRecord(a, doc)
	if err != nil {
		return nil, nil, err
	}
	// go-ap drops the extensions: the OSPO terms are read from the members.
	var m map[string]json.RawMessage
	if json.Unmarshal(doc, &m) != nil {
		return out, nil, nil
	}
	_, hasCountry := m["ospo:country"]
	_, hasLevel := m["ospo:governmentLevel"]
	out.IsOSPO = hasCountry || hasLevel
	if !out.IsOSPO {
		return out, nil, nil
	}
	if p, ok := profileFrom(m); ok {
		return out, p, nil
	}
	return out, nil, nil
}

// actorRecord checks go-ap's view of an actor and turns it into the record we keep.
func actorRecord(a *vocab.Actor, doc []byte) (*store.Actor, error) {
	if !actorTypes[a.Type] {
		return nil, fmt.Errorf("actor type %q is not supported", a.Type)
	}
	id := string(a.ID)
	if !IsHTTPURL(id) {
		return nil, errors.New("actor id is not an http(s) URL")
	}
	if err := CheckID(id); err != nil {
		return nil, fmt.Errorf("actor id: %w", err)
	}
	out := &store.Actor{ID: id, Type: string(a.Type), Host: store.HostOf(id), Doc: string(doc)}
	if !vocab.IsNil(a.Inbox) {
		out.Inbox = string(a.Inbox.GetLink())
	}
	if out.Inbox == "" || !SameOrigin(out.Inbox, id) {
		return nil, errors.New("actor inbox missing or on another origin")
	}
	if a.Endpoints != nil && !vocab.IsNil(a.Endpoints.SharedInbox) {
		if si := string(a.Endpoints.SharedInbox.GetLink()); SameOrigin(si, id) {
			out.SharedInbox = si
		}
	}
	out.Username = clip(a.PreferredUsername.First().String(), 100)
	out.KeyID, out.PublicKeyPEM = string(a.PublicKey.ID), a.PublicKey.PublicKeyPem
	if out.KeyID == "" || out.PublicKeyPEM == "" {
		return nil, errors.New("actor has no publicKey")
	}
	if string(a.PublicKey.Owner) != id || !SameOrigin(out.KeyID, id) {
		return nil, errors.New("actor's publicKey is not owned by the actor")
	}
	return out, nil
}

// ReadProfile reads the OSPO profile of an actor document (one we stored:
// a fetched one comes with its profile from ReadActor). ok is false when it
// has no usable name.
func ReadProfile(doc []byte) (p *store.Profile, ok bool) {
	var m map[string]json.RawMessage
	if json.Unmarshal(doc, &m) != nil {
		return nil, false
	}
	return profileFrom(m)
}

// profileFrom reads and cleans the OSPO profile terms of an actor's members.
func profileFrom(m map[string]json.RawMessage) (*store.Profile, bool) {
	p := &store.Profile{}
	get := func(key string, v any) { _ = json.Unmarshal(m[key], v) }
	get("ospo:language", &p.Language)
	p.Name = textMap(m, "name", "nameMap", p.Language)
	p.Summary = textMap(m, "summary", "summaryMap", p.Language) // the markup is stripped
	get("ospo:mandateMap", &p.Mandate)
	get("ospo:country", &p.Country)
	get("ospo:governmentLevel", &p.GovernmentLevel)
	get("ospo:supportAreas", &p.SupportAreas)
	get("ospo:website", &p.Website)
	get("ospo:email", &p.Email)
	get("ospo:founded", &p.Founded)
	get("ospo:flossPolicy", &p.FlossPolicy)
	get("ospo:codeForges", &p.CodeForges)
	get("ospo:teamSize", &p.TeamSize)
	get("ospo:identifiers", &p.Identifiers)
	get("ospo:parentOrganization", &p.ParentOrganization)
	get("ospo:memberOf", &p.Memberships)
	get("ospo:logo", &p.Logo)
	get("discoverable", &p.Discoverable)
	if p.Logo == "" {
		var icon struct {
			URL json.RawMessage `json:"url"`
		}
		if json.Unmarshal(m["icon"], &icon) == nil {
			p.Logo, _ = IDOf(icon.URL)
		}
	}
	if p.Website == "" {
		if u, err := IDOf(m["url"]); err == nil {
			p.Website = u
		}
	}
	p.Location = placeFrom(m["location"])
	if len(p.Name) == 0 {
		var user string
		get("preferredUsername", &user)
		if user != "" {
			p.Name = store.LangMap{store.UndeterminedLanguage: user}
		}
	}
	ok := p.CleanRemote()
	return p, ok
}

// KeyOwner reads the owner of a stand-alone key document (GoToSocial serves
// keys at their own URL): its "owner", or that of its embedded publicKey.
func KeyOwner(doc []byte) (string, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(doc, &m); err != nil {
		return "", err
	}
	owner := OptString(m, "owner")
	if owner == "" {
		var pk map[string]json.RawMessage
		if json.Unmarshal(m["publicKey"], &pk) == nil {
			owner = OptString(pk, "owner")
		}
	}
	return owner, nil
}

// ActorFacts are what views show of a stored actor beyond its columns.
type ActorFacts struct {
	Name string // the actor's display name ("" when it has none)
	// Discoverable is the actor's consent to be listed (Mastodon's
	// "discoverable"; true when the document does not say).
	Discoverable bool
}

// ReadActorFacts reads an actor document's display name and discoverable
// flag; a document without them, or none, gives the defaults.
func ReadActorFacts(doc []byte) ActorFacts {
	facts := ActorFacts{Discoverable: true}
	var m struct {
		Name         json.RawMessage `json:"name"`
		Discoverable json.RawMessage `json:"discoverable"`
	}
	if json.Unmarshal(doc, &m) != nil {
		return facts
	}
	// Each member on its own: a name of another type (a language map
	// sent as "name") leaves the name empty, not the whole document.
	_ = json.Unmarshal(m.Name, &facts.Name)
	_ = json.Unmarshal(m.Discoverable, &facts.Discoverable)
	return facts
}
