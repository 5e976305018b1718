package i18n

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// Country names a country code (ISO 3166-1 alpha-2, EU or INT) in the
// locale's language ("Allemagne"), falling back to the code itself.
func (l *Locale) Country(code string) string {
	code = strings.ToUpper(strings.TrimSpace(code))
	if code == "" {
		return ""
	}
	if l.Has("country." + code) {
		return l.T("country." + code)
	}
	r, err := language.ParseRegion(code)
	if err != nil {
		return code
	}
	if n := display.Regions(l.tag).Name(r); n != "" {
		return n
	}
	return code
}

// LanguageName names a language tag in the locale's language ("allemand"),
// falling back to the tag; "" for an undetermined language.
func (l *Locale) LanguageName(tag string) string {
	if tag == "" || tag == "und" {
		return ""
	}
	t, err := language.Parse(tag)
	if err != nil {
		return tag
	}
	if n := display.Tags(l.tag).Name(t); n != "" {
		return n
	}
	return tag
}

// Autonym names a language in itself ("français"), for choices a reader
// may not read in the interface language.
func Autonym(tag string) string {
	t, err := language.Parse(tag)
	if err != nil {
		return tag
	}
	if n := display.Self.Name(t); n != "" {
		return n
	}
	return tag
}

// Capitalize upper-cases the first letter ("français" -> "Français"), for
// names standing alone in a list.
func Capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// label translates a value of a controlled vocabulary, or shows it readably.
func (l *Locale) label(prefix, v string) string {
	if v == "" {
		return ""
	}
	if key := prefix + v; l.Has(key) || (l.fallback != nil && l.fallback.Has(key)) {
		return l.T(key)
	}
	return strings.ReplaceAll(strings.ReplaceAll(v, "_", " "), "-", " ")
}

// Level names a level of government (store.GovernmentLevels()).
func (l *Locale) Level(v string) string { return l.label("level.", v) }

// Area names a support area in OSOR's wording (store.SupportAreas()).
func (l *Locale) Area(v string) string { return l.label("area.", v) }

// Status names an event status (store.EventStatuses()).
func (l *Locale) Status(v string) string { return l.label("status.", v) }

// Category names an event category (store.EventCategories()).
func (l *Locale) Category(v string) string { return l.label("category.", v) }

// Kind names how a directory entry is known (self, followed, follower...).
func (l *Locale) Kind(v string) string { return l.label("kind.", v) }
