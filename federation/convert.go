package federation

import (
	"encoding/json"
	"fmt"
	"html"
	"mime"
	"path"
	"strings"
	"time"

	vocab "github.com/go-ap/activitypub"

	"github.com/ospod/ospod/federation/as2"
	"github.com/ospod/ospod/federation/markup"
	"github.com/ospod/ospod/store"
)

// This file is the one place where store records become ActivityStreams.

// ActorCounts are the collection sizes shown on the actor page.
type ActorCounts struct{ Followers, Following, Events int }

// actorDoc renders the OSPO's Organization actor with its @context.
func (n *Node) actorDoc(p *store.Profile) ([]byte, error) {
	m, err := n.actorMap(p)
	if err != nil {
		return nil, err
	}
	if m["@context"], err = json.Marshal(actorContext); err != nil {
		return nil, err
	}
	return json.Marshal(m)
}

// actorMap renders the actor without @context, to embed in an Update.
func (n *Node) actorMap(p *store.Profile) (map[string]json.RawMessage, error) {
	u := n.URLs
	id := vocab.IRI(u.Actor)
	a := vocab.ActorNew(id, vocab.OrganizationType)
	lang := p.DefaultLanguage()
	name, _ := p.Name.Best(lang, lang)
	a.PreferredUsername = vocab.DefaultNaturalLanguageValue(n.opts.Handle)
	a.Name = vocab.DefaultNaturalLanguageValue(name)
	summaryMap := htmlMap(p.Summary, markup.PlainToHTML)
	if s, _ := summaryMap.Best(lang, lang); s != "" {
		a.Summary = vocab.DefaultNaturalLanguageValue(s)
	}
	a.URL = id
	a.Inbox, a.Outbox = vocab.IRI(u.Inbox), vocab.IRI(u.Outbox)
	a.Followers, a.Following = vocab.IRI(u.Followers), vocab.IRI(u.Following)
	a.Endpoints = &vocab.Endpoints{SharedInbox: vocab.IRI(u.SharedInbox)}
	a.PublicKey = vocab.PublicKey{ID: vocab.ID(u.KeyID), Owner: id, PublicKeyPem: n.pubPEM}
	if p.Logo != "" {
		a.Icon = &vocab.Object{Type: vocab.ImageType, MediaType: vocab.MimeType(imageType(p.Logo)), URL: vocab.IRI(p.Logo)}
	}
	if !p.Published.IsZero() {
		a.Published, a.Updated = p.Published.UTC().Truncate(time.Second), p.Updated.UTC().Truncate(time.Second)
	}
	extra := map[string]any{
		"manuallyApprovesFollowers": p.ManuallyApprovesFollowers,
		"discoverable":              p.IsDiscoverable(),
		"indexable":                 p.IsDiscoverable(),
		"featured":                  u.Featured,
		"upcomingEvents":            u.UpcomingEvents,
		"attachment":                propertyValues(p),
		"tag":                       areaTags(n, p.SupportAreas),
	}
	if len(p.Name) > 0 {
		extra["nameMap"] = p.Name
	}
	if len(summaryMap) > 0 {
		extra["summaryMap"] = summaryMap
	}
	for k, v := range ospoTerms(p) {
		extra[k] = v
	}
	if p.Location != nil {
		extra["location"] = placeDoc(p.Location)
	}
	return docMap(a, extra)
}

