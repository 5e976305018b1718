package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"
)

// Event is one of the node's own events (webinar, meetup, training...): the
// document the admin API takes and returns. It is stored as JSON.
type Event struct {
	// ID is the event's local identifier, assigned on creation (read-only).
	ID          string  `json:"id,omitempty"`
	Name        LangMap `json:"name"`
	Description LangMap `json:"description,omitempty"`
	// StartTime and EndTime are RFC 3339 with an offset; stored shifted into Timezone.
	StartTime       string          `json:"startTime"`
	EndTime         string          `json:"endTime"`
	Timezone        string          `json:"timezone"`
	Status          string          `json:"status,omitempty"`
	Location        *Place          `json:"location,omitempty"`
	Online          *OnlineLocation `json:"online,omitempty"`
	Language        string          `json:"language,omitempty"`
	Tags            []string        `json:"tags,omitempty"`
	Category        string          `json:"category,omitempty"`
	RegistrationURL string          `json:"registrationUrl,omitempty"`
	Image           string          `json:"image,omitempty"`

	// Read-only, filled from the database; ignored on input.
	Published time.Time `json:"published,omitzero"`
	Updated   time.Time `json:"updated,omitzero"`
	Deleted   time.Time `json:"-"`

	// Start and End are the parsed instants, set by Validate and on load.
	Start time.Time `json:"-"`
	End   time.Time `json:"-"`
}

// OnlineLocation is where an online event takes place.
type OnlineLocation struct {
	URL  string `json:"url"`
	Name string `json:"name,omitempty"`
}

// IsOnline reports whether the event can be attended online.
func (e *Event) IsOnline() bool { return e.Online != nil || e.Status == "moved-online" }

// zones caches the time zones loaded so far: time.LoadLocation reads and
// parses the zone's data on every call (7 µs, a tenth of reading a remote
// event). Only valid names are kept, so the cache holds at most the few
// hundred IANA zones.
var zones sync.Map // name -> *time.Location

