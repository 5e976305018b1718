package store_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ospod/ospod/store"
	"github.com/ospod/ospod/store/storetest"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// t0 is the pinned "now" of the tests that need a clock.
var t0 = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// lastMigration is the highest migration number found in migrations/.
func lastMigration(t *testing.T) int {
	t.Helper()
	entries, err := os.ReadDir("migrations")
	if err != nil {
		t.Fatal(err)
	}
	last := 0
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		n, err := strconv.Atoi(strings.SplitN(e.Name(), "_", 2)[0])
		if err != nil {
			t.Fatalf("migration %s: no number prefix", e.Name())
		}
		last = max(last, n)
	}
	if last == 0 {
		t.Fatal("no migrations found")
	}
	return last
}

func TestMigrateEmptyDatabase(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "nested", "folder", "ospod.db") // folder is created
	st := storetest.OpenWith(t, store.Options{Path: path})
	v, err := st.SchemaVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := lastMigration(t); v != want {
		t.Errorf("SchemaVersion = %d, want %d (the last file in migrations/)", v, want)
	}
	schema, err := st.Schema(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"CREATE TABLE settings", "CREATE TABLE profile", "CREATE TABLE events"} {
		if !strings.Contains(schema, table) {
			t.Errorf("schema lacks %q", table)
		}
	}
	if res, err := st.IntegrityCheck(ctx); err != nil || res != "ok" {
		t.Errorf("IntegrityCheck = %q, %v; want ok", res, err)
	}
}

func TestMigrateIsIdempotent(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ospod.db")
	st, err := store.Open(ctx, store.Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	before, _ := st.Schema(ctx)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	st = storetest.OpenWith(t, store.Options{Path: path})
	after, err := st.Schema(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if before != after {
		t.Errorf("schema changed on reopen:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	if v, _ := st.SchemaVersion(ctx); v != lastMigration(t) {
		t.Errorf("SchemaVersion after reopen = %d, want %d", v, lastMigration(t))
	}
}

func TestOpenEmptyPath(t *testing.T) {
	if _, err := store.Open(context.Background(), store.Options{}); err == nil {
		t.Fatal("Open with an empty path: want an error")
	}
}

// TestSchemaGolden pins the schema the migrations build. After adding a
// migration, run: go test ./store -run TestSchemaGolden -update
func TestSchemaGolden(t *testing.T) {
	st := storetest.Open(t)
	got, err := st.Schema(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "schema.golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("schema differs from %s (run with -update if the change is intended):\n%s", golden, lineDiff(string(want), got))
	}
}

// lineDiff lists the lines only in want (-) or only in got (+).
func lineDiff(want, got string) string {
	inWant, inGot := map[string]bool{}, map[string]bool{}
	for _, l := range strings.Split(want, "\n") {
		inWant[l] = true
	}
	for _, l := range strings.Split(got, "\n") {
		inGot[l] = true
	}
	var b strings.Builder
	for _, l := range strings.Split(want, "\n") {
		if !inGot[l] {
			b.WriteString("- " + l + "\n")
		}
	}
	for _, l := range strings.Split(got, "\n") {
		if !inWant[l] {
			b.WriteString("+ " + l + "\n")
		}
	}
	return b.String()
}

func TestPragmas(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t)
	tests := []struct {
		name, pragma, want string
		read               func(context.Context, *store.Store, string) (string, error)
	}{
		{"writer journal_mode", "journal_mode", "wal", store.WriterPragma},
		{"writer foreign_keys", "foreign_keys", "1", store.WriterPragma},
		{"writer busy_timeout", "busy_timeout", "10000", store.WriterPragma},
		{"writer synchronous NORMAL", "synchronous", "1", store.WriterPragma},
		{"reader journal_mode", "journal_mode", "wal", store.ReaderPragma},
		{"reader foreign_keys", "foreign_keys", "1", store.ReaderPragma},
		{"reader query_only", "query_only", "1", store.ReaderPragma},
		{"reader busy_timeout", "busy_timeout", "10000", store.ReaderPragma},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.read(ctx, st, tt.pragma)
			if err != nil {
				t.Fatal(err)
			}
			if strings.ToLower(got) != tt.want {
				t.Errorf("PRAGMA %s = %q, want %q", tt.pragma, got, tt.want)
			}
		})
	}
}

