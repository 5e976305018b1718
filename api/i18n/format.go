package i18n

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// calendarNames are the day and month names of a language and how its long
// dates are ordered (CLDR "full" and "long" date formats, 24-hour clock).
type calendarNames struct {
	weekdays [7]string  // Sunday first, as time.Weekday
	months   [12]string // January first
	// full formats a date with its weekday, long without.
	full, long func(wd, d, m string, y int) string
}

var names = map[string]calendarNames{
	"en": {
		weekdays: [7]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"},
		months: [12]string{"January", "February", "March", "April", "May", "June", "July", "August",
			"September", "October", "November", "December"},
		full: func(wd, d, m string, y int) string { return fmt.Sprintf("%s %s %s %d", wd, d, m, y) },
		long: func(_, d, m string, y int) string { return fmt.Sprintf("%s %s %d", d, m, y) },
	},
	"fr": {
		weekdays: [7]string{"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"},
		months: [12]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
			"septembre", "octobre", "novembre", "décembre"},
		full: func(wd, d, m string, y int) string { return fmt.Sprintf("%s %s %s %d", wd, d, m, y) },
		long: func(_, d, m string, y int) string { return fmt.Sprintf("%s %s %d", d, m, y) },
	},
	"de": {
		weekdays: [7]string{"Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"},
		months: [12]string{"Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
			"September", "Oktober", "November", "Dezember"},
		full: func(wd, d, m string, y int) string { return fmt.Sprintf("%s, %s. %s %d", wd, d, m, y) },
		long: func(_, d, m string, y int) string { return fmt.Sprintf("%s. %s %d", d, m, y) },
	},
	"it": {
		weekdays: [7]string{"domenica", "lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato"},
		months: [12]string{"gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto",
			"settembre", "ottobre", "novembre", "dicembre"},
		full: func(wd, d, m string, y int) string { return fmt.Sprintf("%s %s %s %d", wd, d, m, y) },
		long: func(_, d, m string, y int) string { return fmt.Sprintf("%s %s %d", d, m, y) },
	},
	"es": {
		weekdays: [7]string{"domingo", "lunes", "martes", "miércoles", "jueves", "viernes", "sábado"},
		months: [12]string{"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
			"septiembre", "octubre", "noviembre", "diciembre"},
		full: func(wd, d, m string, y int) string { return fmt.Sprintf("%s, %s de %s de %d", wd, d, m, y) },
		long: func(_, d, m string, y int) string { return fmt.Sprintf("%s de %s de %d", d, m, y) },
	},
	"nl": {
		weekdays: [7]string{"zondag", "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag"},
		months: [12]string{"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
			"september", "oktober", "november", "december"},
		full: func(wd, d, m string, y int) string { return fmt.Sprintf("%s %s %s %d", wd, d, m, y) },
		long: func(_, d, m string, y int) string { return fmt.Sprintf("%s %s %d", d, m, y) },
	},
}

func (l *Locale) names() calendarNames {
	if n, ok := names[l.Tag]; ok {
		return n
	}
	return names[Default]
}

// Date formats a day with its weekday ("mercredi 14 avril 2027"), in t's own zone.
func (l *Locale) Date(t time.Time) string {
	n := l.names()
	return n.full(n.weekdays[t.Weekday()], strconv.Itoa(t.Day()), n.months[t.Month()-1], t.Year())
}

// LongDate formats a day without its weekday ("14 avril 2027").
func (l *Locale) LongDate(t time.Time) string {
	n := l.names()
	return n.long("", strconv.Itoa(t.Day()), n.months[t.Month()-1], t.Year())
}

// Clock formats a time of day on the 24-hour clock ("09:30").
func (l *Locale) Clock(t time.Time) string { return t.Format("15:04") }

// DateTime formats an instant as a day and a time, with its zone
// ("14 avril 2027, 10:00 UTC"): for "last updated" notes.
func (l *Locale) DateTime(t time.Time) string {
	return l.LongDate(t) + ", " + l.Clock(t) + " " + zoneOffset(t)
}

// Range formats an event's time span in its own time zone:
// "mercredi 14 avril 2027, 10:00–11:30 (Europe/Paris, UTC+2)", or with
// both days when it spans several.
func (l *Locale) Range(start, end time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	s, e := start.In(loc), end.In(loc)
	var out string
	if s.Year() == e.Year() && s.YearDay() == e.YearDay() {
		out = l.Date(s) + ", " + l.Clock(s) + "–" + l.Clock(e)
	} else {
		out = l.Date(s) + ", " + l.Clock(s) + " – " + l.Date(e) + ", " + l.Clock(e)
	}
	return out + " (" + Zone(s, loc) + ")"
}

// Zone names a time zone with the offset in force at t: "Europe/Paris, UTC+2", or "UTC".
func Zone(t time.Time, loc *time.Location) string {
	name := loc.String()
	off := zoneOffset(t.In(loc))
	if name == "UTC" || name == "" || name == off {
		return off
	}
	return name + ", " + off
}

// zoneOffset is "UTC", "UTC+2" or "UTC+5:30".
func zoneOffset(t time.Time) string {
	_, off := t.Zone()
	if off == 0 {
		return "UTC"
	}
	sign := "+"
	if off < 0 {
		sign, off = "−", -off
	}
	h, m := off/3600, off%3600/60
	if m == 0 {
		return fmt.Sprintf("UTC%s%d", sign, h)
	}
	return fmt.Sprintf("UTC%s%d:%02d", sign, h, m)
}

// Number formats an integer with the language's digit grouping
// ("12,345", "12 345", "12.345"; Spanish groups only from five digits).
func (l *Locale) Number(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	sep := map[string]string{"en": ",", "fr": "\u202f", "de": ".", "it": ".", "es": ".", "nl": "."}[l.Tag]
	if sep == "" {
		sep = ","
	}
	if len(s) > 3 && !(l.Tag == "es" && len(s) == 4) {
		var b strings.Builder
		pre := len(s) % 3
		if pre > 0 {
			b.WriteString(s[:pre])
		}
		for i := pre; i < len(s); i += 3 {
			if b.Len() > 0 {
				b.WriteString(sep)
			}
			b.WriteString(s[i : i+3])
		}
		s = b.String()
	}
	if neg {
		s = "-" + s
	}
	return s
}