// LoadLocation is time.LoadLocation with a cache.
func LoadLocation(name string) (*time.Location, error) {
	if loc, ok := zones.Load(name); ok {
		return loc.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err == nil {
		zones.Store(name, loc)
	}
	return loc, err
}

// TimeLocation returns the event's time zone (UTC when unknown).
func (e *Event) TimeLocation() *time.Location {
	if loc, err := LoadLocation(e.Timezone); err == nil && e.Timezone != "" {
		return loc
	}
	return time.UTC
}

var tagRe = regexp.MustCompile(`^[\p{L}\p{N}_]{1,64}$`)

// Normalize trims and canonicalises the document in place.
func (e *Event) Normalize(defaultLang string) {
	e.Language = strings.TrimSpace(e.Language)
	if ValidLanguageTag(e.Language) {
		e.Language = canonicalTag(e.Language)
	}
	lang := e.Language
	if lang == "" {
		lang = defaultLang
	}
	e.Name = e.Name.normalize(lang)
	e.Description = e.Description.normalize(lang)
	e.StartTime = strings.ToUpper(strings.TrimSpace(e.StartTime))
	e.EndTime = strings.ToUpper(strings.TrimSpace(e.EndTime))
	e.Timezone = strings.TrimSpace(e.Timezone)
	e.Status = strings.TrimSpace(e.Status)
	if e.Status == "" {
		e.Status = "scheduled"
	}
	e.Category = strings.ToUpper(strings.TrimSpace(e.Category))
	for i, t := range e.Tags {
		e.Tags[i] = strings.TrimPrefix(strings.TrimSpace(t), "#")
	}
	if e.Location != nil && e.Location.Address != nil {
		e.Location.Address.AddressCountry = strings.ToUpper(strings.TrimSpace(e.Location.Address.AddressCountry))
	}
	e.ID, e.Published, e.Updated = "", time.Time{}, time.Time{}
}

// Validate checks the event, names every invalid field, and on success sets
// Start and End and rewrites the times in the event's own time zone.
func (e *Event) Validate() error {
	c := &checker{}
	c.langMap("name", e.Name, 300, true)
	c.langMap("description", e.Description, maxLongText, false)
	var loc *time.Location
	switch {
	case e.Timezone == "":
		c.add("timezone", "is required (an IANA time zone such as Europe/Paris)")
	default:
		l, err := LoadLocation(e.Timezone)
		if err != nil || strings.EqualFold(e.Timezone, "Local") {
			c.add("timezone", "%q is not an IANA time zone", e.Timezone)
		} else {
			loc = l
		}
	}
	start, okStart := c.instant("startTime", e.StartTime, loc)
	end, okEnd := c.instant("endTime", e.EndTime, loc)
	if okStart && okEnd {
		switch {
		case !end.After(start):
			c.add("endTime", "must be after startTime")
		case end.Sub(start) > 366*24*time.Hour:
			c.add("endTime", "is more than a year after startTime")
		}
	}
	if e.Status != "" && !contains(eventStatuses, e.Status) {
		c.add("status", "%q is not one of %s", e.Status, strings.Join(eventStatuses, ", "))
	}
	c.place("location", e.Location)
	if e.Online != nil {
		c.httpURL("online.url", e.Online.URL, true)
		c.text("online.name", e.Online.Name, maxName, false)
	}
	if e.Language != "" && !ValidLanguageTag(e.Language) {
		c.add("language", "is not a BCP 47 language tag")
	}
	if len(e.Tags) > 20 {
		c.add("tags", "has too many tags (at most 20)")
	}
	for i, t := range e.Tags {
		if !tagRe.MatchString(t) {
			c.add(fmt.Sprintf("tags[%d]", i), "must be letters, digits or _ (at most 64)")
		}
	}
	if e.Category != "" && !contains(eventCategories, e.Category) {
		c.add("category", "%q is not one of %s", e.Category, strings.Join(eventCategories, ", "))
	}
	c.httpURL("registrationUrl", e.RegistrationURL, false)
	c.httpURL("image", e.Image, false)
	if err := c.err(); err != nil {
		return err
	}
	e.Start, e.End = start.UTC(), end.UTC()
	e.StartTime = start.In(loc).Format(time.RFC3339)
	e.EndTime = end.In(loc).Format(time.RFC3339)
	return nil
}

// instant parses an RFC 3339 time with an offset, in a sane range. A
// numeric offset must be the one the event's time zone (loc, when known)
// has at that moment: 10:00+05:00 in Europe/Paris is a mistake, not a time
// to convert silently. "Z" gives the instant in UTC without claiming a
// local offset (RFC 9557), and is written in the zone.
func (c *checker) instant(field, v string, loc *time.Location) (time.Time, bool) {
	if v == "" {
		c.add(field, "is required (RFC 3339 with an offset, e.g. 2026-03-05T10:00:00+01:00)")
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		c.add(field, "is not an RFC 3339 time with an offset (e.g. 2026-03-05T10:00:00+01:00)")
		return time.Time{}, false
	}
	// The time is written back without fractions: keep none, or the instant
	// indexed and the one in the document differ, and 10:00:00.2..10:00:00.7
	// passes once and is refused after a round trip.
	t = t.Truncate(time.Second)
	// The range holds in the event's zone too: the time is written there,
	// and 9999-12-31T23:00:00Z in Pacific/Kiritimati is in the year 10000,
	// which RFC 3339 cannot write.
	inRange := func(y int) bool { return 1970 <= y && y <= 9999 }
	if !inRange(t.Year()) || loc != nil && !inRange(t.In(loc).Year()) {
		c.add(field, "is out of range")
		return time.Time{}, false
	}
	if loc != nil && !strings.HasSuffix(v, "Z") {
		local := t.In(loc)
		_, want := local.Zone()
		if _, got := t.Zone(); got != want {
			c.add(field, "has the offset %s, but %s is at %s on %s: write %s for %s there, or give the time in UTC (ending in Z)",
				t.Format("-07:00"), loc, local.Format("-07:00"), t.Format("2006-01-02"),
				time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, loc).Format(time.RFC3339),
				t.Format("15:04"))
			return time.Time{}, false
		}
	}
	return t, true
}

const eventColumns = `id, doc, start_at, end_at, created_at, updated_at, deleted_at`

