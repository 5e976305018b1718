package store_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/ospod/ospod/store"
	"github.com/ospod/ospod/store/storetest"
)

// TestNetwork builds a small network (a followed OSPO whose host fails, a
// follower, an actor with no relation, a discovered and a listed OSPO, this
// node's own entry, a dismissed and an active crawled peer) and checks the
// one view the admin API and 'ospod peers' show of it.
func TestNetwork(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2030, 3, 1, 12, 0, 0, 0, time.UTC)
	clock := storetest.NewClock(t0)
	st := storetest.OpenWith(t, store.Options{Now: clock.Now})
	const (
		followed   = "https://a.example/actor"
		follower   = "https://b.example/users/bob"
		stranger   = "https://c.example/actor"
		discovered = "https://d.example/actor"
		listed     = "https://l.example/"
		dismissed  = "https://x.example/actor"
		crawled    = "https://y.example/actor"
	)
	actor := func(id, host, user string, ospo bool) *store.Actor {
		return &store.Actor{ID: id, Type: "Organization", Host: host, Username: user, Inbox: id + "/inbox",
			KeyID: id + "#main-key", PublicKeyPEM: "-", IsOSPO: ospo, Doc: `{"name":"` + user + `"}`}
	}
	profile := func(name string) *store.Profile {
		p := storetest.Profile()
		p.Name = store.LangMap{"en": name}
		return p
	}
	write := func(fn func(tx *store.Tx) error) {
		t.Helper()
		if err := st.InTx(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}
	write(func(tx *store.Tx) error {
		if err := tx.PutActor(ctx, actor(followed, "a.example", "ospo", true)); err != nil {
			return err
		}
		if _, err := tx.PutRelation(ctx, store.Following, followed, followed+"#follow", store.FollowAccepted); err != nil {
			return err
		}
		for i, start := range []time.Time{t0.Add(48 * time.Hour), t0.Add(24 * time.Hour)} {
			id := followed + "/events/" + string(rune('1'+i))
			if err := tx.PutRemoteEvent(ctx, &store.RemoteEvent{ID: id, ActorID: followed, Name: "event " + id,
				Start: start, End: start.Add(time.Hour), Doc: `{}`}); err != nil {
				return err
			}
		}
		if err := tx.PutActor(ctx, actor(stranger, "c.example", "nobody", true)); err != nil {
			return err
		}
		return tx.PutDirectoryEntry(ctx, &store.DirectoryEntry{ID: followed, Kind: store.KindFollowed, Host: "a.example",
			Account: "ospo@a.example", Profile: profile("Alpha OSPO"), Source: followed})
	})
	clock.Advance(time.Minute)
	write(func(tx *store.Tx) error {
		if err := tx.PutActor(ctx, actor(follower, "b.example", "bob", false)); err != nil {
			return err
		}
		if _, err := tx.PutRelation(ctx, store.Followers, follower, follower+"#follow", store.FollowPending); err != nil {
			return err
		}
		if err := tx.PutDirectoryEntry(ctx, &store.DirectoryEntry{ID: discovered, Kind: store.KindDiscovered, Host: "d.example",
			Account: "ospo@d.example", Profile: profile("Delta OSPO"), Source: discovered}); err != nil {
			return err
		}
		for i, start := range []time.Time{t0.Add(-72 * time.Hour), t0.Add(72 * time.Hour), t0.Add(2 * time.Hour)} {
			id := discovered + "/events/" + string(rune('1'+i))
			if err := tx.PutCalendarEntry(ctx, &store.CalendarEntry{ID: id, OSPOID: discovered, Event: storetest.Event(start), URL: id}); err != nil {
				return err
			}
		}
		if err := tx.PutDirectoryEntry(ctx, &store.DirectoryEntry{ID: listed, Kind: store.KindListed, Profile: profile("Lima OSPO"),
			Source: "list.yml", Licence: "CC0-1.0"}); err != nil {
			return err
		}
		if err := tx.PutDirectoryEntry(ctx, &store.DirectoryEntry{ID: "https://self.example/actor", Kind: store.KindSelf,
			Profile: profile("Our OSPO")}); err != nil {
			return err
		}
		for _, p := range []*store.Peer{
			{ActorID: discovered, State: store.PeerActive, Depth: 2, Via: followed, LastSuccessAt: t0.Add(-time.Hour), NextFetchAt: t0.Add(time.Hour)},
			{ActorID: dismissed, State: store.PeerDismissed, NextFetchAt: t0},
			{ActorID: crawled, State: store.PeerActive, NextFetchAt: t0},
		} {
			if err := tx.PutPeer(ctx, p); err != nil {
				return err
			}
		}
		return nil
	})
	if err := store.PutHostHealth(ctx, st, "a.example", "connection refused", t0.AddDate(0, 0, -9), true); err != nil {
		t.Fatal(err)
	}

	peers, err := st.Network(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	byID := map[string]*store.NetworkPeer{}
	for _, p := range peers {
		ids = append(ids, p.ID)
		byID[p.ID] = p
	}
	// Related actors newest first, then the directory by name, then the dismissed.
	if want := []string{follower, followed, discovered, listed, dismissed}; !reflect.DeepEqual(ids, want) {
		t.Fatalf("peers %q, want %q", ids, want)
	}

	a := byID[followed]
	if a.Following != store.FollowAccepted || a.Follower != "" || a.Kind() != store.KindFollowed || !a.IsOSPO() ||
		a.Account() != "ospo@a.example" || a.DirectoryName() != "Alpha OSPO" {
		t.Errorf("followed: following %q follower %q kind %q ospo %v account %q name %q",
			a.Following, a.Follower, a.Kind(), a.IsOSPO(), a.Account(), a.DirectoryName())
	}
	if a.State() != store.PeerUnreachable || a.LastError() != "connection refused" || !a.LastSuccess().Equal(a.Actor.FetchedAt) {
		t.Errorf("followed: state %q, last error %q, last success %v", a.State(), a.LastError(), a.LastSuccess())
	}
	if len(a.Events) != 2 || !a.Events[0].Start.Before(a.Events[1].Start) || len(a.Upcoming) != 0 {
		t.Errorf("followed: %d events (soonest first?), %d upcoming", len(a.Events), len(a.Upcoming))
	}

	b := byID[follower]
	if b.Follower != store.FollowPending || b.IsOSPO() || b.Kind() != "" || b.State() != store.PeerActive ||
		b.Account() != "bob@b.example" || b.Health != nil || b.Entry != nil {
		t.Errorf("follower: %+v", b)
	}

	d := byID[discovered]
	if d.Actor != nil || d.State() != store.PeerActive || d.Discovery == nil || d.Discovery.Depth != 2 ||
		!d.LastSuccess().Equal(t0.Add(-time.Hour)) || d.Account() != "ospo@d.example" {
		t.Errorf("discovered: %+v (discovery %+v)", d, d.Discovery)
	}
	if len(d.Upcoming) != 2 || !d.Upcoming[0].Event.Start.Equal(t0.Add(2*time.Hour)) || len(d.Events) != 0 {
		t.Errorf("discovered: %d upcoming events (the past one left out, soonest first), %d events", len(d.Upcoming), len(d.Events))
	}

	if l := byID[listed]; l.State() != "listed" || l.Entry.Licence != "CC0-1.0" || !l.LastSuccess().IsZero() || !l.IsOSPO() {
		t.Errorf("listed: state %q, entry %+v", l.State(), l.Entry)
	}
	if x := byID[dismissed]; x.State() != store.PeerDismissed || x.Entry != nil || x.Actor != nil {
		t.Errorf("dismissed: %+v", x)
	}
}
