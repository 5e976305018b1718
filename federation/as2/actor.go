package as2

import (
	"encoding/json"
	"fmt"
	"html"
	"strings"
	"time"

	"github.com/ospod/ospod/federation/markup"
	"github.com/ospod/ospod/store"
)

// actor is our Organization actor as we publish it. The fields follow the
// alphabetical order of their JSON names, as do those of every document type
// in this package: the documents were first written through a sorted map, and
// keeping the order keeps the bytes (and the golden files) unchanged.
type actor struct {
	Context                   any             `json:"@context,omitempty"`
	Attachment                []propertyValue `json:"attachment"` // null without profile fields, as always
	Discoverable              bool            `json:"discoverable"`
	Endpoints                 endpoints       `json:"endpoints"`
	Featured                  string          `json:"featured"`
	Followers                 string          `json:"followers"`
	Following                 string          `json:"following"`
	Icon                      *icon           `json:"icon,omitempty"`
	ID                        string          `json:"id"`
	Inbox                     string          `json:"inbox"`
	Indexable                 bool            `json:"indexable"`
	Location                  *place          `json:"location,omitempty"`
	ManuallyApprovesFollowers bool            `json:"manuallyApprovesFollowers"`
	Name                      string          `json:"name,omitempty"`
	NameMap                   store.LangMap   `json:"nameMap,omitempty"`
	ospoTerms
	Outbox            string        `json:"outbox"`
	PreferredUsername string        `json:"preferredUsername"`
	PublicKey         publicKey     `json:"publicKey"`
	Published         string        `json:"published,omitempty"`
	Summary           string        `json:"summary,omitempty"`
	SummaryMap        store.LangMap `json:"summaryMap,omitempty"`
	Tag               []hashtag     `json:"tag"`
	Type              string        `json:"type"`
	UpcomingEvents    string        `json:"upcomingEvents"`
	Updated           string        `json:"updated,omitempty"`
	URL               string        `json:"url"`
}

// ospoTerms are the profile fields under the ospo: namespace (docs/federation.md).
type ospoTerms struct {
	CodeForges         []string             `json:"ospo:codeForges,omitempty"`
	Country            string               `json:"ospo:country,omitempty"`
	Email              string               `json:"ospo:email,omitempty"`
	FlossPolicy        string               `json:"ospo:flossPolicy,omitempty"`
	Founded            string               `json:"ospo:founded,omitempty"`
	GovernmentLevel    string               `json:"ospo:governmentLevel,omitempty"`
	Identifiers        []store.Identifier   `json:"ospo:identifiers,omitempty"`
	Language           string               `json:"ospo:language,omitempty"`
	Logo               string               `json:"ospo:logo,omitempty"`
	Mandate            *string              `json:"ospo:mandate,omitempty"`    // rendered HTML
	MandateMap         store.LangMap        `json:"ospo:mandateMap,omitempty"` // Markdown source, per language
	MemberOf           []store.Organization `json:"ospo:memberOf,omitempty"`
	ParentOrganization *store.Organization  `json:"ospo:parentOrganization,omitempty"`
	SupportAreas       []string             `json:"ospo:supportAreas,omitempty"`
	TeamSize           *int                 `json:"ospo:teamSize,omitempty"`
	Website            string               `json:"ospo:website,omitempty"`
}

type endpoints struct {
	SharedInbox string `json:"sharedInbox"`
}

type publicKey struct {
	ID           string `json:"id"`
	Owner        string `json:"owner"`
	PublicKeyPEM string `json:"publicKeyPem"`
}

// icon is the actor's logo; its fields keep the order go-ap
// wrote them in (type first).
type icon struct {
	Type      string `json:"type"`
	MediaType string `json:"mediaType"`
	URL       string `json:"url"`
}

// propertyValue is one of Mastodon's profile fields (a table on the profile).
type propertyValue struct {
	Name  string `json:"name"`
	Type  string `json:"type"`
	Value string `json:"value"`
}

type hashtag struct {
	Href string `json:"href"`
	Name string `json:"name"`
	Type string `json:"type"`
}

// Actor is the OSPO's Organization actor, with its @context.
func Actor(u URLs, p *store.Profile, handle, publicKeyPEM string) ([]byte, error) {
	a := actorObject(u, p, handle, publicKeyPEM)
	a.Context = actorContext
	return json.Marshal(a)
}

// UpdateActor is the Update(actor) sent after a profile change, and its id.
func UpdateActor(u URLs, p *store.Profile, handle, publicKeyPEM string, at time.Time) (string, []byte, error) {
	id := u.Actor + "#updates/" + unixNano(at)
	act := publicActivity(u, id, "Update", actorObject(u, p, handle, publicKeyPEM), at)
	act.Context = actorContext
	doc, err := json.Marshal(act)
	return id, doc, err
}