// ospoTerms are the profile fields under the ospo: namespace.
func ospoTerms(p *store.Profile) map[string]any {
	m := map[string]any{}
	set := func(k string, v any, ok bool) {
		if ok {
			m["ospo:"+k] = v
		}
	}
	set("country", p.Country, p.Country != "")
	set("governmentLevel", p.GovernmentLevel, p.GovernmentLevel != "")
	set("supportAreas", p.SupportAreas, len(p.SupportAreas) > 0)
	set("language", p.Language, p.Language != "")
	set("website", p.Website, p.Website != "")
	set("email", p.Email, p.Email != "")
	set("founded", p.Founded, p.Founded != "")
	set("flossPolicy", p.FlossPolicy, p.FlossPolicy != "")
	set("codeForges", p.CodeForges, len(p.CodeForges) > 0)
	set("teamSize", p.TeamSize, p.TeamSize != nil)
	set("identifiers", p.Identifiers, len(p.Identifiers) > 0)
	set("parentOrganization", p.ParentOrganization, p.ParentOrganization != nil)
	set("memberOf", p.Memberships, len(p.Memberships) > 0)
	set("logo", p.Logo, p.Logo != "")
	if len(p.Mandate) > 0 {
		set("mandateMap", p.Mandate, true) // Markdown source, per language
		lang := p.DefaultLanguage()
		md, _ := p.Mandate.Best(lang, lang)
		set("mandate", markup.MarkdownToHTML(md), true)
	}
	return m
}

