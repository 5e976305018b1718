package as2

import (
	"encoding/json"
	"mime"
	"path"
	"strings"
	"time"

	"github.com/ospod/ospod/store"
)

// event is an event as a FEP-8a8e Event, with the terms Mobilizon, PeerTube
// and iCalendar readers look for (fields in alphabetical order, see actor).
type event struct {
	Context                  any                `json:"@context,omitempty"`
	Attachment               []any              `json:"attachment,omitempty"` // link, document
	AttributedTo             string             `json:"attributedTo"`
	Category                 string             `json:"category,omitempty"`
	CC                       []string           `json:"cc"`
	CommentsEnabled          bool               `json:"commentsEnabled"`
	Content                  string             `json:"content"`
	ContentMap               store.LangMap      `json:"contentMap"`
	EndTime                  string             `json:"endTime"`
	EventStatus              string             `json:"eventStatus"`
	ExternalParticipationURL string             `json:"externalParticipationUrl,omitempty"`
	ICalStatus               string             `json:"ical:status"` // status again, for Mobilizon (below)
	ID                       string             `json:"id"`
	Image                    *eventImage        `json:"image,omitempty"`
	InLanguage               string             `json:"inLanguage,omitempty"`
	InteractionPolicy        *interactionPolicy `json:"interactionPolicy"`
	IsOnline                 bool               `json:"isOnline"`
	JoinMode                 string             `json:"joinMode"`
	Location                 any                `json:"location,omitempty"` // one place, or a list
	MediaType                string             `json:"mediaType"`
	Name                     string             `json:"name,omitempty"`
	NameMap                  store.LangMap      `json:"nameMap"`
	Organizers               organizers         `json:"organizers"`
	DescriptionMap           store.LangMap      `json:"ospo:descriptionMap,omitempty"` // Markdown source, for ospod peers
	Published                string             `json:"published,omitempty"`
	StartTime                string             `json:"startTime"`
	Status                   string             `json:"status"`
	Summary                  string             `json:"summary"`
	Tag                      []hashtag          `json:"tag"`
	Timezone                 string             `json:"timezone"`
	To                       []string           `json:"to"`
	Type                     string             `json:"type"`
	Updated                  string             `json:"updated,omitempty"`
	URL                      string             `json:"url"`
}

// link is a Link attachment: Mobilizon reads an event's online address there.
type link struct {
	Href      string `json:"href"`
	MediaType string `json:"mediaType"`
	Name      string `json:"name"`
	Type      string `json:"type"`
}

type eventImage struct {
	MediaType string `json:"mediaType"`
	Type      string `json:"type"`
	URL       string `json:"url"`
}

type organizers struct {
	OrderedItems []string `json:"orderedItems"`
	TotalItems   int      `json:"totalItems"`
	Type         string   `json:"type"`
}

type place struct {
	Address   *postalAddress `json:"address,omitempty"`
	Latitude  *float64       `json:"latitude,omitempty"`
	Longitude *float64       `json:"longitude,omitempty"`
	Name      string         `json:"name,omitempty"`
	Type      string         `json:"type"`
}

type postalAddress struct {
	AddressCountry  string `json:"addressCountry,omitempty"`
	AddressLocality string `json:"addressLocality,omitempty"`
	AddressRegion   string `json:"addressRegion,omitempty"`
	PostalCode      string `json:"postalCode,omitempty"`
	StreetAddress   string `json:"streetAddress,omitempty"`
	Type            string `json:"type"`
}

type virtualLocation struct {
	Name string `json:"name,omitempty"`
	Type string `json:"type"`
	URL  string `json:"url"`
}

// Mobilizon reads an event's status from the keys "status" and "ical:status"
// as written (older versions only the latter), so both carry the iCalendar
// STATUS; to a JSON-LD reader they are the same property, ical:status.

// eventStatusIRI maps our statuses to FEP-8a8e eventStatus and iCalendar STATUS.
var eventStatusIRI = map[string][2]string{
	"scheduled":    {FEP8a8e + "EventScheduled", "CONFIRMED"},
	"cancelled":    {FEP8a8e + "EventCancelled", "CANCELLED"},
	"postponed":    {FEP8a8e + "EventPostponed", "TENTATIVE"},
	"moved-online": {FEP8a8e + "EventMovedOnline", "CONFIRMED"},
}

// Event is one of our events as a FEP-8a8e Event, with its @context; p is
// the profile that published it (its language is the event's default).
func Event(u URLs, e *store.Event, p *store.Profile) ([]byte, error) {
	ev := eventObject(u, e, p)
	ev.Context = eventContext
	return json.Marshal(ev)
}

