package as2_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/piprate/json-gold/ld"

	"github.com/ospod/ospod/federation/as2"
	"github.com/ospod/ospod/store"
	"github.com/ospod/ospod/store/storetest"
)

// remoteContexts are the remote @context documents our documents name, as
// published (testdata/contexts/README.md says where each copy comes from).
var remoteContexts = map[string]string{
	"https://www.w3.org/ns/activitystreams": "activitystreams.jsonld",
	"https://w3id.org/security/v1":          "security-v1.jsonld",
}

// offlineLoader serves the contexts above from testdata and refuses every
// other address: the test never touches the network.
type offlineLoader struct{}

func (l offlineLoader) LoadDocument(u string) (*ld.RemoteDocument, error) {
	name, ok := remoteContexts[u]
	if !ok {
		return nil, ld.NewJsonLdError(ld.LoadingDocumentFailed, "no offline copy of "+u)
	}
	b, err := os.ReadFile(filepath.Join("testdata", "contexts", name))
	if err != nil {
		return nil, err
	}
	var doc any
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, err
	}
	return &ld.RemoteDocument{DocumentURL: u, Document: doc}, nil
}

// Every document we publish, read by a real JSON-LD processor: each property
// must expand to an IRI of its vocabulary (not a blank-node "_:" property,
// which the ActivityStreams context's "@vocab": "_:" makes of unknown terms)
// and no value may be dropped on the way. Fedify and the servers built on it
// read us this way.
func TestDocumentsExpandWithJSONLD(t *testing.T) {
	for name, doc := range publishedDocuments(t) {
		t.Run(name, func(t *testing.T) {
			var in any
			if err := json.Unmarshal(doc, &in); err != nil {
				t.Fatal(err)
			}
			opts := ld.NewJsonLdOptions("")
			opts.DocumentLoader = offlineLoader{}
			out, err := ld.NewJsonLdProcessor().Expand(in, opts)
			if err != nil {
				t.Fatalf("expansion failed: %v", err)
			}
			if blank := blankProperties(out, nil); len(blank) > 0 {
				t.Errorf("properties without a vocabulary (blank-node IRIs): %s", strings.Join(blank, ", "))
			}
			if got, want := expandedValues(out), compactValues(in); got != want {
				expanded, _ := json.MarshalIndent(out, "", " ")
				t.Errorf("%d values after expansion, %d before: some were dropped\n%s", got, want, expanded)
			}
		})
	}
}

// publishedDocuments are the actor, an Event, each activity type and each
// collection, built as the node builds them.
func publishedDocuments(t *testing.T) map[string][]byte {
	t.Helper()
	at := time.Date(2026, 11, 26, 8, 15, 0, 0, time.UTC)
	p := exampleProfile(t)
	e := exampleEvent(t, p)
	online := storetest.Event(time.Date(2030, 1, 10, 9, 0, 0, 0, time.UTC))
	online.ID, online.Online = "ONLINE", &store.OnlineLocation{Name: "Room", URL: "https://meet.example/room"}
	online.Image, online.RegistrationURL = "https://img.example/a.jpg", "https://register.example/a"
	online.Status = "cancelled"
	remote := "https://remote.example/users/a"
	docs := map[string][]byte{}
	add := func(name string, doc []byte, err error) {
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		docs[name] = doc
	}
	add3 := func(name string) func(string, []byte, error) {
		return func(_ string, doc []byte, err error) { add(name, doc, err) }
	}
	doc, err := as2.Actor(testURLs, p, "ospo", publicKeyPEM(t))
	add("actor", doc, err)
	doc, err = as2.Event(testURLs, e, p)
	add("Event", doc, err)
	doc, err = as2.Event(testURLs, online, p)
	add("Event, online, cancelled, with image", doc, err)
	add3("Update(actor)")(as2.UpdateActor(testURLs, p, "ospo", publicKeyPEM(t), at))
	add3("Create(Event)")(as2.CreateEvent(testURLs, e, p))
	add3("Update(Event)")(as2.UpdateEvent(testURLs, e, p, at))
	add3("Delete(Event)")(as2.DeleteEvent(testURLs, e.ID, at))
	doc, err = as2.Tombstone(testURLs, e.ID, at)
	add("Tombstone", doc, err)
	add3("Follow")(as2.Follow(testURLs, remote, at))
	add3("Undo(Follow)")(as2.UndoFollow(testURLs, testBase+"/follows/X", remote, at))
	add3("Accept(Follow)")(as2.Accept(testURLs, "https://remote.example/f/1", remote, at))
	add3("Reject(Follow)")(as2.Reject(testURLs, "https://remote.example/f/1", remote, at))
	add3("Ignore(Join)")(as2.Ignore(testURLs, "https://remote.example/join/1", remote, at))
	doc, err = as2.Collection(testURLs.Followers, 2, []string{remote, "https://b.example/2"})
	add("followers", doc, err)
	doc, err = as2.UpcomingEvents(testURLs, []*store.Event{e, online}, 2, p)
	add("upcomingEvents", doc, err)
	doc, err = as2.Outbox(testURLs, 42, 3)
	add("outbox", doc, err)
	doc, err = as2.OutboxPage(testURLs, 2, 3, []*store.Event{e, online}, p)
	add("outbox page", doc, err)
	return docs
}

