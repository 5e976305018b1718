package store

import (
	"context"
	"database/sql"
	"strings"
	"time"
)

// NetworkPeer is one remote account or OSPO the node knows: an actor it
// follows or that follows it, a directory entry (discovered, listed...), or
// a peer the administrator dismissed, with everything the network view
// (the admin API's peers and 'ospod peers') shows of it.
type NetworkPeer struct {
	ID        string
	Actor     *Actor          // the fetched actor; nil when known only from the directory or discovery
	Following string          // the state of this node's follow of it ("" when none)
	Follower  string          // the state of its follow of this node ("" when none)
	Health    *Host           // delivery health of the actor's host; nil when never delivered to
	Entry     *DirectoryEntry // nil when not in the directory
	Discovery *Peer           // discovery and refresh state; nil when never crawled
	Events    []*RemoteEvent  // a related actor's cached events, soonest first
	// Upcoming are a discovered OSPO's upcoming events in the calendar
	// (at most NetworkUpcomingLimit, soonest first).
	Upcoming []*CalendarEntry
}

// NetworkUpcomingLimit bounds the calendar events listed per discovered OSPO.
const NetworkUpcomingLimit = 200

// IsOSPO reports whether the peer is an OSPO: an actor that says so, or a directory entry.
func (p *NetworkPeer) IsOSPO() bool { return p.Entry != nil || (p.Actor != nil && p.Actor.IsOSPO) }

// Account is the peer's handle (user@host), "" when unknown.
func (p *NetworkPeer) Account() string {
	if p.Actor != nil && p.Actor.Account() != "" {
		return p.Actor.Account()
	}
	if p.Entry != nil {
		return p.Entry.Account
	}
	return ""
}

// Kind is the peer's directory kind, "" when it is not in the directory.
func (p *NetworkPeer) Kind() string {
	if p.Entry == nil {
		return ""
	}
	return p.Entry.Kind
}

// DirectoryName is the name of the peer's directory profile, "" when not listed.
func (p *NetworkPeer) DirectoryName() string {
	if p.Entry == nil || p.Entry.Profile == nil {
		return ""
	}
	lang := p.Entry.Profile.DefaultLanguage()
	name, _ := p.Entry.Profile.Name.Best(lang, lang)
	return name
}

// State is the peer's discovery state when it was crawled; otherwise
// "listed" for an entry imported from a list, "unreachable" when
// deliveries to its host have failed for long, else "active".
func (p *NetworkPeer) State() string {
	switch {
	case p.Discovery != nil:
		return p.Discovery.State
	case p.Kind() == KindListed:
		return KindListed
	case p.Health != nil && p.Health.Unreachable:
		return PeerUnreachable
	}
	return PeerActive
}

// LastSuccess is the last time the peer was heard from: discovery's last
// fetch when it is crawled; for a followed peer (kept fresh by push) the
// last delivery to its host, else when its actor was fetched.
func (p *NetworkPeer) LastSuccess() time.Time {
	if p.Discovery != nil {
		return p.Discovery.LastSuccessAt
	}
	if p.Health != nil && !p.Health.LastSuccessAt.IsZero() {
		return p.Health.LastSuccessAt
	}
	if p.Actor != nil {
		return p.Actor.FetchedAt
	}
	return time.Time{}
}

// LastError is the error of the failing fetch or delivery, "" when none.
func (p *NetworkPeer) LastError() string {
	if p.Discovery != nil {
		return p.Discovery.LastError
	}
	if p.Health != nil && !p.Health.FailingSince.IsZero() {
		return p.Health.LastError
	}
	return ""
}

// Network lists every peer of the network view: the actors with a follow
// relation (newest first), then the directory's other entries (by name),
// then the dismissed peers. It reads with a fixed number of queries, one
// per table group, in one read transaction, however many peers there are.
func (s *Store) Network(ctx context.Context) ([]*NetworkPeer, error) {
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback() // read only: nothing to commit
	v := &networkView{byID: map[string]*NetworkPeer{}}
	for _, read := range []func(context.Context, *sql.Tx) error{
		v.readActors, v.readEvents, v.readDirectory, s.upcomingReader(v), v.readPeers,
	} {
		if err := read(ctx, tx); err != nil {
			return nil, err
		}
	}
	return v.list, nil
}

// networkView gathers the peers while Network reads.
type networkView struct {
	byID map[string]*NetworkPeer
	list []*NetworkPeer
}

func (v *networkView) add(id string) *NetworkPeer {
	if p, ok := v.byID[id]; ok {
		return p
	}
	p := &NetworkPeer{ID: id}
	v.byID[id] = p
	v.list = append(v.list, p)
	return p
}