func TestReopenKeepsData(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ospod.db")
	st, err := store.Open(ctx, store.Options{Path: path, Now: func() time.Time { return t0 }})
	if err != nil {
		t.Fatal(err)
	}
	p := storetest.Profile()
	e := storetest.Event(t0.Add(48 * time.Hour))
	err = st.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.PutProfile(ctx, p); err != nil {
			return err
		}
		return tx.CreateEvent(ctx, e)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetSetting(ctx, "test.key", "value"); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	st = storetest.OpenWith(t, store.Options{Path: path, Now: func() time.Time { return t0 }})
	gotP, err := st.Profile(ctx)
	if err != nil {
		t.Fatalf("profile after reopen: %v", err)
	}
	if !reflect.DeepEqual(gotP, p) {
		t.Errorf("profile after reopen:\n got %+v\nwant %+v", gotP, p)
	}
	gotE, err := st.Event(ctx, e.ID)
	if err != nil {
		t.Fatalf("event after reopen: %v", err)
	}
	if gotE.Name["en"] != e.Name["en"] || !gotE.Start.Equal(e.Start) || !gotE.End.Equal(e.End) || gotE.StartTime != e.StartTime {
		t.Errorf("event after reopen = %+v, want %+v", gotE, e)
	}
	if v, err := st.Setting(ctx, "test.key"); err != nil || v != "value" {
		t.Errorf("setting after reopen = %q, %v; want value", v, err)
	}
}

func TestSettings(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t)
	if _, err := st.Setting(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Setting(unknown) error = %v, want ErrNotFound", err)
	}
	if created, err := st.SetSettingIfAbsent(ctx, "k", "first"); err != nil || !created {
		t.Errorf("SetSettingIfAbsent on empty = %v, %v; want true", created, err)
	}
	if created, err := st.SetSettingIfAbsent(ctx, "k", "second"); err != nil || created {
		t.Errorf("SetSettingIfAbsent on set = %v, %v; want false", created, err)
	}
	if v, _ := st.Setting(ctx, "k"); v != "first" {
		t.Errorf("value after SetSettingIfAbsent twice = %q, want first", v)
	}
	if err := st.SetSetting(ctx, "k", "third"); err != nil {
		t.Fatal(err)
	}
	if v, _ := st.Setting(ctx, "k"); v != "third" {
		t.Errorf("value after SetSetting = %q, want third", v)
	}
}

func TestProfileRoundTrip(t *testing.T) {
	ctx := context.Background()
	clock := storetest.NewClock(t0)
	st := storetest.OpenWith(t, store.Options{Now: clock.Now})

	if _, err := st.Profile(ctx); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Profile before any put: error = %v, want ErrNotFound", err)
	}
	p := storetest.Profile()
	if err := st.InTx(ctx, func(tx *store.Tx) error { return tx.PutProfile(ctx, p) }); err != nil {
		t.Fatal(err)
	}
	if !p.Published.Equal(t0) || !p.Updated.Equal(t0) {
		t.Errorf("after first put: published %v, updated %v; want both %v", p.Published, p.Updated, t0)
	}
	got, err := st.Profile(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, p) {
		t.Errorf("Profile() =\n %+v\nwant\n %+v", got, p)
	}

	// A second put keeps the creation time and moves the update time.
	t1 := clock.Advance(time.Hour)
	p2 := storetest.Profile()
	p2.Name = store.LangMap{"en": "Renamed OSPO"}
	if err := st.InTx(ctx, func(tx *store.Tx) error { return tx.PutProfile(ctx, p2) }); err != nil {
		t.Fatal(err)
	}
	got, err = st.Profile(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name["en"] != "Renamed OSPO" || len(got.Name) != 1 {
		t.Errorf("name after second put = %v", got.Name)
	}
	if !got.Published.Equal(t0) || !got.Updated.Equal(t1) {
		t.Errorf("after second put: published %v (want %v), updated %v (want %v)", got.Published, t0, got.Updated, t1)
	}
}

