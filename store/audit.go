package store

import (
	"context"
	"time"
)

// Who made a change, when it was not a signed-in person.
const (
	AuditActorToken = "API token"
	AuditActorCLI   = "command line"
)

// AuditEntry is one change made by a person: when, who, what, from where.
type AuditEntry struct {
	ID      int64     `json:"id"`
	At      time.Time `json:"at"`
	Actor   string    `json:"actor"`             // account name, AuditActorToken or AuditActorCLI
	Kind    string    `json:"kind"`              // e.g. "profile.update", "event.create", "account.add"
	Object  string    `json:"object,omitempty"`  // what it changed: an event id, a domain, an account name
	Summary string    `json:"summary,omitempty"` // the changed fields, in short
	Address string    `json:"address,omitempty"` // the client address ("" from the command line)
}

// AuditFilter selects audit entries, newest first.
type AuditFilter struct {
	Actor  string // exact account name, "API token" or "command line"
	Kind   string // a kind ("event.create") or its family ("event")
	Limit  int    // default 50
	Offset int
}

// AddAudit records an entry; its time is now.
func (s *Store) AddAudit(ctx context.Context, e *AuditEntry) error {
	e.At = s.Now()
	res, err := s.w.ExecContext(ctx, `INSERT INTO audit_log (at, actor, kind, object, summary, address)
		VALUES (?, ?, ?, ?, ?, ?)`, fmtTime(e.At), e.Actor, e.Kind, e.Object, e.Summary, e.Address)
	if err != nil {
		return err
	}
	e.ID, err = res.LastInsertId()
	return err
}

// AuditEntries returns one page of entries, newest first, and the total that match.
func (s *Store) AuditEntries(ctx context.Context, f AuditFilter) ([]AuditEntry, int, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	where := `(? = '' OR actor = ?) AND (? = '' OR kind = ? OR kind LIKE ? || '.%')`
	args := []any{f.Actor, f.Actor, f.Kind, f.Kind, f.Kind}
	var total int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM audit_log WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := s.r.QueryContext(ctx, `SELECT id, at, actor, kind, object, summary, address FROM audit_log
		WHERE `+where+` ORDER BY id DESC LIMIT ? OFFSET ?`, append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []AuditEntry{}
	for rows.Next() {
		var e AuditEntry
		var at string
		if err := rows.Scan(&e.ID, &at, &e.Actor, &e.Kind, &e.Object, &e.Summary, &e.Address); err != nil {
			return nil, 0, err
		}
		e.At = parseTime(at)
		out = append(out, e)
	}
	return out, total, rows.Err()
}

// AuditActors lists the distinct people in the trail (for the page's filter).
func (s *Store) AuditActors(ctx context.Context) ([]string, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT DISTINCT actor FROM audit_log ORDER BY actor`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
