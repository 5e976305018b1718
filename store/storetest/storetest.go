// Package storetest gives each test its own migrated SQLite database and small,
// valid fixture documents. Nothing is shared between tests.
package storetest

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ospod/ospod/store"
)

// Open returns a migrated database in a fresh temporary folder, closed when the test ends.
func Open(t testing.TB) *store.Store {
	t.Helper()
	return OpenWith(t, store.Options{})
}

// OpenWith is Open with options (e.g. a pinned clock); an empty Path gets a temporary file.
func OpenWith(t testing.TB, o store.Options) *store.Store {
	t.Helper()
	if o.Path == "" {
		o.Path = filepath.Join(t.TempDir(), "ospod.db")
	}
	st, err := store.Open(context.Background(), o)
	if err != nil {
		t.Fatalf("storetest: open %s: %v", o.Path, err)
	}
	t.Cleanup(func() {
		if err := st.Close(); err != nil {
			t.Errorf("storetest: close: %v", err)
		}
	})
	return st
}

// Clock is a settable clock for store.Options.Now, safe for concurrent use.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock reading t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now reads the clock.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// Advance moves the clock forward by d and returns the new reading.
func (c *Clock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return c.now
}

// Profile returns a small valid profile, already normalised and validated.
func Profile() *store.Profile {
	teamSize := 3
	lat, lon := 50.8503, 4.3517
	p := &store.Profile{
		Name:            store.LangMap{"en": "Test OSPO", "fr": "OSPO de test"},
		Summary:         store.LangMap{"en": "An OSPO used in tests."},
		Mandate:         store.LangMap{"en": "Help **everyone** use open source."},
		Language:        "en",
		Country:         "BE",
		GovernmentLevel: "national",
		Founded:         "2022",
		SupportAreas:    []string{"strategy", "licensing"},
		Website:         "https://ospo.test.example",
		Email:           "ospo@test.example",
		CodeForges:      []string{"https://code.test.example/ospo"},
		FlossPolicy:     "https://ospo.test.example/policy",
		TeamSize:        &teamSize,
		Location: &store.Place{Name: "Test House", Latitude: &lat, Longitude: &lon,
			Address: &store.PostalAddress{AddressLocality: "Brussels", AddressCountry: "BE"}},
	}
	p.Normalize()
	if err := p.Validate(); err != nil {
		panic("storetest: fixture profile is invalid: " + err.Error())
	}
	return p
}

// Event returns a valid 90-minute meetup starting at start, in Europe/Brussels,
// normalised and validated (so Start and End are set and it can be stored directly).
func Event(start time.Time) *store.Event {
	e := &store.Event{
		Name:        store.LangMap{"en": "Test meetup " + start.UTC().Format("2006-01-02 15:04")},
		Description: store.LangMap{"en": "We meet and talk about *open source*."},
		StartTime:   start.Format(time.RFC3339),
		EndTime:     start.Add(90 * time.Minute).Format(time.RFC3339),
		Timezone:    "Europe/Brussels",
		Location:    &store.Place{Name: "Room 1"},
		Tags:        []string{"ospo"},
		Category:    "MEETING",
	}
	e.Normalize("en")
	if err := e.Validate(); err != nil {
		panic("storetest: fixture event is invalid: " + err.Error())
	}
	return e
}

// CreateEvent stores e in its own transaction and fails the test on error.
func CreateEvent(t testing.TB, st *store.Store, e *store.Event) *store.Event {
	t.Helper()
	if err := st.InTx(context.Background(), func(tx *store.Tx) error { return tx.CreateEvent(context.Background(), e) }); err != nil {
		t.Fatalf("storetest: create event: %v", err)
	}
	return e
}