// actorObject is the actor without @context, to marshal or to embed.
func actorObject(u URLs, p *store.Profile, handle, publicKeyPEM string) *actor {
	lang := p.DefaultLanguage()
	name, _ := p.Name.Best(lang, lang)
	summaryMap := htmlMap(p.Summary, markup.PlainToHTML)
	summary, _ := summaryMap.Best(lang, lang)
	a := &actor{
		Attachment:                propertyValues(p),
		Discoverable:              p.IsDiscoverable(),
		Endpoints:                 endpoints{SharedInbox: u.SharedInbox},
		Featured:                  u.Featured,
		Followers:                 u.Followers,
		Following:                 u.Following,
		ID:                        u.Actor,
		Inbox:                     u.Inbox,
		Indexable:                 p.IsDiscoverable(),
		ManuallyApprovesFollowers: p.ManuallyApprovesFollowers,
		Name:                      name,
		NameMap:                   p.Name,
		ospoTerms:                 ospoTermsOf(p),
		Outbox:                    u.Outbox,
		PreferredUsername:         handle,
		PublicKey:                 publicKey{ID: u.KeyID, Owner: u.Actor, PublicKeyPEM: publicKeyPEM},
		Summary:                   summary,
		SummaryMap:                summaryMap,
		Tag:                       areaTags(u, p.SupportAreas),
		Type:                      "Organization",
		UpcomingEvents:            u.UpcomingEvents,
		URL:                       u.Actor,
	}
	if p.Logo != "" {
		a.Icon = &icon{Type: "Image", MediaType: imageType(p.Logo), URL: p.Logo}
	}
	if p.Location != nil {
		a.Location = placeOf(p.Location)
	}
	if !p.Published.IsZero() {
		a.Published, a.Updated = timeString(p.Published), timeString(p.Updated)
	}
	return a
}

func ospoTermsOf(p *store.Profile) ospoTerms {
	t := ospoTerms{
		CodeForges:         p.CodeForges,
		Country:            p.Country,
		Email:              p.Email,
		FlossPolicy:        p.FlossPolicy,
		Founded:            p.Founded,
		GovernmentLevel:    p.GovernmentLevel,
		Identifiers:        p.Identifiers,
		Language:           p.Language,
		Logo:               p.Logo,
		MemberOf:           p.Memberships,
		ParentOrganization: p.ParentOrganization,
		SupportAreas:       p.SupportAreas,
		TeamSize:           p.TeamSize,
		Website:            p.Website,
	}
	if len(p.Mandate) > 0 {
		lang := p.DefaultLanguage()
		md, _ := p.Mandate.Best(lang, lang)
		mandate := markup.MarkdownToHTML(md)
		t.Mandate, t.MandateMap = &mandate, p.Mandate
	}
	return t
}

// propertyValues are Mastodon's profile fields (shown as a table on the profile).
func propertyValues(p *store.Profile) []propertyValue {
	var out []propertyValue
	add := func(name, value string) {
		out = append(out, propertyValue{Name: name, Type: "PropertyValue", Value: value})
	}
	if p.Website != "" {
		add("Website", linkHTML(p.Website))
	}
	if p.Country != "" {
		add("Country", p.Country)
	}
	if p.GovernmentLevel != "" {
		add("Level", p.GovernmentLevel)
	}
	if p.Email != "" {
		add("Email", fmt.Sprintf(`<a href="mailto:%s">%s</a>`, html.EscapeString(p.Email), html.EscapeString(p.Email)))
	}
	if p.FlossPolicy != "" {
		add("FLOSS policy", linkHTML(p.FlossPolicy))
	}
	if len(p.CodeForges) > 0 {
		add("Code", linkHTML(p.CodeForges[0]))
	}
	return out
}

func linkHTML(u string) string {
	text := strings.TrimPrefix(strings.TrimPrefix(u, "https://"), "http://")
	return fmt.Sprintf(`<a href="%s" rel="me nofollow noopener" target="_blank">%s</a>`, html.EscapeString(u), html.EscapeString(text))
}

// areaTags are the support areas as hashtags (#ospo_development_release).
func areaTags(u URLs, areas []string) []hashtag {
	out := []hashtag{}
	for _, a := range areas {
		out = append(out, hashtagOf(u, "ospo_"+strings.ReplaceAll(a, "-", "_")))
	}
	return out
}

func hashtagOf(u URLs, tag string) hashtag {
	return hashtag{Href: u.Tag(tag), Name: "#" + tag, Type: "Hashtag"}
}

// htmlMap renders each language's text to HTML.
func htmlMap(m store.LangMap, render func(string) string) store.LangMap {
	out := store.LangMap{}
	for tag, v := range m {
		if h := render(v); h != "" {
			out[tag] = h
		}
	}
	return out
}
