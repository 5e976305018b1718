package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"
)

// StaffSession is a signed-in browser, looked up by the hash of its cookie.
type StaffSession struct {
	IDHash        []byte
	AccountID     int64
	CSRFToken     string // the token every form of this session carries
	PendingFactor bool   // the password was right; the second factor is still due
	Address       string // where it signed in from
	Created       time.Time
	LastSeen      time.Time
}

// CreateStaffSession stores a new session; its times are now.
func (s *Store) CreateStaffSession(ctx context.Context, ss *StaffSession) error {
	now := s.Now()
	_, err := s.w.ExecContext(ctx, `INSERT INTO staff_sessions
		(id_hash, account_id, csrf_token, pending_factor, address, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		ss.IDHash, ss.AccountID, ss.CSRFToken, ss.PendingFactor, ss.Address, fmtTime(now), fmtTime(now))
	ss.Created, ss.LastSeen = now, now
	return err
}

// StaffSession returns a session and its account, or ErrNotFound. It does
// not judge expiry: the caller compares LastSeen with its idle limit.
func (s *Store) StaffSession(ctx context.Context, idHash []byte) (*StaffSession, *StaffAccount, error) {
	var ss StaffSession
	var created, seen string
	row := s.r.QueryRowContext(ctx, `SELECT s.id_hash, s.account_id, s.csrf_token, s.pending_factor, s.address,
		s.created_at, s.last_seen_at, `+prefixed("a.", staffColumns)+`
		FROM staff_sessions s JOIN staff_accounts a ON a.id = s.account_id WHERE s.id_hash = ?`, idHash)
	a, err := scanStaff(scanFunc(func(dest ...any) error {
		return row.Scan(append([]any{&ss.IDHash, &ss.AccountID, &ss.CSRFToken, &ss.PendingFactor, &ss.Address,
			&created, &seen}, dest...)...)
	}))
	if err != nil {
		return nil, nil, err
	}
	ss.Created, ss.LastSeen = parseTime(created), parseTime(seen)
	return &ss, a, nil
}

// scanFunc adapts a function to the Scan method scanStaff wants.
type scanFunc func(dest ...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }

// prefixed qualifies each column of a list with a table alias.
func prefixed(alias, columns string) string {
	return alias + strings.ReplaceAll(columns, ", ", ", "+alias)
}

// TouchStaffSession records activity on a session now.
func (s *Store) TouchStaffSession(ctx context.Context, idHash []byte) error {
	_, err := s.w.ExecContext(ctx, `UPDATE staff_sessions SET last_seen_at = ? WHERE id_hash = ?`, fmtTime(s.Now()), idHash)
	return err
}

// CompleteStaffSession marks the second factor of a session as given.
func (s *Store) CompleteStaffSession(ctx context.Context, idHash []byte) error {
	_, err := s.w.ExecContext(ctx, `UPDATE staff_sessions SET pending_factor = 0, last_seen_at = ? WHERE id_hash = ?`,
		fmtTime(s.Now()), idHash)
	return err
}

// DeleteStaffSession ends one session (no error if it is already gone).
func (s *Store) DeleteStaffSession(ctx context.Context, idHash []byte) error {
	_, err := s.w.ExecContext(ctx, `DELETE FROM staff_sessions WHERE id_hash = ?`, idHash)
	return err
}

// DeleteStaffSessions ends every session of an account ("sign out everywhere")
// and returns how many there were.
func (s *Store) DeleteStaffSessions(ctx context.Context, accountID int64) (int, error) {
	res, err := s.w.ExecContext(ctx, `DELETE FROM staff_sessions WHERE account_id = ?`, accountID)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// DeleteIdleStaffSessions ends the sessions unused since before.
func (s *Store) DeleteIdleStaffSessions(ctx context.Context, before time.Time) error {
	_, err := s.w.ExecContext(ctx, `DELETE FROM staff_sessions WHERE last_seen_at < ?`, fmtTime(before))
	return err
}

// StaffInvite is an open one-time invitation.
type StaffInvite struct {
	Account *StaffAccount
	Expires time.Time
}

// CreateStaffInvite stores an invitation (by its token's hash) for an account.
func (s *Store) CreateStaffInvite(ctx context.Context, tokenHash []byte, accountID int64, expires time.Time) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO staff_invites (token_hash, account_id, expires_at) VALUES (?, ?, ?)`,
		tokenHash, accountID, fmtTime(expires))
	return err
}

// StaffInvite returns an invitation that has not expired, or ErrNotFound.
func (s *Store) StaffInvite(ctx context.Context, tokenHash []byte) (*StaffInvite, error) {
	var inv StaffInvite
	var id int64
	var expires string
	err := s.r.QueryRowContext(ctx, `SELECT account_id, expires_at FROM staff_invites WHERE token_hash = ? AND expires_at > ?`,
		tokenHash, fmtTime(s.Now())).Scan(&id, &expires)
	if err != nil {
		return nil, notFound(err)
	}
	if inv.Account, err = s.StaffAccountByID(ctx, id); err != nil {
		return nil, err
	}
	inv.Expires = parseTime(expires)
	return &inv, nil
}

// DeleteStaffInvites removes every invitation of an account.
func (s *Store) DeleteStaffInvites(ctx context.Context, accountID int64) error {
	_, err := s.w.ExecContext(ctx, `DELETE FROM staff_invites WHERE account_id = ?`, accountID)
	return err
}

// notFound turns sql.ErrNoRows into ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}
