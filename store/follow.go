package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// Follow states.
const (
	FollowPending  = "pending"
	FollowAccepted = "accepted"
	FollowRejected = "rejected"
)

// Relation is a follow relation with a remote actor, in either direction.
type Relation struct {
	ID        int64
	ActorID   string
	FollowID  string // the Follow activity's id
	State     string
	CreatedAt time.Time
	UpdatedAt time.Time
	Actor     *Actor
}

// RelationTable is "followers" (they follow us) or "following" (we follow them).
type RelationTable string

// The two relation tables.
const (
	Followers RelationTable = "followers"
	Following RelationTable = "following"
)

func scanRelation(row interface{ Scan(...any) error }) (*Relation, error) {
	var r Relation
	var created, updated string
	a := &Actor{}
	var fetched, acreated, aupdated string
	err := row.Scan(&r.ID, &r.ActorID, &r.FollowID, &r.State, &created, &updated,
		&a.ID, &a.Type, &a.Host, &a.Username, &a.Inbox, &a.SharedInbox, &a.KeyID, &a.PublicKeyPEM,
		&a.IsOSPO, &a.Doc, &fetched, &acreated, &aupdated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	r.CreatedAt, r.UpdatedAt = parseTime(created), parseTime(updated)
	a.FetchedAt, a.CreatedAt, a.UpdatedAt = parseTime(fetched), parseTime(acreated), parseTime(aupdated)
	r.Actor = a
	return &r, nil
}

func relationQuery(t RelationTable, where string) string {
	return `SELECT r.id, r.actor_id, r.follow_id, r.state, r.created_at, r.updated_at,
		a.id, a.type, a.host, a.username, a.inbox, a.shared_inbox, a.key_id, a.public_key_pem,
		a.is_ospo, a.doc, a.fetched_at, a.created_at, a.updated_at
		FROM ` + string(t) + ` r JOIN actors a ON a.id = r.actor_id WHERE ` + where
}

// Relations lists a relation table, optionally only one state, newest first.
func (s *Store) Relations(ctx context.Context, t RelationTable, state string) ([]*Relation, error) {
	q := relationQuery(t, "(? = '' OR r.state = ?)") + " ORDER BY r.id DESC"
	rows, err := s.r.QueryContext(ctx, q, state, state)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Relation
	for rows.Next() {
		r, err := scanRelation(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Relation returns one relation by its row id.
func (s *Store) Relation(ctx context.Context, t RelationTable, id int64) (*Relation, error) {
	return scanRelation(s.r.QueryRowContext(ctx, relationQuery(t, "r.id = ?"), id))
}

// RelationWith returns the relation with an actor.
func (s *Store) RelationWith(ctx context.Context, t RelationTable, actorID string) (*Relation, error) {
	return scanRelation(s.r.QueryRowContext(ctx, relationQuery(t, "r.actor_id = ?"), actorID))
}

// RelationWith is RelationWith inside a transaction.
func (t *Tx) RelationWith(ctx context.Context, tbl RelationTable, actorID string) (*Relation, error) {
	return scanRelation(t.queryRow(ctx, relationQuery(tbl, "r.actor_id = ?"), actorID))
}

// PutRelation creates or replaces the relation with an actor.
func (t *Tx) PutRelation(ctx context.Context, tbl RelationTable, actorID, followID, state string) (*Relation, error) {
	now := fmtTime(t.now)
	_, err := t.tx.ExecContext(ctx, `INSERT INTO `+string(tbl)+` (actor_id, follow_id, state, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (actor_id) DO UPDATE SET follow_id = excluded.follow_id, state = excluded.state,
		  updated_at = excluded.updated_at`, actorID, followID, state, now, now)
	if err != nil {
		return nil, err
	}
	return t.RelationWith(ctx, tbl, actorID)
}

// SetRelationState changes a relation's state.
func (t *Tx) SetRelationState(ctx context.Context, tbl RelationTable, id int64, state string) error {
	res, err := t.tx.ExecContext(ctx, `UPDATE `+string(tbl)+` SET state = ?, updated_at = ? WHERE id = ?`,
		state, fmtTime(t.now), id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// DeleteRelation removes a relation by actor.
func (t *Tx) DeleteRelation(ctx context.Context, tbl RelationTable, actorID string) (bool, error) {
	res, err := t.tx.ExecContext(ctx, `DELETE FROM `+string(tbl)+` WHERE actor_id = ?`, actorID)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// CountRelations counts relations in a state.
func (s *Store) CountRelations(ctx context.Context, tbl RelationTable, state string) (int, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM `+string(tbl)+` WHERE state = ?`, state).Scan(&n)
	return n, err
}
