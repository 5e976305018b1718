package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"sync/atomic"
)

// dirTable is the directory's facet table: for every directory row, its
// rowid and the values SearchDirectory filters and counts (kind, country,
// level, support areas, languages), interned. Filtering and counting over
// it in Go is what made the search meet issue 6's target: in SQL, a word
// found in half the directory read half the table's rows three times.
// It holds no profile documents: 32 bytes an entry (320 KB for 10,000)
// plus the distinct values and lists.
//
// A table never changes once built; a newer one replaces it. seq is the
// last directory_changes entry it reflects (migration 0007): a search
// brings the table up to its own snapshot by reading the rows logged
// since, or reloads it when the log no longer reaches that far back.
type dirTable struct {
	seq   int64
	rows  []dirRow  // by rid
	vals  []string  // distinct kinds, countries, levels and list elements
	lists [][]int32 // distinct lists of vals (areas, languages), in JSON order
}

type dirRow struct {
	rid                  int64
	kind, country, level int32 // into vals
	areas, langs         int32 // into lists
}

// find returns the index of rowid rid in t.rows, or where it would go.
func (t *dirTable) find(rid int64) (int, bool) {
	return slices.BinarySearchFunc(t.rows, rid, func(r dirRow, rid int64) int { return cmp.Compare(r.rid, rid) })
}

// findFrom is find for rowids read in ascending order (as FTS5 returns
// them): it looks at from, the index of the previous one, before searching.
func (t *dirTable) findFrom(rid int64, from int) (int, bool) {
	if from < len(t.rows) && t.rows[from].rid <= rid {
		if t.rows[from].rid == rid {
			return from, true
		}
		i, ok := slices.BinarySearchFunc(t.rows[from:], rid, func(r dirRow, rid int64) int { return cmp.Compare(r.rid, rid) })
		return from + i, ok
	}
	return t.find(rid)
}

// publish makes t the current table unless a newer one is already.
func publishDirTable(slot *atomic.Pointer[dirTable], t *dirTable) {
	for {
		cur := slot.Load()
		if cur != nil && cur.seq >= t.seq {
			return
		}
		if slot.CompareAndSwap(cur, t) {
			return
		}
	}
}

// currentDirTable returns the table as of tx's snapshot. cached must have
// been read before tx's first statement: it was built from a snapshot
// taken before then, so it is never ahead of tx and at most needs the
// changes since.
func currentDirTable(ctx context.Context, tx *sql.Tx, cached *dirTable) (*dirTable, error) {
	// Two subqueries: min and max of the key are one seek each, together
	// in one SELECT they would scan the log.
	var last, first int64
	if err := tx.QueryRowContext(ctx, `SELECT coalesce((SELECT max(seq) FROM directory_changes), 0),
		coalesce((SELECT min(seq) FROM directory_changes), 0)`).Scan(&last, &first); err != nil {
		return nil, err
	}
	if cached != nil && cached.seq == last {
		return cached, nil
	}
	// Catching up never drops a list that no row uses any more; a reload
	// does, when they have become many.
	if cached != nil && cached.seq < last && first <= cached.seq+1 && len(cached.lists) <= 2*len(cached.rows)+1024 {
		return cached.catchUp(ctx, tx, last)
	}
	return loadDirTable(ctx, tx, last)
}

