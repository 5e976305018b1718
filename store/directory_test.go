package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/ospod/ospod/store"
	"github.com/ospod/ospod/store/storetest"
)

// searchDirOSPO is an entry for the search tests: the words, values and
// names repeat across entries, so that ranks and names tie and filters
// overlap.
func searchDirOSPO(rng *rand.Rand, i int) *store.DirectoryEntry {
	pick := func(vs ...string) string { return vs[rng.IntN(len(vs))] }
	lang := pick("de", "fr", "en", "de-AT", "DE-CH", "nl", "fr-CA")
	name := fmt.Sprintf("%s of %s", pick("City", "Region", "Agency"), pick("Berlin", "Tartu", "Lyon", "Ghent"))
	if rng.IntN(3) > 0 {
		name += fmt.Sprintf(" %d", i) // most names differ; some are shared
	}
	var areas []string
	for _, a := range store.SupportAreas() {
		if rng.IntN(3) == 0 {
			areas = append(areas, a)
		}
	}
	if len(areas) > 0 && rng.IntN(10) == 0 {
		areas = append(areas, areas[0]) // twice: counted twice, as json_each did
	}
	p := &store.Profile{
		Name:            store.LangMap{lang: name},
		Summary:         store.LangMap{lang: "Open source office: " + pick("licensing", "procurement", "licensing and procurement", "security")},
		Language:        lang,
		Country:         pick("DE", "FR", "BE", "", "EE"),
		GovernmentLevel: pick("municipal", "national", "", "regional"),
		SupportAreas:    areas,
	}
	if rng.IntN(4) == 0 {
		p.Name["en"] = name + " open source office"
	}
	kind := pick(store.KindFollowed, store.KindFollower, store.KindDiscovered, store.KindListed)
	if i == 0 {
		kind = store.KindSelf
	}
	id := fmt.Sprintf("https://ospo%d.host%d.example/actor", i, i%4)
	return &store.DirectoryEntry{ID: id, Kind: kind, Host: fmt.Sprintf("ospo%d.host%d.example", i, i%4), Profile: p, Source: id}
}

// searchDirFilters are searches with every filter, alone and together, with
// values some entries have and some none has, on several pages.
func searchDirFilters(rng *rand.Rand, n int) []store.DirectoryFilter {
	pick := func(vs ...string) string { return vs[rng.IntN(len(vs))] }
	fs := []store.DirectoryFilter{{}, {Limit: 500}, {Query: "licensing", Limit: 5, Offset: 3}}
	for range n {
		var f store.DirectoryFilter
		f.Limit = []int{0, 3, 7, 50}[rng.IntN(4)]
		f.Offset = []int{0, 0, 1, f.Limit, 2 * f.Limit, 1000}[rng.IntN(6)]
		if rng.IntN(2) == 0 {
			f.Query = pick("licensing", "open source", "berl", "tartu", "procurement licensing", "office", "nothingmatches", "ospo-meetup", `"`)
		}
		if rng.IntN(3) == 0 {
			f.Country = pick("DE", "FR", "XX")
		}
		if rng.IntN(3) == 0 {
			f.Level = pick("municipal", "national", "eu")
		}
		if rng.IntN(3) == 0 {
			f.Area = pick(store.SupportAreas()...)
		}
		if rng.IntN(3) == 0 {
			f.Lang = pick("de", "DE", "de-AT", "de-at", "fr", "en", "pt")
		}
		if rng.IntN(4) == 0 {
			f.Kind = pick(store.KindSelf, store.KindFollowed, store.KindListed)
		}
		fs = append(fs, f)
	}
	return fs
}