// propertyValues are Mastodon's profile fields (shown as a table on the profile).
func propertyValues(p *store.Profile) []map[string]any {
	var out []map[string]any
	add := func(name, value string) {
		out = append(out, map[string]any{"type": "PropertyValue", "name": name, "value": value})
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

func areaTags(n *Node, areas []string) []map[string]any {
	out := []map[string]any{}
	for _, a := range areas {
		out = append(out, hashtag(n, "ospo_"+strings.ReplaceAll(a, "-", "_")))
	}
	return out
}

func hashtag(n *Node, tag string) map[string]any {
	return map[string]any{"type": "Hashtag", "name": "#" + tag, "href": n.URLs.Tag(tag)}
}

func placeDoc(p *store.Place) map[string]any {
	m := map[string]any{"type": "Place"}
	if p.Name != "" {
		m["name"] = p.Name
	}
	if a := p.Address; a != nil {
		addr := map[string]any{"type": "PostalAddress"}
		for k, v := range map[string]string{"streetAddress": a.StreetAddress, "postalCode": a.PostalCode,
			"addressLocality": a.AddressLocality, "addressRegion": a.AddressRegion, "addressCountry": a.AddressCountry} {
			if v != "" {
				addr[k] = v
			}
		}
		m["address"] = addr
	}
	if p.Latitude != nil && p.Longitude != nil {
		m["latitude"], m["longitude"] = *p.Latitude, *p.Longitude
	}
	return m
}

// imageType guesses an image's media type from its URL's extension.
func imageType(u string) string {
	if t := mime.TypeByExtension(strings.ToLower(path.Ext(strings.SplitN(u, "?", 2)[0]))); strings.HasPrefix(t, "image/") {
		return t
	}
	return "image/png"
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

// eventStatusIRI maps our statuses to FEP-8a8e eventStatus and iCalendar STATUS.
var eventStatusIRI = map[string][2]string{
	"scheduled":    {as2.FEP8a8e + "EventScheduled", "CONFIRMED"},
	"cancelled":    {as2.FEP8a8e + "EventCancelled", "CANCELLED"},
	"postponed":    {as2.FEP8a8e + "EventPostponed", "TENTATIVE"},
	"moved-online": {as2.FEP8a8e + "EventMovedOnline", "CONFIRMED"},
}

// eventObject renders an event as a FEP-8a8e Event (a map, to embed or marshal).
func (n *Node) eventObject(e *store.Event, p *store.Profile) (map[string]any, error) {
	u := n.URLs
	id := u.Event(e.ID)
	actor := vocab.IRI(u.Actor)
	ev := vocab.ObjectNew(vocab.EventType)
	ev.ID = vocab.ID(id)
	ev.AttributedTo = actor
	ev.URL = vocab.IRI(id)
	lang := e.Language
	if lang == "" {
		lang = p.DefaultLanguage()
	}
	name, _ := e.Name.Best(lang, lang)
	ev.Name = vocab.DefaultNaturalLanguageValue(name)
	ev.MediaType = "text/html"
	ev.To = vocab.ItemCollection{vocab.PublicNS}
	ev.CC = vocab.ItemCollection{vocab.IRI(u.Followers)}
	ev.Published = e.Published.UTC().Truncate(time.Second)
	if e.Updated.After(e.Published) {
		ev.Updated = e.Updated.UTC().Truncate(time.Second)
	}
	contentMap := store.LangMap{}
	for _, tag := range store.LanguagesOf(e.Name, e.Description) {
		nm, _ := e.Name.Best(lang, tag)
		desc, _ := e.Description.Best(lang, tag)
		contentMap[tag] = eventContent(e, nm, desc)
	}
	content, _ := contentMap.Best(lang, lang)
	status := eventStatusIRI[e.Status]
	extra := map[string]any{
		"nameMap":     e.Name,
		"content":     content,
		"contentMap":  contentMap,
		"startTime":   e.StartTime,
		"endTime":     e.EndTime,
		"timezone":    e.Timezone,
		"eventStatus": status[0],
		"status":      status[1],
		"organizers": map[string]any{"type": "OrderedCollection", "totalItems": 1,
			"orderedItems": []string{u.Actor}},
		"isOnline":        e.IsOnline(),
		"commentsEnabled": false,
		"joinMode":        "none",
	}
	var locations []map[string]any
	if e.Location != nil {
		locations = append(locations, placeDoc(e.Location))
	}
	if e.Online != nil {
		vl := map[string]any{"type": "VirtualLocation", "url": e.Online.URL}
		if e.Online.Name != "" {
			vl["name"] = e.Online.Name
		}
		locations = append(locations, vl)
		// Mobilizon reads the online address from a Link attachment.
		extra["attachment"] = []map[string]any{{"type": "Link", "href": e.Online.URL, "mediaType": "text/html", "name": "Website"}}
	}
	switch len(locations) {
	case 0:
	case 1:
		extra["location"] = locations[0]
	default:
		extra["location"] = locations
	}
	if e.Language != "" {
		extra["inLanguage"] = e.Language
	}
	if len(e.Description) > 0 {
		extra["ospo:descriptionMap"] = e.Description // Markdown source, for ospod peers
	}
	if e.Category != "" {
		extra["category"] = e.Category
	}
	if e.RegistrationURL != "" {
		extra["joinMode"] = "external"
		extra["externalParticipationUrl"] = e.RegistrationURL
	}
	if e.Image != "" {
		extra["image"] = map[string]any{"type": "Image", "mediaType": imageType(e.Image), "url": e.Image}
	}
	tags := []map[string]any{}
	for _, t := range e.Tags {
		tags = append(tags, hashtag(n, t))
	}
	extra["tag"] = tags
	m, err := docMap(ev, extra)
	if err != nil {
		return nil, err
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out, nil
}

// eventContent is the HTML that servers which show an Event's content
// (GoToSocial, Misskey...) display: the name, the date and the place come
// first. Mastodon builds its post from name and url instead; a summary would
// show there, but GoToSocial would turn it into a content warning.
func eventContent(e *store.Event, name, descMarkdown string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<p><strong>%s</strong></p><p>", html.EscapeString(name))
	if e.Status != "scheduled" {
		fmt.Fprintf(&b, "⚠️ %s<br>", html.EscapeString(strings.ToUpper(strings.ReplaceAll(e.Status, "-", " "))))
	}
	fmt.Fprintf(&b, "📅 %s", html.EscapeString(markup.TimeRange(e.Start, e.End, e.TimeLocation())))
	if l := e.Location; l != nil {
		fmt.Fprintf(&b, "<br>📍 %s", html.EscapeString(l.Text()))
	}
	if o := e.Online; o != nil {
		fmt.Fprintf(&b, `<br>💻 <a href="%s">%s</a>`, html.EscapeString(o.URL), html.EscapeString(o.URL))
	}
	if e.RegistrationURL != "" {
		fmt.Fprintf(&b, `<br>📝 <a href="%s">%s</a>`, html.EscapeString(e.RegistrationURL), html.EscapeString(e.RegistrationURL))
	}
	b.WriteString("</p>")
	b.WriteString(markup.MarkdownToHTML(descMarkdown))
	return b.String()
}
