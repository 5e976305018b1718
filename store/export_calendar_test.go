package store

import "context"

// CalendarCounts counts the calendar's matches and facets for f either with
// one grouped pass or with a query each, whichever SearchCalendar would use:
// calendar_test.go checks that both agree.
func CalendarCounts(ctx context.Context, s *Store, f CalendarFilter, grouped bool) (int, Facets, error) {
	q := s.calendarQuery(f)
	tx, err := s.r.BeginTx(ctx, nil)
	if err != nil {
		return 0, nil, err
	}
	defer tx.Rollback()
	if grouped {
		return calendarCountsGrouped(ctx, tx, q)
	}
	return calendarCountsByScans(ctx, tx, q)
}

// DropCalendarCounts forgets the kept calendar counts, for bench_test.go.
func DropCalendarCounts(s *Store) {
	s.calCounts.mu.Lock()
	defer s.calCounts.mu.Unlock()
	clear(s.calCounts.m)
}

// CalendarIndexCheck runs FTS5's integrity check of the calendar's index
// against its rows, and counts the rows still waiting to be indexed.
func CalendarIndexCheck(ctx context.Context, s *Store) (waiting int, err error) {
	if _, err := s.w.ExecContext(ctx, `INSERT INTO calendar_fts (calendar_fts, rank) VALUES ('integrity-check', 1)`); err != nil {
		return 0, err
	}
	err = s.w.QueryRowContext(ctx, `SELECT count(*) FROM calendar_unindexed`).Scan(&waiting)
	return waiting, err
}
