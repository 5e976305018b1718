package store_test

// Benchmarks of the queries behind the directory, the calendar and the
// fan-out (issue 6). The data set is SmallDataset unless OSPOD_BENCH_FULL=1
// (then 10,000 OSPOs and 200,000 events); see docs/BENCHMARKS.md.

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ospod/ospod/store"
	"github.com/ospod/ospod/store/storetest"
)

// directoryQueries are typical searches: a common and a rare word, filters
// alone and together, and the unfiltered first page.
var directoryQueries = []struct {
	name string
	f    store.DirectoryFilter
}{
	{"browse", store.DirectoryFilter{Limit: 20}},
	{"query-common", store.DirectoryFilter{Query: "licensing", Limit: 20}},
	{"query-everywhere", store.DirectoryFilter{Query: "open source", Limit: 20}}, // in every profile
	{"query-rare", store.DirectoryFilter{Query: "tartu", Limit: 20}},
	{"query-prefix", store.DirectoryFilter{Query: "proc", Limit: 20}},
	{"country", store.DirectoryFilter{Country: "DE", Limit: 20}},
	{"query+filters", store.DirectoryFilter{Query: "open source", Country: "FR", Level: "municipal", Area: "licensing", Limit: 20}},
	{"lang", store.DirectoryFilter{Lang: "de", Limit: 20}},
}

// BenchmarkSearchDirectory measures each search with its words ranked anew
// ("cold": new words, or the directory changed since) and with the ranked
// matches kept from the previous search ("warm"). The facet table is loaded
// before (BenchmarkSearchDirectoryTable measures that).
func BenchmarkSearchDirectory(b *testing.B) {
	st := storetest.OpenDataset(b, storetest.BenchDatasetSize())
	ctx := context.Background()
	if _, err := st.SearchDirectory(ctx, store.DirectoryFilter{}); err != nil {
		b.Fatal(err)
	}
	for _, q := range directoryQueries {
		coldAndWarm(b, q.name, func() { store.DropRankedMatches(st) }, func() error {
			res, err := st.SearchDirectory(ctx, q.f)
			if err == nil && q.name == "browse" && len(res.Entries) == 0 {
				err = errors.New("empty directory")
			}
			return err
		})
	}
}

