package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"
)

// CalendarEntry is one event of the network calendar.
type CalendarEntry struct {
	ID        string // the event's ActivityStreams id
	Slug      string // short stable key for URLs
	OSPOID    string // the directory entry of its organiser
	Event     *Event // normalised event (ID is the local id for own events, else empty)
	URL       string // where people read it
	UpdatedAt time.Time
	// Organizer is the organiser's directory entry (filled by SearchCalendar).
	Organizer *DirectoryEntry
}

// CalendarDoc is what the calendar stores of an event besides its fields.
type calendarDoc struct {
	*Event
	URL string `json:"url,omitempty"`
}

// PutCalendarEntry inserts or replaces an event in the calendar index.
func (t *Tx) PutCalendarEntry(ctx context.Context, c *CalendarEntry) error {
	e := c.Event
	doc, err := json.Marshal(calendarDoc{Event: e, URL: c.URL})
	if err != nil {
		return err
	}
	langs := []string{}
	if e.Language != "" {
		langs = append(langs, e.Language)
	}
	for _, l := range LanguagesOf(e.Name, e.Description) {
		if l != e.Language && l != UndeterminedLanguage {
			langs = append(langs, l)
		}
	}
	langJSON, _ := json.Marshal(langs)
	country := ""
	if e.Location != nil && e.Location.Address != nil {
		country = e.Location.Address.AddressCountry
	}
	var names, texts []string
	for _, l := range e.Name.Languages() {
		names = append(names, e.Name[l])
	}
	for _, l := range e.Description.Languages() {
		texts = append(texts, e.Description[l])
	}
	texts = append(texts, e.Tags...)
	texts = append(texts, strings.ToLower(strings.ReplaceAll(e.Category, "_", " ")))
	if e.Location != nil {
		texts = append(texts, e.Location.Name)
		if a := e.Location.Address; a != nil {
			texts = append(texts, a.AddressLocality, a.AddressRegion)
		}
	}
	c.UpdatedAt = t.now
	c.Slug = Slug(c.ID)
	t.calendarWritten = true
	_, err = t.exec(ctx, `INSERT INTO calendar (id, slug, ospo_id, event, start_at, end_at, online, in_person,
		country, languages, search_name, search_text, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET ospo_id = excluded.ospo_id, event = excluded.event, start_at = excluded.start_at,
		  end_at = excluded.end_at, online = excluded.online, in_person = excluded.in_person, country = excluded.country,
		  languages = excluded.languages, search_name = excluded.search_name, search_text = excluded.search_text,
		  updated_at = excluded.updated_at`,
		c.ID, c.Slug, c.OSPOID, string(doc), fmtTime(e.Start), fmtTime(e.End), e.IsOnline(), e.Location != nil,
		country, string(langJSON), strings.Join(names, " \n"), strings.Join(texts, " \n"), fmtTime(t.now))
	return err
}

// indexCalendar adds the calendar rows this transaction inserted to the
// full-text index, in one statement (migration 0009): InTx calls it before
// committing.
func (t *Tx) indexCalendar(ctx context.Context) error {
	if !t.calendarWritten {
		return nil
	}
	if _, err := t.exec(ctx, `INSERT INTO calendar_fts (rowid, search_name, search_text)
		SELECT c.rowid, c.search_name, c.search_text FROM calendar_unindexed u JOIN calendar c ON c.rowid = u.rid`); err != nil {
		return err
	}
	_, err := t.exec(ctx, `DELETE FROM calendar_unindexed`)
	return err
}

// DeleteCalendarEntry removes an event from the calendar index.
func (t *Tx) DeleteCalendarEntry(ctx context.Context, id string) error {
	_, err := t.tx.ExecContext(ctx, `DELETE FROM calendar WHERE id = ?`, id)
	return err
}

// DeleteCalendarEntriesOf removes every event of an OSPO from the calendar.
func (t *Tx) DeleteCalendarEntriesOf(ctx context.Context, ospoID string) error {
	_, err := t.tx.ExecContext(ctx, `DELETE FROM calendar WHERE ospo_id = ?`, ospoID)
	return err
}

// CalendarFilter selects calendar events.
type CalendarFilter struct {
	Query   string
	From    time.Time // events ending after From (default: now, i.e. upcoming)
	To      time.Time // events starting before To (zero: no bound)
	Online  *bool     // true: online only; false: in person only
	Country string
	Lang    string
	OSPO    string // one organiser
	Limit   int
	Offset  int
}

