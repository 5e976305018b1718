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
