package as2

import (
	"encoding/json"
	"strconv"

	"github.com/ospod/ospod/store"
)

// orderedCollection is every collection we serve and each outbox page
// (fields in alphabetical order, see actor).
type orderedCollection struct {
	Context      any    `json:"@context"`
	First        string `json:"first,omitempty"`
	ID           string `json:"id"`
	Last         string `json:"last,omitempty"`
	Next         string `json:"next,omitempty"`
	OrderedItems any    `json:"orderedItems,omitempty"` // nil: not listed
	PartOf       string `json:"partOf,omitempty"`
	Prev         string `json:"prev,omitempty"`
	TotalItems   *int   `json:"totalItems,omitempty"` // nil on a page
	Type         string `json:"type"`
}

// Collection is an ordered collection of IRIs (followers, following,
// featured) with its size; items are listed only when not nil.
func Collection(id string, total int, items []string) ([]byte, error) {
	c := orderedCollection{Context: plainContext, ID: id, TotalItems: &total, Type: "OrderedCollection"}
	if items != nil {
		c.OrderedItems = items
	}
	return json.Marshal(c)
}

// UpcomingEvents is the FEP-8a8e upcomingEvents collection: the events given
// (not yet ended, soonest first), of total, published by the profile p.
func UpcomingEvents(u URLs, events []*store.Event, total int, p *store.Profile) ([]byte, error) {
	items := make([]*event, 0, len(events))
	for _, e := range events {
		items = append(items, eventObject(u, e, p))
	}
	return json.Marshal(orderedCollection{Context: eventContext, ID: u.UpcomingEvents, OrderedItems: items,
		TotalItems: &total, Type: "OrderedCollection"})
}

// Outbox is the outbox collection: its size and its first and last pages.
func Outbox(u URLs, total, pages int) ([]byte, error) {
	return json.Marshal(orderedCollection{Context: plainContext, First: outboxPageURL(u, 1), ID: u.Outbox,
		Last: outboxPageURL(u, pages), TotalItems: &total, Type: "OrderedCollection"})
}

// OutboxPage is page page (from 1) of pages of the outbox: the Create
// activities of the events given, newest first, published by the profile p.
func OutboxPage(u URLs, page, pages int, events []*store.Event, p *store.Profile) ([]byte, error) {
	items := make([]*activity, 0, len(events))
	for _, e := range events {
		items = append(items, createActivity(u, e, p))
	}
	pg := orderedCollection{Context: eventContext, ID: outboxPageURL(u, page), OrderedItems: items,
		PartOf: u.Outbox, Type: "OrderedCollectionPage"}
	if page < pages {
		pg.Next = outboxPageURL(u, page+1)
	}
	if page > 1 {
		pg.Prev = outboxPageURL(u, page-1)
	}
	return json.Marshal(pg)
}

// outboxPageURL is the address of an outbox page.
func outboxPageURL(u URLs, page int) string { return u.Outbox + "?page=" + strconv.Itoa(page) }
