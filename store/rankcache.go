package store

import "sync"

// rankCache keeps the ranked full-text matches of recent directory searches:
// for each query, every matching row with its bm25 score. Ranking is the
// floor of a directory search (FTS5 scores each match, 1.3 µs a row in this
// SQLite): a word found in every profile cost 16 ms each time. Filters,
// facets and the page are then computed from the kept list. An entry is
// valid for one state of the directory (dirTable.seq, the last change the
// facet table reflects): any change makes every entry stale.
type rankCache struct {
	mu sync.Mutex
	m  map[string]rankedMatches // by full-text query
}

type rankedMatches struct {
	seq  int64
	rows []rankedRow // in rowid order, as FTS5 returns them
}

// rankCacheEntries bounds the cache: an entry is 16 bytes per match, at
// most 160 KB for 10,000 OSPOs.
const rankCacheEntries = 16

func (c *rankCache) get(q string, seq int64) ([]rankedRow, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[q]
	return e.rows, ok && e.seq == seq
}

func (c *rankCache) put(q string, seq int64, rows []rankedRow) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]rankedMatches{}
	}
	if len(c.m) >= rankCacheEntries {
		for k, e := range c.m { // stale entries first, then any
			if e.seq != seq {
				delete(c.m, k)
			}
		}
		for k := range c.m {
			if len(c.m) < rankCacheEntries {
				break
			}
			delete(c.m, k)
		}
	}
	c.m[q] = rankedMatches{seq: seq, rows: rows}
}