func TestInTxRollsBack(t *testing.T) {
	ctx := context.Background()
	st := storetest.OpenWith(t, store.Options{Now: func() time.Time { return t0 }})
	boom := errors.New("boom")
	err := st.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.CreateEvent(ctx, storetest.Event(t0.Add(time.Hour))); err != nil {
			return err
		}
		if err := tx.PutProfile(ctx, storetest.Profile()); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx error = %v, want boom", err)
	}
	if _, total, _ := st.ListEvents(ctx, store.EventFilter{}); total != 0 {
		t.Errorf("events after rollback = %d, want 0", total)
	}
	if _, err := st.Profile(ctx); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("profile after rollback: error = %v, want ErrNotFound", err)
	}
}

func TestEventLifecycle(t *testing.T) {
	ctx := context.Background()
	clock := storetest.NewClock(t0)
	st := storetest.OpenWith(t, store.Options{Now: clock.Now})
	inTx := func(fn func(*store.Tx) error) error { return st.InTx(ctx, fn) }

	e := storetest.Event(t0.Add(24 * time.Hour))
	if err := inTx(func(tx *store.Tx) error { return tx.CreateEvent(ctx, e) }); err != nil {
		t.Fatal(err)
	}
	if !store.ValidID(e.ID) {
		t.Fatalf("created event id %q is not a valid id", e.ID)
	}
	if !e.Published.Equal(t0) || !e.Updated.Equal(t0) {
		t.Errorf("create: published %v, updated %v; want %v", e.Published, e.Updated, t0)
	}
	got, err := st.Event(ctx, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.StartTime != "2026-06-02T14:00:00+02:00" || got.Timezone != "Europe/Brussels" {
		t.Errorf("stored startTime %q timezone %q; want 2026-06-02T14:00:00+02:00 in Europe/Brussels", got.StartTime, got.Timezone)
	}
	if !got.Start.Equal(t0.Add(24*time.Hour)) || !got.End.Equal(t0.Add(24*time.Hour+90*time.Minute)) {
		t.Errorf("stored instants %v - %v", got.Start, got.End)
	}
	if !got.Deleted.IsZero() {
		t.Errorf("live event has Deleted = %v", got.Deleted)
	}

	// Update: new document, same id, creation time kept.
	t1 := clock.Advance(time.Hour)
	upd := storetest.Event(t0.Add(48 * time.Hour))
	upd.Name = store.LangMap{"en": "Moved meetup"}
	if err := inTx(func(tx *store.Tx) error { return tx.UpdateEvent(ctx, e.ID, upd) }); err != nil {
		t.Fatal(err)
	}
	if upd.ID != e.ID || !upd.Published.Equal(t0) || !upd.Updated.Equal(t1) {
		t.Errorf("update result: id %q published %v updated %v", upd.ID, upd.Published, upd.Updated)
	}
	got, _ = st.Event(ctx, e.ID)
	if got.Name["en"] != "Moved meetup" || !got.Start.Equal(t0.Add(48*time.Hour)) || !got.Updated.Equal(t1) || !got.Published.Equal(t0) {
		t.Errorf("after update: %+v", got)
	}

	// Unknown ids.
	unknown := store.NewID(t0)
	if err := inTx(func(tx *store.Tx) error { return tx.UpdateEvent(ctx, unknown, upd) }); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("update unknown: %v, want ErrNotFound", err)
	}
	if _, err := st.Event(ctx, unknown); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("get unknown: %v, want ErrNotFound", err)
	}

	// Delete leaves a tombstone.
	t2 := clock.Advance(time.Hour)
	var deleted *store.Event
	if err := inTx(func(tx *store.Tx) (err error) { deleted, err = tx.DeleteEvent(ctx, e.ID); return err }); err != nil {
		t.Fatal(err)
	}
	if deleted.ID != e.ID || deleted.Name["en"] != "Moved meetup" || !deleted.Deleted.Equal(t2) {
		t.Errorf("DeleteEvent returned %+v", deleted)
	}
	got, err = st.Event(ctx, e.ID)
	if err != nil {
		t.Fatalf("tombstone lookup: %v", err)
	}
	if !got.Deleted.Equal(t2) {
		t.Errorf("tombstone Deleted = %v, want %v", got.Deleted, t2)
	}
	if err := inTx(func(tx *store.Tx) error { _, err := tx.DeleteEvent(ctx, e.ID); return err }); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("second delete: %v, want ErrNotFound", err)
	}
	if err := inTx(func(tx *store.Tx) error { return tx.UpdateEvent(ctx, e.ID, upd) }); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("update of deleted event: %v, want ErrNotFound", err)
	}
	for _, when := range []store.EventWhen{store.EventsAll, store.EventsUpcoming, store.EventsPast} {
		if list, total, err := st.ListEvents(ctx, store.EventFilter{When: when}); err != nil || total != 0 || len(list) != 0 {
			t.Errorf("ListEvents(%d) after delete = %d items, total %d, %v; want none", when, len(list), total, err)
		}
	}
}

