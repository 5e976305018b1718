package markup

import (
	"testing"
	"time"
)

func TestTimeRange(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		start, end string
		loc        *time.Location
		want       string
	}{
		{"2032-04-14T10:00:00+02:00", "2032-04-14T11:30:00+02:00", paris, "Wed 14 Apr 2032, 10:00–11:30 CEST (Europe/Paris)"},
		{"2027-01-14T08:00:00Z", "2027-01-15T16:00:00Z", paris, "Thu 14 Jan 2027, 09:00 – Fri 15 Jan 2027, 17:00 CET (Europe/Paris)"},
		{"2027-01-14T08:00:00Z", "2027-01-14T09:00:00Z", time.UTC, "Thu 14 Jan 2027, 08:00–09:00 UTC (UTC)"},
	}
	for _, tt := range tests {
		if got := TimeRange(at(tt.start), at(tt.end), tt.loc); got != tt.want {
			t.Errorf("TimeRange = %q, want %q", got, tt.want)
		}
	}
}

// TestPlainTextShortcut: text without markup skips the sanitiser, and must
// come out exactly as the sanitiser would give it.
func TestPlainTextShortcut(t *testing.T) {
	for _, s := range []string{
		"", "  Open Source Day  ", "Café « l'open source » – 2032", `He said "hello" & left`,
		"Line one\nLine two\n\nLine three", "tab\tseparated", "emoji 🎉 and ümlauts",
		"a\n\n\n\nb", "x < y", "<p>Hello</p>", "carriage\r\nreturn", "nul\x00byte", "ends with newline\n",
		"'single' quotes", "https://example.org/path?a=1&b=2", "&amp; escaped", "\u00a0non-breaking\u00a0",
	} {
		if got, want := PlainText(s), sanitizedText(s); got != want {
			t.Errorf("PlainText(%q) = %q, the sanitiser gives %q", s, got, want)
		}
	}
}