// loadDirTable reads the whole table (about 15 ms for 10,000 entries).
func loadDirTable(ctx context.Context, tx *sql.Tx, seq int64) (*dirTable, error) {
	t := &dirTable{seq: seq}
	b := newDirBuilder(t)
	rows, err := tx.QueryContext(ctx, `SELECT rowid, kind, country, level, areas, languages FROM directory`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		r, err := b.scan(rows)
		if err != nil {
			return nil, err
		}
		t.rows = append(t.rows, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	slices.SortFunc(t.rows, func(a, b dirRow) int { return cmp.Compare(a.rid, b.rid) })
	t.rows = slices.Clone(t.rows) // drop append's spare capacity
	return t, nil
}

// catchUp returns a copy of t with the rows changed up to seq read again.
func (t *dirTable) catchUp(ctx context.Context, tx *sql.Tx, seq int64) (*dirTable, error) {
	// Clip: appending to vals or lists must not write into t's arrays,
	// which other searches may be reading.
	n := &dirTable{seq: seq, rows: slices.Clone(t.rows), vals: slices.Clip(t.vals), lists: slices.Clip(t.lists)}
	b := newDirBuilder(n)
	rows, err := tx.QueryContext(ctx, `SELECT c.rid, d.kind, d.country, d.level, d.areas, d.languages
		FROM (SELECT DISTINCT rid FROM directory_changes WHERE seq > ?) c LEFT JOIN directory d ON d.rowid = c.rid`, t.seq)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	gone := map[int64]bool{}
	var added []dirRow
	for rows.Next() {
		r, err := b.scan(rows)
		if err != nil {
			return nil, err
		}
		i, found := n.find(r.rid)
		switch {
		case r.kind < 0: // deleted (kind is never NULL in the table)
			if found {
				gone[r.rid] = true
			}
		case found:
			n.rows[i] = r
		default:
			added = append(added, r)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(gone) > 0 {
		n.rows = slices.DeleteFunc(n.rows, func(r dirRow) bool { return gone[r.rid] })
	}
	if len(added) > 0 {
		n.rows = append(n.rows, added...)
		slices.SortFunc(n.rows, func(a, b dirRow) int { return cmp.Compare(a.rid, b.rid) })
	}
	return n, nil
}

// dirBuilder interns the values of the rows added to a table.
type dirBuilder struct {
	t     *dirTable
	vals  map[string]int32
	lists map[string]int32 // by listKey
	raw   map[string]int32 // by JSON text: most rows repeat a list, decode it once
}

func newDirBuilder(t *dirTable) *dirBuilder {
	b := &dirBuilder{t: t, vals: make(map[string]int32, len(t.vals)), lists: make(map[string]int32, len(t.lists)),
		raw: map[string]int32{}}
	for i, v := range t.vals {
		b.vals[v] = int32(i)
	}
	for i, l := range t.lists {
		b.lists[listKey(l)] = int32(i)
	}
	return b
}

// scan reads rowid, kind, country, level, areas and languages. A NULL kind
// (a deleted row, from catchUp's outer join) gives kind -1.
func (b *dirBuilder) scan(rows *sql.Rows) (dirRow, error) {
	var r dirRow
	var kind, country, level, areas, langs sql.RawBytes
	if err := rows.Scan(&r.rid, &kind, &country, &level, &areas, &langs); err != nil {
		return r, err
	}
	if kind == nil {
		r.kind = -1
		return r, nil
	}
	r.kind, r.country, r.level = b.val(kind), b.val(country), b.val(level)
	var err error
	if r.areas, err = b.list(areas); err != nil {
		return r, err
	}
	r.langs, err = b.list(langs)
	return r, err
}

func (b *dirBuilder) val(v []byte) int32 {
	if i, ok := b.vals[string(v)]; ok { // no allocation for the lookup
		return i
	}
	s := string(v)
	i := int32(len(b.t.vals))
	b.t.vals = append(b.t.vals, s)
	b.vals[s] = i
	return i
}

func (b *dirBuilder) list(raw []byte) (int32, error) {
	if i, ok := b.raw[string(raw)]; ok {
		return i, nil
	}
	var vs []string
	if err := json.Unmarshal(raw, &vs); err != nil {
		return 0, fmt.Errorf("store: directory list %.100s: %w", raw, err)
	}
	l := make([]int32, len(vs))
	for j, v := range vs {
		l[j] = b.val([]byte(v))
	}
	k := listKey(l)
	i, ok := b.lists[k]
	if !ok {
		i = int32(len(b.t.lists))
		b.t.lists = append(b.t.lists, l)
		b.lists[k] = i
	}
	b.raw[string(raw)] = i
	return i, nil
}

func listKey(l []int32) string {
	var buf []byte
	for _, v := range l {
		buf = strconv.AppendInt(append(buf, ','), int64(v), 10)
	}
	return string(buf)
}
