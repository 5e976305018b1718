package store_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/ospod/ospod/store"
	"github.com/ospod/ospod/store/storetest"
)

// TestCalendarFacets: the total and facet counts of one grouped pass over
// the matches (SearchCalendar's way for searches) equal those of a query per
// facet (its way otherwise), for each filter alone and combined, with and
// without a search, on the small benchmark data set (500 OSPOs, 10,000
// events in many countries, modes and languages); SearchCalendar reports them.
func TestCalendarFacets(t *testing.T) {
	ctx := context.Background()
	st := storetest.OpenDataset(t, storetest.SmallDataset)
	yes, no := true, false
	filters := []store.CalendarFilter{
		{},
		{Country: "DE"},
		{Country: "FR", Online: &no},
		{Online: &yes},
		{Lang: "fr"},
		{Lang: "FR"},
		{Lang: "pt"},
		{Query: "licensing"},
		{Query: "open source", Country: "IT", Lang: "it"},
		{To: time.Now().AddDate(0, 1, 0), Online: &yes, Lang: "en"},
		{OSPO: storetest.DatasetOSPOID(7)},
		{From: time.Now().AddDate(-5, 0, 0)},
	}
	nonEmpty := 0
	for _, f := range filters {
		got, err := st.SearchCalendar(ctx, f)
		if err != nil {
			t.Fatalf("%+v: %v", f, err)
		}
		total, facets, err := store.CalendarCounts(ctx, st, f, false)
		if err != nil {
			t.Fatal(err)
		}
		gtotal, gfacets, err := store.CalendarCounts(ctx, st, f, true)
		if err != nil {
			t.Fatal(err)
		}
		if gtotal != total {
			t.Errorf("%+v: grouped total %d, want %d", f, gtotal, total)
		}
		for _, name := range []string{"country", "online", "lang"} {
			if !reflect.DeepEqual(gfacets[name], facets[name]) {
				t.Errorf("%+v: grouped facet %s =\n %v\nwant\n %v", f, name, gfacets[name], facets[name])
			}
		}
		if got.Total != total {
			t.Errorf("%+v: total %d, want %d", f, got.Total, total)
		}
		for _, name := range []string{"country", "online", "lang"} {
			if !reflect.DeepEqual(got.Facets[name], facets[name]) {
				t.Errorf("%+v: facet %s =\n %v\nwant\n %v", f, name, got.Facets[name], facets[name])
			}
		}
		if total > 0 && len(facets["country"]) > 1 && len(facets["lang"]) > 1 {
			nonEmpty++
		}
	}
	if nonEmpty < 6 {
		t.Errorf("only %d filters matched events in several countries and languages: the data set does not test much", nonEmpty)
	}
}

