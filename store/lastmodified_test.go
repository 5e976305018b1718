package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/ospod/ospod/store"
	"github.com/ospod/ospod/store/storetest"
)

// TestLastModifiedNeverGoesBack: the Last-Modified of the directory and of
// the calendar is the time of their latest change, deletes included, and
// never goes back (issue 12: after the latest row was deleted, max(updated_at)
// went back and an If-Modified-Since client got a stale 304). Deletes by
// cascade and by another process count; a clock set back moves nothing back.
func TestLastModifiedNeverGoesBack(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2030, 3, 1, 9, 0, 0, 0, time.UTC)
	clock := storetest.NewClock(t0)
	path := t.TempDir() + "/ospod.db"
	st := storetest.OpenWith(t, store.Options{Path: path, Now: clock.Now})
	other := storetest.OpenWith(t, store.Options{Path: path, Now: clock.Now}) // as a command run beside the node
	in := func(s *store.Store, fn func(tx *store.Tx) error) {
		t.Helper()
		if err := s.InTx(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}
	put := func(ospo, event string) func(tx *store.Tx) error {
		return func(tx *store.Tx) error {
			if err := tx.PutDirectoryEntry(ctx, &store.DirectoryEntry{ID: ospo, Kind: store.KindFollowed,
				Host: "peer.example", Profile: storetest.Profile(), Source: ospo}); err != nil {
				return err
			}
			return tx.PutCalendarEntry(ctx, &store.CalendarEntry{ID: event, OSPOID: ospo,
				Event: storetest.Event(t0.Add(24 * time.Hour)), URL: event})
		}
	}
	check := func(when string, dir, cal time.Time) {
		t.Helper()
		gotDir, err := st.DirectoryLastModified(ctx)
		if err != nil {
			t.Fatal(err)
		}
		gotCal, err := st.CalendarLastModified(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !gotDir.Equal(dir) || !gotCal.Equal(cal) {
			t.Errorf("%s: directory %s, calendar %s; want %s, %s", when, gotDir, gotCal, dir, cal)
		}
	}
	check("empty", time.Time{}, time.Time{})
	a, b := "https://a.example/actor", "https://b.example/actor"
	in(st, put(a, a+"/events/1"))
	t1 := clock.Advance(time.Minute)
	in(st, put(b, b+"/events/1"))
	check("after two writes", t1, t1)

	t2 := clock.Advance(time.Minute)
	in(st, func(tx *store.Tx) error { return tx.DeleteCalendarEntry(ctx, b+"/events/1") })
	check("after the latest event was deleted", t1, t2)

	clock.Advance(time.Minute)
	in(st, put(b, b+"/events/2"))
	t4 := clock.Advance(time.Minute)
	in(other, func(tx *store.Tx) error { return tx.DeleteDirectoryEntry(ctx, b) })
	check("after another process deleted the latest entry (its events by cascade)", t4, t4)

	clock.Set(t0) // set back
	in(st, func(tx *store.Tx) error { return tx.DeleteCalendarEntry(ctx, a+"/events/1") })
	in(st, put(a, a+"/events/3"))
	check("after changes with the clock set back", t4, t4)
}