// CalendarResult is a page of the calendar with facet counts.
type CalendarResult struct {
	Entries []*CalendarEntry
	Total   int
	Facets  Facets
}

// calendarQuery is a CalendarFilter as SQL: the matches' source (the
// calendar or its full-text index), the conditions every count shares, and
// the facet filters, which each facet's count leaves out.
type calendarQuery struct {
	f          CalendarFilter
	fullText   bool // a search: the matches come from the full-text index
	untilNow   bool // From is the clock's now: the matches change as events end
	from, rank string
	base       []string
	args       []any
}

func (s *Store) calendarQuery(f CalendarFilter) *calendarQuery {
	// Counting and faceting need no directory row: the foreign key (with
	// ON DELETE CASCADE) guarantees the organiser exists, and its country is
	// looked up by subquery. Joining every matching event to the directory
	// made an upcoming-events query read 100,000 directory rows.
	q := &calendarQuery{from: "calendar c", rank: "0", base: []string{"1 = 1"}}
	if m := FTSQuery(f.Query); m != "" {
		q.fullText = true
		q.from = "calendar_fts JOIN calendar c ON c.rowid = calendar_fts.rowid"
		q.base = append(q.base, "calendar_fts MATCH ?")
		q.args = append(q.args, m)
		q.rank = "bm25(calendar_fts, 4.0, 1.0)"
	}
	if f.From.IsZero() {
		f.From = s.Now()
		q.untilNow = true
	}
	q.base = append(q.base, "c.end_at > ?")
	q.args = append(q.args, fmtTime(f.From))
	if !f.To.IsZero() {
		q.base = append(q.base, "c.start_at < ?")
		q.args = append(q.args, fmtTime(f.To))
	}
	if f.OSPO != "" {
		q.base = append(q.base, "c.ospo_id = ?")
		q.args = append(q.args, f.OSPO)
	}
	q.f = f
	return q
}

// where returns the conditions with every facet filter but skip's.
func (q *calendarQuery) where(skip string) (string, []any) {
	f := q.f
	w := append([]string(nil), q.base...)
	a := append([]any(nil), q.args...)
	if f.Online != nil && skip != "online" {
		if *f.Online {
			w = append(w, "c.online = 1")
		} else {
			w = append(w, "c.in_person = 1")
		}
	}
	if f.Country != "" && skip != "country" {
		w = append(w, "(c.country = ? OR (c.country = '' AND c.ospo_id IN (SELECT id FROM directory WHERE country = ?)))")
		a = append(a, f.Country, f.Country)
	}
	if f.Lang != "" && skip != "lang" {
		w = append(w, listHasTag("c.languages", f.Lang))
		a = append(a, f.Lang, f.Lang)
	}
	return strings.Join(w, " AND "), a
}