// eventObject is the Event without @context, to marshal or to embed.
func eventObject(u URLs, e *store.Event, p *store.Profile) *event {
	id := u.Event(e.ID)
	lang := e.Language
	if lang == "" {
		lang = p.DefaultLanguage()
	}
	name, _ := e.Name.Best(lang, lang)
	contentMap := store.LangMap{}
	for _, tag := range store.LanguagesOf(e.Name, e.Description) {
		nm, _ := e.Name.Best(lang, tag)
		desc, _ := e.Description.Best(lang, tag)
		contentMap[tag] = eventContent(e, nm, desc)
	}
	content, _ := contentMap.Best(lang, lang)
	status := eventStatusIRI[e.Status]
	ev := &event{
		AttributedTo:      u.Actor,
		Category:          e.Category,
		CC:                []string{u.Followers},
		CommentsEnabled:   false,
		Content:           content,
		ContentMap:        contentMap,
		EndTime:           e.EndTime,
		EventStatus:       status[0],
		ICalStatus:        status[1],
		ID:                id,
		InLanguage:        e.Language,
		InteractionPolicy: eventPolicy(u.Actor),
		IsOnline:          e.IsOnline(),
		JoinMode:          "none",
		Location:          eventLocation(e),
		MediaType:         "text/html",
		Name:              name,
		NameMap:           e.Name,
		Organizers:        organizers{OrderedItems: []string{u.Actor}, TotalItems: 1, Type: "OrderedCollection"},
		DescriptionMap:    e.Description,
		Published:         timeString(e.Published),
		StartTime:         e.StartTime,
		Status:            status[1],
		Summary:           eventSummary(e),
		Tag:               []hashtag{},
		Timezone:          e.Timezone,
		To:                []string{Public},
		Type:              "Event",
		URL:               id,
	}
	if e.Updated.After(e.Published) {
		ev.Updated = timeString(e.Updated)
	}
	if e.Online != nil {
		ev.Attachment = append(ev.Attachment, link{Href: e.Online.URL, MediaType: "text/html", Name: "Website", Type: "Link"})
	}
	if e.RegistrationURL != "" {
		ev.JoinMode, ev.ExternalParticipationURL = "external", e.RegistrationURL
	}
	if e.Image != "" {
		ev.Image = &eventImage{MediaType: imageType(e.Image), Type: "Image", URL: e.Image}
		// The picture again as an attachment, which microblog servers show;
		// it has no description of its own, so the title describes it.
		ev.Attachment = append(ev.Attachment, document{MediaType: ev.Image.MediaType, Name: name, Type: "Document", URL: e.Image})
	}
	for _, t := range e.Tags {
		ev.Tag = append(ev.Tag, hashtagOf(u, t))
	}
	return ev
}

// eventLocation is the event's place, its online room, both (a list) or nil.
func eventLocation(e *store.Event) any {
	var locations []any
	if e.Location != nil {
		locations = append(locations, placeOf(e.Location))
	}
	if o := e.Online; o != nil {
		locations = append(locations, virtualLocation{Name: o.Name, Type: "VirtualLocation", URL: o.URL})
	}
	switch len(locations) {
	case 0:
		return nil
	case 1:
		return locations[0]
	default:
		return locations
	}
}

// placeOf is a store place as an ActivityStreams Place with a schema.org address.
func placeOf(p *store.Place) *place {
	out := &place{Name: p.Name, Type: "Place"}
	if a := p.Address; a != nil {
		out.Address = &postalAddress{AddressCountry: a.AddressCountry, AddressLocality: a.AddressLocality,
			AddressRegion: a.AddressRegion, PostalCode: a.PostalCode, StreetAddress: a.StreetAddress, Type: "PostalAddress"}
	}
	if p.Latitude != nil && p.Longitude != nil {
		out.Latitude, out.Longitude = p.Latitude, p.Longitude
	}
	return out
}

// imageType guesses an image's media type from its URL's extension.
func imageType(u string) string {
	if t := mime.TypeByExtension(strings.ToLower(path.Ext(strings.SplitN(u, "?", 2)[0]))); strings.HasPrefix(t, "image/") {
		return t
	}
	return "image/png"
}

// timeString writes a time as go-ap did: UTC, whole seconds; "" for zero.
func timeString(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Truncate(time.Second).Format(time.RFC3339)
}