func TestListEvents(t *testing.T) {
	ctx := context.Background()
	clock := storetest.NewClock(t0)
	st := storetest.OpenWith(t, store.Options{Now: clock.Now})

	// Created one minute apart, in this order; offsets are start times relative to t0.
	starts := map[string]time.Duration{
		"past-old":    -72 * time.Hour,
		"future-far":  96 * time.Hour,
		"past-recent": -24 * time.Hour,
		"ends-now":    -90 * time.Minute, // ends exactly at t0: past
		"running":     -30 * time.Minute, // started, not ended: upcoming
		"future-near": 2 * time.Hour,
		"deleted":     time.Hour,
	}
	order := []string{"past-old", "future-far", "past-recent", "ends-now", "running", "future-near", "deleted"}
	ids := map[string]string{}
	names := map[string]string{}
	for _, name := range order {
		clock.Advance(time.Minute)
		e := storetest.Event(t0.Add(starts[name]))
		storetest.CreateEvent(t, st, e)
		ids[name], names[e.ID] = e.ID, name
	}
	if err := st.InTx(ctx, func(tx *store.Tx) error { _, err := tx.DeleteEvent(ctx, ids["deleted"]); return err }); err != nil {
		t.Fatal(err)
	}
	clock.Set(t0) // "now" for the upcoming/past split

	tests := []struct {
		name      string
		filter    store.EventFilter
		want      []string
		wantTotal int
	}{
		{"all newest created first", store.EventFilter{When: store.EventsAll},
			[]string{"future-near", "running", "ends-now", "past-recent", "future-far", "past-old"}, 6},
		{"upcoming soonest first", store.EventFilter{When: store.EventsUpcoming},
			[]string{"running", "future-near", "future-far"}, 3},
		{"past most recent first", store.EventFilter{When: store.EventsPast},
			[]string{"ends-now", "past-recent", "past-old"}, 3},
		{"all page 1", store.EventFilter{When: store.EventsAll, Limit: 4},
			[]string{"future-near", "running", "ends-now", "past-recent"}, 6},
		{"all page 2", store.EventFilter{When: store.EventsAll, Limit: 4, Offset: 4},
			[]string{"future-far", "past-old"}, 6},
		{"beyond the end", store.EventFilter{When: store.EventsAll, Limit: 4, Offset: 8}, nil, 6},
		{"upcoming paged", store.EventFilter{When: store.EventsUpcoming, Limit: 2, Offset: 1},
			[]string{"future-near", "future-far"}, 3},
		{"negative offset is 0", store.EventFilter{When: store.EventsPast, Limit: 1, Offset: -5},
			[]string{"ends-now"}, 3},
		{"zero limit means 20", store.EventFilter{When: store.EventsPast},
			[]string{"ends-now", "past-recent", "past-old"}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			list, total, err := st.ListEvents(ctx, tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range list {
				got = append(got, names[e.ID])
			}
			if !reflect.DeepEqual(got, tt.want) || total != tt.wantTotal {
				t.Errorf("got %v (total %d), want %v (total %d)", got, total, tt.want, tt.wantTotal)
			}
		})
	}

	// Moving the clock moves events from upcoming to past.
	clock.Set(t0.Add(100 * time.Hour))
	if _, total, _ := st.ListEvents(ctx, store.EventFilter{When: store.EventsUpcoming}); total != 0 {
		t.Errorf("upcoming after every end: %d, want 0", total)
	}
	if _, total, _ := st.ListEvents(ctx, store.EventFilter{When: store.EventsPast}); total != 6 {
		t.Errorf("past after every end: %d, want 6", total)
	}
}

