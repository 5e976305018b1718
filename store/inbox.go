package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// MarkSeen records an incoming activity id and reports whether it is new.
// Called inside the transaction that applies the activity, so a duplicate
// (a retry, a replay, a concurrent copy) has no second effect.
func (t *Tx) MarkSeen(ctx context.Context, activityID, actorID, typ string) (bool, error) {
	res, err := t.exec(ctx, `INSERT INTO inbox_seen (activity_id, actor_id, type, received_at)
		VALUES (?, ?, ?, ?) ON CONFLICT (activity_id) DO NOTHING`, activityID, actorID, typ, fmtTime(t.now))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// PruneSeen forgets processed activity ids older than the cut-off.
func (s *Store) PruneSeen(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.w.ExecContext(ctx, `DELETE FROM inbox_seen WHERE received_at < ?`, fmtTime(before))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// CountSeen counts processed incoming activities (tests, metrics).
func (s *Store) CountSeen(ctx context.Context) (int, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM inbox_seen`).Scan(&n)
	return n, err
}

// RemoteEvent is an event of a followed OSPO, as its node sent it.
type RemoteEvent struct {
	ID        string    `json:"id"`
	ActorID   string    `json:"actor"`
	Name      string    `json:"name"`
	Start     time.Time `json:"startTime,omitzero"`
	End       time.Time `json:"endTime,omitzero"`
	Doc       string    `json:"-"`
	CreatedAt time.Time `json:"received"`
	UpdatedAt time.Time `json:"updated"`
}

const remoteEventColumns = `id, actor_id, name, start_at, end_at, doc, created_at, updated_at`

func scanRemoteEvent(row interface{ Scan(...any) error }) (*RemoteEvent, error) {
	var e RemoteEvent
	var start, end sql.NullString
	var created, updated string
	err := row.Scan(&e.ID, &e.ActorID, &e.Name, &start, &end, &e.Doc, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	e.Start, e.End = nullTime(start), nullTime(end)
	e.CreatedAt, e.UpdatedAt = parseTime(created), parseTime(updated)
	return &e, err
}

// EventSource is what is checked before a remote event is stored.
type EventSource struct {
	StoredBy  string // the actor of the event already stored or in the calendar under this id ("" when new)
	Following string // the state of this node's follow of the actor ("" when none)
	Kind      string // the actor's directory kind ("" when not in the directory)
}

// EventSource reads, in one statement, who stored an event id (as a
// followed OSPO's event, or in the calendar of a discovered one), whether we
// follow its actor and how the actor is listed: the three lookups of every
// remote event, on the one writer (they read no document).
func (t *Tx) EventSource(ctx context.Context, eventID, actorID string) (*EventSource, error) {
	var src EventSource
	err := t.queryRow(ctx, `SELECT
		coalesce((SELECT actor_id FROM remote_events WHERE id = ?), (SELECT ospo_id FROM calendar WHERE id = ?), ''),
		coalesce((SELECT state FROM following WHERE actor_id = ?), ''),
		coalesce((SELECT kind FROM directory WHERE id = ?), '')`, eventID, eventID, actorID, actorID).
		Scan(&src.StoredBy, &src.Following, &src.Kind)
	return &src, err
}

// RemoteEvent returns a cached remote event.
func (t *Tx) RemoteEvent(ctx context.Context, id string) (*RemoteEvent, error) {
	return scanRemoteEvent(t.queryRow(ctx, `SELECT `+remoteEventColumns+` FROM remote_events WHERE id = ?`, id))
}

// PutRemoteEvent inserts or replaces a cached remote event.
func (t *Tx) PutRemoteEvent(ctx context.Context, e *RemoteEvent) error {
	now := fmtTime(t.now)
	var start, end any
	if !e.Start.IsZero() {
		start = fmtTime(e.Start)
	}
	if !e.End.IsZero() {
		end = fmtTime(e.End)
	}
	_, err := t.exec(ctx, `INSERT INTO remote_events (`+remoteEventColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, start_at = excluded.start_at, end_at = excluded.end_at,
		  doc = excluded.doc, updated_at = excluded.updated_at`,
		e.ID, e.ActorID, e.Name, start, end, e.Doc, now, now)
	return err
}

// DeleteRemoteEvent removes a cached remote event.
func (t *Tx) DeleteRemoteEvent(ctx context.Context, id string) error {
	_, err := t.tx.ExecContext(ctx, `DELETE FROM remote_events WHERE id = ?`, id)
	return err
}

// DeleteRemoteEventsOf removes every cached event of an actor.
func (t *Tx) DeleteRemoteEventsOf(ctx context.Context, actorID string) error {
	_, err := t.tx.ExecContext(ctx, `DELETE FROM remote_events WHERE actor_id = ?`, actorID)
	return err
}

// RemoteEventsOf lists an actor's cached events, soonest first.
func (s *Store) RemoteEventsOf(ctx context.Context, actorID string) ([]*RemoteEvent, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+remoteEventColumns+` FROM remote_events WHERE actor_id = ?
		ORDER BY start_at, id`, actorID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*RemoteEvent
	for rows.Next() {
		e, err := scanRemoteEvent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// KnownActors lists the remote actors we have a relation with (either way), newest first.
func (s *Store) KnownActors(ctx context.Context) ([]*Actor, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+actorColumns+` FROM actors
		WHERE id IN (SELECT actor_id FROM following UNION SELECT actor_id FROM followers)
		ORDER BY updated_at DESC`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Actor
	for rows.Next() {
		a, err := scanActor(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