// blankProperties lists the keys of expanded node objects that are not
// absolute IRIs or keywords, with where they were found.
func blankProperties(v any, path []string) []string {
	var out []string
	switch x := v.(type) {
	case []any:
		for _, item := range x {
			out = append(out, blankProperties(item, path)...)
		}
	case map[string]any:
		for k, item := range x {
			if !strings.HasPrefix(k, "@") && !strings.Contains(strings.TrimPrefix(k, "_:"), ":") || strings.HasPrefix(k, "_:") {
				out = append(out, strings.Join(append(path, k), "/"))
			}
			if k != "@value" {
				out = append(out, blankProperties(item, append(path, shortIRI(k)))...)
			}
		}
	}
	sort.Strings(out)
	return out
}

// shortIRI keeps the last segment of an IRI, for readable paths.
func shortIRI(k string) string {
	if i := strings.LastIndexAny(k, "#/"); i >= 0 && i < len(k)-1 {
		return k[i+1:]
	}
	return k
}

// compactValues counts the non-null scalars of a compact document (its
// @context aside): every id, type, text, number and boolean.
func compactValues(v any) int {
	switch x := v.(type) {
	case []any:
		n := 0
		for _, item := range x {
			n += compactValues(item)
		}
		return n
	case map[string]any:
		n := 0
		for k, item := range x {
			if k != "@context" {
				n += compactValues(item)
			}
		}
		return n
	case nil:
		return 0
	default:
		return 1
	}
}

// expandedValues counts the same scalars in the expanded form: each
// @value, each node's @id and each of its @type entries (a value object's
// @type is its datatype, not a value of ours).
func expandedValues(v any) int {
	switch x := v.(type) {
	case []any:
		n := 0
		for _, item := range x {
			n += expandedValues(item)
		}
		return n
	case map[string]any:
		if _, ok := x["@value"]; ok {
			return 1
		}
		n := 0
		for k, item := range x {
			switch k {
			case "@id":
				n++
			case "@type":
				n += len(item.([]any))
			default:
				n += expandedValues(item)
			}
		}
		return n
	default:
		panic(fmt.Sprintf("unexpected %T in expanded JSON-LD", v))
	}
}

// mastodonTerms is Mastodon's context (app/helpers/context_helper.rb): the
// prefixes and terms most servers copy. A term we also define must mean the
// same, or servers that expand JSON-LD read our profile fields as unknown.
var mastodonTerms = map[string]any{
	"schema":                    "http://schema.org#",
	"toot":                      "http://joinmastodon.org/ns#",
	"ostatus":                   "http://ostatus.org#",
	"manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
	"sensitive":                 "as:sensitive",
	"Hashtag":                   "as:Hashtag",
	"movedTo":                   map[string]any{"@id": "as:movedTo", "@type": "@id"},
	"alsoKnownAs":               map[string]any{"@id": "as:alsoKnownAs", "@type": "@id"},
	"Emoji":                     "toot:Emoji",
	"featured":                  map[string]any{"@id": "toot:featured", "@type": "@id"},
	"featuredTags":              map[string]any{"@id": "toot:featuredTags", "@type": "@id"},
	"PropertyValue":             "schema:PropertyValue",
	"value":                     "schema:value",
	"focalPoint":                map[string]any{"@container": "@list", "@id": "toot:focalPoint"},
	"blurhash":                  "toot:blurhash",
	"discoverable":              "toot:discoverable",
	"indexable":                 "toot:indexable",
	"memorial":                  "toot:memorial",
	"votersCount":               "toot:votersCount",
	"suspended":                 "toot:suspended",
}

// Every prefix and term of our contexts that Mastodon also defines is
// defined as Mastodon defines it.
func TestContextsAlignWithMastodon(t *testing.T) {
	for _, name := range []string{"actor", "Event"} {
		var doc struct {
			Context []any `json:"@context"`
		}
		if err := json.Unmarshal(publishedDocuments(t)[name], &doc); err != nil {
			t.Fatal(err)
		}
		for _, part := range doc.Context {
			terms, ok := part.(map[string]any)
			if !ok {
				continue
			}
			for term, def := range terms {
				want, ok := mastodonTerms[term]
				if !ok {
					continue
				}
				got, _ := json.Marshal(def)
				wantJSON, _ := json.Marshal(want)
				if string(got) != string(wantJSON) {
					t.Errorf("%s: %q is %s in our context, %s in Mastodon's", name, term, got, wantJSON)
				}
			}
		}
	}
}