// coldAndWarm runs search as two benchmarks: "cold" calls forget before each
// search, "warm" finds what the previous search kept.
func coldAndWarm(b *testing.B, name string, forget func(), search func() error) {
	for _, warm := range []bool{false, true} {
		sub := name + "/cold"
		if warm {
			sub = name + "/warm"
		}
		b.Run(sub, func(b *testing.B) {
			for b.Loop() {
				if !warm {
					forget()
				}
				if err := search(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSearchDirectoryTable measures the directory search's in-memory
// facet table: reading it whole (the first search after a start, or after
// more changes than the log keeps) and catching up with one changed entry.
func BenchmarkSearchDirectoryTable(b *testing.B) {
	st := storetest.OpenDataset(b, storetest.BenchDatasetSize())
	ctx := context.Background()
	f := store.DirectoryFilter{Limit: 20}
	b.Run("first-search", func(b *testing.B) {
		for b.Loop() {
			store.DropDirectoryTable(st)
			if _, err := st.SearchDirectory(ctx, f); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(store.DirectoryTableBytes(st)), "table-bytes")
	})
	b.Run("after-write", func(b *testing.B) {
		e, err := st.DirectoryEntry(ctx, storetest.DatasetOSPOID(7))
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			b.StopTimer()
			if err := st.InTx(ctx, func(tx *store.Tx) error { return tx.PutDirectoryEntry(ctx, e) }); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			if _, err := st.SearchDirectory(ctx, f); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// calendarQueries are the calendar page's usual requests: upcoming events,
// with a search term, with filters, and one OSPO's events.
func calendarQueries() []struct {
	name string
	f    store.CalendarFilter
} {
	online := true
	return []struct {
		name string
		f    store.CalendarFilter
	}{
		{"upcoming", store.CalendarFilter{Limit: 20}},
		{"upcoming-month", store.CalendarFilter{To: time.Now().AddDate(0, 1, 0), Limit: 20}},
		{"query-common", store.CalendarFilter{Query: "licensing", Limit: 20}},
		{"query-rare", store.CalendarFilter{Query: "tartu", Limit: 20}},
		{"country+online", store.CalendarFilter{Country: "DE", Online: &online, Limit: 20}},
		{"lang", store.CalendarFilter{Lang: "fr", Limit: 20}},
		{"one-ospo", store.CalendarFilter{OSPO: storetest.DatasetOSPOID(7), Limit: 20}},
	}
}

// BenchmarkSearchCalendar measures each query counted anew ("cold": the
// calendar changed since the counts were kept, or the search is new) and
// with its counts kept from the previous search ("warm"; the page is still
// read each time).
func BenchmarkSearchCalendar(b *testing.B) {
	st := storetest.OpenDataset(b, storetest.BenchDatasetSize())
	ctx := context.Background()
	for _, q := range calendarQueries() {
		coldAndWarm(b, q.name, func() { store.DropCalendarCounts(st) }, func() error {
			_, err := st.SearchCalendar(ctx, q.f)
			return err
		})
	}
}

// BenchmarkEnqueueToFollowers measures the transactional outbox of one
// publication to 10,000 followers on 1,000 hosts (shared inboxes): one
// INSERT ... SELECT writes the 1,000 delivery rows.
func BenchmarkEnqueueToFollowers(b *testing.B) {
	for _, c := range []struct{ followers, hosts int }{{1000, 100}, {10000, 1000}} {
		b.Run(fmt.Sprintf("followers=%d/hosts=%d", c.followers, c.hosts), func(b *testing.B) {
			st := storetest.Open(b)
			ctx := context.Background()
			if err := AddFollowers(ctx, st, c.followers, c.hosts); err != nil {
				b.Fatal(err)
			}
			i := 0
			for b.Loop() {
				i++
				id := fmt.Sprintf("https://ospo.example/activities/%d", i)
				var n int64
				err := st.InTx(ctx, func(tx *store.Tx) error {
					if err := tx.AddActivity(ctx, &store.Activity{ID: id, Type: "Create", Doc: []byte(`{"type":"Create"}`)}); err != nil {
						return err
					}
					var err error
					n, err = tx.EnqueueToFollowers(ctx, id)
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
				if n != int64(c.hosts) {
					b.Fatalf("queued %d deliveries, want %d (one per shared inbox)", n, c.hosts)
				}
			}
			b.ReportMetric(float64(c.hosts), "deliveries/op")
		})
	}
}

// AddFollowers adds n accepted followers spread over hosts hosts, each host
// with one shared inbox.
func AddFollowers(ctx context.Context, st *store.Store, n, hosts int) error {
	return st.InTx(ctx, func(tx *store.Tx) error {
		for i := range n {
			host := fmt.Sprintf("h%d.example", i%hosts)
			id := fmt.Sprintf("https://%s/users/u%d", host, i)
			a := &store.Actor{ID: id, Type: "Person", Host: host, Username: fmt.Sprintf("u%d", i),
				Inbox: id + "/inbox", SharedInbox: "https://" + host + "/inbox", KeyID: id + "#main-key",
				PublicKeyPEM: "-", Doc: `{}`}
			if err := tx.PutActor(ctx, a); err != nil {
				return err
			}
			if _, err := tx.PutRelation(ctx, store.Followers, id, id+"#follow", store.FollowAccepted); err != nil {
				return err
			}
		}
		return nil
	})
}

// BenchmarkInboxWrites is the database's share of the inbox: what one
// Create(Event) writes (de-duplication record, the event, its calendar
// entry with full-text index), from concurrent callers sharing group
// commits (Store.Batch), each durable when Batch returns. Its rate is the
// ceiling of the inbox on this machine, before HTTP, JSON and signatures.
func BenchmarkInboxWrites(b *testing.B) {
	st := storetest.Open(b)
	ctx := context.Background()
	const ospo = "https://peer.example/actor"
	err := st.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.PutActor(ctx, &store.Actor{ID: ospo, Type: "Organization", Host: "peer.example", Inbox: ospo + "/inbox",
			KeyID: ospo + "#main-key", PublicKeyPEM: "-", Doc: `{}`}); err != nil {
			return err
		}
		return tx.PutDirectoryEntry(ctx, &store.DirectoryEntry{ID: ospo, Kind: store.KindFollowed, Host: "peer.example",
			Profile: storetest.Profile(), Source: ospo})
	})
	if err != nil {
		b.Fatal(err)
	}
	var seq atomic.Int64
	start := time.Now().Add(24 * time.Hour)
	b.SetParallelism(8)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := seq.Add(1)
			id := fmt.Sprintf("https://peer.example/events/%d", i)
			ev := storetest.Event(start.Add(time.Duration(i) * time.Minute))
			err := st.Batch(ctx, func(tx *store.Tx) error {
				if _, err := tx.MarkSeen(ctx, id+"/activity", ospo, "Create"); err != nil {
					return err
				}
				if err := tx.PutRemoteEvent(ctx, &store.RemoteEvent{ID: id, ActorID: ospo, Name: "Licensing clinic",
					Start: ev.Start, End: ev.End, Doc: `{"type":"Event","name":"Licensing clinic"}`}); err != nil {
					return err
				}
				return tx.PutCalendarEntry(ctx, &store.CalendarEntry{ID: id, OSPOID: ospo, Event: ev, URL: id})
			})
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "activities/s")
}

// BenchmarkLastModified is what every open-data feed and export asks first
// (its Last-Modified, for 304 answers too): the latest change of the
// calendar and of the directory.
func BenchmarkLastModified(b *testing.B) {
	st := storetest.OpenDataset(b, storetest.BenchDatasetSize())
	ctx := context.Background()
	for b.Loop() {
		if _, err := st.CalendarLastModified(ctx); err != nil {
			b.Fatal(err)
		}
		if _, err := st.DirectoryLastModified(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
