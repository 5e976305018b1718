package store

import "context"

// CalendarCounts counts the calendar's matches and facets for f either with
// one grouped pass or with a query each, whichever SearchCalendar would use:
// calendar_test.go checks that both agree.
func CalendarCounts(ctx context.Context, s *Store, f CalendarFilter, grouped bool) (int, Facets, error) {
	q := s.calendarQuery(f)
	if grouped {
		return s.calendarCountsGrouped(ctx, q)
	}
	return s.calendarCountsByScans(ctx, q)
}