func TestNewID(t *testing.T) {
	base := time.Date(2026, 1, 2, 3, 4, 5, 6e6, time.UTC)
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		id := store.NewID(base)
		if len(id) != 26 || !store.ValidID(id) {
			t.Fatalf("NewID = %q: not a valid 26-character id", id)
		}
		if seen[id] {
			t.Fatalf("NewID repeated %q", id)
		}
		seen[id] = true
	}
	// The first 10 characters (50 bits: 2 zero bits and 48 bits of milliseconds) are the time.
	a, b := store.NewID(base), store.NewID(base)
	if a[:10] != b[:10] {
		t.Errorf("ids of the same millisecond differ in their time part: %s %s", a, b)
	}
	// Later milliseconds sort later, as text.
	times := []time.Time{base, base.Add(time.Millisecond), base.Add(time.Second), base.Add(1000 * time.Hour), base.AddDate(50, 0, 0)}
	var ids []string
	for _, tm := range times {
		ids = append(ids, store.NewID(tm))
	}
	if !sort.StringsAreSorted(ids) {
		t.Errorf("ids are not time-ordered: %v", ids)
	}
	if store.NewID(time.UnixMilli(0))[:10] != "0000000000" {
		t.Errorf("NewID(epoch) = %s, want a 0000000000 time part", store.NewID(time.UnixMilli(0)))
	}
}

func TestValidID(t *testing.T) {
	good := store.NewID(t0)
	tests := []struct {
		id   string
		want bool
	}{
		{good, true},
		{"01arz3ndektsv4rrffq69g5fav", true},
		{"", false},
		{good[:25], false},
		{good + "0", false},
		{strings.ToUpper("01arz3ndektsv4rrffq69g5fav"), false},
		{"01arz3ndektsv4rrffq69g5fai", false}, // i, l, o, u are not in the alphabet
		{"01arz3ndektsv4rrffq69g5fal", false},
		{"01arz3ndektsv4rrffq69g5fao", false},
		{"01arz3ndektsv4rrffq69g5fau", false},
		{"01arz3ndektsv4rrffq69g5fa-", false},
		{"01arz3ndektsv4rrffq69g5fa/", false},
		{"01arz3ndektsv4rrffq69g5fé", false},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			if got := store.ValidID(tt.id); got != tt.want {
				t.Errorf("ValidID(%q) = %v, want %v", tt.id, got, tt.want)
			}
		})
	}
}