// sameSearch compares a search with the SQL it replaced. Entries of equal
// rank and name had no defined order; they are compared as a set.
func sameSearch(t *testing.T, f store.DirectoryFilter, got, want *store.DirectoryResult) {
	t.Helper()
	if got.Total != want.Total {
		t.Errorf("%+v: total %d, want %d", f, got.Total, want.Total)
	}
	if !reflect.DeepEqual(got.Facets, want.Facets) {
		t.Errorf("%+v: facets\n%v\nwant\n%v", f, got.Facets, want.Facets)
	}
	g, w := entryIDs(got.Entries), entryIDs(want.Entries)
	if f.Query != "" {
		g, w = sortedRuns(got.Entries), sortedRuns(want.Entries)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("%+v: entries\n%v\nwant\n%v", f, g, w)
	}
}

func entryIDs(es []*store.DirectoryEntry) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.ID)
	}
	return out
}

// sortedRuns lists the ids with each run of equal names sorted.
func sortedRuns(es []*store.DirectoryEntry) []string {
	name := func(e *store.DirectoryEntry) string {
		n, _ := e.Profile.Name.Best(e.Profile.DefaultLanguage(), e.Profile.DefaultLanguage())
		return strings.ToLower(n)
	}
	out := entryIDs(es)
	for i := 0; i < len(es); {
		j := i + 1
		for j < len(es) && name(es[j]) == name(es[i]) {
			j++
		}
		slices.Sort(out[i:j])
		i = j
	}
	return out
}

func checkSearches(t *testing.T, st *store.Store, fs []store.DirectoryFilter) {
	t.Helper()
	ctx := context.Background()
	for _, f := range fs {
		got, err := st.SearchDirectory(ctx, f)
		if err != nil {
			t.Fatalf("%+v: %v", f, err)
		}
		want, err := store.SearchDirectoryReference(ctx, st, f)
		if err != nil {
			t.Fatalf("%+v: reference: %v", f, err)
		}
		sameSearch(t, f, got, want)
	}
}

