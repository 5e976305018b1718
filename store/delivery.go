package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"
)

// Delivery states.
const (
	DeliveryPending = "pending"
	DeliveryDone    = "done"
	DeliveryFailed  = "failed" // permanent refusal (e.g. 404, 410): not retried
	DeliveryDead    = "dead"   // retried until the give-up time without success
)

// Delivery is one (activity, inbox) pair to deliver.
type Delivery struct {
	ID         int64
	ActivityID string
	Inbox      string
	Host       string
	Attempts   int
	CreatedAt  time.Time
	Doc        []byte // the activity's JSON, loaded by ClaimDeliveries
}

// ClaimDeliveries leases up to limit due deliveries until now+lease and
// counts the attempt, at most perHost per host and none for the hosts in
// skip (already busy). A worker that dies leaves the lease to expire, and the
// row is claimed again: delivery is at least once.
func (s *Store) ClaimDeliveries(ctx context.Context, lease time.Duration, limit, perHost int, skip []string) ([]*Delivery, error) {
	now := s.Now()
	if skip == nil {
		skip = []string{}
	}
	skipJSON, _ := json.Marshal(skip)
	var out []*Delivery
	err := s.InTx(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `UPDATE deliveries SET lease_until = ?, attempts = attempts + 1, updated_at = ?
			WHERE id IN (SELECT id FROM (
			    SELECT id, next_at, row_number() OVER (PARTITION BY host ORDER BY next_at, id) AS n
			    FROM deliveries WHERE state = 'pending' AND next_at <= ?
			      AND (lease_until IS NULL OR lease_until <= ?)
			      AND host NOT IN (SELECT value FROM json_each(?)))
			  WHERE n <= ? ORDER BY next_at, id LIMIT ?)
			RETURNING id, activity_id, inbox, host, attempts, created_at`,
			fmtTime(now.Add(lease)), fmtTime(now), fmtTime(now), fmtTime(now), string(skipJSON), perHost, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			d := &Delivery{}
			var created string
			if err := rows.Scan(&d.ID, &d.ActivityID, &d.Inbox, &d.Host, &d.Attempts, &created); err != nil {
				return err
			}
			d.CreatedAt = parseTime(created)
			out = append(out, d)
		}
		return rows.Err()
	})
	if err != nil || len(out) == 0 {
		return nil, err
	}
	// Load each activity's bytes once per batch (a fan-out shares one activity).
	docs := map[string][]byte{}
	for _, d := range out {
		if _, ok := docs[d.ActivityID]; !ok {
			var doc string
			if err := s.readRow(ctx, `SELECT doc FROM activities WHERE id = ?`, d.ActivityID).Scan(&doc); err != nil {
				return nil, err
			}
			docs[d.ActivityID] = []byte(doc)
		}
		d.Doc = docs[d.ActivityID]
	}
	return out, nil
}

// NextDeliveryAt returns when the next pending delivery falls due (zero if none).
func (s *Store) NextDeliveryAt(ctx context.Context) (time.Time, error) {
	var next sql.NullString
	err := s.r.QueryRowContext(ctx, `SELECT min(max(next_at, coalesce(lease_until, ''))) FROM deliveries WHERE state = 'pending'`).Scan(&next)
	return nullTime(next), err
}

// DeliveryResult is what happened to one attempt.
type DeliveryResult struct {
	State  string    // DeliveryDone, DeliveryFailed, DeliveryDead or DeliveryPending (retry at NextAt)
	NextAt time.Time // for a retry
	Status int       // HTTP status, 0 for a network error
	Error  string
	// HostOK records whether the host answered sensibly (2xx or a 4xx refusal).
	HostOK bool
	// Postponed means no request was made: the claim's attempt is not counted
	// and the host's health is left as it is.
	Postponed bool
}

