package store

import (
	"context"
	"strings"
	"time"
)

// RecordAuthFailure records a failed sign-in (account: the name tried) or a
// failed bearer token (account ""), from address, now; rows older than
// keep are dropped on the way.
func (s *Store) RecordAuthFailure(ctx context.Context, account, address string, keep time.Duration) error {
	now := s.Now()
	return s.InTx(ctx, func(t *Tx) error {
		if _, err := t.tx.ExecContext(ctx, `DELETE FROM auth_failures WHERE at < ?`, fmtTime(now.Add(-keep))); err != nil {
			return err
		}
		_, err := t.tx.ExecContext(ctx, `INSERT INTO auth_failures (at, account, address) VALUES (?, ?, ?)`,
			fmtTime(now), strings.ToLower(account), address)
		return err
	})
}

// AuthBlockedUntil returns until when sign-ins for account (when not "") or
// from address are refused: limit failures within window block either one
// until the oldest of the last limit failures leaves the window. The zero
// time means not blocked.
func (s *Store) AuthBlockedUntil(ctx context.Context, account, address string, limit int, window time.Duration) (time.Time, error) {
	since := fmtTime(s.Now().Add(-window))
	var until time.Time
	check := func(q string, arg string) error {
		var at string
		err := s.r.QueryRowContext(ctx, q, arg, since, limit-1).Scan(&at)
		if err != nil {
			if notFound(err) == ErrNotFound {
				return nil
			}
			return err
		}
		if t := parseTime(at).Add(window); t.After(until) {
			until = t
		}
		return nil
	}
	if account != "" {
		if err := check(`SELECT at FROM auth_failures WHERE account = ? AND at >= ? AND account <> ''
			ORDER BY at DESC LIMIT 1 OFFSET ?`, strings.ToLower(account)); err != nil {
			return time.Time{}, err
		}
	}
	if err := check(`SELECT at FROM auth_failures WHERE address = ? AND at >= ? ORDER BY at DESC LIMIT 1 OFFSET ?`,
		address); err != nil {
		return time.Time{}, err
	}
	return until, nil
}
