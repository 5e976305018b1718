package store

import (
	"context"
	"time"
)

// The time of the latest change of the directory and of the calendar
// (migration 0014): the Last-Modified of what is built from them. Triggers
// note a change; InTx stamps it with the transaction's time as it commits.
// Unlike max(updated_at), it counts deletes and never goes back.

// stampLastChange writes the transaction's time into the changes that
// triggers noted in it, never moving a time back.
func (t *Tx) stampLastChange(ctx context.Context) error {
	_, err := t.exec(ctx, `UPDATE last_change SET at = max(at, ?), pending = 0 WHERE pending = 1`, fmtTime(t.now))
	return err
}

// lastChange returns the time of the latest change of the directory or of
// the calendar; zero before any.
func (s *Store) lastChange(ctx context.Context, name string) (time.Time, error) {
	var at string
	err := s.r.QueryRowContext(ctx, `SELECT at FROM last_change WHERE name = ?`, name).Scan(&at)
	return parseTime(at), err
}

// DirectoryLastModified returns the time of the latest change in the
// directory (deletes included); it never goes back.
func (s *Store) DirectoryLastModified(ctx context.Context) (time.Time, error) {
	return s.lastChange(ctx, "directory")
}

// CalendarLastModified returns the time of the latest change in the calendar
// (deletes included); it never goes back.
func (s *Store) CalendarLastModified(ctx context.Context) (time.Time, error) {
	return s.lastChange(ctx, "calendar")
}