// FinishDelivery records an attempt's outcome and the host's health in one
// transaction. A host failing without a success for unreachableAfter is
// marked unreachable.
func (s *Store) FinishDelivery(ctx context.Context, d *Delivery, r DeliveryResult, unreachableAfter time.Duration) error {
	r.Error = clipText(r.Error, 500)
	return s.InTx(ctx, func(tx *Tx) error {
		now := fmtTime(tx.now)
		next := now
		if r.State == DeliveryPending {
			next = fmtTime(r.NextAt)
		}
		uncount := 0
		if r.Postponed {
			uncount = 1
		}
		if _, err := tx.exec(ctx, `UPDATE deliveries SET state = ?, next_at = ?, lease_until = NULL,
			last_status = ?, last_error = ?, attempts = attempts - ?, updated_at = ? WHERE id = ?`,
			r.State, next, r.Status, r.Error, uncount, now, d.ID); err != nil {
			return err
		}
		if r.Postponed {
			return nil
		}
		if r.HostOK {
			_, err := tx.exec(ctx, `INSERT INTO hosts (host, last_success_at, updated_at) VALUES (?, ?, ?)
				ON CONFLICT (host) DO UPDATE SET last_success_at = excluded.last_success_at, failing_since = NULL,
				  unreachable = 0, updated_at = excluded.updated_at`, d.Host, now, now)
			return err
		}
		if _, err := tx.exec(ctx, `INSERT INTO hosts (host, failing_since, last_failure_at, last_error, updated_at)
			VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (host) DO UPDATE SET failing_since = coalesce(hosts.failing_since, excluded.failing_since),
			  last_failure_at = excluded.last_failure_at, last_error = excluded.last_error,
			  updated_at = excluded.updated_at`,
			d.Host, now, now, r.Error, now); err != nil {
			return err
		}
		_, err := tx.exec(ctx, `UPDATE hosts SET unreachable = (failing_since <= ?) WHERE host = ?`,
			fmtTime(tx.now.Add(-unreachableAfter)), d.Host)
		return err
	})
}

// Host is a remote host's delivery health.
type Host struct {
	Host          string    `json:"host"`
	FailingSince  time.Time `json:"failingSince,omitzero"`
	LastSuccessAt time.Time `json:"lastSuccessAt,omitzero"`
	LastFailureAt time.Time `json:"lastFailureAt,omitzero"`
	LastError     string    `json:"lastError,omitempty"`
	Unreachable   bool      `json:"unreachable"`
	Pending       int       `json:"pending"`
	Dead          int       `json:"dead"`
}

const hostColumns = `h.host, h.failing_since, h.last_success_at, h.last_failure_at, h.last_error, h.unreachable,
	(SELECT count(*) FROM deliveries d WHERE d.host = h.host AND d.state = 'pending'),
	(SELECT count(*) FROM deliveries d WHERE d.host = h.host AND d.state = 'dead')`

func scanHost(row interface{ Scan(...any) error }) (*Host, error) {
	var h Host
	var failing, success, failure sql.NullString
	err := row.Scan(&h.Host, &failing, &success, &failure, &h.LastError, &h.Unreachable, &h.Pending, &h.Dead)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	h.FailingSince, h.LastSuccessAt, h.LastFailureAt = nullTime(failing), nullTime(success), nullTime(failure)
	return &h, err
}

// HostHealth returns one host's delivery health.
func (s *Store) HostHealth(ctx context.Context, host string) (*Host, error) {
	return scanHost(s.readRow(ctx, `SELECT `+hostColumns+` FROM hosts h WHERE h.host = ?`, host))
}

// FailingHosts lists hosts that currently fail, longest failing first.
func (s *Store) FailingHosts(ctx context.Context, limit int) ([]*Host, error) {
	return s.queryHosts(ctx, `SELECT `+hostColumns+` FROM hosts h WHERE h.failing_since IS NOT NULL
		ORDER BY h.failing_since LIMIT ?`, limit)
}

// ReviveHost clears a host's failure state and makes its pending deliveries
// due now: it just proved it is alive (it answered, or sent us a verified activity).
func (s *Store) ReviveHost(ctx context.Context, host string) error {
	// Every verified inbox request calls this, and nearly always the host is
	// healthy: look first with a reader, so that the common case takes no
	// write lock (it cost one empty write transaction per activity). The
	// check is repeated inside the transaction.
	var failing bool
	err := s.readRow(ctx, `SELECT unreachable OR failing_since IS NOT NULL FROM hosts WHERE host = ?`, host).Scan(&failing)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !failing) {
		return nil
	}
	return s.InTx(ctx, func(tx *Tx) error {
		now := fmtTime(tx.now)
		var unreachable bool
		err := tx.tx.QueryRowContext(ctx, `SELECT unreachable OR failing_since IS NOT NULL FROM hosts WHERE host = ?`, host).Scan(&unreachable)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && !unreachable) {
			return nil
		}
		if err != nil {
			return err
		}
		if _, err := tx.tx.ExecContext(ctx, `UPDATE hosts SET unreachable = 0, failing_since = NULL, updated_at = ? WHERE host = ?`, now, host); err != nil {
			return err
		}
		_, err = tx.tx.ExecContext(ctx, `UPDATE deliveries SET next_at = ? WHERE host = ? AND state = 'pending' AND next_at > ?`, now, host, now)
		return err
	})
}