func scanEvent(row interface{ Scan(...any) error }) (*Event, error) {
	var (
		e                                     Event
		doc, start, end, created, updated, id string
		deleted                               sql.NullString
	)
	if err := row.Scan(&id, &doc, &start, &end, &created, &updated, &deleted); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(doc), &e); err != nil {
		return nil, fmt.Errorf("store: stored event %s: %w", id, err)
	}
	e.ID = id
	e.Start, e.End = parseTime(start), parseTime(end)
	e.Published, e.Updated, e.Deleted = parseTime(created), parseTime(updated), nullTime(deleted)
	return &e, nil
}

func eventDoc(e *Event) (string, error) {
	cp := *e
	cp.ID, cp.Published, cp.Updated = "", time.Time{}, time.Time{}
	b, err := json.Marshal(&cp)
	return string(b), err
}

// CreateEvent stores a new, validated event and assigns its ID and timestamps.
func (t *Tx) CreateEvent(ctx context.Context, e *Event) error {
	doc, err := eventDoc(e)
	if err != nil {
		return err
	}
	e.ID = NewID(t.now)
	e.Published, e.Updated = t.now, t.now
	_, err = t.tx.ExecContext(ctx,
		`INSERT INTO events (id, doc, start_at, end_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
		e.ID, doc, fmtTime(e.Start), fmtTime(e.End), fmtTime(t.now), fmtTime(t.now))
	return err
}

// UpdateEvent replaces a live event's document; ErrNotFound if it does not exist or was deleted.
func (t *Tx) UpdateEvent(ctx context.Context, id string, e *Event) error {
	doc, err := eventDoc(e)
	if err != nil {
		return err
	}
	err = t.tx.QueryRowContext(ctx,
		`UPDATE events SET doc = ?, start_at = ?, end_at = ?, updated_at = ?
		 WHERE id = ? AND deleted_at IS NULL RETURNING created_at`,
		doc, fmtTime(e.Start), fmtTime(e.End), fmtTime(t.now), id).Scan(scanTime(&e.Published))
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	e.ID, e.Updated = id, t.now
	return err
}

// DeleteEvent turns a live event into a tombstone and returns what it was.
func (t *Tx) DeleteEvent(ctx context.Context, id string) (*Event, error) {
	e, err := scanEvent(t.tx.QueryRowContext(ctx,
		`UPDATE events SET deleted_at = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL
		 RETURNING `+eventColumns, fmtTime(t.now), fmtTime(t.now), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return e, err
}

// Event returns an event by ID, deleted ones included (Deleted is then set).
func (s *Store) Event(ctx context.Context, id string) (*Event, error) {
	e, err := scanEvent(s.readRow(ctx, `SELECT `+eventColumns+` FROM events WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return e, err
}

// EventWhen selects events by time.
type EventWhen int

// Event time selections.
const (
	EventsAll      EventWhen = iota // every live event, newest created first
	EventsUpcoming                  // not yet ended, soonest first
	EventsPast                      // ended, most recent first
)

// EventFilter selects a page of live events.
type EventFilter struct {
	When   EventWhen
	Limit  int
	Offset int
}

// ListEvents returns a page of live events and how many match in total.
func (s *Store) ListEvents(ctx context.Context, f EventFilter) ([]*Event, int, error) {
	now := fmtTime(s.Now())
	where, order := "deleted_at IS NULL", "created_at DESC, id DESC"
	var args []any
	switch f.When {
	case EventsUpcoming:
		where += " AND end_at > ?"
		order = "start_at ASC, id ASC"
		args = append(args, now)
	case EventsPast:
		where += " AND end_at <= ?"
		order = "start_at DESC, id DESC"
		args = append(args, now)
	}
	var total int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM events WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	if f.Limit <= 0 {
		f.Limit = 20
	}
	f.Limit = min(f.Limit, 500)
	rows, err := s.r.QueryContext(ctx,
		`SELECT `+eventColumns+` FROM events WHERE `+where+` ORDER BY `+order+` LIMIT ? OFFSET ?`,
		append(args, f.Limit, max(f.Offset, 0))...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []*Event
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, e)
	}
	return out, total, rows.Err()
}
