package markup

import "time"

// TimeRange formats an event's dates in its own time zone, language-neutral:
// "Wed 14 Apr 2032, 10:00–11:30 CEST (Europe/Paris)".
func TimeRange(start, end time.Time, loc *time.Location) string {
	s, e := start.In(loc), end.In(loc)
	const day, clock = "Mon 2 Jan 2006", "15:04"
	out := s.Format(day + ", " + clock)
	if s.Format("2006-01-02") == e.Format("2006-01-02") {
		out += "–" + e.Format(clock)
	} else {
		out += " – " + e.Format(day+", "+clock)
	}
	return out + " " + e.Format("MST") + " (" + loc.String() + ")"
}