// SearchCalendar returns the events matching f in start order (or by
// relevance with a query), with facet counts.
func (s *Store) SearchCalendar(ctx context.Context, f CalendarFilter) (*CalendarResult, error) {
	q := s.calendarQuery(f)
	f = q.f
	// One read transaction: the total, the facets and the page describe the
	// same calendar while the inbox keeps writing.
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback() // read only: nothing to commit
	total, facets, err := s.calendarCounts(ctx, tx, q)
	if err != nil {
		return nil, err
	}
	res := &CalendarResult{Total: total, Facets: facets}
	w, a := q.where("")
	from, rank := q.from, q.rank
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	// Choose the page from the covering calendar_upcoming index (sorting
	// only keys), then read the documents of those rows alone.
	rows, err := tx.QueryContext(ctx, `SELECT c.id, c.slug, c.ospo_id, c.event, c.updated_at,
		d.id, d.slug, d.kind, d.host, d.account, d.profile, d.source, d.licence, d.updated_at
		FROM (SELECT c.rowid AS rid, `+rank+` AS rank, c.start_at AS s, c.id AS i FROM `+from+` WHERE `+w+`
		  ORDER BY rank, s, i LIMIT ? OFFSET ?) p
		JOIN calendar c ON c.rowid = p.rid JOIN directory d ON d.id = c.ospo_id
		ORDER BY p.rank, p.s, p.i`, append(a, f.Limit, max(f.Offset, 0))...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		c := &CalendarEntry{}
		var doc, updated string
		d := &DirectoryEntry{Profile: &Profile{}}
		var pdoc, dupdated string
		if err := rows.Scan(&c.ID, &c.Slug, &c.OSPOID, &doc, &updated, &d.ID, &d.Slug, &d.Kind, &d.Host, &d.Account, &pdoc, &d.Source, &d.Licence, &dupdated); err != nil {
			return nil, err
		}
		if err := c.decode(doc); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(pdoc), d.Profile); err != nil {
			return nil, err
		}
		c.UpdatedAt, d.UpdatedAt = parseTime(updated), parseTime(dupdated)
		c.Organizer = d
		res.Entries = append(res.Entries, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return res, nil
}

// calendarCounts returns the total and the facets of q's matches. A full-text
// match is costly to evaluate: they then come from one grouped pass over it
// (half the time of a query per facet for a common word). Without one, a
// query per facet is faster: each is a scan of the covering index, where
// grouping 100,000 events would sort them. Either way this reads every
// match (a fifth of a second for 100,000 upcoming events), so the counts
// are kept (calendarCountCache) until the calendar changes or, when they
// depend on the clock ("upcoming"), for at most a minute.
func (s *Store) calendarCounts(ctx context.Context, tx *sql.Tx, q *calendarQuery) (int, Facets, error) {
	var version int64
	if err := tx.QueryRowContext(ctx, `SELECT n FROM calendar_version`).Scan(&version); err != nil {
		return 0, nil, err
	}
	key := q.cacheKey()
	if total, facets, ok := s.calCounts.get(key, version, s.Now()); ok {
		return total, facets, nil
	}
	counts := calendarCountsByScans
	if q.fullText {
		counts = calendarCountsGrouped
	}
	total, facets, err := counts(ctx, tx, q)
	if err != nil {
		return 0, nil, err
	}
	s.calCounts.put(key, version, s.Now(), q.untilNow, total, facets)
	return total, facets, nil
}

// calendarCountsByScans counts the matches, then each facet, with one query each.
func calendarCountsByScans(ctx context.Context, tx *sql.Tx, q *calendarQuery) (int, Facets, error) {
	w, a := q.where("")
	var total int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM `+q.from+` WHERE `+w, a...).Scan(&total); err != nil {
		return 0, nil, err
	}
	facets := Facets{}
	for name, sql := range map[string]string{
		// Events without a country count for their organiser's: group first,
		// then look up one directory row per organiser, not per event.
		"country": `SELECT CASE WHEN g.country <> '' THEN g.country ELSE d.country END, sum(g.n) FROM
			(SELECT c.country AS country, CASE WHEN c.country = '' THEN c.ospo_id END AS o, count(*) AS n
			 FROM %s WHERE %s GROUP BY 1, 2) g LEFT JOIN directory d ON d.id = g.o GROUP BY 1`,
		// A hybrid event counts under both, as each filter matches it.
		"online": "SELECT m.mode, count(*) FROM %s JOIN (SELECT 'online' AS mode UNION ALL SELECT 'in-person') m " +
			"ON (m.mode = 'online' AND c.online) OR (m.mode = 'in-person' AND c.in_person) WHERE %s GROUP BY 1",
		// Split each distinct JSON list once, not every event's.
		"lang": "SELECT j.value, sum(g.n) FROM (SELECT c.languages AS v, count(*) AS n FROM %s WHERE %s GROUP BY 1) g, json_each(g.v) j GROUP BY 1",
	} {
		w, a := q.where(name)
		counts, err := countBy(ctx, tx, strings.Replace(strings.Replace(sql, "%s", q.from, 1), "%s", w, 1), a)
		if err != nil {
			return 0, nil, err
		}
		delete(counts, "")
		facets[name] = counts
	}
	return total, facets, nil
}

// calendarCountsGrouped counts the matches and the facets from one pass
// over the matches grouped by the facet fields (a few hundred groups):
// each facet counts the groups that pass every filter but its own.
func calendarCountsGrouped(ctx context.Context, tx *sql.Tx, q *calendarQuery) (int, Facets, error) {
	groups, err := calendarGroups(ctx, tx, q.from, strings.Join(q.base, " AND "), q.args)
	if err != nil {
		return 0, nil, err
	}
	total := 0
	facets := Facets{"country": {}, "online": {}, "lang": {}}
	for _, g := range groups {
		country, online, lang := g.passes(q.f)
		if country && online && lang {
			total += g.n
		}
		if online && lang && g.country != "" {
			facets["country"][g.country] += g.n
		}
		if country && lang {
			if g.online {
				facets["online"]["online"] += g.n
			}
			if g.inPerson {
				facets["online"]["in-person"] += g.n
			}
		}
		if country && online {
			for _, l := range g.langs {
				if l != "" {
					facets["lang"][l] += g.n
				}
			}
		}
	}
	return total, facets, nil
}

// calendarGroup is a set of matching events alike in every facet field.
type calendarGroup struct {
	country          string // the event's, else its organiser's
	online, inPerson bool
	langs            []string
	n                int
}

// passes reports whether the group passes f's country, online and language filters.
func (g *calendarGroup) passes(f CalendarFilter) (country, online, lang bool) {
	country = f.Country == "" || g.country == f.Country
	online = f.Online == nil || (*f.Online && g.online) || (!*f.Online && g.inPerson)
	lang = f.Lang == ""
	for _, l := range g.langs {
		if lang {
			break
		}
		lang = hasLanguage(l, f.Lang)
	}
	return country, online, lang
}

// hasLanguage is listHasTag for one tag: the language itself or one of its
// regional variants ("pt" matches "pt-BR").
func hasLanguage(tag, lang string) bool {
	return tag == lang || len(tag) > len(lang) && tag[len(lang)] == '-' && strings.EqualFold(tag[:len(lang)], lang)
}

// calendarGroups counts the events matching where, grouped by the facet
// fields. Events without a country take their organiser's, looked up once
// per organiser after grouping.
func calendarGroups(ctx context.Context, tx *sql.Tx, from, where string, args []any) ([]*calendarGroup, error) {
	rows, err := tx.QueryContext(ctx, `SELECT CASE WHEN g.country <> '' THEN g.country ELSE coalesce(d.country, '') END,
		g.online, g.in_person, g.languages, sum(g.n) FROM
		(SELECT c.country AS country, CASE WHEN c.country = '' THEN c.ospo_id END AS o, c.online AS online,
		   c.in_person AS in_person, c.languages AS languages, count(*) AS n
		 FROM `+from+` WHERE `+where+` GROUP BY 1, 2, 3, 4, 5) g
		LEFT JOIN directory d ON d.id = g.o GROUP BY 1, 2, 3, 4`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	langs := map[string][]string{} // each distinct JSON list decoded once
	var out []*calendarGroup
	for rows.Next() {
		g := &calendarGroup{}
		var list string
		if err := rows.Scan(&g.country, &g.online, &g.inPerson, &list, &g.n); err != nil {
			return nil, err
		}
		l, ok := langs[list]
		if !ok {
			_ = json.Unmarshal([]byte(list), &l)
			langs[list] = l
		}
		g.langs = l
		out = append(out, g)
	}
	return out, rows.Err()
}

// countBy runs a query of (key, count) rows.
func countBy(ctx context.Context, tx *sql.Tx, q string, args []any) (map[string]int, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return nil, err
		}
		out[k] = n
	}
	return out, rows.Err()
}

func (c *CalendarEntry) decode(doc string) error {
	cd := calendarDoc{Event: &Event{}}
	if err := json.Unmarshal([]byte(doc), &cd); err != nil {
		return err
	}
	c.Event, c.URL = cd.Event, cd.URL
	c.Event.Start, c.Event.End = parseRFC3339(c.Event.StartTime), parseRFC3339(c.Event.EndTime)
	return nil
}

func parseRFC3339(s string) time.Time {
	t, _ := time.Parse(time.RFC3339, s)
	return t.UTC()
}

// CalendarEntry returns one event of the calendar by id or slug.
func (s *Store) CalendarEntry(ctx context.Context, idOrSlug string) (*CalendarEntry, error) {
	c := &CalendarEntry{}
	var doc, updated string
	err := s.r.QueryRowContext(ctx, `SELECT id, slug, ospo_id, event, updated_at FROM calendar WHERE id = ? OR slug = ?`,
		idOrSlug, idOrSlug).Scan(&c.ID, &c.Slug, &c.OSPOID, &doc, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	c.UpdatedAt = parseTime(updated)
	return c, c.decode(doc)
}
