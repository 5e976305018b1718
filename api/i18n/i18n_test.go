package i18n_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ospod/ospod/api/i18n"
	"github.com/ospod/ospod/store"
)

var placeholderRe = regexp.MustCompile(`\{[a-z]+\}`)

// TestCatalogueComplete: every language has every English key, no other,
// with the same placeholders, and is really translated (a key that keeps
// the English text must be one where that is right in that language).
func TestCatalogueComplete(t *testing.T) {
	en := i18n.For("en")
	same := map[string]bool{ // words that are the same in some languages
		"profile.team": true, "event.online": true, "filters.online": true, "category.LGBTQ": true,
		"category.ARTS": true, "entry.source": true, "profile.website": true, "page.nav": true,
		"kind.follower": true, "category.NETWORKING": true, "category.COMEDY": true, "event.status": true,
		"filters.title": true, "directory.results.one": true, "directory.results.other": true,
		"country.INT": true, "entry.host": true, "category.SPORTS": true, "site.opendata": true,
		"category.CAUSES": true, "level.association": true, "text.fallbackShort": true, "error.title.other": true,
		"admin.dashboard.version": true, "admin.name": true, "admin.nav.label": true, "admin.col.domain": true,
		"admin.col.host": true, "admin.col.name": true, "admin.login.username": true, "admin.nav.moderation": true,
		"admin.col.account": true, "admin.login.password": true, "admin.role.editor": true,
		"admin.account.sessions": true, "admin.factor.code": true, "admin.users.actions": true, "admin.audit.person": true,
		"admin.audit.object": true, "admin.factor.uri": true,
	}
	for _, l := range i18n.Languages {
		loc := i18n.For(l.Tag)
		keys := i18n.Keys(l.Tag)
		if !slices.Equal(keys, i18n.Keys("en")) {
			t.Errorf("%s: keys differ from English", l.Tag)
		}
		for _, k := range keys {
			got, want := placeholderRe.FindAllString(loc.T(k), -1), placeholderRe.FindAllString(en.T(k), -1)
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("%s %s: placeholders %v, English has %v", l.Tag, k, got, want)
			}
			if l.Tag != "en" && loc.T(k) == en.T(k) && !same[k] && !sameInAdminPages[k] {
				t.Errorf("%s %s is the English text %q", l.Tag, k, en.T(k))
			}
		}
	}
}

// TestVocabulariesTranslated: every value of the controlled vocabularies
// has a label in every language.
func TestVocabulariesTranslated(t *testing.T) {
	for _, l := range i18n.Languages {
		loc := i18n.For(l.Tag)
		for prefix, values := range map[string][]string{"level.": store.GovernmentLevels(), "area.": store.SupportAreas(),
			"status.": store.EventStatuses(), "category.": store.EventCategories(),
			"kind.": {store.KindSelf, store.KindFollowed, store.KindFollower, store.KindDiscovered, store.KindListed}} {
			for _, v := range values {
				if !loc.Has(prefix + v) {
					t.Errorf("%s: no label for %s%s", l.Tag, prefix, v)
				}
			}
		}
	}
}

func TestMatch(t *testing.T) {
	for _, tc := range []struct{ header, want string }{
		{"", "en"},
		{"fr", "fr"},
		{"fr-CH, fr;q=0.9, en;q=0.8", "fr"},
		{"pl, de;q=0.7, en;q=0.5", "de"},
		{"nl-BE", "nl"},
		{"ja", "en"},
		{"es-419", "es"},
		{"it;q=0.2, de;q=0.9", "de"},
		{"*", "en"},
		{"%%%", "en"},
	} {
		if got := i18n.Match(tc.header); got != tc.want {
			t.Errorf("Match(%q) = %q, want %q", tc.header, got, tc.want)
		}
	}
	for in, want := range map[string]string{"fr": "fr", "FR": "fr", "de-AT": "de", "pl": "", "x": "", "": ""} {
		got, ok := i18n.Supported(in)
		if got != want || ok != (want != "") {
			t.Errorf("Supported(%q) = %q, %v", in, got, ok)
		}
	}
	if got := i18n.Preferences("pl, de-AT;q=0.7, de;q=0.6, en;q=0.5"); !slices.Equal(got, []string{"pl", "de", "en"}) {
		t.Errorf("Preferences = %v", got)
	}
}

func TestDatesAndNumbers(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip("no time zone database")
	}
	start := time.Date(2027, 4, 14, 8, 0, 0, 0, time.UTC)
	end := start.Add(90 * time.Minute)
	for tag, want := range map[string]string{
		"en": "Wednesday 14 April 2027, 10:00–11:30 (Europe/Paris, UTC+2)",
		"fr": "mercredi 14 avril 2027, 10:00–11:30 (Europe/Paris, UTC+2)",
		"de": "Mittwoch, 14. April 2027, 10:00–11:30 (Europe/Paris, UTC+2)",
		"it": "mercoledì 14 aprile 2027, 10:00–11:30 (Europe/Paris, UTC+2)",
		"es": "miércoles, 14 de abril de 2027, 10:00–11:30 (Europe/Paris, UTC+2)",
		"nl": "woensdag 14 april 2027, 10:00–11:30 (Europe/Paris, UTC+2)",
	} {
		if got := i18n.For(tag).Range(start, end, paris); got != want {
			t.Errorf("%s: %q, want %q", tag, got, want)
		}
	}
	multi := i18n.For("en").Range(start, start.Add(30*time.Hour), time.UTC)
	if multi != "Wednesday 14 April 2027, 08:00 – Thursday 15 April 2027, 14:00 (UTC)" {
		t.Errorf("multi-day: %q", multi)
	}
	kolkata, _ := time.LoadLocation("Asia/Kolkata")
	if z := i18n.Zone(start, kolkata); z != "Asia/Kolkata, UTC+5:30" {
		t.Errorf("zone: %q", z)
	}
	for tag, want := range map[string]string{"en": "12,345", "fr": "12\u202f345", "de": "12.345", "es": "12.345"} {
		if got := i18n.For(tag).Number(12345); got != want {
			t.Errorf("%s Number = %q, want %q", tag, got, want)
		}
	}
	if got := i18n.For("es").Number(1234); got != "1234" {
		t.Errorf("es Number(1234) = %q", got)
	}
	if got := i18n.For("fr").N("calendar.results", 0); got != "0 événement" {
		t.Errorf("fr N(0) = %q", got)
	}
	if got := i18n.For("en").N("calendar.results", 2); got != "2 events" {
		t.Errorf("en N(2) = %q", got)
	}
}

func TestNames(t *testing.T) {
	fr := i18n.For("fr")
	for in, want := range map[string]string{"DE": "Allemagne", "EU": "Union européenne", "INT": "International", "QQ": "QQ"} {
		if got := fr.Country(in); got != want {
			t.Errorf("Country(%q) = %q, want %q", in, got, want)
		}
	}
	if got := fr.LanguageName("de"); got != "allemand" {
		t.Errorf("LanguageName = %q", got)
	}
	if got := i18n.For("de").T("text.fallback", "language", "Französisch"); !strings.Contains(got, "Französisch") {
		t.Errorf("fallback note = %q", got)
	}
	if got := fr.Level("municipal"); got != "Collectivité locale" {
		t.Errorf("Level = %q", got)
	}
	if got := fr.Category("NOT_A_CATEGORY"); got != "NOT A CATEGORY" {
		t.Errorf("unknown category = %q", got)
	}
	if got := i18n.Autonym("nl"); got != "Nederlands" {
		t.Errorf("Autonym = %q", got)
	}
}
