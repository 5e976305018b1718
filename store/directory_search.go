package store

import (
	"cmp"
	"context"
	"database/sql"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// DirectoryFilter selects directory entries.
type DirectoryFilter struct {
	Query   string // full-text, ranked
	Country string
	Level   string
	Area    string
	Lang    string
	Kind    string
	Limit   int
	Offset  int
}

// Facets count the matching entries per value of each filter.
type Facets map[string]map[string]int

// DirectoryResult is a page of the directory with facet counts.
type DirectoryResult struct {
	Entries []*DirectoryEntry
	Total   int
	Facets  Facets
}

// SearchDirectory returns the entries matching f, best match (or name) first,
// with facet counts over all matching entries.
//
// Filters and facets are computed in Go over the facet table (dirtable.go);
// SQL finds the full-text matches, ranks them and reads the page's
// documents. Everything reads one snapshot, so the total, the facets and
// the page agree even while the directory changes.
func (s *Store) SearchDirectory(ctx context.Context, f DirectoryFilter) (*DirectoryResult, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	f.Offset = max(f.Offset, 0)
	slot := &s.dirTable
	cached := slot.Load() // before the snapshot: see currentDirTable
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback() // read only: nothing to commit
	t, err := currentDirTable(ctx, tx, cached)
	if err != nil {
		return nil, err
	}
	if t != cached {
		publishDirTable(slot, t)
	}
	d := newDirSearch(t, f)
	if q := FTSQuery(f.Query); q != "" {
		if rows, ok := s.ranked.get(q, t.seq); ok {
			d.fromRanked(rows)
		} else if err := d.fullText(ctx, tx, q); err != nil {
			return nil, err
		} else if !d.filtered {
			// Without filters every match was ranked: keep them for the
			// next search of these words, with or without filters.
			s.ranked.put(q, t.seq, slices.Clone(d.ranked))
		}
	} else {
		for i := range t.rows {
			d.count(i)
		}
	}
	res := &DirectoryResult{Total: d.total, Facets: d.facets()}
	if f.Offset < d.total {
		res.Entries, err = d.page(ctx, tx, f.Limit, f.Offset)
	}
	return res, err
}

// Filters of a directory search, as bits of dirSearch.pass.
const (
	filterCountry = 1 << iota
	filterLevel
	filterArea
	filterLang
	filterKind
	filterAll = filterCountry | filterLevel | filterArea | filterLang | filterKind
)

// dirSearch is one search over a dirTable.
type dirSearch struct {
	t        *dirTable
	filtered bool    // some filter is set
	text     bool    // a full-text search: the page is ranked
	pass     []uint8 // by row: the filters the row passes
	// Facet counts of the matching rows, by value (kind, country, level)
	// or by list (areas, languages).
	kinds, countries, levels []int
	areas, langs             []int
	total                    int
	ranked                   []rankedRow // matching rows that pass every filter (full-text search)
}

type rankedRow struct {
	rid  int64
	rank float64
}

func newDirSearch(t *dirTable, f DirectoryFilter) *dirSearch {
	d := &dirSearch{t: t, pass: make([]uint8, len(t.rows)),
		kinds: make([]int, len(t.vals)), countries: make([]int, len(t.vals)), levels: make([]int, len(t.vals)),
		areas: make([]int, len(t.lists)), langs: make([]int, len(t.lists))}
	d.filtered = f.Country != "" || f.Level != "" || f.Area != "" || f.Lang != "" || f.Kind != ""
	// Each filter is "any value", one value (by its index in vals; -2 when
	// no entry has it) or, for the lists, which lists qualify.
	val := func(v string) int32 {
		if v == "" {
			return -1
		}
		if i := slices.Index(t.vals, v); i >= 0 {
			return int32(i)
		}
		return -2
	}
	country, level, kind := val(f.Country), val(f.Level), val(f.Kind)
	areaOK := d.qualify(f.Area, func(v string) bool { return v == f.Area })
	langOK := d.qualify(f.Lang, func(v string) bool { return v == f.Lang || underTag(v, f.Lang) })
	for i, r := range t.rows {
		var p uint8
		if country == -1 || r.country == country {
			p |= filterCountry
		}
		if level == -1 || r.level == level {
			p |= filterLevel
		}
		if areaOK == nil || areaOK[r.areas] {
			p |= filterArea
		}
		if langOK == nil || langOK[r.langs] {
			p |= filterLang
		}
		if kind == -1 || r.kind == kind {
			p |= filterKind
		}
		d.pass[i] = p
	}
	return d
}

// qualify returns, for each list, whether it holds a value that ok
// accepts; nil when there is no filter.
func (d *dirSearch) qualify(filter string, ok func(string) bool) []bool {
	if filter == "" {
		return nil
	}
	byVal := make([]bool, len(d.t.vals))
	for i, v := range d.t.vals {
		byVal[i] = ok(v)
	}
	out := make([]bool, len(d.t.lists))
	for i, l := range d.t.lists {
		out[i] = slices.ContainsFunc(l, func(v int32) bool { return byVal[v] })
	}
	return out
}

// underTag reports whether tag v is under tag t (de-AT under de), ASCII
// case-insensitively as the SQL filter did.
func underTag(v, t string) bool {
	if len(v) <= len(t) || v[len(t)] != '-' {
		return false
	}
	for i := 0; i < len(t); i++ {
		if lowerASCII(v[i]) != lowerASCII(t[i]) {
			return false
		}
	}
	return true
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// count adds matching row i to the facets and the total, and reports
// whether it passes every filter. A facet counts the rows that pass every
// other filter, so that a reader sees how many results each choice gives.
func (d *dirSearch) count(i int) bool {
	r := &d.t.rows[i]
	switch filterAll &^ d.pass[i] {
	case 0:
		d.total++
		d.countries[r.country]++
		d.levels[r.level]++
		d.areas[r.areas]++
		d.langs[r.langs]++
		d.kinds[r.kind]++
		return true
	case filterCountry:
		d.countries[r.country]++
	case filterLevel:
		d.levels[r.level]++
	case filterArea:
		d.areas[r.areas]++
	case filterLang:
		d.langs[r.langs]++
	case filterKind:
		d.kinds[r.kind]++
	}
	return false
}

func (d *dirSearch) facets() Facets {
	byVal := func(n []int, skipEmpty bool) map[string]int {
		m := map[string]int{}
		for i, c := range n {
			if c > 0 && (!skipEmpty || d.t.vals[i] != "") {
				m[d.t.vals[i]] = c
			}
		}
		return m
	}
	// A list's rows count once under each of its elements (twice under an
	// element it holds twice, as json_each counted).
	byList := func(n []int) map[string]int {
		m := map[string]int{}
		for i, c := range n {
			if c > 0 {
				for _, v := range d.t.lists[i] {
					m[d.t.vals[v]] += c
				}
			}
		}
		return m
	}
	return Facets{"country": byVal(d.countries, true), "level": byVal(d.levels, true), "kind": byVal(d.kinds, false),
		"area": byList(d.areas), "lang": byList(d.langs)}
}

// Bytes of a row in a bitmap (below), ordered as SQL compares blobs.
var (
	rowUseless = []byte{0} // fails two filters or more: counts nowhere
	rowFacets  = []byte{1} // fails one filter: counts in that filter's facet
	rowPasses  = []byte{2} // passes every filter
)

// bitmap is a blob with, at byte rid, what row rid is to the search (above),
// for SQL to read with substr(?, rowid, 1): cheaper than building a set from
// a list of rowids.
func (d *dirSearch) bitmap() []byte {
	if len(d.t.rows) == 0 {
		return []byte{}
	}
	b := make([]byte, d.t.rows[len(d.t.rows)-1].rid+1)
	for i, r := range d.t.rows {
		if r.rid <= 0 {
			continue
		}
		switch miss := filterAll &^ d.pass[i]; {
		case miss == 0:
			b[r.rid-1] = rowPasses[0] // substr counts from 1
		case miss&(miss-1) == 0:
			b[r.rid-1] = rowFacets[0]
		}
	}
	return b
}

// fullText reads the full-text matches. With filters, SQL skips the rows
// that count nowhere and ranks only those that pass every filter: bm25
// costs a microsecond a row (FTS5 reads the row's size), and so does
// handing a row to Go.
// fromRanked is fullText from the kept matches of the same words.
func (d *dirSearch) fromRanked(rows []rankedRow) {
	d.text = true
	i := 0
	for _, r := range rows {
		var ok bool
		if i, ok = d.t.findFrom(r.rid, i); ok && d.count(i) {
			d.ranked = append(d.ranked, r)
		}
	}
}

func (d *dirSearch) fullText(ctx context.Context, tx *sql.Tx, q string) error {
	d.text = true
	query, args := `SELECT rowid, bm25(directory_fts, 4.0, 1.0) FROM directory_fts WHERE directory_fts MATCH ?`, []any{q}
	if d.filtered {
		query = `SELECT rowid, CASE WHEN substr(?2, rowid, 1) = ?4 THEN bm25(directory_fts, 4.0, 1.0) END
			FROM directory_fts WHERE directory_fts MATCH ?1 AND substr(?2, rowid, 1) > ?3`
		args = append(args, d.bitmap(), rowUseless, rowPasses)
	}
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	i := 0
	for rows.Next() {
		var rid int64
		var rank sql.NullFloat64
		if err := rows.Scan(&rid, &rank); err != nil {
			return err
		}
		var ok bool
		if i, ok = d.t.findFrom(rid, i); !ok {
			continue // not in the directory: the SQL join dropped such rows too
		}
		if d.count(i) {
			d.ranked = append(d.ranked, rankedRow{rid, rank.Float64})
		}
	}
	return rows.Err()
}

// page reads the documents of the entries from offset on.
func (d *dirSearch) page(ctx context.Context, tx *sql.Tx, limit, offset int) ([]*DirectoryEntry, error) {
	var rows *sql.Rows
	var err error
	if !d.text {
		// The directory_order index gives the order; the walk stops after
		// the page, testing each entry against the bitmap alone.
		rows, err = tx.QueryContext(ctx, `SELECT d.id, d.slug, d.kind, d.host, d.account, d.profile, d.source, d.licence, d.updated_at
			FROM (SELECT rowid AS rid FROM directory WHERE substr(?1, rowid, 1) = ?2
			  ORDER BY (kind = 'self') DESC, sort_name, id LIMIT ?3 OFFSET ?4) p
			JOIN directory d ON d.rowid = p.rid ORDER BY d.kind = 'self' DESC, d.sort_name, d.id`,
			d.bitmap(), rowPasses, limit, offset)
	} else {
		// Best rank first, then by name: SQL sorts only the rows whose
		// rank reaches the page, passed with the number of their rank.
		c := d.ranked
		slices.SortFunc(c, func(a, b rankedRow) int { return cmp.Compare(a.rank, b.rank) })
		end := min(offset+limit, len(c)) - 1
		lo, hi := offset, end+1
		for lo > 0 && c[lo-1].rank == c[offset].rank {
			lo--
		}
		for hi < len(c) && c[hi].rank == c[end].rank {
			hi++
		}
		buf := []byte{'['}
		g := 0
		for j := lo; j < hi; j++ {
			if j > lo && c[j].rank != c[j-1].rank {
				g++
			}
			if j > lo {
				buf = append(buf, ',')
			}
			buf = append(strconv.AppendInt(append(buf, '['), c[j].rid, 10), ',')
			buf = append(strconv.AppendInt(buf, int64(g), 10), ']')
		}
		buf = append(buf, ']')
		rows, err = tx.QueryContext(ctx, `SELECT d.id, d.slug, d.kind, d.host, d.account, d.profile, d.source, d.licence, d.updated_at
			FROM (SELECT c.value->>0 AS rid, c.value->>1 AS g, d.sort_name AS s, d.id AS i
			  FROM json_each(?) c JOIN directory d ON d.rowid = c.value->>0 ORDER BY 2, 3, 4 LIMIT ? OFFSET ?) p
			JOIN directory d ON d.rowid = p.rid ORDER BY p.g, p.s, p.i`, string(buf), limit, offset-lo)
	}
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*DirectoryEntry
	for rows.Next() {
		e, err := scanDirectory(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// simpleTag matches values that appear verbatim in a JSON list of strings.
var simpleTag = regexp.MustCompile(`^[A-Za-z0-9-]{1,64}$`)

// listHasTag is "the list holds the bound language tag, or a tag under it"
// (de: de, de-AT...), binding the tag twice. As before, the exact match is
// case-sensitive and the prefix match is not (LIKE's ASCII folding).
func listHasTag(col, v string) string {
	if simpleTag.MatchString(v) {
		return "(instr(" + col + `, '"' || ? || '"') > 0 OR instr(lower(` + col + `), '"' || lower(?) || '-') > 0)`
	}
	return "EXISTS (SELECT 1 FROM json_each(" + col + ") WHERE value = ? OR value LIKE ? || '-%')"
}

// FTSQuery turns user input into quoted FTS5 terms (implicit AND, the last
// one a prefix). Raw input such as "ospo-meetup" or "a AND (" would make
// MATCH fail or mean something else.
func FTSQuery(q string) string {
	var terms []string
	for _, f := range strings.Fields(q) {
		f = strings.Trim(f, `"*^:()+-`)
		if f == "" {
			continue
		}
		terms = append(terms, `"`+strings.ReplaceAll(f, `"`, `""`)+`"`)
		if len(terms) == 12 {
			break
		}
	}
	if len(terms) > 0 {
		terms[len(terms)-1] += "*"
	}
	return strings.Join(terms, " ")
}
