package store

import (
	"fmt"
	"maps"
	"sync"
	"time"
)

// calendarCountCache keeps the totals and facets of recent calendar
// searches. An entry is valid while the calendar's version (migration
// 0008: a counter its triggers increase on every insert, update and
// delete, whoever writes) is the one it was counted at, and, for searches
// of upcoming events, for at most calendarCountTTL, as events end with
// time. Pages are never cached: they are cheap, read from an index.
type calendarCountCache struct {
	mu sync.Mutex
	m  map[string]*calendarCounts
}

type calendarCounts struct {
	version int64
	at      time.Time
	expires bool // depends on the clock
	total   int
	facets  Facets
}

// calendarCountTTL bounds how long an "upcoming" count may lag the clock:
// an event that ended within the last minute may still be counted.
const calendarCountTTL = time.Minute

// calendarCountEntries bounds the cache (each entry is a few hundred bytes).
const calendarCountEntries = 256

func (c *calendarCountCache) get(key string, version int64, now time.Time) (int, Facets, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[key]
	if !ok || e.version != version || e.expires && now.Sub(e.at) >= calendarCountTTL {
		return 0, nil, false
	}
	return e.total, cloneFacets(e.facets), true
}

func (c *calendarCountCache) put(key string, version int64, now time.Time, expires bool, total int, facets Facets) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]*calendarCounts{}
	}
	if len(c.m) >= calendarCountEntries {
		for k, e := range c.m { // drop what is stale, else anything
			if e.version != version || e.expires && now.Sub(e.at) >= calendarCountTTL {
				delete(c.m, k)
			}
		}
		for k := range c.m {
			if len(c.m) < calendarCountEntries {
				break
			}
			delete(c.m, k)
		}
	}
	c.m[key] = &calendarCounts{version: version, at: now, expires: expires, total: total, facets: cloneFacets(facets)}
}

// cloneFacets copies facets so that callers may change what they get.
func cloneFacets(f Facets) Facets {
	out := make(Facets, len(f))
	for k, v := range f {
		out[k] = maps.Clone(v)
	}
	return out
}

// cacheKey identifies the matches of q, whatever page is asked for.
func (q *calendarQuery) cacheKey() string {
	f := q.f
	from := ""
	if !q.untilNow {
		from = fmtTime(f.From)
	}
	to := ""
	if !f.To.IsZero() {
		to = fmtTime(f.To)
	}
	online := ""
	if f.Online != nil {
		online = fmt.Sprint(*f.Online)
	}
	return fmt.Sprintf("%q %q %q %q %q %q %q", f.Query, from, to, online, f.Country, f.Lang, f.OSPO)
}