// TestCalendarCountsFollowChanges: the totals and facets SearchCalendar keeps
// between searches follow every change of the calendar, made through this
// store, by a cascade or by another process, and the end of events as the
// clock moves.
func TestCalendarCountsFollowChanges(t *testing.T) {
	ctx := context.Background()
	clock := storetest.NewClock(time.Date(2030, 3, 1, 9, 0, 0, 0, time.UTC))
	path := t.TempDir() + "/ospod.db"
	st := storetest.OpenWith(t, store.Options{Path: path, Now: clock.Now})
	other := storetest.OpenWith(t, store.Options{Path: path, Now: clock.Now}) // as a command run beside the node

	put := func(s *store.Store, ospo, id string, start time.Time) {
		t.Helper()
		err := s.InTx(ctx, func(tx *store.Tx) error {
			if err := tx.PutDirectoryEntry(ctx, &store.DirectoryEntry{ID: ospo, Kind: store.KindFollowed,
				Host: "peer.example", Profile: storetest.Profile(), Source: ospo}); err != nil {
				return err
			}
			return tx.PutCalendarEntry(ctx, &store.CalendarEntry{ID: id, OSPOID: ospo, Event: storetest.Event(start), URL: id})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	check := func(when string, f store.CalendarFilter, want int) {
		t.Helper()
		res, err := st.SearchCalendar(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		langs := 0
		for _, n := range res.Facets["lang"] {
			langs += n
		}
		if res.Total != want || len(res.Entries) != want || langs != want {
			t.Errorf("%s: total %d, %d entries, %d in the language facet; want %d", when, res.Total, len(res.Entries), langs, want)
		}
	}
	soon := clock.Now().Add(time.Hour)
	a, b := "https://a.example/actor", "https://b.example/actor"
	put(st, a, "https://a.example/events/1", soon)
	check("first search", store.CalendarFilter{}, 1)
	check("same search again", store.CalendarFilter{}, 1)
	put(st, a, "https://a.example/events/2", soon.Add(time.Hour))
	check("after an event was added", store.CalendarFilter{}, 2)
	put(other, b, "https://b.example/events/1", soon.Add(2*time.Hour))
	check("after another process added one", store.CalendarFilter{}, 3)
	check("a search", store.CalendarFilter{Query: "meetup"}, 3)
	if err := other.InTx(ctx, func(tx *store.Tx) error { return tx.DeleteDirectoryEntry(ctx, b) }); err != nil {
		t.Fatal(err)
	}
	check("after its organiser left the directory (cascade)", store.CalendarFilter{}, 2)
	check("the search again", store.CalendarFilter{Query: "meetup"}, 2)

	// The first event (90 minutes from soon) ends; a minute later it is no
	// longer counted, though nothing was written.
	clock.Set(soon.Add(90*time.Minute + time.Second))
	check("as the first event ends", store.CalendarFilter{}, 1)
	// A fixed period does not depend on the clock.
	check("a fixed period", store.CalendarFilter{From: soon.Add(-time.Hour), To: soon.Add(3 * time.Hour)}, 2)
}

// TestCalendarIndexedAtCommit: rows are added to the full-text index when
// their transaction commits (migration 0009), and the index stays exact
// through updates and deletes in the same transaction and later, cascades,
// batches with failing functions and another process's writes.
func TestCalendarIndexedAtCommit(t *testing.T) {
	ctx := context.Background()
	clock := storetest.NewClock(time.Date(2030, 3, 1, 9, 0, 0, 0, time.UTC))
	path := t.TempDir() + "/ospod.db"
	st := storetest.OpenWith(t, store.Options{Path: path, Now: clock.Now})
	other := storetest.OpenWith(t, store.Options{Path: path, Now: clock.Now})
	a, b := "https://a.example/actor", "https://b.example/actor"
	start := clock.Now().Add(24 * time.Hour)
	entry := func(ospo, id, word string) *store.CalendarEntry {
		e := storetest.Event(start)
		e.Name = store.LangMap{"en": word + " meetup"}
		return &store.CalendarEntry{ID: ospo + "/events/" + id, OSPOID: ospo, Event: e, URL: ospo + "/events/" + id}
	}
	in := func(s *store.Store, fn func(tx *store.Tx) error) {
		t.Helper()
		if err := s.InTx(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}
	in(st, func(tx *store.Tx) error {
		for _, o := range []string{a, b} {
			if err := tx.PutDirectoryEntry(ctx, &store.DirectoryEntry{ID: o, Kind: store.KindFollowed,
				Host: "peer.example", Profile: storetest.Profile(), Source: o}); err != nil {
				return err
			}
		}
		// In one transaction: two new rows, one of them changed, the other removed, a third added.
		for _, e := range []*store.CalendarEntry{entry(a, "1", "alpaca"), entry(a, "2", "bison"), entry(a, "1", "aardvark")} {
			if err := tx.PutCalendarEntry(ctx, e); err != nil {
				return err
			}
		}
		if err := tx.DeleteCalendarEntry(ctx, a+"/events/2"); err != nil {
			return err
		}
		return tx.PutCalendarEntry(ctx, entry(b, "1", "camel"))
	})
	// A later change of an indexed row, and a batch where some functions fail after writing.
	in(st, func(tx *store.Tx) error { return tx.PutCalendarEntry(ctx, entry(b, "1", "dromedary")) })
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = st.Batch(ctx, func(tx *store.Tx) error {
				if err := tx.PutCalendarEntry(ctx, entry(a, fmt.Sprint("batch", i), fmt.Sprint("emu", i%2))); err != nil {
					return err
				}
				if i%4 == 3 {
					return errors.New("refused after writing")
				}
				return nil
			})
		}()
	}
	wg.Wait()
	in(other, func(tx *store.Tx) error { return tx.PutCalendarEntry(ctx, entry(b, "2", "ferret")) })

	count := func(word string) int {
		t.Helper()
		res, err := st.SearchCalendar(ctx, store.CalendarFilter{Query: word})
		if err != nil {
			t.Fatal(err)
		}
		return res.Total
	}
	for word, want := range map[string]int{"alpaca": 0, "aardvark": 1, "bison": 0, "camel": 0, "dromedary": 1,
		"emu0": 20, "emu1": 10, "ferret": 1} {
		if got := count(word); got != want {
			t.Errorf("search %q: %d events, want %d", word, got, want)
		}
	}
	// A cascade from the directory removes indexed rows.
	in(st, func(tx *store.Tx) error { return tx.DeleteDirectoryEntry(ctx, b) })
	if got := count("dromedary") + count("ferret"); got != 0 {
		t.Errorf("after the organiser left, %d of its events are still found", got)
	}
	waiting, err := store.CalendarIndexCheck(ctx, st)
	if err != nil {
		t.Fatalf("full-text index integrity check: %v", err)
	}
	if waiting != 0 {
		t.Errorf("%d rows still wait to be indexed after their commits", waiting)
	}
}