// RetryHost is an administrator's "retry now" for a host: its pending
// deliveries fall due now, those given up (dead) are tried once more, and
// the host is no longer treated as unreachable (which would hold the
// attempts until its next probe). Its failure history stays until an
// attempt succeeds. It returns how many deliveries are now due.
func (s *Store) RetryHost(ctx context.Context, host string) (int, error) {
	var n int64
	err := s.InTx(ctx, func(tx *Tx) error {
		now := fmtTime(tx.now)
		res, err := tx.tx.ExecContext(ctx, `UPDATE deliveries SET state = 'pending', next_at = ?, lease_until = NULL, updated_at = ?
			WHERE host = ? AND (state = 'dead' OR (state = 'pending' AND (lease_until IS NULL OR lease_until <= ?)))`,
			now, now, host, now)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		_, err = tx.tx.ExecContext(ctx, `UPDATE hosts SET unreachable = 0, updated_at = ? WHERE host = ?`, now, host)
		return err
	})
	return int(n), err
}

// Hosts lists the delivery health of every host we have delivered to,
// failing ones first, then by name.
func (s *Store) Hosts(ctx context.Context, limit int) ([]*Host, error) {
	return s.queryHosts(ctx, `SELECT `+hostColumns+` FROM hosts h
		ORDER BY h.failing_since IS NULL, h.failing_since, h.host LIMIT ?`, limit)
}

// queryHosts runs a query of hostColumns.
func (s *Store) queryHosts(ctx context.Context, q string, args ...any) ([]*Host, error) {
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Host
	for rows.Next() {
		h, err := scanHost(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// QueueStats summarises the delivery queue.
type QueueStats struct {
	Pending int `json:"pending"`
	Leased  int `json:"leased"`
	Done    int `json:"done"`
	Failed  int `json:"failed"`
	Dead    int `json:"dead"`
}

// DeliveryStats counts deliveries by state.
func (s *Store) DeliveryStats(ctx context.Context) (QueueStats, error) {
	var q QueueStats
	now := fmtTime(s.Now())
	err := s.r.QueryRowContext(ctx, `SELECT
		count(*) FILTER (WHERE state = 'pending'),
		count(*) FILTER (WHERE state = 'pending' AND lease_until > ?),
		count(*) FILTER (WHERE state = 'done'),
		count(*) FILTER (WHERE state = 'failed'),
		count(*) FILTER (WHERE state = 'dead') FROM deliveries`, now).
		Scan(&q.Pending, &q.Leased, &q.Done, &q.Failed, &q.Dead)
	return q, err
}

// DeliveryInfo is a delivery as the admin API shows it.
type DeliveryInfo struct {
	ID           int64     `json:"id"`
	ActivityID   string    `json:"activity"`
	ActivityType string    `json:"type"`
	Inbox        string    `json:"inbox"`
	State        string    `json:"state"`
	Attempts     int       `json:"attempts"`
	NextAt       time.Time `json:"nextAt,omitzero"`
	LastStatus   int       `json:"lastStatus,omitempty"`
	LastError    string    `json:"lastError,omitempty"`
	CreatedAt    time.Time `json:"createdAt"`
	UpdatedAt    time.Time `json:"updatedAt"`
}

// ListDeliveries lists deliveries, optionally of one state, most recently changed first.
func (s *Store) ListDeliveries(ctx context.Context, state string, limit int) ([]*DeliveryInfo, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT d.id, d.activity_id, a.type, d.inbox, d.state, d.attempts, d.next_at,
		d.last_status, d.last_error, d.created_at, d.updated_at
		FROM deliveries d JOIN activities a ON a.id = d.activity_id
		WHERE (? = '' OR d.state = ?) ORDER BY d.updated_at DESC, d.id DESC LIMIT ?`, state, state, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*DeliveryInfo
	for rows.Next() {
		var d DeliveryInfo
		var next, created, updated string
		if err := rows.Scan(&d.ID, &d.ActivityID, &d.ActivityType, &d.Inbox, &d.State, &d.Attempts, &next,
			&d.LastStatus, &d.LastError, &created, &updated); err != nil {
			return nil, err
		}
		if d.State == DeliveryPending {
			d.NextAt = parseTime(next)
		}
		d.CreatedAt, d.UpdatedAt = parseTime(created), parseTime(updated)
		out = append(out, &d)
	}
	return out, rows.Err()
}

// DeliveriesFor lists the inboxes an activity was queued for, with their state (tests, admin).
func (s *Store) DeliveriesFor(ctx context.Context, activityID string) (map[string]string, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT inbox, state FROM deliveries WHERE activity_id = ?`, activityID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var inbox, state string
		if err := rows.Scan(&inbox, &state); err != nil {
			return nil, err
		}
		out[inbox] = state
	}
	return out, rows.Err()
}