// readActors reads the actors with a relation, their relations and their host's health.
func (v *networkView) readActors(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT `+prefixColumns(actorColumns, "a.")+`,
		  coalesce(fo.state, ''), coalesce(fr.state, ''),
		  h.host IS NOT NULL, h.failing_since, h.last_success_at, h.last_failure_at,
		  coalesce(h.last_error, ''), coalesce(h.unreachable, 0)
		FROM actors a
		LEFT JOIN following fo ON fo.actor_id = a.id
		LEFT JOIN followers fr ON fr.actor_id = a.id
		LEFT JOIN hosts h ON h.host = a.host
		WHERE fo.actor_id IS NOT NULL OR fr.actor_id IS NOT NULL
		ORDER BY a.updated_at DESC`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var a Actor
		var fetched, created, updated string
		var following, follower string
		var hasHost bool
		var h Host
		var failing, success, failure sql.NullString
		if err := rows.Scan(&a.ID, &a.Type, &a.Host, &a.Username, &a.Inbox, &a.SharedInbox, &a.KeyID,
			&a.PublicKeyPEM, &a.IsOSPO, &a.Doc, &fetched, &created, &updated, &following, &follower,
			&hasHost, &failing, &success, &failure, &h.LastError, &h.Unreachable); err != nil {
			return err
		}
		a.FetchedAt, a.CreatedAt, a.UpdatedAt = parseTime(fetched), parseTime(created), parseTime(updated)
		p := v.add(a.ID)
		p.Actor, p.Following, p.Follower = &a, following, follower
		if hasHost {
			h.Host = a.Host
			h.FailingSince, h.LastSuccessAt, h.LastFailureAt = nullTime(failing), nullTime(success), nullTime(failure)
			p.Health = &h
		}
	}
	return rows.Err()
}

// readEvents reads the cached events of every actor with a relation.
func (v *networkView) readEvents(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT `+remoteEventColumns+` FROM remote_events
		WHERE actor_id IN (SELECT actor_id FROM following UNION SELECT actor_id FROM followers)
		ORDER BY actor_id, start_at, id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanRemoteEvent(rows)
		if err != nil {
			return err
		}
		if p, ok := v.byID[e.ActorID]; ok {
			p.Events = append(p.Events, e)
		}
	}
	return rows.Err()
}

// readDirectory reads the directory's entries but this node's own.
func (v *networkView) readDirectory(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT id, slug, kind, host, account, profile, source, licence, updated_at
		FROM directory WHERE kind <> ? ORDER BY sort_name, id`, KindSelf)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanDirectory(rows)
		if err != nil {
			return err
		}
		v.add(e.ID).Entry = e
	}
	return rows.Err()
}

// upcomingReader reads the upcoming calendar events of every discovered
// OSPO, the first NetworkUpcomingLimit of each (numbered per OSPO).
func (s *Store) upcomingReader(v *networkView) func(context.Context, *sql.Tx) error {
	return func(ctx context.Context, tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, slug, ospo_id, event, updated_at FROM (
			SELECT c.id, c.slug, c.ospo_id, c.event, c.updated_at, c.start_at,
			  row_number() OVER (PARTITION BY c.ospo_id ORDER BY c.start_at, c.id) AS n
			FROM calendar c JOIN directory d ON d.id = c.ospo_id
			WHERE d.kind = ? AND c.end_at > ?)
			WHERE n <= ? ORDER BY ospo_id, start_at, id`, KindDiscovered, fmtTime(s.Now()), NetworkUpcomingLimit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			c := &CalendarEntry{}
			var doc, updated string
			if err := rows.Scan(&c.ID, &c.Slug, &c.OSPOID, &doc, &updated); err != nil {
				return err
			}
			if err := c.decode(doc); err != nil {
				return err
			}
			c.UpdatedAt = parseTime(updated)
			if p, ok := v.byID[c.OSPOID]; ok {
				p.Upcoming = append(p.Upcoming, c)
			}
		}
		return rows.Err()
	}
}

// readPeers adds the discovery state of the peers already listed, and the
// dismissed peers (listed so that the administrator can see and undo it).
func (v *networkView) readPeers(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT `+peerColumns+` FROM peers ORDER BY actor_id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		pr, err := scanPeer(rows)
		if err != nil {
			return err
		}
		if _, ok := v.byID[pr.ActorID]; ok || pr.State == PeerDismissed {
			v.add(pr.ActorID).Discovery = pr
		}
	}
	return rows.Err()
}

// prefixColumns qualifies a column list with a table alias.
func prefixColumns(cols, alias string) string {
	fields := strings.Split(cols, ",")
	for i, f := range fields {
		fields[i] = alias + strings.TrimSpace(f)
	}
	return strings.Join(fields, ", ")
}
