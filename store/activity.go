package store

import (
	"context"
	"database/sql"
	"errors"
	"net/url"
	"strings"
	"time"
)

// Activity is an activity we sent, with the exact JSON delivered.
type Activity struct {
	ID        string
	Type      string
	ObjectID  string
	Doc       []byte
	CreatedAt time.Time
}

// AddActivity records an outgoing activity. Deliveries are added with
// EnqueueToFollowers or EnqueueTo in the same transaction.
func (t *Tx) AddActivity(ctx context.Context, a *Activity) error {
	a.CreatedAt = t.now
	_, err := t.exec(ctx,
		`INSERT INTO activities (id, type, object_id, doc, created_at) VALUES (?, ?, ?, ?, ?)`,
		a.ID, a.Type, a.ObjectID, string(a.Doc), fmtTime(t.now))
	return err
}

// Activity returns a sent activity by id.
func (s *Store) Activity(ctx context.Context, id string) (*Activity, error) {
	var a Activity
	var doc, created string
	err := s.r.QueryRowContext(ctx, `SELECT id, type, object_id, doc, created_at FROM activities WHERE id = ?`, id).
		Scan(&a.ID, &a.Type, &a.ObjectID, &doc, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	a.Doc, a.CreatedAt = []byte(doc), parseTime(created)
	return &a, err
}

// EnqueueToFollowers adds one delivery of the activity per distinct inbox of
// our accepted followers (their shared inbox when they have one). The rows are
// written by one INSERT ... SELECT, so memory stays flat in the follower count.
func (t *Tx) EnqueueToFollowers(ctx context.Context, activityID string) (int64, error) {
	now := fmtTime(t.now)
	res, err := t.exec(ctx, `INSERT INTO deliveries
		(activity_id, inbox, host, state, next_at, created_at, updated_at)
		SELECT ?, inbox, host, 'pending', ?, ?, ? FROM (
		  SELECT DISTINCT CASE WHEN a.shared_inbox <> '' THEN a.shared_inbox ELSE a.inbox END AS inbox, a.host AS host
		  FROM followers f JOIN actors a ON a.id = f.actor_id WHERE f.state = 'accepted')
		WHERE true ON CONFLICT (activity_id, inbox) DO NOTHING`, activityID, now, now, now)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// EnqueueTo adds one delivery of the activity to each given inbox.
func (t *Tx) EnqueueTo(ctx context.Context, activityID string, inboxes ...string) error {
	now := fmtTime(t.now)
	for _, inbox := range inboxes {
		if _, err := t.exec(ctx, `INSERT INTO deliveries
			(activity_id, inbox, host, state, next_at, created_at, updated_at) VALUES (?, ?, ?, 'pending', ?, ?, ?)
			ON CONFLICT (activity_id, inbox) DO NOTHING`, activityID, inbox, HostOf(inbox), now, now, now); err != nil {
			return err
		}
	}
	return nil
}

// HostOf returns the lower-cased host[:port] of a URL ("" when it has none).
func HostOf(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return ""
	}
	return strings.ToLower(p.Host)
}
