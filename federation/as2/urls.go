package as2

import (
	"net/url"
	"time"

	"github.com/ospod/ospod/store"
)

// URLs are a node's ActivityPub and web addresses: the ids of what it publishes.
type URLs struct {
	Base, Actor, KeyID, Inbox, Outbox, Followers, Following, Featured string
	UpcomingEvents, SharedInbox, NodeInfo, OSPOmeta                   string
}

// NewURLs derives the addresses from the node's origin (e.g. https://ospo.example.org).
func NewURLs(base string) URLs {
	actor := base + "/actor"
	return URLs{
		Base:           base,
		Actor:          actor,
		KeyID:          actor + "#main-key",
		Inbox:          actor + "/inbox",
		Outbox:         actor + "/outbox",
		Followers:      actor + "/followers",
		Following:      actor + "/following",
		Featured:       actor + "/featured",
		UpcomingEvents: actor + "/upcoming-events",
		SharedInbox:    base + "/inbox",
		NodeInfo:       base + "/nodeinfo/2.1",
		OSPOmeta:       base + "/ospometa.yml",
	}
}

// Event returns an event's id (and page) URL.
func (u URLs) Event(id string) string { return u.Base + "/events/" + id }

// EventActivity returns the id of the Create activity that published an event.
func (u URLs) EventActivity(id string) string { return u.Event(id) + "/activity" }

// Tag returns the calendar page searching for a tag.
func (u URLs) Tag(tag string) string { return u.Base + "/calendar?q=" + url.QueryEscape(tag) }

// newFollowID is the id of a Follow we send.
func (u URLs) newFollowID(at time.Time) string { return u.Base + "/follows/" + store.NewID(at) }

// newActivityID is the id of an answer or an Undo we send.
func (u URLs) newActivityID(at time.Time) string { return u.Base + "/activities/" + store.NewID(at) }
