package store_test

import (
	"context"
	"reflect"
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
