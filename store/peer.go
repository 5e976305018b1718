package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// Peer states.
const (
	PeerActive      = "active"
	PeerUnreachable = "unreachable" // failing for a long time; still listed, marked
	PeerDismissed   = "dismissed"   // removed by the administrator; never re-added by discovery
)

// Peer is the discovery and freshness state of a remote OSPO node.
type Peer struct {
	ActorID       string    `json:"actor"`
	State         string    `json:"state"`
	Depth         int       `json:"depth"`
	Via           string    `json:"via,omitempty"`
	ETag          string    `json:"-"`
	LastModified  string    `json:"-"`
	Failures      int       `json:"failures"`
	FailingSince  time.Time `json:"failingSince,omitzero"`
	LastSuccessAt time.Time `json:"lastSuccess,omitzero"`
	LastError     string    `json:"lastError,omitempty"`
	NextFetchAt   time.Time `json:"nextFetch"`
	CreatedAt     time.Time `json:"created"`
	UpdatedAt     time.Time `json:"updated"`
}

const peerColumns = `actor_id, state, depth, via, etag, last_modified, failures, failing_since, last_success_at,
	last_error, next_fetch_at, created_at, updated_at`

func scanPeer(row interface{ Scan(...any) error }) (*Peer, error) {
	var p Peer
	var failing, success sql.NullString
	var next, created, updated string
	err := row.Scan(&p.ActorID, &p.State, &p.Depth, &p.Via, &p.ETag, &p.LastModified, &p.Failures, &failing,
		&success, &p.LastError, &next, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	p.FailingSince, p.LastSuccessAt = nullTime(failing), nullTime(success)
	p.NextFetchAt, p.CreatedAt, p.UpdatedAt = parseTime(next), parseTime(created), parseTime(updated)
	return &p, nil
}

// Peer returns a peer's state.
func (s *Store) Peer(ctx context.Context, actorID string) (*Peer, error) {
	return scanPeer(s.r.QueryRowContext(ctx, `SELECT `+peerColumns+` FROM peers WHERE actor_id = ?`, actorID))
}

// Peer is Store.Peer inside a transaction.
func (t *Tx) Peer(ctx context.Context, actorID string) (*Peer, error) {
	return scanPeer(t.tx.QueryRowContext(ctx, `SELECT `+peerColumns+` FROM peers WHERE actor_id = ?`, actorID))
}

// PutPeer inserts or replaces a peer's state.
func (t *Tx) PutPeer(ctx context.Context, p *Peer) error {
	now := fmtTime(t.now)
	var failing, success any
	if !p.FailingSince.IsZero() {
		failing = fmtTime(p.FailingSince)
	}
	if !p.LastSuccessAt.IsZero() {
		success = fmtTime(p.LastSuccessAt)
	}
	p.LastError = clipText(p.LastError, 500)
	_, err := t.tx.ExecContext(ctx, `INSERT INTO peers (`+peerColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (actor_id) DO UPDATE SET state = excluded.state, depth = excluded.depth, via = excluded.via,
		  etag = excluded.etag, last_modified = excluded.last_modified, failures = excluded.failures,
		  failing_since = excluded.failing_since, last_success_at = excluded.last_success_at,
		  last_error = excluded.last_error, next_fetch_at = excluded.next_fetch_at, updated_at = excluded.updated_at`,
		p.ActorID, p.State, p.Depth, p.Via, p.ETag, p.LastModified, p.Failures, failing, success, p.LastError,
		fmtTime(p.NextFetchAt), now, now)
	return err
}

// DeletePeer forgets a peer's state.
func (t *Tx) DeletePeer(ctx context.Context, actorID string) error {
	_, err := t.tx.ExecContext(ctx, `DELETE FROM peers WHERE actor_id = ?`, actorID)
	return err
}

// DuePeers lists peers whose refresh is due, soonest first.
func (s *Store) DuePeers(ctx context.Context, limit int) ([]*Peer, error) {
	return s.queryPeers(ctx, `SELECT `+peerColumns+` FROM peers WHERE state <> 'dismissed' AND next_fetch_at <= ?
		ORDER BY next_fetch_at LIMIT ?`, fmtTime(s.Now()), limit)
}

// Peers lists every peer.
func (s *Store) Peers(ctx context.Context) ([]*Peer, error) {
	return s.queryPeers(ctx, `SELECT `+peerColumns+` FROM peers ORDER BY actor_id`)
}

func (s *Store) queryPeers(ctx context.Context, q string, args ...any) ([]*Peer, error) {
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Peer
	for rows.Next() {
		p, err := scanPeer(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// DirectoryRef is a directory entry's id and kind.
type DirectoryRef struct{ ID, Kind string }

// DirectoryKinds lists the id and kind of every directory entry, without the profiles.
func (s *Store) DirectoryKinds(ctx context.Context) ([]DirectoryRef, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, kind FROM directory ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []DirectoryRef
	for rows.Next() {
		var r DirectoryRef
		if err := rows.Scan(&r.ID, &r.Kind); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// DirectoryEntries lists the directory entries of some kinds (all when none given).
func (s *Store) DirectoryEntries(ctx context.Context, kinds ...string) ([]*DirectoryEntry, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, slug, kind, host, account, profile, source, licence, updated_at
		FROM directory ORDER BY sort_name, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*DirectoryEntry
	for rows.Next() {
		e, err := scanDirectory(rows)
		if err != nil {
			return nil, err
		}
		if len(kinds) == 0 || contains(kinds, e.Kind) {
			out = append(out, e)
		}
	}
	return out, rows.Err()
}