func putDirectory(t *testing.T, st *store.Store, es ...*store.DirectoryEntry) {
	t.Helper()
	ctx := context.Background()
	if err := st.InTx(ctx, func(tx *store.Tx) error {
		for _, e := range es {
			if err := tx.PutDirectoryEntry(ctx, e); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// TestSearchDirectoryAsSQL compares the search with the SQL it replaced
// (store.SearchDirectoryReference) on many filters.
func TestSearchDirectoryAsSQL(t *testing.T) {
	st := storetest.Open(t)
	rng := rand.New(rand.NewPCG(6, 7))
	var es []*store.DirectoryEntry
	for i := range 300 {
		es = append(es, searchDirOSPO(rng, i))
	}
	putDirectory(t, st, es...)
	checkSearches(t, st, searchDirFilters(rng, 400))
}

// TestSearchDirectorySeesWrites checks that every kind of write to the
// directory shows in the next search, its facets included, although the
// search keeps the directory's facet values in memory.
func TestSearchDirectorySeesWrites(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ospod.db")
	st := storetest.OpenWith(t, store.Options{Path: path})
	rng := rand.New(rand.NewPCG(8, 9))
	for i := range 60 {
		putDirectory(t, st, searchDirOSPO(rng, i))
	}
	fs := append(searchDirFilters(rng, 40),
		store.DirectoryFilter{Country: "LU"}, store.DirectoryFilter{Query: "zanzibar"}, store.DirectoryFilter{Lang: "lb"})
	checkSearches(t, st, fs) // loads the table

	search := func(f store.DirectoryFilter) *store.DirectoryResult {
		t.Helper()
		res, err := st.SearchDirectory(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	lu := searchDirOSPO(rng, 1000)
	lu.Profile.Country, lu.Profile.Name = "LU", store.LangMap{"lb": "Zanzibar OSPO"}
	steps := []struct {
		name  string
		write func(tx *store.Tx) error
		check func()
	}{
		{"insert", func(tx *store.Tx) error { return tx.PutDirectoryEntry(ctx, lu) }, func() {
			res := search(store.DirectoryFilter{Query: "zanzibar", Country: "LU"})
			if res.Total != 1 || len(res.Entries) != 1 || res.Entries[0].ID != lu.ID || res.Facets["lang"]["lb"] != 1 {
				t.Errorf("after insert: %d entries, facets %v", res.Total, res.Facets)
			}
		}},
		{"update", func(tx *store.Tx) error {
			lu.Profile.Country, lu.Profile.GovernmentLevel = "EE", "eu"
			return tx.PutDirectoryEntry(ctx, lu)
		}, func() {
			res := search(store.DirectoryFilter{Level: "eu"})
			if res.Total != 1 || res.Facets["country"]["EE"] != 1 || res.Facets["country"]["LU"] != 0 {
				t.Errorf("after update: %d entries, facets %v", res.Total, res.Facets)
			}
		}},
		{"delete", func(tx *store.Tx) error { return tx.DeleteDirectoryEntry(ctx, lu.ID) }, func() {
			if res := search(store.DirectoryFilter{Level: "eu"}); res.Total != 0 || res.Facets["level"]["eu"] != 0 {
				t.Errorf("after delete: %d entries, facets %v", res.Total, res.Facets)
			}
		}},
		{"purge domain", func(tx *store.Tx) error { return tx.PurgeDomain(ctx, "host1.example") }, func() {
			for _, e := range search(store.DirectoryFilter{Limit: 500}).Entries {
				if strings.HasSuffix(e.Host, ".host1.example") {
					t.Errorf("after purge: %s still listed", e.ID)
				}
			}
		}},
	}
	for _, s := range steps {
		if err := st.InTx(ctx, s.write); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		s.check()
		checkSearches(t, st, fs)
	}

	// A group commit, then another connection to the file (the import
	// command, say): the log is written by triggers, whoever writes.
	if err := st.Batch(ctx, func(tx *store.Tx) error { return tx.PutDirectoryEntry(ctx, searchDirOSPO(rng, 2000)) }); err != nil {
		t.Fatal(err)
	}
	checkSearches(t, st, fs)
	other, err := store.Open(ctx, store.Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	putDirectory(t, other, searchDirOSPO(rng, 3000), lu)
	if err := other.Close(); err != nil {
		t.Fatal(err)
	}
	if res := search(store.DirectoryFilter{Query: "zanzibar"}); res.Total != 1 {
		t.Errorf("written by another connection: %d entries, want 1", res.Total)
	}
	checkSearches(t, st, fs)

	// More changes than the log keeps: the table is read again in full.
	var many []*store.DirectoryEntry
	for i := range 1200 {
		many = append(many, searchDirOSPO(rng, 4000+i))
	}
	putDirectory(t, st, many...)
	checkSearches(t, st, fs)
}

// TestSearchDirectoryWhileWriting searches while the directory changes:
// each answer must hold together (run with -race).
func TestSearchDirectoryWhileWriting(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t)
	rng := rand.New(rand.NewPCG(10, 11))
	for i := range 50 {
		putDirectory(t, st, searchDirOSPO(rng, i))
	}
	fs := searchDirFilters(rng, 50)
	done := make(chan struct{})
	go func() {
		defer close(done)
		w := rand.New(rand.NewPCG(12, 13))
		for i := range 100 {
			e := searchDirOSPO(w, 100+i%20)
			err := st.InTx(ctx, func(tx *store.Tx) error {
				if i%3 == 2 {
					return tx.DeleteDirectoryEntry(ctx, e.ID)
				}
				return tx.PutDirectoryEntry(ctx, e)
			})
			if err != nil {
				t.Error(err)
				return
			}
		}
	}()
	errs := make(chan error, 4)
	for g := range 4 {
		go func() {
			for i := range 60 {
				f := fs[(g*60+i)%len(fs)]
				f.Kind = ""
				res, err := st.SearchDirectory(ctx, f)
				if err != nil {
					errs <- err
					return
				}
				n := 0
				for _, c := range res.Facets["kind"] {
					n += c
				}
				if n != res.Total {
					errs <- fmt.Errorf("%+v: total %d, kinds add up to %d", f, res.Total, n)
					return
				}
			}
			errs <- nil
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	<-done
	checkSearches(t, st, fs)
}
