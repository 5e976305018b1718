package as2

// Media types of ActivityStreams documents.
const (
	ContentTypeActivity = "application/activity+json"
	ContentTypeLDJSON   = `application/ld+json; profile="https://www.w3.org/ns/activitystreams"`
)

// Prefixes as Mastodon's context writes them (app/helpers/context_helper.rb):
// a reader that expands JSON-LD (Fedify and the servers built on it) only
// recognises schema.org terms under "http://schema.org#", so every term
// another server also defines keeps that server's IRI.
const (
	schemaPrefix = "http://schema.org#"
	tootPrefix   = "http://joinmastodon.org/ns#"
	gtsPrefix    = "https://gotosocial.org/ns#"
)

// languageMap declares a term whose value is {language: text}; without it a
// JSON-LD reader turns each language into a property of its own.
func languageMap(id string) map[string]any {
	return map[string]any{"@id": id, "@container": "@language"}
}

// iri declares a term whose values are addresses, not text.
func iri(id string) map[string]any { return map[string]any{"@id": id, "@type": "@id"} }

// organizationTerms is the scoped context of ospo:parentOrganization and
// ospo:memberOf, whose "name" is a language map (JSON-LD 1.1).
var organizationTerms = map[string]any{"name": languageMap("as:name")}

// addressTerms are schema.org's postal address terms, as Mobilizon writes them.
var addressTerms = map[string]any{
	"address":         "schema:address",
	"PostalAddress":   "schema:PostalAddress",
	"streetAddress":   "schema:streetAddress",
	"postalCode":      "schema:postalCode",
	"addressLocality": "schema:addressLocality",
	"addressRegion":   "schema:addressRegion",
	"addressCountry":  "schema:addressCountry",
}

// withTerms is terms plus more (a new map).
func withTerms(terms map[string]any, more map[string]any) map[string]any {
	out := make(map[string]any, len(terms)+len(more))
	for k, v := range terms {
		out[k] = v
	}
	for k, v := range more {
		out[k] = v
	}
	return out
}

// actorContext is the @context of our actor. The security vocabulary must be
// there or strict peers (e.g. Misskey) cannot see publicKey. sharedInbox is
// declared as the current ActivityStreams context declares it, for readers
// that hold an older copy of that context.
var actorContext = []any{
	"https://www.w3.org/ns/activitystreams",
	"https://w3id.org/security/v1",
	withTerms(addressTerms, map[string]any{
		"ospo":                      OSPONamespace,
		"schema":                    schemaPrefix,
		"toot":                      tootPrefix,
		"fep":                       FEP8a8e,
		"manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
		"discoverable":              "toot:discoverable",
		"indexable":                 "toot:indexable",
		"featured":                  iri("toot:featured"),
		"upcomingEvents":            iri("fep:upcomingEvents"),
		"sharedInbox":               iri("as:sharedInbox"),
		"Hashtag":                   "as:Hashtag",
		"PropertyValue":             "schema:PropertyValue",
		"value":                     "schema:value",
		"ospo:codeForges":           iri("ospo:codeForges"),
		"ospo:flossPolicy":          iri("ospo:flossPolicy"),
		"ospo:identifiers":          map[string]any{"@id": "ospo:identifiers", "@context": map[string]any{"scheme": "ospo:scheme"}},
		"ospo:logo":                 iri("ospo:logo"),
		"ospo:mandateMap":           languageMap("ospo:mandateMap"),
		"ospo:memberOf":             map[string]any{"@id": "ospo:memberOf", "@context": organizationTerms},
		"ospo:parentOrganization":   map[string]any{"@id": "ospo:parentOrganization", "@context": organizationTerms},
		"ospo:website":              iri("ospo:website"),
	}),
}

// eventContext is the @context of events and of activities that embed them.
var eventContext = []any{
	"https://www.w3.org/ns/activitystreams",
	withTerms(addressTerms, map[string]any{
		"schema":                   schemaPrefix,
		"fep":                      FEP8a8e,
		"mz":                       "https://joinmobilizon.org/ns#",
		"pt":                       "https://joinpeertube.org/ns#",
		"ical":                     "http://www.w3.org/2002/12/cal/ical#",
		"ospo":                     OSPONamespace,
		"timezone":                 "fep:timezone",
		"eventStatus":              iri("fep:eventStatus"),
		"category":                 "fep:category",
		"organizers":               iri("fep:organizers"),
		"joinMode":                 "mz:joinMode",
		"externalParticipationUrl": "mz:externalParticipationUrl",
		"isOnline":                 "mz:isOnline",
		"commentsEnabled":          "pt:commentsEnabled",
		"status":                   "ical:status",
		"Hashtag":                  "as:Hashtag",
		"VirtualLocation":          "schema:VirtualLocation",
		"inLanguage":               "schema:inLanguage",
		"ospo:descriptionMap":      languageMap("ospo:descriptionMap"),
		// GoToSocial's interaction policy, as Mastodon's context and
		// GoToSocial's own (https://gotosocial.org/ns) define it.
		"gts":               gtsPrefix,
		"interactionPolicy": iri("gts:interactionPolicy"),
		"canAnnounce":       iri("gts:canAnnounce"),
		"canLike":           iri("gts:canLike"),
		"canReply":          iri("gts:canReply"),
		"always":            iri("gts:always"),
		"automaticApproval": iri("gts:automaticApproval"),
	}),
}

// plainContext is the @context of documents with only core vocabulary.
const plainContext = "https://www.w3.org/ns/activitystreams"