// TestCheckpointInBackground: the writer does not checkpoint (wal_autocheckpoint
// is 0, checkpoint.go: 5 MB of writes, past the default 1,000 pages, stay in
// the WAL); the store's goroutine copies committed pages into the
// database file within seconds, without any further write.
func TestCheckpointInBackground(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ospod.db")
	st := storetest.OpenWith(t, store.Options{Path: path})
	size := func(p string) int64 {
		fi, err := os.Stat(p)
		if err != nil {
			return 0
		}
		return fi.Size()
	}
	before := size(path)
	for i := range 200 {
		if err := st.SetSetting(ctx, "checkpoint-test-"+strconv.Itoa(i), strings.Repeat("x", 25000)); err != nil {
			t.Fatal(err)
		}
		if err := st.InTx(ctx, func(*store.Tx) error { return nil }); err != nil { // counts as a commit
			t.Fatal(err)
		}
	}
	if got := size(path); got > before+64<<10 {
		t.Fatalf("the database file grew from %d to %d bytes right after the writes: the writer checkpointed", before, got)
	}
	deadline := time.Now().Add(10 * time.Second)
	for size(path) < before+200*25000 {
		if time.Now().After(deadline) {
			t.Fatalf("database file %d bytes (WAL %d) 10 s after the writes: no checkpoint", size(path), size(path+"-wal"))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestBatchIsolation: concurrent Batch calls share commits, yet a function
// that fails (or panics) after writing leaves nothing behind while the
// others' changes are kept, and each caller gets its own function's error.
func TestBatchIsolation(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t)
	errBad := errors.New("refused after writing")
	const n = 200
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = st.Batch(ctx, func(tx *store.Tx) error {
				if _, err := tx.MarkSeen(ctx, fmt.Sprintf("https://peer.example/activities/%d", i), "https://peer.example/actor", "Create"); err != nil {
					return err
				}
				switch i % 10 {
				case 3:
					return errBad
				case 7:
					panic("boom")
				}
				return nil
			})
		}()
	}
	wg.Wait()
	kept := 0
	for i, err := range errs {
		switch i % 10 {
		case 3:
			if !errors.Is(err, errBad) {
				t.Errorf("call %d: error %v, want its own", i, err)
			}
		case 7:
			if err == nil || !strings.Contains(err.Error(), "panic") {
				t.Errorf("call %d: error %v, want the panic reported", i, err)
			}
		default:
			if err != nil {
				t.Errorf("call %d: %v", i, err)
			}
			kept++
		}
	}
	if got, err := st.CountSeen(ctx); err != nil || got != kept {
		t.Errorf("stored %d activities (%v), want the %d that succeeded", got, err, kept)
	}
	// A duplicate within later batches is refused by MarkSeen, not stored twice.
	fresh := true
	if err := st.Batch(ctx, func(tx *store.Tx) error {
		var err error
		fresh, err = tx.MarkSeen(ctx, "https://peer.example/activities/0", "https://peer.example/actor", "Create")
		return err
	}); err != nil || fresh {
		t.Errorf("replay: fresh=%v err=%v, want an already-seen activity", fresh, err)
	}
}

// TestBatchNoChange: a function whose error is marked NoChange (it changed
// nothing, like a duplicate activity) neither undoes nor re-runs the others
// of its batch, and its caller still gets its error.
func TestBatchNoChange(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t)
	errDuplicate := errors.New("duplicate")
	const n = 200
	var runs [n]atomic.Int32
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = st.Batch(ctx, func(tx *store.Tx) error {
				runs[i].Add(1)
				if i%5 == 0 {
					return store.NoChange(errDuplicate)
				}
				_, err := tx.MarkSeen(ctx, fmt.Sprintf("https://peer.example/activities/%d", i), "https://peer.example/actor", "Create")
				return err
			})
		}()
	}
	wg.Wait()
	for i := range n {
		if got := runs[i].Load(); got != 1 {
			t.Errorf("function %d ran %d times, want once", i, got)
		}
		if want := i%5 == 0; errors.Is(errs[i], errDuplicate) != want {
			t.Errorf("call %d: error %v", i, errs[i])
		}
	}
	if got, err := st.CountSeen(ctx); err != nil || got != n-n/5 {
		t.Errorf("stored %d activities (%v), want %d", got, err, n-n/5)
	}
}

// TestFilesArePrivate: the data folder is created 0700 and the database
// with its -wal and -shm files 0600, whatever the umask; an existing
// database readable by others is made private.
func TestFilesArePrivate(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	path := filepath.Join(dir, "ospod.db")
	st, err := store.Open(ctx, store.Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetSetting(ctx, "test.key", "v"); err != nil {
		t.Fatal(err)
	}
	mode := func(p string) os.FileMode {
		t.Helper()
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Mode().Perm()
	}
	if m := mode(dir); m != 0o700 {
		t.Errorf("data folder mode %o, want 700", m)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if m := mode(p); m != 0o600 {
			t.Errorf("%s mode %o, want 600", filepath.Base(p), m)
		}
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	st, err = store.Open(ctx, store.Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if m := mode(path); m != 0o600 {
		t.Errorf("an existing 644 database is %o after opening, want 600", m)
	}
}
