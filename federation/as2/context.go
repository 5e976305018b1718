package as2

// Media types of ActivityStreams documents.
const (
	ContentTypeActivity = "application/activity+json"
	ContentTypeLDJSON   = `application/ld+json; profile="https://www.w3.org/ns/activitystreams"`
)

// actorContext is the @context of our actor. The security vocabulary must be
// there or strict peers (e.g. Misskey) cannot see publicKey.
var actorContext = []any{
	"https://www.w3.org/ns/activitystreams",
	"https://w3id.org/security/v1",
	map[string]any{
		"ospo":                      OSPONamespace,
		"schema":                    "http://schema.org/",
		"toot":                      "http://joinmastodon.org/ns#",
		"fep":                       FEP8a8e,
		"manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
		"discoverable":              "toot:discoverable",
		"indexable":                 "toot:indexable",
		"featured":                  map[string]any{"@id": "toot:featured", "@type": "@id"},
		"upcomingEvents":            map[string]any{"@id": "fep:upcomingEvents", "@type": "@id"},
		"Hashtag":                   "as:Hashtag",
		"PropertyValue":             "schema:PropertyValue",
		"value":                     "schema:value",
		"address":                   "schema:address",
		"PostalAddress":             "schema:PostalAddress",
		"streetAddress":             "schema:streetAddress",
		"postalCode":                "schema:postalCode",
		"addressLocality":           "schema:addressLocality",
		"addressRegion":             "schema:addressRegion",
		"addressCountry":            "schema:addressCountry",
	},
}

// eventContext is the @context of events and of activities that embed them.
var eventContext = []any{
	"https://www.w3.org/ns/activitystreams",
	map[string]any{
		"schema":                   "http://schema.org/",
		"fep":                      FEP8a8e,
		"mz":                       "https://joinmobilizon.org/ns#",
		"pt":                       "https://joinpeertube.org/ns#",
		"ical":                     "http://www.w3.org/2002/12/cal/ical#",
		"ospo":                     OSPONamespace,
		"timezone":                 "fep:timezone",
		"eventStatus":              map[string]any{"@id": "fep:eventStatus", "@type": "@id"},
		"category":                 "fep:category",
		"organizers":               map[string]any{"@id": "fep:organizers", "@type": "@id"},
		"joinMode":                 "mz:joinMode",
		"externalParticipationUrl": "mz:externalParticipationUrl",
		"isOnline":                 "mz:isOnline",
		"commentsEnabled":          "pt:commentsEnabled",
		"status":                   "ical:status",
		"Hashtag":                  "as:Hashtag",
		"address":                  "schema:address",
		"PostalAddress":            "schema:PostalAddress",
		"streetAddress":            "schema:streetAddress",
		"postalCode":               "schema:postalCode",
		"addressLocality":          "schema:addressLocality",
		"addressRegion":            "schema:addressRegion",
		"addressCountry":           "schema:addressCountry",
		"VirtualLocation":          "schema:VirtualLocation",
		"inLanguage":               "schema:inLanguage",
	},
}

// plainContext is the @context of documents with only core vocabulary.
const plainContext = "https://www.w3.org/ns/activitystreams"
