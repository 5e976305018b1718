package store

import (
	"encoding/json"
	"reflect"
	"sort"
	"strings"

	"golang.org/x/text/language"
)

// UndeterminedLanguage is the BCP 47 tag given to a plain-string text.
const UndeterminedLanguage = "und"

// LangMap is a text in several languages, keyed by BCP 47 tag. In JSON it is
// a map ({"en": "...", "fr": "..."}) or a plain string, read as language "und"
// and re-keyed to the document's language by Normalize.
type LangMap map[string]string

// UnmarshalJSON accepts a string or a map of strings.
func (m *LangMap) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		if s == "" {
			*m = nil
			return nil
		}
		*m = LangMap{UndeterminedLanguage: s}
		return nil
	}
	var mm map[string]string
	if err := json.Unmarshal(b, &mm); err != nil {
		// A type error lets encoding/json name the field in its message.
		return &json.UnmarshalTypeError{Value: "non-text value", Type: reflect.TypeOf(LangMap{})}
	}
	*m = LangMap(mm)
	return nil
}

// Languages returns the tags in a stable order.
func (m LangMap) Languages() []string {
	tags := make([]string, 0, len(m))
	for t := range m {
		tags = append(tags, t)
	}
	sort.Strings(tags)
	return tags
}

// normalize canonicalises the tags (e.g. "EN-gb" -> "en-GB"), drops empty
// texts and gives an "und" text the document's language if it has none yet.
func (m LangMap) normalize(docLang string) LangMap {
	if len(m) == 0 {
		return nil
	}
	out := LangMap{}
	for tag, v := range m {
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		if t, err := language.Parse(tag); err == nil {
			tag = t.String()
		}
		out[tag] = v
	}
	if v, ok := out[UndeterminedLanguage]; ok && docLang != "" {
		if _, taken := out[docLang]; !taken {
			delete(out, UndeterminedLanguage)
			out[docLang] = v
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// Best returns the text in the first of prefs that matches (exact tag, then
// base language), else in fallback, else any text; with its tag.
func (m LangMap) Best(fallback string, prefs ...string) (text, tag string) {
	if len(m) == 0 {
		return "", ""
	}
	for _, p := range prefs {
		if v, ok := m[p]; ok {
			return v, p
		}
	}
	for _, p := range prefs {
		base, _, _ := strings.Cut(p, "-")
		for _, t := range m.Languages() {
			if tb, _, _ := strings.Cut(t, "-"); strings.EqualFold(tb, base) {
				return m[t], t
			}
		}
	}
	if v, ok := m[fallback]; ok {
		return v, fallback
	}
	t := m.Languages()[0]
	return m[t], t
}

func canonicalTag(tag string) string {
	if t, err := language.Parse(tag); err == nil {
		return t.String()
	}
	return tag
}

// LanguagesOf lists the languages present in any of the maps, in order of
// first appearance.
func LanguagesOf(maps ...LangMap) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range maps {
		for _, t := range m.Languages() {
			if !seen[t] {
				seen[t] = true
				out = append(out, t)
			}
		}
	}
	return out
}
